"""« Factures de travaux » in a real browser (issue 11, « Done when »): each actor is a distinct user of a distinct
structure and does every step through the pages — the deposit form with its structure search, the récapitulatif,
the piece page's actions, the financial service's processing in « Factures reçues » — and each test asserts what
that user sees. The monthly chain to « Mise en paiement » and its dossier page; the visibility rules."""

import re

import pytest
from playwright.sync_api import expect

from facturation.enums import Cadre, StatutFacture
from organisation.enums import OptionMoa
from tests.e2e import parcours_travaux as parcours
from tests.factories import utilisateur_de
from tests.travaux.factories import acteur
from travaux.models import PieceTravaux
from travaux.statuts import StatutPiece

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = StatutPiece
HORODATAGE = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}")


@pytest.fixture
def marche():
    """The actors of a works contract: a supplier, a MOE, a MOA « avec MOA » and the financial service that pays."""
    return {
        "fournisseur": acteur("BATIMENTS DURAND SAS", code_postal="34000"),
        "moe": acteur("ATELIER MOE ARCHITECTES", code_postal="34070"),
        "moa": acteur("COMMUNE DE LATTES", publique=True, option_moa=OptionMoa.AVEC_MOA, code_postal="34970"),
        "sf": parcours.service_financier("DRFIP OCCITANIE TRAVAUX"),
    }


def test_chaine_mensuelle_a4_a15_a19_jusqu_a_la_mise_en_paiement(session, marche):
    (f_user, f), (moe_user, moe), (moa_user, moa), (sf_user, sf) = (
        marche["fournisseur"],
        marche["moe"],
        marche["moa"],
        marche["sf"],
    )

    # The supplier opens the dossier with its projet de décompte mensuel, the MOE and MOA found by the search.
    fournisseur = session(f_user)
    parcours.deposer_initial(
        fournisseur,
        numero="PDM-2026-01",
        cadre=Cadre.A4,
        acteurs={"moe": moe, "moa": moa},
        montant_ht="12500,00",
        montant_tva="2500,00",
    )
    expect(fournisseur.get_by_test_id("depot-reussi")).to_contain_text("Mise à disposition de la MOE")
    expect(fournisseur.get_by_test_id("recapitulatif")).to_contain_text("ATELIER MOE ARCHITECTES")
    parcours.capture(fournisseur, "a4-depose")

    # The MOE takes it on, then deposits its état d'acompte from it.
    page_moe = session(moe_user)
    parcours.ouvrir_piece(page_moe, "PDM-2026-01")
    parcours.statut(page_moe, "Mise à disposition de la MOE")
    parcours.prendre_en_compte(page_moe, "PDM-2026-01")
    parcours.statut(page_moe, "Prise en compte MOE")
    parcours.deposer_suivante(page_moe, numero="EA-2026-01", cadre=Cadre.A15)
    expect(page_moe.get_by_test_id("depot-reussi")).to_contain_text("Mise à disposition de la MOA")
    expect(page_moe.get_by_test_id("montant-ht")).to_have_text("12\u202f500,00\u00a0€")  # taken from the A4

    # The MOA takes it on and deposits the état d'acompte validé, naming the financial service found by the search.
    page_moa = session(moa_user)
    parcours.ouvrir_piece(page_moa, "EA-2026-01")
    parcours.prendre_en_compte(page_moa, "EA-2026-01")
    parcours.deposer_suivante(page_moa, numero="EAV-2026-01", cadre=Cadre.A19, acteurs={"destinataire": sf})
    expect(page_moa.locator("#id_code_service")).to_have_count(0)  # on the récapitulatif now
    expect(page_moa.get_by_test_id("depot-reussi")).to_contain_text("Mise à disposition du destinataire")
    expect(page_moa.get_by_test_id("recapitulatif")).to_contain_text("code service SF_TRAVAUX")

    # The financial service processes the invoice in « Factures reçues » up to « Mise en paiement ».
    page_sf = session(sf_user, application="Factures reçues")
    parcours.ouvrir_facture_recue(page_sf, "EAV-2026-01", "BATIMENTS DURAND SAS")
    parcours.traiter_facture(page_sf, "Prendre en compte")
    expect(page_sf.get_by_test_id("statut-facture")).to_have_text("Prise en compte destinataire")
    parcours.traiter_facture(page_sf, "Service fait", complement="Situation de travaux n° 1 constatée.")
    expect(page_sf.get_by_test_id("statut-facture")).to_have_text("Service fait")
    parcours.traiter_facture(page_sf, "Mettre en paiement")
    expect(page_sf.get_by_text("La facture EAV-2026-01 est au statut « Mise en paiement ».")).to_be_visible()
    expect(page_sf.get_by_test_id("statut-facture")).to_have_text("Mise en paiement")

    # The supplier's dossier page: every piece, every status, each with its date and time.
    parcours.ouvrir_dossier(fournisseur, "PDM-2026-01")
    pieces = fournisseur.get_by_test_id("piece-dossier")
    expect(pieces).to_have_count(3)
    attendus = {
        "PDM-2026-01": ["Associée", "Prise en compte MOE", "Mise à disposition de la MOE", "Déposée", "Brouillon"],
        "EA-2026-01": ["Associée", "Prise en compte MOA", "Mise à disposition de la MOA", "Déposée", "Brouillon"],
        "EAV-2026-01": [
            "Mise en paiement",
            "Service fait",
            "Prise en compte destinataire",
            "Mise à disposition du destinataire",
            "Déposée",
            "Brouillon",
        ],
    }
    for numero, statuts_attendus in attendus.items():
        bloc = pieces.filter(has=fournisseur.get_by_role("link", name=re.compile(f"N° {numero}$")))
        expect(bloc.get_by_role("heading", level=3)).to_contain_text(f"État courant = {statuts_attendus[0]}")
        lignes = bloc.get_by_test_id("historique")
        expect(lignes).to_have_count(len(statuts_attendus))
        for i, libelle in enumerate(statuts_attendus):
            expect(lignes.nth(i).locator("td").nth(1)).to_have_text(libelle)
            expect(lignes.nth(i).locator("td").first).to_have_text(HORODATAGE)
    expect(fournisseur.get_by_text("Marché M-2026-042 · Fournisseur BATIMENTS DURAND SAS")).to_be_visible()
    expect(fournisseur.get_by_test_id("horloge-jours")).to_contain_text("Mise en paiement le")
    parcours.capture(fournisseur, "dossier-mise-en-paiement")

    a19 = PieceTravaux.objects.get(numero="EAV-2026-01")
    assert a19.facture.statut == StatutFacture.MISE_EN_PAIEMENT and a19.facture.destinataire == sf
    assert a19.facture.service_destinataire.code == "SF_TRAVAUX" and a19.facture.fournisseur == f


