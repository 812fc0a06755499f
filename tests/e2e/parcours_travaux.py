"""Steps shared by the « Factures de travaux » browser journeys: one browser session per actor (each a distinct user
of a distinct structure), the deposit form filled as a user fills it (the actors found with « Rechercher une
structure » and « Choisir »), the récapitulatif and its « Valider et envoyer », the piece page's actions, and the
financial service's processing in « Factures reçues ». Every step clicks and types; none calls a service."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from facturation.enums import Cadre
from organisation import services as org_services
from organisation.models import Service
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import se_connecter
from tests.travaux.factories import acteur, pdf

# « Acteur à renseigner » of the structure search: the form's field → the option's words.
CIBLES = {
    "moe": "Maîtrise d'œuvre",
    "moa": "Maîtrise d'ouvrage",
    "destinataire": "Service financier",
    "fournisseur": "Fournisseur",
    "validateur": "Titulaire ou mandataire",
    "pour_le_compte_de": "Déposer pour le compte de",
}


def hier() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def service_financier(raison_sociale: str, code: str = "SF_TRAVAUX"):
    """A public structure paying works invoices: one service (``code``), one user with « Factures reçues » in
    modification (and « Factures de travaux », from ``acteur``)."""
    user, structure = acteur(raison_sociale, publique=True)
    Service.objects.create(structure=structure, code=code, libelle="Service facturier des travaux")
    org_services.definir_profils(utilisateur=user, structure=structure, profils={"FACTURES_RECUES": "modification"})
    return user, structure


def sessions(browser, live_server):
    """The ``session`` fixture (``tests/e2e/conftest.py``): ``ouvrir(user)``, a new browser
    context where ``user`` is logged in, at « Factures de travaux » (or ``application``); all closed at the end."""
    contextes = []

    def ouvrir(user, *, application="Factures de travaux"):
        contexte = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        contextes.append(contexte)
        page = contexte.new_page()
        page.set_default_timeout(15000)
        page.base_url = live_server.url
        se_connecter(page, user.email)
        if application:
            page.get_by_role("link", name=application, exact=True).first.click()
            expect(page.get_by_role("heading", level=1)).to_have_text(application)
        return page

    yield ouvrir
    for contexte in contextes:
        contexte.close()


def capture(page, nom: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"travaux-{nom}.png"), full_page=True)


# --- « Déposer » ----------------------------------------------------------------------------------------------------


def onglet(page, nom: str) -> None:
    page.get_by_role("navigation", name=re.compile("Factures de travaux")).get_by_role("link", name=nom).click()


def choisir_structure(page, champ: str, structure) -> None:
    """« Rechercher une structure » by raison sociale, then « Choisir » it for ``champ``: the SIRET lands in it."""
    zone = page.get_by_test_id("recherche-structure")
    zone.get_by_label("Acteur à renseigner").select_option(label=CIBLES[champ])
    zone.get_by_label("Raison sociale").fill(structure.raison_sociale)
    with page.expect_response(re.compile(r"/factures-travaux/structures/\?")):
        zone.get_by_role("button", name="Rechercher").click()
    resultats = page.locator("#resultats-structures")
    ligne = resultats.get_by_test_id("structure").filter(has_text=structure.raison_sociale)
    expect(ligne).to_contain_text(structure.identifiant)
    ligne.get_by_role("button", name=f"Choisir {structure.raison_sociale}", exact=True).click()
    expect(page.locator(f"#id_{champ}")).to_have_value(structure.identifiant)


def remplir_depot(
    page,
    *,
    numero,
    cadre=None,
    acteurs=None,
    montant_ht=None,
    montant_tva=None,
    commentaire="",
    contenu=None,
    format_depot="PDF non signé",
    numero_marche="",
):
    """The deposit form (on its page): the file and its format, the cadre, the actors (field → structure, each
    found by the search), the references and, when given, the amounts."""
    page.locator("#id_fichier").set_input_files(
        {"name": f"{numero}.pdf", "mimeType": "application/pdf", "buffer": contenu or pdf(numero)}
    )
    page.get_by_text(format_depot, exact=True).click()
    if cadre is not None:
        page.get_by_label("Cadre de facturation").select_option(label=Cadre(cadre).label)
    for champ, structure in (acteurs or {}).items():
        choisir_structure(page, champ, structure)
    page.locator("#id_numero").fill(numero)
    page.locator("#id_date_piece").fill(hier())
    if numero_marche:
        page.locator("#id_numero_marche").fill(numero_marche)
    if montant_ht is not None:
        page.locator("#id_montant_ht").fill(montant_ht)
        page.locator("#id_montant_tva").fill(montant_tva)
    if commentaire:
        page.locator("#id_commentaire").fill(commentaire)


def valider_et_envoyer(page, numero: str) -> None:
    """« Valider et envoyer », the récapitulatif, its « Valider et envoyer »: the piece is deposited."""
    page.get_by_test_id("formulaire-depot").get_by_role("button", name="Valider et envoyer").click()
    expect(page.get_by_role("heading", level=2)).to_have_text(f"Récapitulatif d'envoi de la pièce n° {numero}")
    expect(page.get_by_test_id("recapitulatif")).to_contain_text(numero)
    page.get_by_test_id("formulaire-envoi").get_by_role("button", name="Valider et envoyer").click()
    expect(page.get_by_test_id("depot-reussi")).to_contain_text("Votre pièce a été déposée dans Chorus Pro")
    expect(page.get_by_role("heading", level=2)).to_have_text(f"Pièce n° {numero} déposée")


def deposer_initial(
    page, *, numero, cadre, acteurs, montant_ht="10000,00", montant_tva="2000,00", numero_marche="M-2026-042", **champs
):
    onglet(page, "Déposer")
    expect(page.get_by_text("Dépôt initial", exact=True)).to_be_visible()
    remplir_depot(
        page,
        numero=numero,
        cadre=cadre,
        acteurs=acteurs,
        montant_ht=montant_ht,
        montant_tva=montant_tva,
        numero_marche=numero_marche,
        **champs,
    )
    valider_et_envoyer(page, numero)


def deposer_suivante(page, *, numero, cadre, acteurs=None, **champs):
    """On the previous piece's page: « Déposer la pièce suivante du dossier de facturation », the form pre-filled
    from it (its amounts kept), the cadre that follows."""
    page.get_by_role("link", name="Déposer la pièce suivante du dossier de facturation").click()
    expect(page.get_by_test_id("reprise")).to_have_text("Certaines données ont été reprises de la pièce précédente.")
    expect(page.get_by_test_id("piece-precedente")).to_be_visible()
    remplir_depot(page, numero=numero, cadre=cadre, acteurs=acteurs, **champs)
    valider_et_envoyer(page, numero)


# --- The piece page -------------------------------------------------------------------------------------------------


def ouvrir_piece(page, numero: str) -> None:
    """« Synthèse » (the pieces to handle), then the piece's number."""
    onglet(page, "Synthèse")
    ligne = page.get_by_test_id("piece-travaux").filter(has=page.get_by_role("link", name=numero, exact=True))
    expect(ligne).to_have_count(1)
    ligne.get_by_role("link", name=numero, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"n° {numero}")


