"""« Factures de travaux »: Synthèse, Rechercher (criteria, keyset pagination, CSV and XLSX exports), Tableau de bord
(stock) per role. Each actor is a distinct user of a distinct structure; an actor outside the dossier sees none of
its pieces anywhere; a user without the profile is refused; every page reads its rows in a bounded number of
queries."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from chorus.money import formater_montant
from facturation.enums import Cadre
from organisation.enums import Application
from tests import outils
from tests.factories import UtilisateurFactory, habiliter, utilisateur_de
from tests.outils import contenu
from tests.travaux.factories import acteur, deposer_initial, deposer_suite, dossier
from travaux import recherche, services
from travaux.models import DossierFacturation, PieceTravaux
from travaux.statuts import StatutPiece

pytestmark = pytest.mark.django_db
S = StatutPiece
TOUTES = {"A4-JANV", "A4-MARS", "A15-MARS", "A4-BROUILLON"}
PAGES = ("travaux_synthese", "travaux_rechercher", "travaux_tableau_de_bord")


def rattacher(user, structure, niveau="modification"):
    habiliter(user, structure, profils={Application.FACTURES_TRAVAUX: niveau})


@pytest.fixture
def jeu(acteurs):
    """Dossier 1: an A4 deposited in January, waiting for the MOE. Dossier 2: an A4 of March taken on by the MOE and
    associated to its A15, waiting for the MOA. Dossier 3: the fournisseur's draft."""
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    etranger = acteur("AUTRE ENTREPRISE")
    (a4,) = dossier(acteurs, etape=Cadre.A4, numeros=["A4-JANV"], dates=[datetime(2026, 1, 10, 9, tzinfo=UTC)])
    a4b, a15 = dossier(
        acteurs,
        etape=Cadre.A15,
        pris_en_compte=[Cadre.A4],
        numeros=["A4-MARS", "A15-MARS"],
        dates=[datetime(2026, 3, 5, 9, tzinfo=UTC)] * 3,
    )
    brouillon = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1], numero="A4-BROUILLON", brouillon=True)
    PieceTravaux.objects.filter(pk=a4.pk).update(
        numero_marche="MARCHE-UN", numero_engagement="ENG-111", date_piece=date(2026, 1, 9)
    )
    PieceTravaux.objects.filter(pk__in=[a4b.pk, a15.pk]).update(numero_marche="MARCHE-DEUX")
    PieceTravaux.objects.filter(pk=a15.pk).update(numero_engagement="ENG-222")
    # Neither dossier late unless a test says so.
    DossierFacturation.objects.update(demande_paiement_recue_le=timezone.now())
    pieces = {p.numero: p for p in PieceTravaux.objects.all()}
    assert pieces["A4-JANV"].statut == S.MISE_A_DISPOSITION_MOE and pieces["A4-MARS"].statut == S.ASSOCIEE
    assert pieces["A15-MARS"].statut == S.MISE_A_DISPOSITION_MOA and pieces["A4-BROUILLON"].statut == S.BROUILLON
    return {
        "f": f,
        "moe": moe,
        "moa": moa,
        "etranger": etranger,
        "a4": a4,
        "a4b": a4b,
        "a15": a15,
        "brouillon": brouillon,
        "pieces": pieces,
    }


def _numeros(response) -> set[str]:
    assert response.status_code == 200
    return {p["numero"] for p in response.context["pieces"]}


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    texte = b"".join(response.streaming_content).decode("utf-8")
    assert texte.startswith("\ufeff")
    return list(csv.reader(io.StringIO(texte[1:]), delimiter=";"))


def _xlsx(response):
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    return openpyxl.load_workbook(io.BytesIO(contenu(response))).active


# --- Access and scoping ----------------------------------------------------------------------------------------


