"""The imported INSEE base on the portal: look-up, « Mettre à jour depuis la base INSEE » (a deferred change, the
30-minute rule) and the public JSON endpoint that pre-fills account creation."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from organisation import services, sirene
from organisation.enums import OptionMoa, StatutRattachement, StatutStructure, TypeIdentifiant, TypeStructure
from organisation.models import HistoriqueModificationDifferee, ModificationDifferee, Rattachement
from tests.factories import EtablissementInseeFactory, StructureFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

SIRET = "73282932000074"


# What the INSEE base and the portal both say of the structure, unless a test changes one side.
ACME = {
    "raison_sociale": "ACME SAS",
    "adresse": "12 RUE DES LILAS",
    "complement_adresse": "BATIMENT B",
    "code_postal": "69003",
    "ville": "LYON",
}


def _etablissement(**kwargs):
    return EtablissementInseeFactory(**({"siret": SIRET} | ACME | kwargs))


def _structure(**kwargs):
    return StructureFactory(**({"identifiant": SIRET} | ACME | kwargs))


def _gp_de(structure):
    """A gestionnaire of the structure: the sweep checks, when a change applies, that its requester may make it."""
    gp = UtilisateurFactory()
    Rattachement.objects.create(utilisateur=gp, structure=structure, statut=StatutRattachement.ACTIF)
    services.definir_profils(utilisateur=gp, structure=structure, profils=services.tous_les_profils())
    return gp


# --- rechercher ------------------------------------------------------------------------------------------------


def test_rechercher_trouve_par_siret_avec_ou_sans_espaces():
    etablissement = _etablissement()
    assert sirene.rechercher(SIRET) == etablissement
    assert sirene.rechercher("732 829 320 00074") == etablissement
    assert sirene.rechercher("11000201100044") is None
    assert sirene.rechercher("") is None


# --- demander_mise_a_jour_depuis_insee ---------------------------------------------------------------------------


def test_mise_a_jour_ne_demande_que_les_champs_differents_puis_s_applique_apres_30_minutes():
    _etablissement(raison_sociale="ACME FRANCE", adresse="1 PLACE BELLECOUR", code_postal="69002")
    structure = _structure(telephone="04 00 00 00 00", code_service_obligatoire=True, option_moa=OptionMoa.AVEC_MOA)
    gp = _gp_de(structure)
    depart = timezone.now()

    with time_machine.travel(depart, tick=False):
        modification = sirene.demander_mise_a_jour_depuis_insee(structure=structure, acting_user=gp)

    assert modification.changements == {
        "raison_sociale": "ACME FRANCE",
        "adresse": "1 PLACE BELLECOUR",
        "code_postal": "69002",
    }
    assert modification.description == "Mise à jour depuis la base INSEE"
    assert modification.demandeur == gp
    assert modification.statut == ModificationDifferee.Statut.EN_ATTENTE
    assert modification.object_id == structure.pk
    assert modification.effective_at == depart + timedelta(minutes=30)
    assert list(services.modifications_en_attente(structure)) == [modification]
    assert HistoriqueModificationDifferee.objects.filter(objet=modification, acting_user=gp).exists()
    structure.refresh_from_db()
    assert structure.raison_sociale == "ACME SAS"  # nothing changes at once

    with time_machine.travel(depart + timedelta(minutes=29)):
        assert services.appliquer_modifications_dues() == 0
    with time_machine.travel(depart + timedelta(minutes=31)):
        assert services.appliquer_modifications_dues() == 1

    structure.refresh_from_db()
    assert (structure.raison_sociale, structure.adresse, structure.code_postal, structure.ville) == (
        "ACME FRANCE",
        "1 PLACE BELLECOUR",
        "69002",
        "LYON",
    )
    # Only identity and address: parameters, type and statut are untouched.
    assert structure.telephone == "04 00 00 00 00"
    assert structure.code_service_obligatoire and structure.option_moa == OptionMoa.AVEC_MOA
    assert (structure.type_structure, structure.statut) == (TypeStructure.PRIVEE, StatutStructure.ACTIVE)
    modification.refresh_from_db()
    assert modification.statut == ModificationDifferee.Statut.APPLIQUEE
    # Now up to date.
    with pytest.raises(ValidationError, match="La structure est déjà à jour avec la base INSEE."):
        sirene.demander_mise_a_jour_depuis_insee(structure=structure, acting_user=gp)


def test_mise_a_jour_vide_un_champ_facultatif_mais_jamais_un_champ_obligatoire():
    # A row that names nothing and a foreign country INSEE gives no ISO code for.
    _etablissement(raison_sociale="", complement_adresse="", code_pays="", libelle_pays="Royaume-uni")
    structure = _structure(code_pays="GB", libelle_pays="Royaume-Uni")
    depart = timezone.now()
    with time_machine.travel(depart, tick=False):
        modification = sirene.demander_mise_a_jour_depuis_insee(structure=structure, acting_user=_gp_de(structure))
    assert modification.changements == {"complement_adresse": "", "libelle_pays": "Royaume-uni"}
    with time_machine.travel(depart + timedelta(minutes=31)):
        assert services.appliquer_modifications_dues() == 1
    structure.refresh_from_db()
    assert (structure.raison_sociale, structure.complement_adresse) == ("ACME SAS", "")
    assert (structure.code_pays, structure.libelle_pays) == ("GB", "Royaume-uni")


@pytest.mark.parametrize(
    ("dans_la_base", "type_identifiant", "message"),
    [
        (False, TypeIdentifiant.SIRET, "Ce SIRET est absent de la base INSEE importée."),
        # The same number in the base, but the structure's identifier is not a SIRET.
        (True, TypeIdentifiant.HORS_UE, "Ce SIRET est absent de la base INSEE importée."),
        (True, TypeIdentifiant.SIRET, "La structure est déjà à jour avec la base INSEE."),
    ],
    ids=["siret_absent", "pas_un_siret", "deja_a_jour"],
)
def test_rien_a_reprendre_de_la_base_insee(dans_la_base, type_identifiant, message):
    if dans_la_base:
        _etablissement()
    structure = _structure(type_identifiant=type_identifiant)
    with pytest.raises(ValidationError) as exc:
        sirene.demander_mise_a_jour_depuis_insee(structure=structure, acting_user=UtilisateurFactory())
    assert exc.value.messages == [message]
    assert not ModificationDifferee.objects.exists()


def test_pas_de_seconde_demande_quand_une_mise_a_jour_est_deja_en_attente():
    _etablissement(ville="LYON 3EME")
    structure = _structure()
    gp = _gp_de(structure)
    premiere = sirene.demander_mise_a_jour_depuis_insee(structure=structure, acting_user=gp)
    assert premiere.changements == {"ville": "LYON 3EME"}
    with pytest.raises(ValidationError, match="Une modification en attente reprend déjà les données de la base INSEE"):
        sirene.demander_mise_a_jour_depuis_insee(structure=structure, acting_user=gp)
    assert ModificationDifferee.objects.count() == 1

    # Once cancelled, it can be asked again.
    services.annuler_modification(modification=premiere, acting_user=gp)
    seconde = sirene.demander_mise_a_jour_depuis_insee(structure=structure, acting_user=gp)
    assert seconde.changements == {"ville": "LYON 3EME"}


def test_une_modification_en_attente_contraire_est_compensee():
    """A pending change that moves the structure away from the register: the INSEE update restores it after."""
    _etablissement()
    structure = _structure()
    gp = _gp_de(structure)
    depart = timezone.now()
    with time_machine.travel(depart, tick=False):
        services.demander_modification(
            objet=structure, changements={"adresse": "AUTRE ADRESSE"}, demandeur=gp, description="Saisie"
        )
    with time_machine.travel(depart + timedelta(minutes=1), tick=False):
        modification = sirene.demander_mise_a_jour_depuis_insee(structure=structure, acting_user=gp)
    assert modification.changements == {"adresse": "12 RUE DES LILAS"}
    with time_machine.travel(depart + timedelta(hours=1)):
        assert services.appliquer_modifications_dues() == 2
    structure.refresh_from_db()
    assert structure.adresse == "12 RUE DES LILAS"


# --- GET /insee/<siret>/ -----------------------------------------------------------------------------------------


def test_endpoint_etablissement_trouve(client):
    _etablissement(actif=True)
    response = client.get(reverse("insee_siret", kwargs={"siret": SIRET}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "trouve": True,
        "raison_sociale": "ACME SAS",
        "adresse": "12 RUE DES LILAS",
        "code_postal": "69003",
        "ville": "LYON",
        "type_structure": "PRIVEE",
        "actif": True,
    }


def test_endpoint_etablissement_public_ferme(client):
    etablissement = EtablissementInseeFactory(publique=True, ferme=True, raison_sociale="DINUM")
    response = client.get(f"/insee/{etablissement.siret}/")
    assert response.status_code == 200
    donnees = response.json()
    assert (donnees["trouve"], donnees["raison_sociale"], donnees["type_structure"], donnees["actif"]) == (
        True,
        "DINUM",
        "PUBLIQUE",
        False,
    )


def test_endpoint_siret_valide_absent(client):
    _etablissement()
    response = client.get(reverse("insee_siret", kwargs={"siret": "11000201100044"}))
    assert response.status_code == 200
    assert response.json() == {"trouve": False}


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("73282932000075", "Le SIRET 73282932000075 n'est pas valide : sa clé de contrôle est incorrecte."),
        ("7328293200007", "Le SIRET doit comporter 14 chiffres (vous en avez saisi 13)."),
        ("7328293200007A", "Le SIRET ne doit contenir que des chiffres."),
    ],
)
def test_endpoint_siret_invalide(client, siret, message):
    _etablissement()
    response = client.get(reverse("insee_siret", kwargs={"siret": siret}))
    assert response.status_code == 400
    assert response.json() == {"erreur": message}


def test_endpoint_public_en_lecture_seule(client):
    _etablissement()
    assert client.get(f"/insee/{SIRET}/").status_code == 200  # no login needed
    assert client.post(f"/insee/{SIRET}/").status_code == 405


def test_page_creer_compte_charge_le_script_de_pre_remplissage(client):
    page = client.get(reverse("creer_compte")).content.decode()
    assert 'src="/static/organisation/creer_compte.js"' in page
    assert 'data-url-insee="/insee/00000000000000/"' in page
    assert finders.find("organisation/creer_compte.js")
