"""transverses/v1 of the organisation domain: rechercher/destinataire (the public directory), consulter/information/
siret (the INSEE base), telecharger/annuaire/destinataire (the page's CSV export, zipped, base64), recuperer/
typeidentifiant/structure and recuperer/coordbanc/valides (the account's own structures only)."""

import base64
import csv
import io
import zipfile

import pytest

from chorus.api.kit import CODE_INTROUVABLE, CODE_REQUETE_INVALIDE
from facturation.models import Facture
from organisation import services as org_services
from organisation.enums import TypeIdentifiant
from tests.api.conftest import communes_numerotees, pagination
from tests.api.test_factures import facture
from tests.factories import EtablissementInseeFactory, StructureFactory, siret_aleatoire
from tests.facturation.factories import fournisseur_pret
from tests.fixtures_facturation import SIRET_ETAT


def _ok(r):
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["codeRetour"] == 0 and isinstance(corps["libelle"], str)
    return corps


def _refus(r, code=CODE_REQUETE_INVALIDE):
    assert r.status_code == 400, r.content
    assert r.json()["codeRetour"] == code
    return r.json()["libelle"]


# --- rechercher/destinataire ------------------------------------------------------------------------------------


def test_rechercher_destinataire_par_siret(api, etat):
    corps = _ok(api.post("transverses/v1/rechercher/destinataire", {"identifiant": SIRET_ETAT, "cle": 1}))
    assert corps["listeDestinataires"] == [
        {
            "idStructureCPP": etat.pk,
            "siret": SIRET_ETAT,
            "nomDestinataire": "ETAT",
            "adresseCodePostal": "75012",
            "adresseVille": "Paris",
        },
    ]
    assert type(corps["listeDestinataires"][0]["idStructureCPP"]) is int
    assert corps["parametresRetour"] == {"nbResultatsParPage": 50, "pageCourante": 1, "pages": 1, "total": 1}
    debut = _ok(api.post("transverses/v1/rechercher/destinataire", {"identifiant": f"{SIRET_ETAT[:3]} "}))
    assert [d["idStructureCPP"] for d in debut["listeDestinataires"]] == [etat.pk]
    autre = _ok(api.post("transverses/v1/rechercher/destinataire", {"identifiant": "99999999999999"}))
    assert autre["listeDestinataires"] == [] and autre["parametresRetour"]["total"] == 0


def test_rechercher_destinataire_requetes_bornees(api, etat, django_assert_max_num_queries):
    communes_numerotees(5)
    with django_assert_max_num_queries(6):
        corps = _ok(api.post("transverses/v1/rechercher/destinataire", {"nomVilleCodePostal": "Commune"}))
    assert len(corps["listeDestinataires"]) == 5


def test_rechercher_destinataire_ni_privee_ni_inactive_et_adresse_non_diffusible_cachee(api, etat):
    StructureFactory(raison_sociale="Mairie privée", ville="Grenoble")  # private: never a recipient here
    StructureFactory(publique=True, inactive=True, raison_sociale="Mairie fermée", ville="Grenoble")
    cachee = StructureFactory(
        publique=True, raison_sociale="Hôpital", ville="Grenoble", code_postal="38000", non_diffusible=True
    )
    ouverte = StructureFactory(publique=True, raison_sociale="Mairie de Grenoble", ville="Grenoble")
    corps = _ok(api.post("transverses/v1/rechercher/destinataire", {"nomVilleCodePostal": "Grenoble"}))
    assert [d["idStructureCPP"] for d in corps["listeDestinataires"]] == [ouverte.pk]
    # Found by its name, a non-diffusible structure is listed without its address.
    corps = _ok(api.post("transverses/v1/rechercher/destinataire", {"nomVilleCodePostal": "hôpital"}))
    assert corps["listeDestinataires"] == [
        {
            "idStructureCPP": cachee.pk,
            "siret": cachee.identifiant,
            "nomDestinataire": "Hôpital",
            "adresseCodePostal": "",
            "adresseVille": "",
        },
    ]
    assert (
        _ok(api.post("transverses/v1/rechercher/destinataire", {"nomVilleCodePostal": "38000"}))["listeDestinataires"]
        == []
    )
    prive = _ok(api.post("transverses/v1/rechercher/destinataire", {"typeStructure": "PRIVEE"}))
    assert prive["listeDestinataires"] == [] and prive["parametresRetour"]["total"] == 0