def test_un_acteur_hors_du_dossier_ne_voit_ses_pieces_nulle_part(client, jeu):
    client.force_login(jeu["etranger"][0])
    assert _numeros(client.get(reverse("travaux_synthese"))) == set()
    assert _numeros(client.get(reverse("travaux_rechercher"))) == set()
    for role in ("FOURNISSEUR", "MOE", "MOA"):
        assert client.get(reverse("travaux_tableau_de_bord"), {"role": role}).context["lignes"] == []
    assert _csv(client.get(reverse("travaux_exporter"))) == [recherche.ENTETES_EXPORT]
    feuille = _xlsx(client.get(reverse("travaux_exporter_xlsx")))
    assert feuille.max_row == 1
    for url in PAGES:
        page = outils.texte(client.get(reverse(url)))
        assert not any(numero in page for numero in TOUTES)


def test_chaque_acteur_voit_les_pieces_de_ses_dossiers_le_brouillon_seulement_son_deposant(client, jeu):
    attendus = {"f": TOUTES, "moe": TOUTES - {"A4-BROUILLON"}, "moa": TOUTES - {"A4-BROUILLON"}}
    for qui, numeros in attendus.items():
        client.force_login(jeu[qui][0])
        assert _numeros(client.get(reverse("travaux_rechercher"))) == numeros
        assert {ligne[0] for ligne in _csv(client.get(reverse("travaux_exporter")))[1:]} == numeros


def test_sans_le_profil_factures_de_travaux_refuse(client, jeu):
    sans_profil = utilisateur_de(jeu["moe"][1])
    client.force_login(sans_profil)
    for url in (*PAGES, "travaux_exporter", "travaux_exporter_xlsx"):
        assert client.get(reverse(url)).status_code == 403
    client.force_login(jeu["moe"][0])
    for url in (*PAGES, "travaux_exporter"):  # the lists are read-only
        assert client.post(reverse(url)).status_code == 405
    client.logout()
    for url in (*PAGES, "travaux_exporter"):
        assert client.get(reverse(url))["Location"].startswith(reverse("connexion"))


def test_onglet_deposer_seulement_en_modification(client, jeu):
    lecteur = UtilisateurFactory()
    rattacher(lecteur, jeu["moe"][1], niveau="consultation")
    deposer = f'href="{reverse("travaux_deposer")}"'
    client.force_login(lecteur)
    for url in PAGES:
        response = client.get(reverse(url))
        assert response.status_code == 200 and response.context["peut_deposer"] is False
        assert deposer not in response.content.decode()
        assert f'href="{reverse("travaux_rechercher")}"' in response.content.decode()  # the other tabs are there
    # Consultation sees the lists: the A4 waiting for its structure.
    assert _numeros(client.get(reverse("travaux_synthese"))) == {"A4-JANV"}
    client.force_login(jeu["moe"][0])
    for url in PAGES:
        response = client.get(reverse(url))
        assert response.context["peut_deposer"] is True and deposer in response.content.decode()


# --- Synthèse --------------------------------------------------------------------------------------------------


def test_synthese_les_pieces_qui_attendent_chaque_acteur(client, jeu):
    attendus = {"f": {"A4-BROUILLON"}, "moe": {"A4-JANV"}, "moa": {"A15-MARS"}}
    for qui, numeros in attendus.items():
        client.force_login(jeu[qui][0])
        assert _numeros(client.get(reverse("travaux_synthese"))) == numeros


