"""The perimeter of « Factures de travaux » on every list: each of a dossier's five actors — fournisseur (here a
sous-traitant), validateur (its titulaire), MOE, MOA and service financier, including a user of the service
financier attached to one of its services only — sees the dossier's pieces in Rechercher, the exports and the
Tableau de bord of its role, a draft only its depositor, a structure outside the dossier nothing. The pieces read
their actors on their own copies (``dossier_<acteur>``, kept by the database): the answer must be the one the
dossier's actors give (``DossierFacturation.objects.visibles_par``), and must follow a dossier whose actors
change."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from facturation.enums import Cadre
from organisation.enums import Application, Niveau, OptionMoa
from tests.factories import ServiceFactory, utilisateur_de
from tests.outils import contenu
from tests.travaux.factories import acteur, deposer_initial
from travaux.models import DossierFacturation, PieceTravaux
from travaux.services import structures_travaux
from travaux.statuts import StatutPiece

pytestmark = pytest.mark.django_db
S = StatutPiece


@pytest.fixture
def jeu():
    """Dossier 1: a sous-traitant's A10 waiting for its titulaire, with a MOE, a MOA and a service financier distinct
    from the MOA; dossier 2: the sous-traitant's draft with the same actors; dossier 3: another fournisseur's A4 to
    the same MOE only."""
    qui = {
        "sous_traitant": acteur("SOUS-TRAITANT SARL"),
        "titulaire": acteur("TITULAIRE SA"),
        "moe": acteur("MB INGENIERIE"),
        "moa": acteur("ACADEMIE DE MONTPELLIER", publique=True, option_moa=OptionMoa.AVEC_MOA),
        "service_financier": acteur("DRFIP OCCITANIE", publique=True),
        "autre_fournisseur": acteur("AUTRE FOURNISSEUR"),
        "etranger": acteur("AUTRE ENTREPRISE"),
    }
    service = ServiceFactory(structure=qui["service_financier"][1])
    par_service = utilisateur_de(
        qui["service_financier"][1], profils={Application.FACTURES_TRAVAUX: "consultation"}, service=service
    )
    qui["service_financier_par_service"] = (par_service, qui["service_financier"][1])
    acteurs = {
        "validateur": qui["titulaire"][1],
        "moe": qui["moe"][1],
        "moa": qui["moa"][1],
        "destinataire": qui["service_financier"][1],
    }
    a10 = deposer_initial(qui["sous_traitant"], cadre=Cadre.A10, numero="A10", **acteurs)
    deposer_initial(qui["sous_traitant"], cadre=Cadre.A10, numero="BROUILLON", brouillon=True, **acteurs)
    deposer_initial(qui["autre_fournisseur"], cadre=Cadre.A4, numero="AUTRE", moe=qui["moe"][1], moa=qui["moa"][1])
    assert PieceTravaux.objects.get(pk=a10.pk).statut == S.A_VALIDER_1
    return qui


# Who sees what in Rechercher and the exports.
ATTENDUS = {
    "sous_traitant": {"A10", "BROUILLON"},
    "titulaire": {"A10"},
    "moe": {"A10", "AUTRE"},
    "moa": {"A10", "AUTRE"},
    "service_financier": {"A10"},
    "service_financier_par_service": {"A10"},
    "autre_fournisseur": {"AUTRE"},
    "etranger": set(),
}


def _numeros(response) -> set[str]:
    assert response.status_code == 200
    return {p["numero"] for p in response.context["pieces"]}


def _csv(response) -> set[str]:
    assert response.status_code == 200
    texte = b"".join(response.streaming_content).decode("utf-8")
    return {ligne[0] for ligne in list(csv.reader(io.StringIO(texte[1:]), delimiter=";"))[1:]}


def _xlsx(response) -> set[str]:
    assert response.status_code == 200
    feuille = openpyxl.load_workbook(io.BytesIO(contenu(response))).active
    return {ligne[0] for ligne in feuille.iter_rows(min_row=2, values_only=True)}


def _par_les_dossiers(user) -> set[str]:
    """The rule written through the dossier's own actors, as before the pieces carried them."""
    dossiers = DossierFacturation.objects.visibles_par(user)
    pieces = PieceTravaux.objects.filter(dossier__in=dossiers)
    return {
        p.numero
        for p in pieces
        if p.statut not in (S.BROUILLON, S.ABANDONNEE) or p.deposant_id in {s.pk for s in _structures(user)}
    }


def _structures(user):
    return list(structures_travaux(user, Niveau.CONSULTATION))


@pytest.mark.parametrize("qui", list(ATTENDUS))
def test_chaque_acteur_voit_les_pieces_de_ses_dossiers_partout(client, jeu, qui):
    user = jeu[qui][0]
    client.force_login(user)
    assert _numeros(client.get(reverse("travaux_rechercher"))) == ATTENDUS[qui]
    assert _csv(client.get(reverse("travaux_exporter"))) == ATTENDUS[qui]
    assert _xlsx(client.get(reverse("travaux_exporter_xlsx"))) == ATTENDUS[qui]
    assert {p.numero for p in PieceTravaux.objects.visibles_par(user)} == ATTENDUS[qui] == _par_les_dossiers(user)


SYNTHESE = {"sous_traitant": {"BROUILLON"}, "titulaire": {"A10"}, "moe": {"AUTRE"}}


@pytest.mark.parametrize("qui", list(ATTENDUS))
def test_synthese_de_chaque_acteur(client, jeu, qui):
    client.force_login(jeu[qui][0])
    assert _numeros(client.get(reverse("travaux_synthese"))) == SYNTHESE.get(qui, set())


# (role of the Tableau de bord, pieces counted) for those who hold it.
TABLEAU = {
    "sous_traitant": {"FOURNISSEUR": 2},
    "moe": {"MOE": 2},
    "moa": {"MOA": 2},
    "autre_fournisseur": {"FOURNISSEUR": 1},
}


@pytest.mark.parametrize("qui", list(ATTENDUS))
def test_tableau_de_bord_de_chaque_acteur(client, jeu, qui):
    client.force_login(jeu[qui][0])
    for role in ("FOURNISSEUR", "MOE", "MOA"):
        lignes = client.get(reverse("travaux_tableau_de_bord"), {"role": role}).context["lignes"]
        total = sum(c["nombre"] for ligne in lignes for c in ligne["comptes"])
        assert total == TABLEAU.get(qui, {}).get(role, 0), role


def test_les_copies_suivent_les_acteurs_du_dossier(client, jeu):
    """A dossier whose titulaire or service financier changes: the pieces follow, the old actor sees them no more."""
    nouveau_titulaire, nouveau_sf = acteur("NOUVEAU TITULAIRE"), acteur("NOUVEAU SF", publique=True)
    a10 = PieceTravaux.objects.get(numero="A10")
    DossierFacturation.objects.filter(pk=a10.dossier_id).update(
        validateur=nouveau_titulaire[1], destinataire=nouveau_sf[1]
    )
    a10.refresh_from_db()
    assert (a10.dossier_validateur_id, a10.dossier_destinataire_id) == (nouveau_titulaire[1].pk, nouveau_sf[1].pk)
    for qui, attendus in (
        (jeu["titulaire"], set()),
        (jeu["service_financier"], set()),
        (nouveau_titulaire, {"A10"}),
        (nouveau_sf, {"A10"}),
    ):
        client.force_login(qui[0])
        assert _numeros(client.get(reverse("travaux_rechercher"))) == attendus
