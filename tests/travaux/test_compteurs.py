"""The « Tableau de bord (stock) » counters of works pieces (``CompteurPieces``, issue 15 goal 2): kept by the database
on every write of pieces (deposit, draft, transition, an invoice's transition rewriting a piece's « état courant »,
bulk insert, bulk update, delete, a dossier's actors changed), read through the same perimeter as the pieces for
every kind of actor, folded, checked by ``verifier_compteurs``, and filled by the migration from yesterday's
pieces."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from facturation import services as facturation_services
from facturation.enums import Cadre, StatutFacture
from organisation.enums import Application, Niveau, OptionMoa
from tests.compteurs import avant_les_compteurs, copies, replier, signaler_puis_corriger
from tests.factories import ServiceFactory, UtilisateurFactory, utilisateur_de
from tests.travaux.factories import acteur, deposer_initial, deposer_suite
from travaux import compteurs, queries, services, tasks
from travaux.models import CHAMPS_ROLE, CompteurPieces, DossierFacturation, PieceTravaux
from travaux.services import structures_travaux
from travaux.statuts import GROUPES_TABLEAU_DE_BORD, ROLES_TABLEAU_DE_BORD, StatutPiece

pytestmark = pytest.mark.django_db
S = StatutPiece


def _group_by(user, role) -> list[dict]:
    """The dashboard's former query: the role's pieces (``PieceTravaux.objects.du_role``) counted per group of état
    courant, one ``COUNT … FILTER`` per group, per structure."""
    champ = CHAMPS_ROLE[role]
    structures = structures_travaux(user, Niveau.CONSULTATION).values_list("pk", flat=True)
    comptes = {
        code: Count("etat_courant", filter=Q(etat_courant__in=list(liste)))
        for code, (_libelle, liste) in GROUPES_TABLEAU_DE_BORD.items()
    }
    lignes = PieceTravaux.objects.du_role(user, role, structures).values(champ).annotate(**comptes).order_by(champ)
    return [
        {"structure_id": ligne[champ], **{code: ligne[code] for code in GROUPES_TABLEAU_DE_BORD}} for ligne in lignes
    ]


def _lu(user, role) -> list[dict]:
    return [
        {"structure_id": ligne["structure_id"], **{code: ligne[code] for code in GROUPES_TABLEAU_DE_BORD}}
        for ligne in queries.tableau_de_bord(user, role)
    ]


def _tous(qui) -> dict:
    """Every user's dashboard in every role."""
    return {(nom, role): _lu(user, role) for nom, user in qui["utilisateurs"].items() for role in ROLES_TABLEAU_DE_BORD}


def _verifier(qui) -> None:
    """For every user and role, the dashboard read from the counters equals the former GROUP BY of the pieces, and
    no key drifts."""
    for nom, user in qui["utilisateurs"].items():
        for role in ROLES_TABLEAU_DE_BORD:
            assert _lu(user, role) == _group_by(user, role), (nom, role)
    assert compteurs.COMPTEUR.ecarts() == []


@pytest.fixture
def qui():
    """The fournisseur (a sous-traitant, with a second user in consultation), its titulaire, a MOE (and a user of
    one of its services only), a MOA « avec MOA », a service financier, another MOE, another fournisseur, a user
    without the profile."""
    noms = {
        "fournisseur": "SOUS-TRAITANT SARL",
        "titulaire": "TITULAIRE SA",
        "moe": "MB INGENIERIE",
        "autre_moe": "AUTRE MOE",
        "autre_fournisseur": "AUTRE FOURNISSEUR",
    }
    acteurs = {role: acteur(nom) for role, nom in noms.items()}
    acteurs["moa"] = acteur("ACADEMIE DE MONTPELLIER", publique=True, option_moa=OptionMoa.AVEC_MOA)
    acteurs["service_financier"] = acteur("DRFIP OCCITANIE", publique=True)
    moe = acteurs["moe"][1]
    utilisateurs = {nom: user for nom, (user, _structure) in acteurs.items()}
    utilisateurs["lecteur_fournisseur"] = utilisateur_de(
        acteurs["fournisseur"][1], profils={Application.FACTURES_TRAVAUX: "consultation"}, email="l@st.fr"
    )
    utilisateurs["moe_par_service"] = utilisateur_de(
        moe, service=ServiceFactory(structure=moe), profils={Application.FACTURES_TRAVAUX: "consultation"}
    )
    utilisateurs["sans_profil"] = UtilisateurFactory(email="personne@exemple.fr")
    return {**acteurs, "utilisateurs": utilisateurs}