def test_synthese_colonnes_et_liens_vers_la_piece_et_le_dossier(client, jeu):
    a4 = jeu["a4"]
    services.affecter_instructeur(acting_user=jeu["moe"][0], piece=a4, instructeur="JDUPONT")
    client.force_login(jeu["moe"][0])
    response = client.get(reverse("travaux_synthese"))
    page = outils.texte(response)
    colonnes = (
        "Numéro;Numéro de marché;Montant HT;Destinataire;Fournisseur;Maîtrise d'œuvre;Maîtrise d'ouvrage;"
        "Date de dépôt;État courant;Date état courant;Numéro d'engagement;Instructeur"
    ).split(";")
    assert set(colonnes) - set(outils.colonnes(page)) == set()
    [ligne] = response.context["pieces"]
    assert ligne["numero_marche"] == "MARCHE-UN" and ligne["engagement"] == "ENG-111"
    assert (ligne["fournisseur"], ligne["moe"], ligne["moa"]) == (
        "CEGELEC PERPIGNAN",
        "MB INGENIERIE",
        "ACADEMIE DE MONTPELLIER",
    )
    assert ligne["etat"] == "Mise à disposition de la MOE" and ligne["instructeur"] == "JDUPONT"
    assert ligne["destinataire"] == "ACADEMIE DE MONTPELLIER"  # « avec MOA »: the MOA receives the invoice
    assert ligne["date_depot"] == datetime(2026, 1, 10, 9, tzinfo=UTC)
    assert formater_montant(Decimal("1000.00"), "EUR") in page and "10/01/2026" in page and "JDUPONT" in page
    assert f'href="{reverse("travaux_piece", args=[a4.pk])}"' in page
    assert f'href="{reverse("travaux_dossier", args=[a4.dossier_id])}"' in page
    assert f"dossier n° {a4.dossier.numero}" in page


def test_synthese_filtre_structure(client, jeu):
    moe_user = jeu["moe"][0]
    _, bis = acteur("BET BIS", niveau=None)
    rattacher(moe_user, bis)
    deposer_initial((moe_user, bis), cadre=Cadre.A4, moe=jeu["moe"][1], numero="BIS-BROUILLON", brouillon=True)
    client.force_login(moe_user)
    url = reverse("travaux_synthese")
    assert _numeros(client.get(url)) == {"A4-JANV", "BIS-BROUILLON"}
    assert _numeros(client.get(url, {"structure": jeu["moe"][1].pk})) == {"A4-JANV"}
    assert _numeros(client.get(url, {"structure": bis.pk})) == {"BIS-BROUILLON"}
    response = client.get(url, {"structure": jeu["f"][1].pk})  # not one of the user's structures
    assert response.status_code == 200 and response.context["pieces"] == []
    assert "Choisissez une de vos structures dans la liste." in outils.texte(response)


def test_synthese_masquer_les_factures_rejetees_depuis_plus_de_10_jours(client, jeu):
    f, moe = jeu["f"], jeu["moe"]
    with time_machine.travel(timezone.now() - timedelta(days=15)):
        services.refuser(acting_user=moe[0], piece=jeu["a4"], motif="ACHEMINEMENT", commentaire="Mauvaise MOE")
    recente = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=jeu["moa"][1], numero="A4-RECENTE")
    services.refuser(acting_user=moe[0], piece=recente, motif="ACHEMINEMENT", commentaire="Mauvaise MOE")
    client.force_login(f[0])
    url = reverse("travaux_synthese")
    assert _numeros(client.get(url)) == {"A4-BROUILLON", "A4-JANV", "A4-RECENTE"}
    assert _numeros(client.get(url, {"masquer_rejetees": "on"})) == {"A4-BROUILLON", "A4-RECENTE"}
    page = outils.texte(client.get(url))
    assert "Refusée par la MOE pour erreur dans les données d'acheminement" in page


def test_synthese_filtre_instructeur(client, jeu):
    services.affecter_instructeur(acting_user=jeu["moe"][0], piece=jeu["a4"], instructeur="JDUPONT")
    client.force_login(jeu["moe"][0])
    url = reverse("travaux_synthese")
    assert _numeros(client.get(url, {"instructeur": "jdup"})) == {"A4-JANV"}
    assert _numeros(client.get(url, {"instructeur": "MARTIN"})) == set()