def test_rechercher_destinataire_pagination_et_tri(api, etat):
    communes_numerotees(3)
    parametres = pagination(1, "NomDestinataire")
    corps = _ok(
        api.post(
            "transverses/v1/rechercher/destinataire",
            {"nomVilleCodePostal": "Commune", "parametresRecherche": parametres},
        )
    )
    assert [d["nomDestinataire"] for d in corps["listeDestinataires"]] == ["Commune 2", "Commune 1"]
    assert corps["parametresRetour"] == {"nbResultatsParPage": 2, "pageCourante": 1, "pages": 2, "total": 3}


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({"identifiant": ["1"]}, "Le champ « identifiant » doit être une chaîne de caractères."),
        ({"typeStructure": "MIXTE"}, "Valeur inconnue pour « typeStructure » : MIXTE"),
        ({"parametresRecherche": "x"}, "Le champ « parametresRecherche » doit être un objet."),
        (
            {"parametresRecherche": {"nbResultatsParPage": "dix"}},
            "Le champ « parametresRecherche.nbResultatsParPage » doit être un entier.",
        ),
    ],
)
def test_rechercher_destinataire_corps_mal_formes(api, corps, message):
    assert message in _refus(api.post("transverses/v1/rechercher/destinataire", corps))


# --- consulter/information/siret --------------------------------------------------------------------------------


def test_information_siret(api):
    e = EtablissementInseeFactory(
        raison_sociale="Menuiserie Durand",
        adresse="3 rue du Port",
        code_postal="44000",
        ville="Nantes",
        categorie_juridique="5499",
    )
    corps = _ok(api.post("transverses/v1/consulter/information/siret", {"siretStructure": e.siret}))
    assert corps["siret"] == e.siret and corps["siren"] == e.siret[:9]
    assert corps["raisonSociale"] == "Menuiserie Durand" and corps["categorieJuridique"] == "5499"
    assert corps["adresse"] == "3 rue du Port 44000 Nantes"
    assert corps["estActif"] is True and corps["nonDiffusibleInsee"] is False
    espaces = f"{e.siret[:3]} {e.siret[3:6]} {e.siret[6:9]} {e.siret[9:]}"
    assert _ok(api.post("transverses/v1/consulter/information/siret", {"siretStructure": espaces}))["siret"] == e.siret


def test_information_siret_ferme_et_non_diffusible(api):
    e = EtablissementInseeFactory(ferme=True, non_diffusible=True)
    corps = _ok(api.post("transverses/v1/consulter/information/siret", {"siretStructure": e.siret}))
    assert corps["estActif"] is False and corps["nonDiffusibleInsee"] is True and corps["adresse"] == ""


def test_information_siret_inconnu(api):
    siret = siret_aleatoire()
    libelle = _refus(
        api.post("transverses/v1/consulter/information/siret", {"siretStructure": siret}), CODE_INTROUVABLE
    )
    assert libelle == f"Le SIRET {siret} est introuvable dans la base INSEE du portail."


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({}, "Le champ « siretStructure » est obligatoire."),
        ({"siretStructure": ""}, "Le champ « siretStructure » est obligatoire."),
        ({"siretStructure": {"a": 1}}, "Le champ « siretStructure » doit être une chaîne de caractères."),
        ({"siretStructure": "1234"}, "Le SIRET doit comporter 14 chiffres (vous en avez saisi 4)."),
        ({"siretStructure": "1234567890123A"}, "Le SIRET ne doit contenir que des chiffres."),
    ],
)
def test_information_siret_corps_mal_formes(api, corps, message):
    assert message in _refus(api.post("transverses/v1/consulter/information/siret", corps))


