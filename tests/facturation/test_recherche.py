"""« Rechercher » des factures émises: every criterion narrows the results, invalid criteria are reported in
French, the keyset pagination keeps the criteria, and the CSV and XLSX exports honour criteria and tenancy."""

import html
import io
from datetime import UTC, date, datetime
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from facturation.enums import Cadre, StatutFacture, TypeFacture
from facturation.forms import RechercheFacturesForm
from facturation.models import Facture
from tests import outils
from tests.factories import StructureFactory, UtilisateurFactory, siret_aleatoire, structure_privee
from tests.facturation.factories import FactureFactory, ligne
from tests.fixtures_facturation import SIRET_ETAT
from tests.outils import contenu

pytestmark = pytest.mark.django_db

# The export's first line, as the CSV file reads.
ENTETES = (
    "Numéro;Type;Cadre;Statut;Date de facture;Date de dépôt;SIRET destinataire;Destinataire;Montant HT;"
    "Montant TVA;Montant TTC"
).split(";")


def _facture(gp, structure, destinataire, *, numero, date_facture, prix_ht, cadre=Cadre.A1, **extra):
    """A draft of one line at 20 % (amounts by ``montants``)."""
    return FactureFactory(
        fournisseur_gp=(gp, structure),
        destinataire=destinataire,
        numero=numero,
        date_facture=date_facture,
        cadre=cadre,
        lignes=[ligne(prix_unitaire_ht=prix_ht)],
        **extra,
    )


@pytest.fixture
def jeu(fournisseur_gp, etat):
    """Four invoices of the supplier, one of another supplier."""
    gp, structure = fournisseur_gp
    commune = StructureFactory(identifiant=siret_aleatoire(), raison_sociale="Commune de Villeurbanne", publique=True)
    a = _facture(gp, structure, etat, numero="F-A", date_facture=date(2026, 1, 10), prix_ht="100")  # TTC 120,00
    b = _facture(
        gp, structure, etat, numero="F-B", date_facture=date(2026, 2, 15), prix_ht="1028.80", cadre=Cadre.A2
    )  # TTC 1 234,56
    c = _facture(
        gp,
        structure,
        etat,
        numero="AV-C",
        date_facture=date(2026, 3, 20),
        prix_ht="50",
        type_facture=TypeFacture.AVOIR,
        numero_facture_origine="F-A",
    )  # TTC 60,00
    d = _facture(
        gp, structure, commune, numero="F-D", date_facture=date(2026, 4, 1), prix_ht="10000", cadre=Cadre.A9
    )  # TTC 12 000,00
    Facture.objects.filter(pk=c.pk).update(
        statut=StatutFacture.MISE_A_DISPOSITION, date_depot=datetime(2026, 3, 21, 9, 30, 5, tzinfo=UTC)
    )
    autre_gp = UtilisateurFactory()
    autre = structure_privee(autre_gp, "Concurrent SARL")
    Facture.objects.create(fournisseur=autre, destinataire=etat, numero="F-AUTRE", created_by=autre_gp)
    return {"gp": gp, "autre_gp": autre_gp, "a": a, "b": b, "c": c, "d": d}


def _numeros(response) -> set[str]:
    assert response.status_code == 200
    return {f["numero"] for f in response.context["factures"]}


def test_montants_du_jeu(jeu):
    assert [jeu[k].montant_ttc for k in "abcd"] == [D("120.00"), D("1234.56"), D("60.00"), D("12000.00")]