def test_synthese_masquer_les_factures_telechargees(client, jeu):
    services.marquer_telechargee(user=jeu["moe"][0], piece=jeu["a4"])
    client.force_login(jeu["moe"][0])
    url = reverse("travaux_synthese")
    assert _numeros(client.get(url)) == {"A4-JANV"}
    assert _numeros(client.get(url, {"masquer_telechargees": "on"})) == set()


def test_synthese_signale_les_dossiers_en_retard(client, jeu):
    maintenant = timezone.now()
    DossierFacturation.objects.filter(pk=jeu["a4"].dossier_id).update(
        demande_paiement_recue_le=maintenant - timedelta(days=31)
    )
    DossierFacturation.objects.filter(pk=jeu["a15"].dossier_id).update(
        demande_paiement_recue_le=maintenant - timedelta(days=29)
    )
    client.force_login(jeu["moe"][0])
    response = client.get(reverse("travaux_synthese"))
    assert [p["en_retard"] for p in response.context["pieces"]] == [True]
    assert 'data-testid="en-retard">En retard<' in response.content.decode()
    client.force_login(jeu["moa"][0])
    response = client.get(reverse("travaux_synthese"))
    assert [p["en_retard"] for p in response.context["pieces"]] == [False]
    assert "En retard" not in outils.texte(response)


# --- Rechercher ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteres", "attendus"),
    [
        ({}, TOUTES),
        ({"role_emetteur": "MOE"}, {"A15-MARS"}),
        ({"role_emetteur": "FOURNISSEUR"}, {"A4-JANV", "A4-MARS", "A4-BROUILLON"}),
        ({"emetteur": "mb inge"}, {"A15-MARS"}),
        ({"emetteur": "cegelec"}, {"A4-JANV", "A4-MARS", "A4-BROUILLON"}),
        ({"cadre": Cadre.A15.value}, {"A15-MARS"}),
        ({"cadre": Cadre.A4.value}, {"A4-JANV", "A4-MARS", "A4-BROUILLON"}),
        ({"numero": "mars"}, {"A4-MARS", "A15-MARS"}),
        ({"numero_marche": "marche-deux"}, {"A4-MARS", "A15-MARS"}),
        ({"numero_engagement": "ENG-222"}, {"A15-MARS"}),
        ({"depot_du": "2026-03-01"}, {"A4-MARS", "A15-MARS"}),
        ({"depot_au": "31/01/2026"}, {"A4-JANV"}),  # typed the French way
        ({"depot_du": "2026-01-10", "depot_au": "2026-01-10"}, {"A4-JANV"}),
        ({"date_piece_au": "2026-02-28"}, {"A4-JANV"}),  # the March pieces are dated 04/03/2026
        ({"date_piece_du": "2026-03-01"}, {"A4-MARS", "A15-MARS", "A4-BROUILLON"}),
        ({"date_piece_du": "2026-03-04", "date_piece_au": "2026-03-04"}, {"A4-MARS", "A15-MARS"}),
        ({"etat": S.MISE_A_DISPOSITION_MOA.value}, {"A15-MARS"}),
        ({"etat": S.BROUILLON.value}, {"A4-BROUILLON"}),
        ({"etat": S.ERREUR_FOURNISSEUR_SUR_MOE.value}, set()),
        ({"groupe": "ASSOCIEE"}, {"A4-MARS"}),
        ({"groupe": "MISE_A_DISPOSITION"}, {"A4-JANV", "A15-MARS"}),
        ({"groupe": "MISE_EN_PAIEMENT"}, set()),
        ({"mon_role": "FOURNISSEUR"}, TOUTES),
        ({"mon_role": "MOE"}, set()),
        ({"numero": "a4", "groupe": "MISE_A_DISPOSITION", "depot_au": "2026-12-31"}, {"A4-JANV"}),
    ],
)
def test_rechercher_chaque_critere(client, jeu, criteres, attendus):
    client.force_login(jeu["f"][0])
    assert _numeros(client.get(reverse("travaux_rechercher"), criteres)) == attendus
    # The export applies the same criteria.
    assert {ligne[0] for ligne in _csv(client.get(reverse("travaux_exporter"), criteres))[1:]} == attendus


