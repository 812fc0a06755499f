"""utilisateurs/v1/monCompte/recuperer/rattachements: the technical account's own rattachements (structure and
services), never another user's, with Chorus Pro's field names and JSON types."""

import re

import pytest
import time_machine

from chorus.api.kit import CODE_REQUETE_INVALIDE
from organisation.enums import StatutRattachement
from organisation.models import Rattachement
from tests.api.conftest import pagination
from tests.factories import ServiceFactory, StructureFactory, UtilisateurFactory

CHEMIN = "utilisateurs/v1/monCompte/recuperer/rattachements"
JOUR_HEURE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def test_le_compte_technique_voit_son_rattachement(api):
    structure = api.compte.structure
    r = api.post(CHEMIN, {"cleInconnue": True})
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["codeRetour"] == 0 and isinstance(corps["libelle"], str)
    rattachement = Rattachement.objects.get(utilisateur=api.compte.utilisateur)
    assert corps["listeStructureRattachement"] == [
        {
            "idStructure": structure.pk,
            "identifiantStructure": structure.identifiant,
            "typeIdentifiantStructure": "SIRET",
            "designationStructure": structure.raison_sociale,
            "roleUtilisateur": "UTILISATEUR",
            "statutUtilisateur": "ACTIF",
            "idRattachementStructure": rattachement.pk,
            "statutRattachementStructure": "ACTIF",
            "listeServicesRattache": [],
        }
    ]
    assert corps["parametresRetour"] == {"nbResultatsParPage": 50, "pageCourante": 1, "pages": 1, "total": 1}


@time_machine.travel("2026-03-02 09:15 +01:00", tick=False)
def test_rattachements_a_des_services_et_role_de_gestionnaire(api):
    utilisateur = api.compte.utilisateur
    publique = StructureFactory(publique=True, raison_sociale="Commune d'Abc", gestionnaire_principal=utilisateur)
    ouvert = ServiceFactory(structure=publique, code="FINANCES", libelle="Service financier")
    ferme = ServiceFactory(structure=publique, code="ARCHIVES", libelle="Archives", actif=False)
    r_ouvert = Rattachement.objects.create(
        utilisateur=utilisateur, structure=publique, service=ouvert, statut=StatutRattachement.ACTIF
    )
    r_ferme = Rattachement.objects.create(
        utilisateur=utilisateur, structure=publique, service=ferme, statut=StatutRattachement.INACTIF
    )
    corps = api.post(CHEMIN, {}).json()
    (_propre, commune) = corps["listeStructureRattachement"]  # by raison sociale: « Bâtiments… », « Commune… »
    assert commune["roleUtilisateur"] == "GESTIONNAIRE_PRINCIPAL" and type(commune["idStructure"]) is int
    assert "idRattachementStructure" not in commune  # attached to services only
    assert commune["listeServicesRattache"] == [
        {
            "idRattachementService": r_ferme.pk,
            "statutRattachementService": "INACTIF",
            "idService": ferme.pk,
            "codeService": "ARCHIVES",
            "libelleService": "Archives",
            "estActif": False,
            "statutService": "INACTIF",
            "dateDbtService": "2026-03-02 09:15",
            "dateFinService": "2026-03-02 09:15",
        },
        {
            "idRattachementService": r_ouvert.pk,
            "statutRattachementService": "ACTIF",
            "idService": ouvert.pk,
            "codeService": "FINANCES",
            "libelleService": "Service financier",
            "estActif": True,
            "statutService": "ACTIF",
            "dateDbtService": "2026-03-02 09:15",
            "dateFinService": "",
        },
    ]


def test_les_rattachements_des_autres_utilisateurs_n_apparaissent_pas(api, django_assert_max_num_queries):
    autre = UtilisateurFactory()
    ailleurs = StructureFactory(raison_sociale="Structure d'un autre")
    Rattachement.objects.create(utilisateur=autre, structure=ailleurs, statut=StatutRattachement.ACTIF)
    Rattachement.objects.create(utilisateur=autre, structure=api.compte.structure, statut=StatutRattachement.ACTIF)
    with django_assert_max_num_queries(8):
        corps = api.post(CHEMIN, {}).json()
    assert [s["idStructure"] for s in corps["listeStructureRattachement"]] == [api.compte.structure_id]
    (ligne,) = corps["listeStructureRattachement"]
    assert ligne["idRattachementStructure"] == Rattachement.objects.get(utilisateur=api.compte.utilisateur).pk


def test_pagination_par_structure(api):
    for i in range(3):
        s = StructureFactory(raison_sociale=f"Agence {i}")
        Rattachement.objects.create(utilisateur=api.compte.utilisateur, structure=s, statut=StatutRattachement.ACTIF)
    parametres = pagination(2, "DesignationStructure", "Ascendant")
    corps = api.post(CHEMIN, {"parametresRecherche": parametres}).json()
    assert corps["parametresRetour"] == {"nbResultatsParPage": 2, "pageCourante": 2, "pages": 2, "total": 4}
    assert [s["designationStructure"] for s in corps["listeStructureRattachement"]] == [
        "Agence 2",
        api.compte.structure.raison_sociale,
    ]


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({"parametresRecherche": []}, "Le champ « parametresRecherche » doit être un objet."),
        (
            {"parametresRecherche": {"pageResultatDemandee": "deux"}},
            "Le champ « parametresRecherche.pageResultatDemandee » doit être un entier.",
        ),
        ({"parametresRecherche": {"nbResultatsParPage": -1}}, "La pagination demandée est invalide."),
    ],
)
def test_corps_mal_formes(api, corps, message):
    r = api.post(CHEMIN, corps)
    assert r.status_code == 400 and r.json()["codeRetour"] == CODE_REQUETE_INVALIDE
    assert message in r.json()["libelle"]


def test_corps_qui_n_est_pas_du_json(api):
    r = api.post(CHEMIN, brut="<xml/>")
    assert r.status_code == 400 and r.json()["libelle"] == "Le corps de la requête n'est pas un JSON valide."