def test_depot_pour_le_compte_d_un_fournisseur_sans_compte_visible_dans_le_dossier(session, marche):
    """Seed 000 « jouer le rôle d'un autre acteur »: the MOE deposits the supplier's projet de décompte for it (the
    supplier has no account), then handles it; the dossier says who deposited, in which role, for whom."""
    _, sans_compte = acteur("MACONNERIE SANS COMPTE EURL", niveau=None)
    (moe_user, moe), (_, moa) = marche["moe"], marche["moa"]
    page_moe = session(moe_user)
    parcours.deposer_initial(
        page_moe,
        numero="PDM-PLC-01",
        cadre=Cadre.A4,
        acteurs={"pour_le_compte_de": sans_compte, "fournisseur": sans_compte, "moe": moe, "moa": moa},
    )
    expect(page_moe.get_by_test_id("pour-le-compte-de")).to_contain_text("MACONNERIE SANS COMPTE EURL")
    page_moe.get_by_test_id("lien-piece").click()
    expect(page_moe.get_by_test_id("deposant")).to_contain_text("ATELIER MOE ARCHITECTES (Fournisseur)")
    expect(page_moe.get_by_test_id("deposant")).to_contain_text("pour le compte de MACONNERIE SANS COMPTE EURL")
    parcours.prendre_en_compte(page_moe, "PDM-PLC-01")
    parcours.deposer_suivante(page_moe, numero="EA-PLC-15", cadre=Cadre.A15)

    page_moe.get_by_role("link", name="Dossier de facturation").click()
    expect(page_moe.get_by_role("heading", level=1)).to_have_text("Consultation d'un dossier de facturation")
    expect(page_moe.get_by_text("Fournisseur MACONNERIE SANS COMPTE EURL")).to_be_visible()
    bloc = page_moe.get_by_test_id("piece-dossier").filter(has_text="N° PDM-PLC-01 - État courant")
    expect(bloc).to_contain_text(
        "Déposée par ATELIER MOE ARCHITECTES (Fournisseur) pour le compte de MACONNERIE SANS COMPTE EURL."
    )
    depot = bloc.get_by_test_id("historique").filter(has_text="Déposée")
    expect(depot).to_contain_text("ATELIER MOE ARCHITECTES")
    expect(depot.get_by_test_id("pour-le-compte-de")).to_have_text("pour le compte de MACONNERIE SANS COMPTE EURL")
    bloc_a15 = page_moe.get_by_test_id("piece-dossier").filter(has_text="N° EA-PLC-15 - État courant")
    expect(bloc_a15).not_to_contain_text("pour le compte de")
    parcours.capture(page_moe, "dossier-pour-le-compte-de")
    a4 = PieceTravaux.objects.get(numero="PDM-PLC-01")
    assert a4.pour_le_compte_de == sans_compte and a4.deposant == moe and a4.dossier.fournisseur == sans_compte