def test_compteurs_egaux_au_group_by_a_chaque_ecriture(qui):
    fournisseur, moe, moa = qui["fournisseur"], qui["moe"], qui["moa"]
    acteurs = {"moe": moe[1], "moa": moa[1]}
    # Creation: a deposited A4, a draft (seen by its depositor's users only), another supplier's A4 to the MOE only.
    a4 = deposer_initial(fournisseur, cadre=Cadre.A4, numero="A4", **acteurs)
    brouillon = deposer_initial(fournisseur, cadre=Cadre.A4, numero="BROUILLON", brouillon=True, **acteurs)
    deposer_initial(qui["autre_fournisseur"], cadre=Cadre.A4, numero="AUTRE", **acteurs)
    sous_traitance = deposer_initial(
        fournisseur, cadre=Cadre.A10, numero="A10", validateur=qui["titulaire"][1], **acteurs
    )
    _verifier(qui)
    assert _lu(qui["utilisateurs"]["lecteur_fournisseur"], "FOURNISSEUR")[0]["BROUILLON"] == 1
    assert _lu(moe[0], "MOE")[0]["BROUILLON"] == 0
    # Transitions: taken on by the MOE, the A15 to the MOA, its payable A19 and the invoice's own transitions
    # (which rewrite the piece's « état courant » from facturation); the titulaire refuses the A10; the draft sent.
    services.prendre_en_compte(acting_user=moe[0], piece=a4)
    a15 = deposer_suite(moe, a4, cadre=Cadre.A15, numero="A15")
    a19 = deposer_suite(moa, a15, cadre=Cadre.A19, numero="A19")
    services.refuser(
        acting_user=qui["titulaire"][0], piece=sous_traitance, motif=services.MOTIF_AUTRE, commentaire="Non"
    )
    services.envoyer_brouillon(acting_user=fournisseur[0], piece=brouillon)
    _verifier(qui)
    a19.refresh_from_db()
    for statut in (StatutFacture.SERVICE_FAIT, StatutFacture.MISE_EN_PAIEMENT):
        facturation_services.CIRCUIT.transition(a19.facture, to=statut, acting_user=None, role="DESTINATAIRE")
    _verifier(qui)
    assert _lu(moa[0], "MOA")[0]["MISE_EN_PAIEMENT"] == 1
    # A bulk insert (one statement), a bulk update of statuses, a new draft then deleted with the clones.
    copies(a4, 12)
    copies(brouillon, 3, "BROUILLON-CLONE")
    PieceTravaux.objects.filter(numero__startswith="BROUILLON-CLONE").update(statut=S.BROUILLON)
    _verifier(qui)
    assert _lu(qui["utilisateurs"]["fournisseur"], "FOURNISSEUR")[0]["BROUILLON"] == 3
    assert _lu(moe[0], "MOE")[0]["BROUILLON"] == 0
    PieceTravaux.objects.filter(numero__in=["CLONE-000", "CLONE-001", "CLONE-002"]).update(statut=S.SUSPENDUE)
    _verifier(qui)
    PieceTravaux.objects.filter(numero__startswith="CLONE-01").delete()
    PieceTravaux.objects.filter(numero="BROUILLON-CLONE-000").delete()
    _verifier(qui)
    # The perimeter columns: the dossier changes MOE and loses its MOA; the pieces' copies follow, and so do the
    # counters (the old MOE counts them no more, the new one does).
    moa_avant = sum(_lu(moa[0], "MOA")[0][code] for code in GROUPES_TABLEAU_DE_BORD)
    assert _lu(qui["autre_moe"][0], "MOE") == []
    DossierFacturation.objects.filter(pk=a4.dossier_id).update(moe=qui["autre_moe"][1], moa=None)
    _verifier(qui)
    assert _lu(qui["autre_moe"][0], "MOE")[0]["ASSOCIEE"] == 9  # the A4, the A15 and the 7 clones left « Associée »
    assert sum(_lu(moa[0], "MOA")[0][code] for code in GROUPES_TABLEAU_DE_BORD) < moa_avant
    # An amount changed moves no piece between keys: nothing appended.
    lignes = CompteurPieces.objects.count()
    PieceTravaux.objects.filter(pk=a4.pk).update(commentaire="Relu")
    assert CompteurPieces.objects.count() == lignes
    # Folding leaves one row per key, no zero row, and the same dashboards.
    replier(compteurs.COMPTEUR, CompteurPieces, lambda: _tous(qui))
    _verifier(qui)


