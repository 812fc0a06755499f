"""« Modifier mon numéro de SIRET » and the creation of a structure with another identifier type, in a real
browser: the GP asks, the support desk approves, the history shows the old SIRET."""

import pytest
from playwright.sync_api import expect

from organisation import services
from organisation.enums import TypeStructure
from organisation.models import EtablissementInsee
from tests.e2e.navigateur import se_connecter
from tests.factories import UtilisateurFactory, rattacher, siret_aleatoire, structure_privee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _deconnecter(page):
    page.context.clear_cookies()


def test_le_gp_demande_un_nouveau_siret_le_support_approuve(page):
    gp = UtilisateurFactory(email="gp@acme.fr", prenom="Gaëlle", nom="Perrin")
    support = UtilisateurFactory(email="support@chorus.fr", prenom="Sam", nom="Support", agent_support=True)
    ancien, nouveau = siret_aleatoire(), siret_aleatoire()
    structure = services.creer_structure_par_utilisateur(
        acting_user=gp, siret=ancien, raison_sociale="ACME SAS", type_structure=TypeStructure.PRIVEE
    )
    EtablissementInsee.objects.create(
        siret=nouveau, raison_sociale="ACME SAS", adresse="9 QUAI DES CHARTRONS", code_postal="33000", ville="BORDEAUX"
    )

    se_connecter(page, gp.email)
    page.goto(page.base_url + f"/organisation/structures/{structure.pk}/")
    page.get_by_role("button", name="Modifier mon numéro de SIRET").click()
    page.get_by_label("Nouveau SIRET").fill("123")
    page.get_by_role("button", name="Demander la modification du SIRET").click()
    expect(page.get_by_text("Le SIRET doit comporter 14 chiffres (vous en avez saisi 3).")).to_be_visible()
    page.get_by_label("Nouveau SIRET").fill(nouveau)
    page.get_by_label("Commentaire").fill("Déménagement du siège")
    page.get_by_role("button", name="Demander la modification du SIRET").click()
    expect(
        page.get_by_text("Votre demande de modification du numéro de SIRET est transmise au support")
    ).to_be_visible()
    page.get_by_role("button", name="Modifier mon numéro de SIRET").click()
    expect(page.get_by_test_id("changement-siret-en-attente")).to_contain_text(nouveau)
    expect(page.get_by_test_id("identifiant-structure")).to_have_text(ancien)

    _deconnecter(page)
    se_connecter(page, support.email)
    page.goto(page.base_url + "/approbations/")
    page.get_by_role("link", name="Modifier mon numéro de SIRET").first.click()
    expect(page.get_by_test_id("nouveau-siret")).to_have_text(nouveau)
    page.get_by_role("button", name="Approuver").click()
    expect(page.get_by_text("La demande a été approuvée.")).to_be_visible()

    _deconnecter(page)
    se_connecter(page, gp.email)
    page.goto(page.base_url + f"/organisation/structures/{structure.pk}/")
    expect(page.get_by_test_id("identifiant-structure")).to_have_text(nouveau)
    expect(page.get_by_test_id("adresse-postale")).to_contain_text("9 QUAI DES CHARTRONS")
    expect(page.get_by_test_id("historique-identifiants")).to_contain_text(ancien)


def test_un_utilisateur_simple_consulte_sans_bouton(page):
    gp = UtilisateurFactory(email="gp@acme.fr")
    simple = UtilisateurFactory(email="simple@acme.fr")
    structure = structure_privee(gp, "ACME SAS")
    rattacher(gp, simple, structure)
    se_connecter(page, simple.email)
    page.get_by_role("link", name="Gérer mes structures").click()
    page.get_by_role("link", name="ACME SAS").click()
    expect(page.get_by_test_id("consultation-seule")).to_be_visible()
    expect(page.locator("main form[method=post]")).to_have_count(0)
    expect(page.locator("main button")).to_have_count(0)


def test_creer_une_structure_ridet(page):
    gp = UtilisateurFactory(email="gp@acme.fr")
    se_connecter(page, gp.email)
    page.goto(page.base_url + "/organisation/structures/creer/")
    page.get_by_label("Type d'identifiant").select_option(label="RIDET")
    page.get_by_label("Identifiant (autre type que SIRET)").fill("123456.001")
    page.get_by_label("Raison sociale").fill("Nickel du Nord")
    page.get_by_role("button", name="Créer la structure").click()
    expect(page.get_by_text("Le numéro RIDET comporte 10 chiffres")).to_be_visible()
    page.get_by_label("Identifiant (autre type que SIRET)").fill("1234567.001")
    page.get_by_role("button", name="Créer la structure").click()
    expect(page.get_by_text("La structure est créée : vous en êtes le gestionnaire principal.")).to_be_visible()
    expect(page.get_by_test_id("type-identifiant")).to_have_text("RIDET")
    expect(page.get_by_test_id("identifiant-structure")).to_have_text("1234567001")
