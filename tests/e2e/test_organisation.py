"""Journeys of the organisation domain in a real browser: account creation with activation, rattachement
request approved by the GP, habilitation request, direct attachment and profile management by the GP."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from chorus import outbox
from chorus.models import OutboxMessage
from organisation import services
from organisation.enums import StatutRattachement
from organisation.models import Rattachement, Utilisateur
from organisation.queries import applications_ouvertes
from tests import outils
from tests.conftest import ARTIFACTS
from tests.e2e.navigateur import se_connecter
from tests.factories import UtilisateurFactory, rattacher
from tests.organisation.inscription import SIRET_ACME, gp_inscrit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _courriels():
    for pk in OutboxMessage.objects.filter(statut=OutboxMessage.Statut.EN_ATTENTE).values_list("pk", flat=True):
        outbox.process(pk)
    return mail.outbox


def _se_deconnecter(page):
    page.get_by_test_id("menu-utilisateur").click()
    page.get_by_role("button", name="Se déconnecter").click()


def _ouvrir_la_seule_approbation(page, approbateur, demande, commentaire):
    """``approbateur`` logs in, counts one request in « Approbations », opens it and reads its ``commentaire``."""
    se_connecter(page, approbateur.email)
    expect(page.get_by_test_id("badge-approbations")).to_have_text("1")
    page.get_by_role("link", name=re.compile("^Approbations")).click()
    page.get_by_role("link", name=demande).click()
    expect(page.get_by_text(commentaire)).to_be_visible()


def test_creer_un_compte_nouvelle_structure_activation_et_connexion(page):
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Adresse électronique").fill("fondatrice@acme.fr")
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Garnier")
    page.get_by_label("SIRET de votre structure").fill("732 829 320 00075")  # wrong checksum first
    page.get_by_text("Privée", exact=True).check()
    page.get_by_label("Raison sociale").fill("ACME SAS")
    page.locator("#id_password1").fill("Un-mot-de-passe-solide-2026")
    page.locator("#id_password2").fill("Un-mot-de-passe-solide-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_text("clé de contrôle est incorrecte")).to_be_visible()
    assert not Utilisateur.objects.exists()

    page.get_by_label("SIRET de votre structure").fill("732 829 320 00074")
    page.locator("#id_password1").fill("Un-mot-de-passe-solide-2026")
    page.locator("#id_password2").fill("Un-mot-de-passe-solide-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", name="Votre compte est créé")).to_be_visible()
    expect(page.get_by_text("vous en êtes le gestionnaire principal")).to_be_visible()

    lien = re.search(r"http://\S+/activer/\S+/", _courriels()[-1].body).group(0)
    page.goto(page.base_url + "/activer/" + lien.split("/activer/", 1)[1])
    expect(page.get_by_role("heading", name="Votre compte est activé")).to_be_visible()
    se_connecter(page, "fondatrice@acme.fr", "Un-mot-de-passe-solide-2026")
    expect(page.get_by_role("link", name="Utilisateurs de mes structures")).to_be_visible()
    page.get_by_role("link", name="Mes habilitations").first.click()
    # One default profile per application the portal opens (eight today); none for « Engagements », absent.
    expect(page.get_by_test_id("habilitation")).to_have_count(len(applications_ouvertes()))
    expect(page.get_by_test_id("habilitation").filter(has_text="Engagements")).to_have_count(0)
    expect(page.get_by_text("Organisation modification")).to_be_visible()


def test_demande_de_rattachement_approuvee_par_le_gp(page):
    gp, structure = gp_inscrit()
    demandeur = UtilisateurFactory(email="comptable@exemple.fr", prenom="Hugo", nom="Blanc")

    se_connecter(page, demandeur.email)
    page.goto(page.base_url + "/mes-rattachements/")
    page.get_by_role("link", name="Demander un rattachement").click()
    page.get_by_label("Raison sociale").fill("acme")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_text("ACME SAS (73282932000074)").click()
    page.get_by_text("Je souhaite faire un rattachement à la maille service").click()
    page.get_by_label("Service", exact=True).select_option(label="ACME SAS – COMPTA Comptabilité")
    page.get_by_label("Commentaire").fill("Je travaille au service comptable.")
    page.get_by_role("button", name="Soumettre").click()
    expect(page.get_by_test_id("rattachement")).to_contain_text("En attente d'approbation")
    _se_deconnecter(page)

    _ouvrir_la_seule_approbation(page, gp, "Demande de rattachement", "Je travaille au service comptable.")
    page.get_by_role("button", name="Refuser").click()
    expect(page.get_by_text("Le motif est obligatoire pour refuser une demande.")).to_be_visible()
    page.get_by_role("button", name="Approuver").click()
    expect(page.get_by_text("La demande a été approuvée.")).to_be_visible()
    expect(page.get_by_test_id("badge-approbations")).to_have_text("0")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "approbation-approuvee.png"), full_page=True)

    rattachement = Rattachement.objects.get(utilisateur=demandeur)
    assert rattachement.statut == StatutRattachement.ACTIF and rattachement.service.code == "COMPTA"
    assert any(m.to == [demandeur.email] and "approuvée" in m.body for m in _courriels())


def test_le_gp_rattache_un_utilisateur_et_gere_ses_habilitations(page):
    gp, _ = gp_inscrit()
    collegue = UtilisateurFactory(email="collegue@acme.fr", prenom="Zoé", nom="Lemaire")

    se_connecter(page, gp.email)
    page.get_by_role("link", name="Utilisateurs de mes structures").click()
    page.get_by_role("link", name="Rattacher un utilisateur").click()
    page.get_by_label("Adresse électronique de l'utilisateur").fill("personne@acme.fr")
    page.get_by_role("button", name="Soumettre").click()
    expect(page.get_by_text("Aucun compte n'existe avec cette adresse électronique.")).to_be_visible()
    page.get_by_label("Adresse électronique de l'utilisateur").fill(collegue.email)
    page.get_by_role("button", name="Soumettre").click()
    expect(page.get_by_text("L'invitation est envoyée")).to_be_visible()
    # Not attached until Zoé accepts the invitation in « Mes rattachements ».
    expect(page.get_by_test_id("rattachement-utilisateur").filter(has_text="Zoé Lemaire")).to_have_count(0)
    _se_deconnecter(page)
    se_connecter(page, collegue.email)
    page.goto(page.base_url + "/mes-rattachements/")
    page.get_by_test_id("rattachement").filter(has_text="Invitation à accepter").get_by_role(
        "button", name="Accepter"
    ).click()
    expect(page.get_by_text("Vous êtes rattaché à la structure")).to_be_visible()
    _se_deconnecter(page)
    se_connecter(page, gp.email)
    page.get_by_role("link", name="Utilisateurs de mes structures").click()
    expect(page.get_by_test_id("rattachement-utilisateur").filter(has_text="Zoé Lemaire")).to_be_visible()

    page.get_by_role("link", name="Gérer les habilitations des utilisateurs").click()
    page.get_by_label("Utilisateur").select_option(label="Zoé Lemaire (collegue@acme.fr)")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_test_id("profils-utilisateur")).to_contain_text("Factures émises modification")
    page.get_by_label("Action").select_option(label="Ajouter ou modifier le profil")
    page.get_by_label("Profil").select_option(label="Factures émises consultation")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("La modification des habilitations est enregistrée.")).to_be_visible()
    expect(page.get_by_test_id("modification-en-attente")).to_contain_text("Factures émises : consultation")
    expect(page.get_by_test_id("profils-utilisateur")).to_contain_text("Factures émises modification")
    assert outils.modifications_appliquees() == 1
    page.reload()
    expect(page.get_by_test_id("profils-utilisateur")).to_contain_text("Factures émises consultation")

    page.goto(page.base_url + "/organisation/utilisateurs/")
    page.get_by_test_id("rattachement-utilisateur").filter(has_text="Zoé Lemaire").get_by_role(
        "button", name="Détacher"
    ).click()
    expect(page.get_by_text("Zoé Lemaire est détaché de la structure.")).to_be_visible()
    expect(page.get_by_test_id("rattachement-utilisateur").filter(has_text="Zoé Lemaire")).to_have_count(0)


def test_demande_d_habilitation_par_l_utilisateur(page):
    gp, structure = gp_inscrit()
    user = UtilisateurFactory(email="user@acme.fr", prenom="Léo", nom="Faure")
    rattacher(gp, user, structure)

    se_connecter(page, user.email)
    page.goto(page.base_url + "/mes-habilitations/")
    page.get_by_role("link", name="Gérer mes habilitations").click()
    page.get_by_label("Action").select_option(label="Supprimer le profil")
    page.get_by_label("Profil").select_option(label="Factures reçues modification")
    page.get_by_role("button", name="Soumettre").click()
    expect(page.get_by_text("transmise au gestionnaire principal")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter").click()
    contenu = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert contenu.splitlines()[0] == "Structure;SIRET;Profil"
    _se_deconnecter(page)

    se_connecter(page, gp.email)
    page.goto(page.base_url + "/approbations/")
    page.get_by_role("link", name="Gérer mes habilitations").click()
    expect(page.get_by_text("Supprimer « Factures reçues »")).to_be_visible()
    page.get_by_label("Motif du refus").fill("Profil nécessaire à votre poste.")
    page.get_by_role("button", name="Refuser").click()
    expect(page.get_by_text("La demande a été refusée.")).to_be_visible()
    assert services.profils_de(utilisateur=user, structure=structure)["FACTURES_RECUES"] == "modification"


def test_creer_un_compte_structure_publique_approuvee_par_le_support(page):
    from django.contrib.auth.models import Group

    agent = UtilisateurFactory(email="agent@support.fr", prenom="Marc", nom="Petit", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="Support")[0])

    page.goto(page.base_url + "/creer-un-compte/")
    page.get_by_label("Adresse électronique").fill("maire@commune.fr")
    page.get_by_label("Prénom").fill("Léa")
    page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Morel")
    page.get_by_label("SIRET de votre structure").fill("21380185500015")
    page.get_by_text("Publique", exact=True).click()
    page.get_by_label("Raison sociale").fill("Commune de Saint-Martin")
    page.get_by_label("Commentaire").fill("Je suis la secrétaire de mairie.")
    page.locator("#id_password1").fill("Un-mot-de-passe-solide-2026")
    page.locator("#id_password2").fill("Un-mot-de-passe-solide-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_text("votre demande de création a été transmise au support")).to_be_visible()
    lien = re.search(r"http://\S+/activer/\S+/", _courriels()[-1].body).group(0)
    page.goto(page.base_url + "/activer/" + lien.split("/activer/", 1)[1])
    expect(page.get_by_role("heading", name="Votre compte est activé")).to_be_visible()

    _ouvrir_la_seule_approbation(page, agent, "Création d'une structure publique", "Je suis la secrétaire de mairie.")
    page.get_by_role("button", name="Approuver").click()
    expect(page.get_by_text("La demande a été approuvée.")).to_be_visible()
    _se_deconnecter(page)

    se_connecter(page, "maire@commune.fr", "Un-mot-de-passe-solide-2026")
    page.get_by_role("link", name="Gérer mes structures").click()
    page.get_by_role("link", name="Commune de Saint-Martin").click()
    expect(page.get_by_test_id("statut-structure")).to_have_text("Active")
    expect(page.get_by_test_id("gestionnaire-principal")).to_have_text("Léa Morel")
    assert any(m.to == ["maire@commune.fr"] and "approuvée" in m.body for m in _courriels())


def test_creer_un_compte_sur_une_structure_existante_approuve_par_le_gp(page):
    gp, _structure = gp_inscrit()
    page.goto(page.base_url + "/creer-un-compte/")
    page.get_by_label("Adresse électronique").fill("nouvelle@acme.fr")
    page.get_by_label("Prénom").fill("Emma")
    page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Roche")
    page.get_by_label("SIRET de votre structure").fill(SIRET_ACME)
    page.locator("#id_password1").fill("Un-mot-de-passe-solide-2026")
    page.locator("#id_password2").fill("Un-mot-de-passe-solide-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_text("précisez votre demande de rattachement en commentaire")).to_be_visible()
    page.get_by_label("Commentaire").fill("Nouvelle comptable.")
    page.locator("#id_password1").fill("Un-mot-de-passe-solide-2026")
    page.locator("#id_password2").fill("Un-mot-de-passe-solide-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(
        page.get_by_text("votre demande de rattachement a été transmise à son gestionnaire principal")
    ).to_be_visible()

    se_connecter(page, gp.email)
    page.get_by_role("link", name=re.compile("^Approbations")).click()
    page.get_by_role("link", name="Création de compte").click()
    page.get_by_label("Motif du refus").fill("Personne inconnue du service.")
    page.get_by_role("button", name="Refuser").click()
    expect(page.get_by_text("La demande a été refusée.")).to_be_visible()
    assert any(m.to == ["nouvelle@acme.fr"] and "Personne inconnue du service." in m.body for m in _courriels())
