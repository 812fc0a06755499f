"""« Vérifier un certificat de dépôt » in a real browser, as an anonymous visitor: the deposited document is
recognised, another one is not."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS
from tests.facturation.factories import FactureFactory, ligne

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n% facture F-E2E-VERIF\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _deposer(gp, structure, etat):
    return FactureFactory(
        fournisseur_gp=(gp, structure),
        destinataire=etat,
        numero="F-E2E-VERIF",
        numero_marche="",
        lignes=[ligne(prix_unitaire_ht="100")],
        document=PDF,
    )


def test_un_visiteur_verifie_un_document_depose_puis_un_autre(page, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = _deposer(gp, structure, etat)
    moment = timezone.localtime(facture.date_depot).strftime("%d/%m/%Y à %H:%M:%S")

    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Vérifier un dépôt").click()
    expect(page.get_by_role("heading", name="Vérifier un certificat de dépôt", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Se connecter")).to_have_count(0)  # no login asked
    page.get_by_label("Document déposé").set_input_files(
        files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_test_id("depot-trouve")).to_have_text(
        f"Ce document a été déposé sur Chorus Pro le {moment} sous le numéro de facture F-E2E-VERIF, "
        f"à destination de ETAT (SIRET 11000201100044)."
    )
    expect(page.get_by_test_id("empreinte-certificat")).to_have_text(facture.empreinte_certificat)
    expect(page.locator("main")).not_to_contain_text("120,00")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "verification-depot-trouve.png"), full_page=True)

    page.get_by_label("Document déposé").set_input_files(
        files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": PDF + b"% modifie\n"}]
    )
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_test_id("depot-inconnu")).to_have_text(
        "Aucun dépôt ne correspond à ce document : il n'a pas été déposé sur Chorus Pro "
        "(ou il a été modifié depuis son dépôt)."
    )
    expect(page.get_by_test_id("depot-trouve")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "verification-depot-inconnu.png"), full_page=True)