def test_rechercher_numero_de_dossier_et_ma_structure(client, jeu):
    client.force_login(jeu["moe"][0])
    url = reverse("travaux_rechercher")
    assert _numeros(client.get(url, {"numero_dossier": jeu["a4b"].dossier.numero})) == {"A4-MARS", "A15-MARS"}
    assert _numeros(client.get(url, {"mon_role": "MOE", "ma_structure": jeu["moe"][1].pk})) == TOUTES - {"A4-BROUILLON"}
    assert _numeros(client.get(url, {"mon_role": "MOA", "ma_structure": jeu["moe"][1].pk})) == set()


def test_rechercher_critere_invalide_erreur_en_francais(client, jeu):
    client.force_login(jeu["f"][0])
    url = reverse("travaux_rechercher")
    response = client.get(url, {"depot_du": "31/02/2026"})
    assert response.status_code == 200 and response.context["pieces"] == []
    page = outils.texte(response)
    assert "Saisissez une date valide, au format jj/mm/aaaa." in page
    assert "Corrigez les critères de recherche signalés ci-dessous." in page
    assert 'data-testid="exporter-csv"' not in page
    response = client.get(url, {"date_piece_du": "2026-03-01", "date_piece_au": "2026-02-01"})
    assert "La date de fin doit être postérieure ou égale à la date de début." in outils.texte(response)
    response = client.get(url, {"ma_structure": jeu["etranger"][1].pk, "mon_role": "MOE"})
    assert "Choisissez une de vos structures dans la liste." in outils.texte(response)
    assert response.context["pieces"] == []
    response = client.get(url, {"etat": "N_IMPORTE_QUOI"})
    assert response.status_code == 200 and "Sélectionnez un choix valide" in outils.texte(response)
    # The export of invalid criteria goes back to the search page, which says what is wrong.
    export = client.get(reverse("travaux_exporter"), {"depot_du": "31/02/2026"})
    assert export.status_code == 302 and export["Location"].startswith(url + "?")


def _cloner(piece, nombre: int, prefixe: str = "CLONE") -> list[PieceTravaux]:
    """``nombre`` copies of ``piece`` (same dossier and state, no history): volume for pagination and query
    counts."""
    clones = []
    for i in range(nombre):
        clone = PieceTravaux.objects.get(pk=piece.pk)
        clone.pk = clone.id = None
        clone.numero = f"{prefixe}-{i:03d}"
        clones.append(clone)
    return PieceTravaux.objects.bulk_create(clones)


def test_rechercher_pagination_par_cle_garde_les_criteres(client, jeu):
    _cloner(jeu["a4"], 60)
    client.force_login(jeu["moe"][0])
    premiere, seconde = outils.deux_pages(client, reverse("travaux_rechercher"), {"numero": "clone"}, lignes="pieces")
    assert len(seconde.context["pieces"]) == 10 and seconde.context["suivante"] is None
    assert _numeros(premiere) | _numeros(seconde) == {f"CLONE-{i:03d}" for i in range(60)}
    # Newest first.
    assert [p["numero"] for p in premiere.context["pieces"]][:2] == ["CLONE-059", "CLONE-058"]


def test_synthese_pagination_par_cle(client, jeu):
    _cloner(jeu["a4"], 55)
    client.force_login(jeu["moe"][0])
    _, seconde = outils.deux_pages(client, reverse("travaux_synthese"), {"instructeur": ""}, lignes="pieces")
    assert len(seconde.context["pieces"]) == 6 and "A4-JANV" in _numeros(seconde)


# --- Exports ---------------------------------------------------------------------------------------------------