@pytest.mark.parametrize(
    ("criteres", "attendus"),
    [
        ({}, {"F-A", "F-B", "AV-C", "F-D"}),
        ({"numero": "f-"}, {"F-A", "F-B", "F-D"}),
        ({"destinataire": "villeurbanne"}, {"F-D"}),
        ({"destinataire": SIRET_ETAT[:9]}, {"F-A", "F-B", "AV-C"}),
        ({"statut": "MISE_A_DISPOSITION"}, {"AV-C"}),
        ({"statut": "BROUILLON"}, {"F-A", "F-B", "F-D"}),
        ({"date_du": "2026-02-15"}, {"F-B", "AV-C", "F-D"}),
        ({"date_au": "2026-02-15"}, {"F-A", "F-B"}),
        ({"date_du": "15/02/2026", "date_au": "20/03/2026"}, {"F-B", "AV-C"}),  # typed the French way
        ({"montant_min": "1 234,56"}, {"F-B", "F-D"}),
        ({"montant_max": "1 234,56"}, {"F-A", "F-B", "AV-C"}),
        ({"montant_min": "1234,56", "montant_max": "1\u202f234,56 €"}, {"F-B"}),
        ({"montant_min": "100", "montant_max": "12 000"}, {"F-A", "F-B", "F-D"}),
        ({"montant_max": "0"}, set()),  # zero is a criterion, not « no criterion »
        ({"cadre": Cadre.A9.value}, {"F-D"}),
        ({"cadre": Cadre.A1.value}, {"F-A", "AV-C"}),
        ({"type_facture": "AVOIR"}, {"AV-C"}),
        ({"type_facture": "FACTURE"}, {"F-A", "F-B", "F-D"}),
        ({"type_facture": "FACTURE", "montant_min": "1000", "date_au": "2026-03-31"}, {"F-B"}),
        (
            {"numero": "", "statut": "", "cadre": "", "type_facture": "", "montant_min": "", "date_du": ""},
            {"F-A", "F-B", "AV-C", "F-D"},
        ),
    ],
)
def test_chaque_critere_restreint_les_resultats(client, jeu, criteres, attendus):
    client.force_login(jeu["gp"])
    response = client.get(reverse("rechercher_factures"), criteres)
    assert _numeros(response) == attendus
    texte = outils.texte(response)
    assert texte.count('data-testid="facture"') == len(attendus)
    assert "F-AUTRE" not in texte


def test_le_formulaire_garde_les_criteres(client, jeu):
    client.force_login(jeu["gp"])
    criteres = {
        "numero": "F-",
        "date_du": "2026-01-01",
        "montant_min": "1 234,56",
        "cadre": Cadre.A2.value,
        "type_facture": "FACTURE",
        "statut": "BROUILLON",
    }
    contenu = client.get(reverse("rechercher_factures"), criteres).content.decode()
    assert 'value="F-"' in contenu and 'value="2026-01-01"' in contenu and 'value="1 234,56"' in contenu
    for valeur in (Cadre.A2.value, "FACTURE", "BROUILLON"):
        assert f'value="{valeur}" selected' in contenu
    for libelle in (
        "Date de facture du",
        "Date de facture au",
        "Montant TTC min",
        "Montant TTC max",
        "Cadre de facturation",
        "Type",
    ):
        assert libelle in html.unescape(contenu)
    assert "Exporter (CSV)" in contenu and "Exporter (XLSX)" in contenu
    assert reverse("exporter_factures_xlsx") + "?numero=F-&amp;" in contenu


@pytest.mark.parametrize(
    ("criteres", "champ", "message"),
    [
        ({"date_du": "32/13/2026"}, "date_du", "Saisissez une date valide."),
        ({"date_au": "demain"}, "date_au", "Saisissez une date valide."),
        ({"date_du": "2026-03-01", "date_au": "2026-02-01"}, "date_au", "La date de fin doit être postérieure"),
        ({"montant_min": "douze"}, "montant_min", "« douze » n'est pas un montant valide."),
        ({"montant_max": "12,34,56"}, "montant_max", "n'est pas un montant valide."),
        ({"montant_max": "1e20"}, "montant_max", "Le montant dépasse la valeur maximale autorisée"),
        ({"montant_min": "10", "montant_max": "5"}, "montant_max", "Le montant maximum doit être supérieur"),
        ({"cadre": "A99"}, "cadre", "Sélectionnez un choix valide"),
        ({"type_facture": "DEVIS"}, "type_facture", "Sélectionnez un choix valide"),
        ({"statut": "INCONNU"}, "statut", "Sélectionnez un choix valide"),
    ],
)
def test_critere_invalide_message_en_francais(client, jeu, criteres, champ, message):
    client.force_login(jeu["gp"])
    response = client.get(reverse("rechercher_factures"), criteres)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[champ])
    texte = outils.texte(response)
    assert message in texte
    assert "Corrigez les critères de recherche" in texte
    assert response.context["factures"] == []
    # The exports refuse the same criteria: back to the search page, which shows what is wrong.
    for name in ("exporter_factures", "exporter_factures_xlsx"):
        export = client.get(reverse(name), criteres)
        assert export.status_code == 302
        assert export["Location"].startswith(reverse("rechercher_factures") + "?")
        assert message in outils.texte(client.get(export["Location"]))


