"""« Raccordements » in a browser: the gestionnaire opens the application from the Domaines page, creates a
technical account (password and expiry shown once), renews then revokes it, creates an API client and rotates its
secret, deposits a flux on « Suivi des flux » and downloads its compte rendu, chooses the emission mode. axe runs on
every page and fails on any serious or critical violation."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from facturation.models import FluxDepot
from organisation.api import authentification
from organisation.models import ClientApiStructure, CompteTechnique, ModificationDifferee
from tests.e2e.navigateur import se_connecter, verifier_accessibilite
from tests.factories import UtilisateurFactory, structure_privee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_le_gestionnaire_gere_ses_raccordements(page, tmp_path):
    gp = UtilisateurFactory(prenom="Gaëlle", nom="Perrin")
    acme = structure_privee(gp, "ACME SAS")
    se_connecter(page, gp.email)
    page.get_by_role("link", name="Raccordements").first.click()
    expect(page.get_by_role("heading", name="Raccordements", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Comptes techniques")).to_be_visible()
    expect(page.get_by_text("Aucun compte technique.")).to_be_visible()
    verifier_accessibilite(page)

    # Create: the password and its expiry, shown once.
    page.get_by_role("button", name="Créer le compte technique").click()
    expect(page.get_by_role("heading", name="Compte technique créé", level=1)).to_be_visible()
    login = page.get_by_test_id("identifiant").inner_text()
    mot_de_passe = page.get_by_test_id("valeur-secrete").inner_text()
    expect(page.get_by_test_id("expiration")).to_have_text(re.compile(r"^\d{2}/\d{2}/\d{4}$"))
    verifier_accessibilite(page)
    compte = CompteTechnique.objects.get(login=login)
    assert authentification.resoudre(login, mot_de_passe) == compte

    page.get_by_role("link", name="Retour à la liste").click()
    ligne = page.get_by_test_id("compte-technique")
    expect(ligne).to_contain_text(login)
    expect(ligne).to_contain_text("Actif")
    assert mot_de_passe not in page.content()

    # Renew: a new password; the previous one still works during the overlap.
    page.get_by_role("button", name=f"Renouveler le mot de passe de {login}").click()
    expect(page.get_by_role("heading", name="Mot de passe renouvelé", level=1)).to_be_visible()
    nouveau = page.get_by_test_id("valeur-secrete").inner_text()
    assert nouveau != mot_de_passe
    assert (
        authentification.resoudre(login, nouveau) == compte and authentification.resoudre(login, mot_de_passe) == compte
    )
    page.get_by_role("link", name="Retour à la liste").click()
    expect(page.get_by_test_id("compte-technique")).not_to_contain_text("—")  # the overlap's end is shown

    # Revoke.
    page.get_by_role("button", name=f"Révoquer {login}").click()
    expect(page.get_by_text(f"Le compte technique {login} est révoqué")).to_be_visible()
    expect(page.get_by_test_id("compte-technique")).to_contain_text("Révoqué le")
    compte.refresh_from_db()
    assert compte.actif is False

    # API clients: created, then the secret rotated.
    page.get_by_role("link", name="Clients API").click()
    expect(page.get_by_role("heading", name="Clients API", level=2)).to_be_visible()
    verifier_accessibilite(page)
    page.get_by_label("Libellé (facultatif)").fill("Mon ERP")
    page.get_by_role("button", name="Créer le client API").click()
    expect(page.get_by_role("heading", name="Client API créé", level=1)).to_be_visible()
    client_id = page.get_by_test_id("identifiant").inner_text()
    secret = page.get_by_test_id("valeur-secrete").inner_text()
    page.get_by_role("link", name="Retour à la liste").click()
    expect(page.get_by_test_id("client-api")).to_contain_text("Mon ERP")
    page.get_by_role("button", name=f"Renouveler le secret de {client_id}").click()
    expect(page.get_by_role("heading", name="Secret renouvelé", level=1)).to_be_visible()
    assert page.get_by_test_id("valeur-secrete").inner_text() != secret
    assert ClientApiStructure.objects.get(structure=acme).secret_renouvele_le is not None

    # « Suivi des flux »: deposit a flux, see it listed, download its compte rendu.
    page.get_by_role("link", name="Retour à la liste").click()
    page.get_by_role("link", name="Suivi des flux").click()
    expect(page.get_by_text("Aucun flux déposé.")).to_be_visible()
    verifier_accessibilite(page)
    fichier = tmp_path / "flux.xml"
    fichier.write_bytes(b"<?xml version='1.0'?><pas-une-facture/>")
    page.get_by_label("Syntaxe du flux").select_option("IN_DP_E1_CII_16B")
    page.get_by_label("Fichier du flux").set_input_files(str(fichier))
    page.get_by_role("button", name="Déposer le flux").click()
    flux = FluxDepot.objects.get(structure=acme)
    expect(page.get_by_text(f"Le flux {flux.numero} est déposé")).to_be_visible()
    ligne = page.get_by_test_id("ligne-flux")
    expect(ligne).to_contain_text("flux.xml")
    expect(ligne).to_contain_text("Gaëlle Perrin")
    with page.expect_download() as telechargement:
        ligne.get_by_role("link", name=f"Compte rendu du flux {flux.numero} (PDF)").click()
    assert telechargement.value.suggested_filename == f"compte-rendu-{flux.numero}.pdf"
    assert Path(telechargement.value.path()).read_bytes().startswith(b"%PDF")

    # The emission and reception mode.
    page.get_by_role("link", name="Mode d'émission et de réception").click()
    expect(page.get_by_test_id("mode-actuel")).to_contain_text("Émission : portail Chorus Pro")
    verifier_accessibilite(page)
    page.get_by_role("group", name="Émission des factures").get_by_text("EDI ou API").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le mode d'émission et de réception est enregistré")).to_be_visible()
    expect(page.get_by_test_id("modification-en-attente")).to_contain_text(
        "Mode d'émission et de réception de ACME SAS"
    )
    assert ModificationDifferee.objects.get(object_id=acme.pk, description__startswith="Mode").changements == {
        "emetteur_edi": True
    }
