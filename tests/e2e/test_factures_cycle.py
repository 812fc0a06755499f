"""Factures émises in a real browser: deposits (Factur-X, signed PDF), an avoir, the routing refusals, and the
« À recycler » and « Suspendue » round trips (the recipient acts through the service layer until the Factures
reçues pages exist)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from facturation import services
from facturation.enums import StatutFacture
from facturation.facturx import generer_pdf_facturx
from facturation.lecture_xml import lire_xml
from facturation.models import Facture
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import saisir_une_ligne, se_connecter
from tests.factories import utilisateur_de
from tests.facturation.externes import adapter, echantillons
from tests.facturation.test_pdf import pdf_simple, signataire, signer  # noqa: F401  (signing fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).parent.parent / "facturation" / "data"
HIER = (date.today() - timedelta(days=1)).isoformat()


def _deposer(page, nom, contenu):
    page.goto(page.base_url + "/factures-emises/deposer/")
    page.locator("#id_fichier").set_input_files(
        {"name": nom, "mimeType": "application/octet-stream", "buffer": contenu}
    )
    page.get_by_role("button", name="Déposer").click()


def test_depot_facturx_devient_un_brouillon_aux_montants_du_document_puis_envoye(page, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    _, donnees = lire_xml((DATA / "facture_cii_valide.xml").read_bytes())
    donnees.fournisseur.siret = structure.identifiant  # the seller is the depositing structure
    se_connecter(page, gp.email)
    _deposer(page, "facture.pdf", generer_pdf_facturx(donnees))
    expect(page.get_by_test_id("analyse-depot")).to_contain_text("PDF Factur-X")
    expect(page.get_by_test_id("analyse-depot")).to_contain_text("ne se modifient pas")
    expect(page.get_by_test_id("references")).to_contain_text("FAC-2026-0117")
    expect(page.get_by_test_id("references")).to_contain_text("EJ-2026-0042")
    expect(page.get_by_test_id("destinataire")).to_contain_text("DRFIP_IDF")
    expect(page.get_by_test_id("ligne")).to_have_count(3)
    assert donnees.totaux.net_a_payer == Decimal("8672.73")
    expect(page.get_by_test_id("net-a-payer")).to_have_text("8\u202f672,73\u00a0€")  # chorus_format's montant
    expect(page.locator("#id_numero")).to_have_count(0)  # no field to retype the document's data
    page.get_by_role("button", name="Valider et envoyer").click()
    page.get_by_role("button", name="Confirmer l'envoi").click()
    expect(page.get_by_test_id("numero-facture")).to_have_text("FAC-2026-0117")
    facture = Facture.objects.get()
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION and facture.montant_ttc == donnees.totaux.total_ttc


def test_facturx_minimum_d_un_autre_logiciel_accepte_sans_lignes(page, fournisseur_gp, etat):
    """A Factur-X MINIMUM written by other software (FNFE-MPE's example): no lines, its PDF is the invoice; the
    portal accepts it with its own totals and sends it."""
    gp, structure = fournisseur_gp
    (echantillon,) = echantillons(name="Facture_FR_MINIMUM.pdf")
    contenu = adapter(
        echantillon.contenu(),
        siret_vendeur=structure.identifiant,
        siret_acheteur=etat.identifiant,
        code_service="FACTURES_PUBLIQUES",
    )
    se_connecter(page, gp.email)
    _deposer(page, "Facture_FR_MINIMUM.pdf", contenu)
    expect(page.get_by_test_id("analyse-depot")).to_contain_text("PDF Factur-X")
    expect(page.get_by_test_id("ligne")).to_have_count(0)
    expect(page.get_by_test_id("net-a-payer")).to_have_text("470,15\u00a0€")
    page.get_by_role("button", name="Valider et envoyer").click()
    page.get_by_role("button", name="Confirmer l'envoi").click()
    facture = Facture.objects.get()
    expect(page.get_by_test_id("numero-facture")).to_have_text(facture.numero)
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION
    assert (facture.montant_ttc, facture.montant_a_payer) == (Decimal("671.15"), Decimal("470.15"))


def test_depot_pdf_signe_affiche_la_signature(page, fournisseur_gp, etat, signataire):  # noqa: F811
    gp, _ = fournisseur_gp
    se_connecter(page, gp.email)
    # pyhanko signs with asyncio.run(): outside this thread, where Playwright's loop runs.
    with ThreadPoolExecutor(max_workers=1) as executor:
        signe = executor.submit(signer, pdf_simple(), signataire).result()
    _deposer(page, "signee.pdf", signe)
    expect(page.get_by_test_id("analyse-depot")).to_contain_text("PDF signé (PAdES)")
    expect(page.get_by_test_id("signature")).to_contain_text("Signature intacte")
    expect(page.get_by_test_id("signature")).to_contain_text("Jean Signataire")
    expect(page.get_by_test_id("champs-a-verifier")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "depot-pdf-signe.png"), full_page=True)
    assert not Facture.objects.exists()


def test_depot_d_un_fichier_non_facture_refuse(page, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    se_connecter(page, gp.email)
    _deposer(page, "image.pdf", b"GIF89a pas une facture")
    expect(page.get_by_test_id("erreur-fichier")).to_contain_text("Format de fichier non reconnu")


def _saisir(page, *, numero, code_service="DRFIP_IDF", engagement="EJ-1", type_facture=None, origine=""):
    page.goto(page.base_url + "/factures-emises/saisir/")
    page.get_by_text("Oui", exact=True).click()
    page.get_by_label("Code service du destinataire").fill(code_service)
    page.get_by_label("Coordonnées bancaires").select_option(index=1)
    if type_facture:
        page.get_by_label("Type de facture").select_option(label=type_facture)
    page.locator("#id_numero").fill(numero)
    page.get_by_label("Date de facture").fill(HIER)
    page.get_by_label("Numéro d'engagement").fill(engagement)
    page.get_by_label("Numéro de facture d'origine").fill(origine)
    saisir_une_ligne(page)
    page.get_by_role("button", name="Valider et envoyer").click()


def test_regles_d_acheminement_refusees_sur_le_champ(page, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    se_connecter(page, gp.email)
    _saisir(page, numero="R-1", code_service="")
    expect(page.get_by_text("Le code service est obligatoire pour ce destinataire.")).to_be_visible()
    _saisir(page, numero="R-2", code_service="ANCIEN")
    expect(page.get_by_text("Ce service n'existe pas ou n'est pas actif chez le destinataire.")).to_be_visible()
    _saisir(page, numero="R-3", engagement="")
    expect(page.get_by_text("Le numéro d'engagement est obligatoire pour ce destinataire.")).to_be_visible()
    assert not Facture.objects.exclude(statut=StatutFacture.BROUILLON).exists()

    # A recipient unknown to the portal.
    page.goto(page.base_url + "/factures-emises/saisir/")
    page.get_by_label("SIRET du destinataire").fill("732 829 320 00074")
    page.locator("#id_numero").fill("R-4")
    saisir_une_ligne(page)
    page.get_by_role("button", name="Valider et envoyer").click()
    expect(page.get_by_text("Aucune structure publique n'existe avec ce SIRET sur Chorus Pro.")).to_be_visible()

    # A number this supplier already used for a sent invoice.
    _saisir(page, numero="R-5")
    page.get_by_role("button", name="Confirmer l'envoi").click()
    _saisir(page, numero="R-5")
    expect(page.get_by_text("Ce numéro de facture est déjà utilisé par votre structure")).to_be_visible()
    assert Facture.objects.exclude(statut=StatutFacture.BROUILLON).count() == 1


def test_avoir_envoye_avec_sa_facture_d_origine(page, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    se_connecter(page, gp.email)
    _saisir(page, numero="AV-1", type_facture="Avoir")
    expect(page.get_by_text("Un avoir doit indiquer le numéro de la facture d'origine.")).to_be_visible()
    page.get_by_label("Numéro de facture d'origine").fill("F2026-001")
    page.get_by_role("button", name="Valider et envoyer").click()
    page.get_by_role("button", name="Confirmer l'envoi").click()
    expect(page.get_by_test_id("numero-facture")).to_have_text("AV-1")
    avoir = Facture.objects.get(numero="AV-1")
    assert avoir.type_facture == "AVOIR" and avoir.numero_facture_origine == "F2026-001"
    with avoir.fichier.open("rb") as f:
        assert b"381" in __import__("facturx").get_xml_from_pdf(f.read(), check_xsd=False)[1]


@pytest.fixture
def agent_destinataire(etat):
    return utilisateur_de(etat, profils={"FACTURES_RECUES": "modification"})


def test_allers_retours_a_recycler_et_suspendue(page, fournisseur_gp, etat, agent_destinataire):
    gp, _ = fournisseur_gp
    se_connecter(page, gp.email)
    _saisir(page, numero="C-1")
    page.get_by_role("button", name="Confirmer l'envoi").click()
    facture = Facture.objects.get(numero="C-1")

    services.traiter(
        acting_user=agent_destinataire, facture=facture, statut="SUSPENDUE", motif="Bon de livraison manquant"
    )
    page.goto(page.base_url + "/factures-emises/")
    expect(page.get_by_test_id("facture").filter(has_text="C-1")).to_contain_text("Suspendue")
    page.get_by_role("link", name="C-1").click()
    page.get_by_label("Commentaire pour compléter la facture").fill("Bon de livraison joint.")
    page.get_by_role("button", name="Compléter la facture").click()
    expect(page.get_by_test_id("statut-facture")).to_have_text("Complétée")

    facture.refresh_from_db()
    services.traiter(acting_user=agent_destinataire, facture=facture, statut="A_RECYCLER", motif="Mauvais service")
    page.reload()
    page.get_by_role("link", name="Recycler la facture").click()
    page.get_by_label("Code service").fill("FACTURES_PUBLIQUES")
    page.get_by_role("button", name="Recycler et renvoyer").click()
    expect(page.get_by_text("est recyclée et renvoyée")).to_be_visible()
    expect(page.get_by_test_id("statut-facture")).to_have_text("Mise à disposition du destinataire")
    facture.refresh_from_db()
    assert facture.numero == "C-1" and facture.service_destinataire.code == "FACTURES_PUBLIQUES"
    expect(page.get_by_test_id("historique")).to_have_count(7)