@pytest.fixture
def lecteur_moe(marche):
    """A colleague of the MOE holding « Factures de travaux » in consultation only."""
    return utilisateur_de(marche["moe"][1], profils={"FACTURES_TRAVAUX": "consultation"})


def test_consultation_sans_bouton_et_acteur_hors_dossier_en_404(session, marche, lecteur_moe):
    (f_user, _), (_, moe), (_, moa) = marche["fournisseur"], marche["moe"], marche["moa"]
    page_f = session(f_user)
    parcours.deposer_initial(page_f, numero="PDM-VIS-01", cadre=Cadre.A4, acteurs={"moe": moe, "moa": moa})
    page_f.get_by_test_id("lien-piece").click()
    url_piece = page_f.url
    page_f.get_by_role("link", name="Dossier de facturation").first.click()
    url_dossier = page_f.url
    url_fichier = url_piece + "piece.pdf"

    # The MOE's colleague in consultation sees the piece waiting for its structure, and no action.
    page_lecteur = session(lecteur_moe)
    parcours.ouvrir_piece(page_lecteur, "PDM-VIS-01")
    parcours.statut(page_lecteur, "Mise à disposition de la MOE")
    expect(page_lecteur.get_by_test_id("actions-piece")).to_have_count(0)
    expect(page_lecteur.get_by_role("button", name="Prendre en compte")).to_have_count(0)
    expect(page_lecteur.get_by_role("link", name="Déposer la pièce suivante du dossier de facturation")).to_have_count(
        0
    )
    expect(
        page_lecteur.get_by_role("navigation", name="Onglets de l'application Factures de travaux")
    ).not_to_contain_text("Déposer")
    expect(page_lecteur.get_by_role("link", name="Télécharger", exact=True)).to_be_visible()
    page_lecteur.get_by_role("link", name="Dossier de facturation").first.click()
    expect(page_lecteur.get_by_test_id("piece-dossier")).to_have_count(1)

    # An actor of another structure, outside the dossier: the 404 page on the piece, its dossier and its file.
    (etranger, _) = acteur("ENTREPRISE ETRANGERE AU DOSSIER")
    page_etranger = session(etranger)
    expect(page_etranger.get_by_test_id("piece-travaux")).to_have_count(0)
    for url in (url_piece, url_dossier, url_fichier):
        reponse = page_etranger.goto(url)
        assert reponse.status == 404, url
        expect(page_etranger.get_by_role("heading", level=1)).to_have_text("Page non trouvée")
        expect(page_etranger.get_by_text("PDM-VIS-01")).to_have_count(0)
    assert PieceTravaux.objects.get(numero="PDM-VIS-01").statut == S.MISE_A_DISPOSITION_MOE


def test_recherche_de_structure_choisir_remplit_l_acteur_selectionne(session, marche):
    """The structure search inside the form: after a search for one actor, the user changes « Acteur à renseigner »
    and clicks « Choisir » on the results shown: the SIRET goes to the actor now selected, not the previous one."""
    (f_user, _), (_, moa) = marche["fournisseur"], marche["moa"]
    page = session(f_user)
    parcours.onglet(page, "Déposer")
    zone = page.get_by_test_id("recherche-structure")
    zone.get_by_label("Acteur à renseigner").select_option(label="Maîtrise d'œuvre")
    zone.get_by_label("Code postal").fill("34970")
    zone.get_by_role("button", name="Rechercher").click()
    ligne = page.locator("#resultats-structures").get_by_test_id("structure")
    expect(ligne).to_have_count(1)
    expect(ligne).to_contain_text("COMMUNE DE LATTES")
    zone.get_by_label("Acteur à renseigner").select_option(label="Maîtrise d'ouvrage")
    ligne.get_by_role("button", name="Choisir COMMUNE DE LATTES").click()
    expect(page.locator("#id_moa")).to_have_value(moa.identifiant)
    expect(page.locator("#id_moe")).to_have_value("")
    expect(page.locator("#id_moa")).to_be_focused()