def test_export_csv_contenu_en_francais_et_formules_desarmees(client, jeu):
    PieceTravaux.objects.filter(pk=jeu["a4"].pk).update(numero_engagement='=HYPERLINK("http://x";"y")')
    client.force_login(jeu["f"][0])
    lignes = _csv(client.get(reverse("travaux_exporter"), {"numero": "A4-JANV"}))
    assert lignes[0] == recherche.ENTETES_EXPORT
    [ligne] = lignes[1:]
    valeurs = dict(zip(lignes[0], ligne, strict=True))
    assert valeurs["Numéro"] == "A4-JANV"
    assert valeurs["Type de pièce"] == Cadre.A4.label
    assert valeurs["Numéro de dossier de facturation"] == jeu["a4"].dossier.numero
    assert valeurs["Rôle de l'émetteur"] == "Fournisseur" and valeurs["Structure émettrice"] == "CEGELEC PERPIGNAN"
    assert valeurs["SIRET de la structure émettrice"] == jeu["f"][1].identifiant
    assert valeurs["Maîtrise d'œuvre"] == "MB INGENIERIE" and valeurs["Maîtrise d'ouvrage"] == "ACADEMIE DE MONTPELLIER"
    assert valeurs["État courant"] == "Mise à disposition de la MOE"
    assert valeurs["Date de la pièce"] == "09/01/2026" and valeurs["Date de dépôt"] == "10/01/2026 10:00"
    assert (valeurs["Montant HT"], valeurs["Montant TVA"], valeurs["Montant TTC"]) == ("1000,00", "200,00", "1200,00")
    assert valeurs["Numéro d'engagement"] == '\'=HYPERLINK("http://x";"y")'


def test_export_xlsx_contenu(client, jeu):
    PieceTravaux.objects.filter(pk=jeu["a4"].pk).update(numero_engagement="=1+1")
    client.force_login(jeu["moe"][0])
    response = client.get(reverse("travaux_exporter_xlsx"), {"numero_marche": "MARCHE"})
    assert response["Content-Disposition"] == 'attachment; filename="factures_travaux.xlsx"'
    feuille = _xlsx(response)
    assert feuille.title == "Factures de travaux"
    lignes = list(feuille.iter_rows(values_only=True))
    assert list(lignes[0]) == recherche.ENTETES_EXPORT
    par_numero = {ligne[0]: dict(zip(lignes[0], ligne, strict=True)) for ligne in lignes[1:]}
    assert set(par_numero) == {"A4-JANV", "A4-MARS", "A15-MARS"}
    a15 = par_numero["A15-MARS"]
    assert a15["Rôle de l'émetteur"] == "Maîtrise d'œuvre" and a15["État courant"] == "Mise à disposition de la MOA"
    assert a15["Montant HT"] == 1000 and a15["Date de dépôt"] == datetime(2026, 3, 5, 10, 0)
    assert par_numero["A4-MARS"]["État courant"] == "Associée"
    # A text is never a formula.
    cellule = next(c for c in feuille.iter_rows(min_row=2) if c[0].value == "A4-JANV")[15]
    assert cellule.value == "=1+1" and cellule.data_type == "s"


# --- Tableau de bord (stock) -----------------------------------------------------------------------------------


def _compteurs(response) -> dict[str, dict]:
    assert response.status_code == 200
    [ligne] = response.context["lignes"]
    return {c["libelle"]: c for c in ligne["comptes"]}