def test_formulaire_seul():
    form = RechercheFacturesForm({"montant_min": "0", "numero": "  F-1 ", "date_du": "01/02/2026"})
    assert form.is_valid(), form.errors
    assert form.criteres() == {"montant_min": D("0"), "numero": "F-1", "date_du": date(2026, 2, 1)}


def test_pagination_par_curseur_garde_les_criteres(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    Facture.objects.bulk_create(
        Facture(
            fournisseur=structure,
            destinataire=etat,
            created_by=gp,
            numero=f"{prefixe}-{i:03d}",
            type_facture=type_facture,
            date_facture=date(2026, 5, 1),
        )
        for i in range(60)
        for prefixe, type_facture in (("AV", TypeFacture.AVOIR), ("F", TypeFacture.FACTURE))
    )
    client.force_login(gp)
    criteres = {"type_facture": "AVOIR", "date_du": "2026-05-01"}
    page1, page2 = outils.deux_pages(
        client, reverse("rechercher_factures"), criteres, lignes="factures", requetes=(10, 10)
    )
    premiers = [f["numero"] for f in page1.context["factures"]]
    assert all(n.startswith("AV-") for n in premiers)
    suivants = [f["numero"] for f in page2.context["factures"]]
    assert len(suivants) == 10 and all(n.startswith("AV-") for n in suivants)
    assert page2.context["suivante"] is None


def test_requetes_bornees_avec_tous_les_criteres(client, jeu, django_assert_max_num_queries):
    client.force_login(jeu["gp"])
    criteres = {
        "numero": "F",
        "destinataire": "ETAT",
        "statut": "BROUILLON",
        "date_du": "2026-01-01",
        "date_au": "2026-12-31",
        "montant_min": "1",
        "montant_max": "99 999",
        "cadre": Cadre.A2.value,
        "type_facture": "FACTURE",
    }
    with django_assert_max_num_queries(10):
        assert _numeros(client.get(reverse("rechercher_factures"), criteres)) == {"F-B"}
    with django_assert_max_num_queries(6):
        csv = b"".join(client.get(reverse("exporter_factures"), criteres).streaming_content)
    assert len(csv.decode("utf-8-sig").splitlines()) == 2
    with django_assert_max_num_queries(6):
        xlsx = contenu(client.get(reverse("exporter_factures_xlsx"), criteres))
    assert len(list(openpyxl.load_workbook(io.BytesIO(xlsx)).active.values)) == 2


def _csv(client, **criteres):
    response = client.get(reverse("exporter_factures"), criteres)
    assert response.status_code == 200
    return [ligne.split(";") for ligne in b"".join(response.streaming_content).decode("utf-8-sig").splitlines()]


def _xlsx(client, **criteres):
    response = client.get(reverse("exporter_factures_xlsx"), criteres)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="factures_emises.xlsx"'
    return list(openpyxl.load_workbook(io.BytesIO(contenu(response))).active.values)


def test_export_csv_respecte_les_criteres(client, jeu):
    client.force_login(jeu["gp"])
    lignes = _csv(client)
    assert lignes[0] == ENTETES
    assert {ligne[0] for ligne in lignes[1:]} == {"F-A", "F-B", "AV-C", "F-D"}
    lignes = _csv(client, type_facture="AVOIR")
    assert lignes[1:] == [
        [
            "AV-C",
            "Avoir",
            "A1 – Dépôt par un fournisseur d'une facture",
            "Mise à disposition du destinataire",
            "20/03/2026",
            "21/03/2026 10:30",
            SIRET_ETAT,
            "ETAT",
            "50,00",
            "10,00",
            "60,00",
        ]
    ]
    assert [ligne[0] for ligne in _csv(client, montant_min="1 000", cadre=Cadre.A9.value)[1:]] == ["F-D"]


def test_export_xlsx_memes_colonnes_nombres_et_dates(client, jeu):
    client.force_login(jeu["gp"])
    lignes = _xlsx(client)
    assert list(lignes[0]) == ENTETES
    assert {ligne[0] for ligne in lignes[1:]} == {"F-A", "F-B", "AV-C", "F-D"}
    (avoir,) = _xlsx(client, type_facture="AVOIR")[1:]
    # Words, never the codes of the API (issue 14 item 12).
    assert avoir[:4] == (
        "AV-C",
        "Avoir",
        "A1 – Dépôt par un fournisseur d'une facture",
        "Mise à disposition du destinataire",
    )
    assert avoir[4] == datetime(2026, 3, 20)  # a date cell (openpyxl reads it back as a datetime)
    assert avoir[5] == datetime(2026, 3, 21, 10, 30, 5)  # Paris time
    assert avoir[6:8] == (SIRET_ETAT, "ETAT")
    assert avoir[8:] == (50, 10, 60)
    (b,) = _xlsx(client, montant_min="1 234,56", montant_max="1 234,56")[1:]
    assert b[0] == "F-B" and b[5] is None
    assert isinstance(b[10], float) and D(str(b[10])) == D("1234.56")
    classeur = openpyxl.load_workbook(io.BytesIO(contenu(client.get(reverse("exporter_factures_xlsx")))))
    feuille = classeur.active
    assert feuille.title == "Factures émises"
    assert feuille["E2"].number_format == "DD/MM/YYYY" and feuille["K2"].number_format == "#,##0.00"
    assert feuille["E2"].is_date


def test_export_xlsx_jamais_de_formule(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    Facture.objects.create(fournisseur=structure, destinataire=etat, numero="=1+1", created_by=gp)
    client.force_login(gp)
    classeur = openpyxl.load_workbook(io.BytesIO(contenu(client.get(reverse("exporter_factures_xlsx")))))
    cellule = classeur.active["A2"]
    assert cellule.value == "=1+1" and cellule.data_type == "s"


def test_exports_cloisonnes_par_structure(client, jeu):
    client.force_login(jeu["autre_gp"])
    assert [ligne[0] for ligne in _csv(client)[1:]] == ["F-AUTRE"]
    assert [ligne[0] for ligne in _xlsx(client)[1:]] == ["F-AUTRE"]
    assert _numeros(client.get(reverse("rechercher_factures"))) == {"F-AUTRE"}
    # A user of no structure exports only the header row, whatever the criteria.
    client.force_login(UtilisateurFactory())
    for criteres in ({}, {"numero": "F-"}, {"destinataire": SIRET_ETAT}):
        assert _csv(client, **criteres) == [ENTETES]
        assert _xlsx(client, **criteres) == [tuple(ENTETES)]
    # Anonymous: the login page.
    client.logout()
    for name in ("exporter_factures", "exporter_factures_xlsx", "rechercher_factures"):
        assert client.get(reverse(name))["Location"].startswith(reverse("connexion"))


def test_lignes_du_tableau(client, jeu):
    """Each row links a draft to its form and a sent invoice to its suivi, with French dates and amounts."""
    client.force_login(jeu["gp"])
    texte = outils.texte(client.get(reverse("rechercher_factures")))
    b, c = jeu["b"], jeu["c"]
    assert f'<a href="{reverse("modifier_brouillon", args=[b.pk])}">F-B</a>' in texte
    assert f'<a href="{reverse("facture_emise", args=[c.pk])}">AV-C</a>' in texte
    assert "1\u202f234,56\u00a0€" in texte and "15/02/2026" in texte
    assert "Mise à disposition du destinataire" in texte and "Avoir" in texte