def test_tableau_de_bord_lit_les_compteurs_en_requetes_bornees(client, qui, django_assert_max_num_queries):
    moe = qui["moe"]
    a4 = deposer_initial(qui["fournisseur"], cadre=Cadre.A4, numero="A4", moe=moe[1], moa=qui["moa"][1])
    client.force_login(moe[0])
    url = reverse("travaux_tableau_de_bord")
    for volume in (5, 60):
        copies(a4, volume, f"V{volume}")
        compteurs.COMPTEUR.compacter()
        client.get(url, {"role": "MOE"})
        with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as requetes:
            response = client.get(url, {"role": "MOE"})
        assert not [q for q in requetes.captured_queries if '"travaux_piecetravaux"' in q["sql"]]
    [ligne] = response.context["lignes"]
    assert {c["libelle"]: c["nombre"] for c in ligne["comptes"] if c["nombre"]} == {"Mise à disposition": 66}
    # One row per key read, whatever the number of pieces: one état courant of one structure in the role.
    assert CompteurPieces.objects.du_role(moe[0], "MOE", [moe[1].pk]).count() == 1


def test_verifier_compteurs_signale_et_corrige_les_ecarts(capsys, caplog, qui):
    moe = qui["moe"]
    deposer_initial(qui["fournisseur"], cadre=Cadre.A4, numero="A4", moe=moe[1], moa=qui["moa"][1])
    call_command("verifier_compteurs")
    assert "Compteurs des pièces de travaux exacts : aucun écart." in capsys.readouterr().out
    assert tasks.verifier_compteurs() == 0
    # A counter too high for the MOE, as if a write had bypassed the triggers: the dashboard shows it until set right.
    CompteurPieces.objects.create(role="MOE", structure=moe[1], etat_courant=S.SUSPENDUE, nombre=2)
    assert _lu(moe[0], "MOE")[0]["SUSPENDUE"] == 2
    ecart = f"role MOE, structure_id {moe[1].pk}, etat_courant SUSPENDUE : 2 compté(s), 0 pièce(s)"
    signaler_puis_corriger(compteurs.COMPTEUR, tasks, ecart, caplog=caplog, capsys=capsys)
    _verifier(qui)


AVANT = [("travaux", "0005_index_numero_marche_trigrammes")]


@pytest.mark.django_db(transaction=True)
def test_la_migration_compte_les_pieces_d_hier(qui):
    """A database at the previous migration, with pieces, migrates forward with its counters right."""
    fournisseur, moe = qui["fournisseur"], qui["moe"]
    a4 = deposer_initial(fournisseur, cadre=Cadre.A4, numero="A4", moe=moe[1], moa=qui["moa"][1])
    deposer_initial(fournisseur, cadre=Cadre.A4, numero="BROUILLON", brouillon=True, moe=moe[1], moa=qui["moa"][1])
    with avant_les_compteurs(AVANT, "travaux_compteurpieces") as anciennes:
        # Written while the counters did not exist (yesterday's pieces).
        anciennes.get_model("travaux", "PieceTravaux").objects.filter(pk=a4.pk).update(statut=S.SUSPENDUE)
    assert compteurs.COMPTEUR.ecarts() == []
    _verifier(qui)
    assert _lu(moe[0], "MOE")[0]["SUSPENDUE"] == 1
    assert _lu(fournisseur[0], "FOURNISSEUR")[0]["BROUILLON"] == 1
    # The triggers came back with the table: a new piece is counted.
    deposer_initial(fournisseur, cadre=Cadre.A4, numero="A4-BIS", moe=moe[1], moa=qui["moa"][1])
    assert _lu(moe[0], "MOE")[0]["MISE_A_DISPOSITION"] == 1
    _verifier(qui)