@pytest.mark.parametrize(
    ("qui", "role", "attendus"),
    [
        ("f", "FOURNISSEUR", {"Brouillon": 1, "Mise à disposition": 2, "Associée / Prise en compte": 1}),
        ("moe", "MOE", {"Mise à disposition": 2, "Associée / Prise en compte": 1}),
        ("moa", "MOA", {"Mise à disposition": 2, "Associée / Prise en compte": 1}),
    ],
)
def test_tableau_de_bord_compte_par_groupe_et_lien_vers_la_recherche(client, jeu, qui, role, attendus):
    client.force_login(jeu[qui][0])
    response = client.get(reverse("travaux_tableau_de_bord"), {"role": role})
    compteurs = _compteurs(response)
    assert list(compteurs) == [
        "Brouillon",
        "Erreur d'acheminement",
        "Mise à disposition",
        "Validée",
        "Refusée / Rejetée",
        "Associée / Prise en compte",
        "Suspendue",
        "Déposée",
        "En cours de traitement par le destinataire",
        "Mise en paiement",
    ]
    assert {libelle: c["nombre"] for libelle, c in compteurs.items() if c["nombre"]} == attendus
    structure = jeu[qui][1]
    assert response.context["lignes"][0]["structure"] == f"{structure.identifiant} - {structure.raison_sociale}"
    page = response.content.decode()
    for compteur in compteurs.values():
        assert f'href="{compteur["url"].replace("&", "&amp;")}"' in page
        # Each number leads to Rechercher, where exactly that many pieces are listed.
        assert len(client.get(compteur["url"]).context["pieces"]) == compteur["nombre"]


def test_tableau_de_bord_role_sans_dossier_et_role_invalide(client, jeu):
    client.force_login(jeu["f"][0])
    url = reverse("travaux_tableau_de_bord")
    response = client.get(url, {"role": "MOA"})
    assert response.context["lignes"] == []
    assert "Aucune de vos structures n'est « Maîtrise d'ouvrage » d'un dossier de facturation." in outils.texte(
        response
    )
    # Without a choice: the Fournisseur's.
    assert _compteurs(client.get(url))["Brouillon"]["nombre"] == 1
    response = client.get(url, {"role": "PIRATE"})
    assert response.status_code == 200 and response.context["lignes"] == []
    assert "Choisissez un rôle : Fournisseur, Maîtrise d'œuvre ou Maîtrise d'ouvrage." in outils.texte(response)


def test_tableau_de_bord_apres_refus_et_mise_en_paiement(client, jeu):
    services.refuser(acting_user=jeu["moe"][0], piece=jeu["a4"], motif="ACHEMINEMENT", commentaire="Erreur")
    client.force_login(jeu["f"][0])
    compteurs = _compteurs(client.get(reverse("travaux_tableau_de_bord"), {"role": "FOURNISSEUR"}))
    assert compteurs["Erreur d'acheminement"]["nombre"] == 1 and compteurs["Mise à disposition"]["nombre"] == 1


# --- Bounded SQL -----------------------------------------------------------------------------------------------


def test_pages_en_nombre_de_requetes_borne(client, jeu, django_assert_max_num_queries):
    _cloner(jeu["a4"], 30)
    services.affecter_instructeur(acting_user=jeu["moe"][0], piece=jeu["a4"], instructeur="JDUPONT")
    client.force_login(jeu["moe"][0])
    # The session, the user, their profiles, their perimeter (« à traiter » and « Déposer » read it too), the page,
    # the names of the page's structures, the structures' list (and the « mon rôle » criterion's structures).
    pages = [
        (reverse("travaux_synthese"), {}, 33 - 2, 7),
        (reverse("travaux_rechercher"), {}, 33, 7),
        (reverse("travaux_rechercher"), {"mon_role": "MOE", "groupe": "MISE_A_DISPOSITION"}, 32, 8),
    ]
    for url, criteres, lignes, requetes in pages:
        client.get(url, criteres)
        with django_assert_max_num_queries(requetes):
            response = client.get(url, criteres)
        assert len(response.context["pieces"]) == lignes
    client.get(reverse("travaux_tableau_de_bord"), {"role": "MOE"})
    with django_assert_max_num_queries(6):
        response = client.get(reverse("travaux_tableau_de_bord"), {"role": "MOE"})
    assert _compteurs(response)["Mise à disposition"]["nombre"] == 32
    for url in ("travaux_exporter", "travaux_exporter_xlsx"):
        with django_assert_max_num_queries(5):  # the session, the user, their profiles, their perimeter, the rows
            response = client.get(reverse(url))
            contenu = b"".join(response.streaming_content) if response.streaming else response.content
        assert contenu