def rechercher_piece(page, numero: str):
    """« Rechercher » by the piece's number: its row (any status, any role of the user's structure)."""
    onglet(page, "Rechercher")
    page.get_by_label("Numéro de pièce").fill(numero)
    page.locator("main").get_by_role("button", name="Rechercher", exact=True).click()
    ligne = page.get_by_test_id("piece-travaux").filter(has=page.get_by_role("link", name=numero, exact=True))
    expect(ligne).to_have_count(1)
    return ligne


def ouvrir_dossier(page, numero: str) -> None:
    """The dossier of the piece ``numero``, from « Rechercher »."""
    rechercher_piece(page, numero).get_by_test_id("lien-dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultation d'un dossier de facturation")


def statut(page, libelle: str) -> None:
    expect(page.get_by_test_id("statut-piece")).to_have_text(libelle)


def prendre_en_compte(page, numero: str) -> None:
    page.get_by_test_id("actions-piece").get_by_role("button", name="Prendre en compte").click()
    expect(page.get_by_text(f"La pièce n° {numero} est au statut « Prise en compte")).to_be_visible()


def valider(page) -> None:
    page.get_by_test_id("actions-piece").get_by_role("button", name="Valider", exact=True).click()


def refuser(page, *, motif: str, commentaire: str) -> None:
    formulaire = page.get_by_test_id("form-refuser")
    formulaire.get_by_label("Motif du refus").select_option(label=motif)
    formulaire.get_by_label("Commentaire").fill(commentaire)
    formulaire.get_by_role("button", name="Refuser").click()


# --- « Factures reçues » ---------------------------------------------------------------------------------------------


def ouvrir_facture_recue(page, numero: str, fournisseur: str) -> None:
    """The invoice ``numero`` of ``fournisseur`` listed « Mise à disposition du destinataire » on the page open in
    « Factures reçues », then opened, still at that status."""
    ligne = page.get_by_test_id("facture-recue").filter(has_text=numero)
    expect(ligne).to_contain_text(fournisseur)
    expect(ligne).to_contain_text("Mise à disposition du destinataire")
    page.get_by_role("link", name=numero, exact=True).click()
    expect(page.get_by_test_id("statut-facture")).to_have_text("Mise à disposition du destinataire")


def traiter_facture(page, action: str, *, complement: str = "") -> None:
    page.get_by_test_id("actions-destinataire").get_by_role("link", name=action, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Traiter la facture")
    if complement:
        page.get_by_label("Compléments d'information").fill(complement)
    page.get_by_role("button", name="Enregistrer").click()
