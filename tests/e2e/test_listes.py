"""Issue 14 item 1 in a real browser: an agent of two public structures opens « Factures reçues », narrows the
Synthèse with « Filtre Structure », ticks two invoices and downloads them as one ZIP, then hides them with
« Masquer les factures téléchargées »; visits « Informations du fournisseur », « Liste fiscale » and
« Archives ». The supplier downloads ticked invoices from « Rechercher » and reads the tabs of « Factures
émises ». axe runs on every page visited."""

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from facturation.models import Facture
from organisation.models import EtablissementInsee
from tests.e2e.navigateur import se_connecter, verifier_accessibilite
from tests.factories import StructureFactory, UtilisateurFactory, habiliter, siret_aleatoire
from tests.facturation.factories import FactureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def commune():
    return StructureFactory(identifiant=siret_aleatoire(), raison_sociale="Commune de Vif", publique=True)


@pytest.fixture
def agent(etat, commune):
    """An agent of the State and of the commune, « Factures reçues » on both."""
    agent = UtilisateurFactory(prenom="Alice", nom="Comptable")
    for structure in (etat, commune):
        habiliter(agent, structure, profils={"FACTURES_RECUES": "modification"})
    return agent


def _envoyer(fournisseur_gp, destinataire, numero):
    service = "DRFIP_IDF" if destinataire.services.filter(code="DRFIP_IDF").exists() else ""
    return FactureFactory(
        fournisseur_gp=fournisseur_gp, destinataire=destinataire, numero=numero, service=service, envoyer=True
    )


def _onglet(page, nom):
    page.get_by_role("navigation", name="Onglets de l'application").get_by_role("link", name=nom, exact=True).click()


def test_factures_recues_zip_masquer_filtre_structure_et_onglets(page, fournisseur_gp, etat, commune, agent):
    f1 = _envoyer(fournisseur_gp, etat, "E2E-1")
    f2 = _envoyer(fournisseur_gp, etat, "E2E-2")
    _envoyer(fournisseur_gp, etat, "E2E-3")
    _envoyer(fournisseur_gp, commune, "E2E-VIF")
    ancienne = _envoyer(fournisseur_gp, etat, "E2E-ARCH")
    Facture.objects.filter(pk=ancienne.pk).update(updated_at=timezone.now() - timedelta(days=3 * 366))
    siret = siret_aleatoire()
    EtablissementInsee.objects.create(
        siret=siret, raison_sociale="Plomberie Dupont", adresse="4 rue des Lilas", code_postal="69003", ville="Lyon"
    )

    se_connecter(page, agent.email)
    page.get_by_role("link", name="Factures reçues").first.click()
    expect(page.get_by_role("heading", name="Factures reçues", level=1)).to_be_visible()
    lignes = page.get_by_test_id("facture-recue")
    expect(lignes).to_have_count(5)
    verifier_accessibilite(page)

    # « Filtre Structure »: the commune's invoice only.
    page.get_by_label("Filtre Structure").select_option(label=f"{commune.identifiant} - Commune de Vif")
    page.get_by_role("button", name="Filtrer").click()
    expect(lignes).to_have_count(1)
    expect(lignes.first).to_contain_text("E2E-VIF")
    page.get_by_role("link", name="Effacer les filtres").click()
    expect(lignes).to_have_count(5)

    # Tick two invoices, download them as one ZIP.
    page.get_by_label("Sélectionner la facture E2E-1").check(force=True)
    page.get_by_label("Sélectionner la facture E2E-2").check(force=True)
    with page.expect_download() as attente:
        page.get_by_test_id("telecharger-selection").click()
    telechargement = attente.value
    assert telechargement.suggested_filename == "factures_recues.zip"
    noms = zipfile.ZipFile(io.BytesIO(Path(telechargement.path()).read_bytes())).namelist()
    assert sorted(noms) == sorted([f"facture_E2E-1_{f1.pk}.pdf", f"facture_E2E-2_{f2.pk}.pdf"])

    # « Masquer les factures téléchargées ».
    page.reload()
    page.get_by_label("Masquer les factures téléchargées").check(force=True)
    page.get_by_role("button", name="Filtrer").click()
    expect(lignes).to_have_count(3)
    expect(page.get_by_test_id("facture-recue").filter(has_text="E2E-1")).to_have_count(0)
    verifier_accessibilite(page)

    # « Informations du fournisseur »: the INSEE base.
    _onglet(page, "Informations du fournisseur")
    page.get_by_role("textbox", name="SIRET").fill(siret)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_test_id("informations-fournisseur")).to_contain_text("Plomberie Dupont")
    expect(page.get_by_test_id("informations-fournisseur")).to_contain_text("69003 Lyon")
    verifier_accessibilite(page)

    # « Liste fiscale »: a period without a date is refused in French, then today's deposits.
    _onglet(page, "Liste fiscale")
    page.get_by_role("button", name="Afficher la liste").click()
    expect(page.get_by_test_id("erreurs-periode")).to_be_visible()
    verifier_accessibilite(page)
    aujourd_hui = timezone.localdate().isoformat()
    page.get_by_label("Période du").fill(aujourd_hui)
    page.get_by_label("Période au").fill(aujourd_hui)
    page.get_by_role("button", name="Afficher la liste").click()
    expect(page.get_by_test_id("ligne-fiscale")).to_have_count(5)
    expect(page.get_by_test_id("exporter-liste-fiscale")).to_be_visible()
    verifier_accessibilite(page)

    # « Archives »: the invoice not modified for three years.
    _onglet(page, "Archives")
    expect(page.get_by_role("heading", name="Archives")).to_be_visible()
    expect(lignes).to_have_count(1)
    expect(lignes.first).to_contain_text("E2E-ARCH")
    verifier_accessibilite(page)


def test_factures_emises_zip_depuis_rechercher(page, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    f1 = _envoyer(fournisseur_gp, etat, "EM-1")
    _envoyer(fournisseur_gp, etat, "EM-2")
    se_connecter(page, gp.email)
    page.goto(page.base_url + "/factures-emises/rechercher/")
    expect(page.get_by_test_id("facture")).to_have_count(2)
    verifier_accessibilite(page)
    page.get_by_label("Sélectionner la facture EM-1").check(force=True)
    with page.expect_download() as attente:
        page.get_by_role("button", name="Télécharger la sélection (ZIP)").click()
    noms = zipfile.ZipFile(io.BytesIO(Path(attente.value.path()).read_bytes())).namelist()
    assert noms == [f"facture_EM-1_{f1.pk}.pdf"]
    for onglet in ("Informations du fournisseur", "Liste fiscale", "Archives"):
        _onglet(page, onglet)
        expect(page.get_by_role("heading", name=onglet)).to_be_visible()
        verifier_accessibilite(page)
