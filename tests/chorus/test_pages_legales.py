"""The footer's « Accessibilité : partiellement conforme », « Mentions légales » and « Données personnelles »
pages; the portal's 404 and 500 pages under ``make run`` (DEBUG on); the activation link on the address the portal
is served on (issue 14 item 15)."""

import pytest
from django.test import override_settings
from django.urls import path, reverse

from chorus.management.commands.runportal import environnement_des_services
from chorus.settings import base
from chorus.urls import urlpatterns as urls_du_portail
from organisation import services
from tests import outils
from tests.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db


def _vue_en_erreur(request):
    raise RuntimeError("panne simulée")


urlpatterns = [*urls_du_portail, path("panne/", _vue_en_erreur)]
MIDDLEWARE_DEV = [*base.MIDDLEWARE, "chorus.middleware.PagesErreurEnDeveloppement"]


def test_le_pied_de_page_mene_aux_trois_pages(client):
    accueil = client.get(reverse("accueil")).content.decode()
    for nom, lien, titre in (
        ("accessibilite", "Accessibilité : partiellement conforme", "Déclaration d'accessibilité"),
        ("mentions_legales", "Mentions légales", "Mentions légales"),
        ("donnees_personnelles", "Données personnelles", "Données personnelles"),
    ):
        assert f'<a class="fr-footer__bottom-link" href="{reverse(nom)}">{lien}</a>' in accueil
        page = outils.texte(client.get(reverse(nom)))
        assert f"<h1>{titre}</h1>" in page and f"<title>{titre} — Chorus Pro</title>" in page


def test_la_declaration_suit_le_modele_rgaa(client):
    page = outils.texte(client.get(reverse("accessibilite")))
    for rubrique in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        assert f"<h2>{rubrique}</h2>" in page
    assert "partiellement conforme</strong> avec le référentiel général d'amélioration de l'accessibilité" in page
    assert "Défenseur des droits" in page


@override_settings(DEBUG=True, MIDDLEWARE=MIDDLEWARE_DEV, ROOT_URLCONF=__name__)
def test_avec_debug_les_pages_d_erreur_du_portail(client):
    reponse = client.get("/adresse-inconnue/")
    assert reponse.status_code == 404 and "<h1>Page non trouvée</h1>" in reponse.content.decode()
    assert "Using the URLconf" not in reponse.content.decode()
    reponse = client.get(reverse("facture_emise", args=[999999]))  # anonymous: the login page first
    assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("connexion"))
    client.force_login(UtilisateurFactory())
    reponse = client.get(reverse("facture_emise", args=[999999]))
    assert reponse.status_code == 404 and "<h1>Page non trouvée</h1>" in reponse.content.decode()
    client.raise_request_exception = False
    reponse = client.get("/panne/")
    assert reponse.status_code == 500 and "<h1>Erreur technique</h1>" in reponse.content.decode()
    assert "Traceback" not in reponse.content.decode()
    # A missing trailing slash is still redirected (CommonMiddleware sees the 404 first).
    assert client.get("/factures-emises").status_code == 301


def test_le_lien_d_activation_suit_l_adresse_servie(settings, monkeypatch):
    monkeypatch.delenv("CHORUS_PORTAL_URL", raising=False)
    assert environnement_des_services(8080)["CHORUS_PORTAL_URL"] == "http://127.0.0.1:8080"
    monkeypatch.setenv("CHORUS_PORTAL_URL", "https://chorus.exemple.gouv.fr")
    assert environnement_des_services(8080)["CHORUS_PORTAL_URL"] == "https://chorus.exemple.gouv.fr"  # kept
    settings.CHORUS_PORTAL_URL = "http://127.0.0.1:8080"
    lien = services.lien_activation(UtilisateurFactory(is_active=False))
    assert lien.startswith("http://127.0.0.1:8080/activer/")