def test_etats_de_la_recherche_sans_libelle_ambigu():
    from travaux.forms.recherche import CHOIX_ETATS

    libelles = [libelle for _groupe, choix in CHOIX_ETATS for _code, libelle in choix]
    assert len(libelles) == len(set(libelles))
    assert "Refusée par la MOA pour erreur dans les données d'acheminement (pièce de la MOE)" in libelles
    assert "Mise en paiement" in libelles and "Mise à disposition du destinataire" in libelles


def test_piece_payable_etat_courant_de_sa_facture(client, jeu):
    """Once payable, a piece's « État courant » is its invoice's (« Factures reçues »): searched, counted and no
    longer late once « Mise en paiement »."""
    from facturation import services as facturation_services
    from facturation.enums import StatutFacture

    a19 = deposer_suite(jeu["moa"], jeu["a15"], cadre=Cadre.A19, numero="A19-MARS")
    a19.refresh_from_db()
    for statut in (StatutFacture.SERVICE_FAIT, StatutFacture.MISE_EN_PAIEMENT):
        facturation_services.CIRCUIT.transition(a19.facture, to=statut, acting_user=None, role="DESTINATAIRE")
    DossierFacturation.objects.filter(pk=a19.dossier_id).update(
        demande_paiement_recue_le=timezone.now() - timedelta(days=60)
    )
    client.force_login(jeu["moa"][0])
    response = client.get(reverse("travaux_rechercher"), {"etat": "MISE_EN_PAIEMENT"})
    assert _numeros(response) == {"A19-MARS"}
    [ligne] = response.context["pieces"]
    assert ligne["etat"] == "Mise en paiement" and ligne["en_retard"] is False
    compteurs = _compteurs(client.get(reverse("travaux_tableau_de_bord"), {"role": "MOA"}))
    assert compteurs["Mise en paiement"]["nombre"] == 1
    assert _numeros(client.get(compteurs["Mise en paiement"]["url"])) == {"A19-MARS"}


def test_etat_courant_et_acteurs_tenus_par_la_base(jeu):
    """The columns the Tableau de bord reads are kept by the database whatever writes the rows: a piece's save with
    a stale value, an invoice's status changed by any UPDATE, a dossier whose MOE changes."""
    from facturation.enums import StatutFacture
    from facturation.models import Facture

    a4 = PieceTravaux.objects.get(pk=jeu["a4"].pk)
    assert (a4.etat_courant, a4.dossier_fournisseur_id, a4.dossier_moe_id, a4.dossier_moa_id) == (
        S.MISE_A_DISPOSITION_MOE,
        jeu["f"][1].pk,
        jeu["moe"][1].pk,
        jeu["moa"][1].pk,
    )
    a4.etat_courant = "N'IMPORTE QUOI"
    a4.save()
    a4.refresh_from_db()
    assert a4.etat_courant == S.MISE_A_DISPOSITION_MOE

    autre_moe = acteur("AUTRE MOE")
    DossierFacturation.objects.filter(pk=a4.dossier_id).update(moe=autre_moe[1])
    assert PieceTravaux.objects.get(pk=a4.pk).dossier_moe_id == autre_moe[1].pk

    a19 = deposer_suite(jeu["moa"], jeu["a15"], cadre=Cadre.A19, numero="A19-BASE")
    assert PieceTravaux.objects.get(pk=a19.pk).etat_courant == Facture.objects.get(piece_travaux=a19).statut
    Facture.objects.filter(piece_travaux=a19).update(statut=StatutFacture.MISE_EN_PAIEMENT)
    assert PieceTravaux.objects.get(pk=a19.pk).etat_courant == StatutFacture.MISE_EN_PAIEMENT