# --- telecharger/annuaire/destinataire --------------------------------------------------------------------------


def test_telecharger_annuaire_zip_du_csv_de_la_page(api, etat, client, django_assert_max_num_queries):
    StructureFactory(raison_sociale="Privée SARL")  # not in the public directory
    with django_assert_max_num_queries(6):
        corps = _ok(api.post("transverses/v1/telecharger/annuaire/destinataire", {}))
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(corps["fichierResultat"], validate=True)))
    assert archive.namelist() == ["annuaire_destinataires.csv"]
    contenu = archive.read("annuaire_destinataires.csv").decode("utf-8")
    page = b"".join(client.get("/annuaire/export.csv").streaming_content).decode("utf-8")
    assert contenu == page  # one export, two doors
    lignes = list(csv.reader(io.StringIO(contenu), delimiter=";"))
    assert lignes[0][:3] == ["TypeIdentifiant", "Identifiant", "RaisonSociale"]
    assert [ligne[1] for ligne in lignes[1:]] == [SIRET_ETAT]


# --- recuperer/typeidentifiant/structure ------------------------------------------------------------------------


def test_types_identifiant_structure(api):
    corps = _ok(api.post("transverses/v1/recuperer/typeidentifiant/structure", {}))
    assert corps["listeTypeIdentifiant"] == [{"typeIdentifiantStructure": t} for t in TypeIdentifiant.values]
    assert {"typeIdentifiantStructure": "SIRET"} in corps["listeTypeIdentifiant"]


def test_types_identifiant_corps_qui_n_est_pas_un_objet(api):
    assert "objet JSON" in _refus(api.post("transverses/v1/recuperer/typeidentifiant/structure", brut="3"))


# --- recuperer/coordbanc/valides --------------------------------------------------------------------------------


def test_coordonnees_bancaires_actives_de_sa_structure(api, etat, django_assert_max_num_queries):
    structure = api.compte.structure
    active = structure.coordonnees_bancaires.get()
    # New details wait the 30-minute delay: not valid yet, not listed.
    org_services.ajouter_coordonnees_bancaires(
        acting_user=structure.gestionnaire_principal,
        structure=structure,
        titulaire="Compte en attente",
        iban="FR7610107001011234567890129",
        bic="BREDFRPP",
    )
    with django_assert_max_num_queries(6):
        corps = _ok(api.post("transverses/v1/recuperer/coordbanc/valides", {"idStructure": structure.pk}))
    assert corps["listeCoordonneeBancaire"] == [
        {"idCoordonneeBancaire": active.pk, "nomCoordonneeBancaire": str(active)}
    ]
    assert type(corps["listeCoordonneeBancaire"][0]["idCoordonneeBancaire"]) is int
    # The id is what soumettre takes as the supplier's bank details.
    r = api.post("factures/v1/soumettre", facture(fournisseur={"codeCoordonneesBancairesFournisseur": active.pk}))
    assert r.status_code == 200, r.content
    assert Facture.objects.get(pk=r.json()["identifiantFactureCPP"]).coordonnees_bancaires == active


def test_coordonnees_bancaires_d_une_autre_structure_refusees(api, etat):
    _gp, autre = fournisseur_pret(raison_sociale="Concurrent SA", email="gp@concurrent.fr")
    for id_structure in (autre.pk, etat.pk, 10**9):
        libelle = _refus(
            api.post("transverses/v1/recuperer/coordbanc/valides", {"idStructure": id_structure}), CODE_INTROUVABLE
        )
        assert libelle == f"La structure {id_structure} n'existe pas ou ne vous est pas accessible."
        assert "FR76" not in libelle


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({}, "Le champ « idStructure » est obligatoire."),
        ({"idStructure": "abc"}, "Le champ « idStructure » doit être un entier."),
        ({"idStructure": 1.5}, "Le champ « idStructure » doit être un entier."),
    ],
)
def test_coordonnees_bancaires_corps_mal_formes(api, corps, message):
    assert message in _refus(api.post("transverses/v1/recuperer/coordbanc/valides", corps))
