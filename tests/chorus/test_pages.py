import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from chorus import navigation
from chorus.models import Publication
from tests.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def publications():
    return [
        Publication.objects.create(
            rubrique=Publication.Rubrique.ACTUALITE, titre="Nouvelle version", resume="Résumé A", contenu="Texte A"
        ),
        Publication.objects.create(
            rubrique=Publication.Rubrique.AIDE, titre="Déposer une facture", resume="Résumé B", contenu="Texte B"
        ),
        Publication.objects.create(
            rubrique=Publication.Rubrique.ACTUALITE,
            titre="Brouillon interne",
            resume="Pas encore publié",
            contenu="...",
            publiee=False,
        ),
    ]


def test_accueil_public(client, publications):
    response = client.get(reverse("accueil"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Bienvenue sur Chorus Pro" in content
    assert reverse("connexion") in content
    assert "Nouvelle version" in content
    assert "Brouillon interne" not in content
    # Anonymous visitors see neither Domaines nor Approbations in the top menu.
    assert reverse("approbations") not in content
    assert 'class="fr-breadcrumb"' in content


@pytest.mark.parametrize("name", ["accueil", "support", "communication", "connexion", "mot_de_passe_oublie"])
def test_pages_publiques_avec_fil_d_ariane_et_politique_de_securite(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert 'class="fr-breadcrumb"' in response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    # The DSFR assets are served by the portal itself, never from a CDN.
    assert "/static/dsfr/dist/dsfr.min.css" in response.content.decode() or "/static/dsfr/" in response.content.decode()
    # No asset from elsewhere (the page's nonces and integrity hashes are random text and may spell « cdn »).
    contenu = response.content.decode()
    adresses = re.findall(r'<(?:script|img)\b[^>]*\bsrc="([^"]+)"', contenu) + re.findall(
        r'<link\b[^>]*\bhref="([^"]+)"', contenu
    )
    assert adresses and not [a for a in adresses if re.match(r"(?:https?:)?//", a) or "cdn" in a.lower()]


@pytest.mark.parametrize("name", ["domaines", "approbations", "mon_compte"])
def test_pages_privees_exigent_une_connexion(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("connexion") + "?next=")


def test_domaines_liste_les_applications_et_le_menu(client, django_assert_max_num_queries):
    user = UtilisateurFactory()
    client.force_login(user)
    # session (stored in the database, not in Redis), user, approbations badge, the user's profiles (one query for
    # every tile: organisation.queries.a_application), one query per login alert provider (unhandled rejections),
    # the header's unread messages count
    with django_assert_max_num_queries(6):
        response = client.get(reverse("domaines"))
    content = response.content.decode()
    assert "Organisation" in content
    assert reverse("mon_compte") in content
    for libelle in ("Accueil", "Domaines", "Approbations", "Support", "Communication", "Se déconnecter"):
        assert libelle in content


def test_badge_et_liste_des_approbations_viennent_des_sources_enregistrees(client, monkeypatch):
    user = UtilisateurFactory()
    autre = UtilisateurFactory()
    demande = {
        "etat": "À approuver",
        "description": "Demande de rattachement",
        "demandeur": "Jean Test",
        "structure": "ACME",
        "service": "FACTURES",
        "date": timezone.now(),
        "url": "/",
    }
    monkeypatch.setattr(navigation, "_approbations", {})
    navigation.register_approbations(
        navigation.SourceApprobations(
            code="TEST",
            compter=lambda u: 2 if u == user else 0,
            lister=lambda u: [demande, demande] if u == user else [],
        )
    )
    client.force_login(user)
    content = client.get(reverse("approbations")).content.decode()
    assert 'data-testid="badge-approbations"' in content
    assert ">2</span>" in content
    assert content.count("Demande de rattachement") == 2

    client.force_login(autre)
    content = client.get(reverse("approbations")).content.decode()
    assert ">0</span>" in content
    assert "Aucune demande n'attend votre approbation." in html.unescape(content)


def test_support_et_communication_listent_leur_rubrique(client, publications):
    communication = client.get(reverse("communication")).content.decode()
    support = client.get(reverse("support")).content.decode()
    assert "Nouvelle version" in communication and "Déposer une facture" not in communication
    assert "Déposer une facture" in support and "Nouvelle version" not in support
    assert "Brouillon interne" not in communication


def test_publication_non_publiee_introuvable(client, publications):
    assert client.get(reverse("publication", args=[publications[0].pk])).status_code == 200
    assert client.get(reverse("publication", args=[publications[2].pk])).status_code == 404


def test_actualites_les_plus_recentes_d_abord(client):
    for jour, titre in [(1, "Ancienne"), (20, "Récente")]:
        Publication.objects.create(
            rubrique=Publication.Rubrique.ACTUALITE,
            titre=titre,
            resume="r",
            contenu="c",
            date_publication=datetime.date(2026, 1, jour),
        )
    content = client.get(reverse("communication")).content.decode()
    assert content.index("Récente") < content.index("Ancienne")


def test_administration_reservee_au_personnel(client, admin_user):
    assert client.get("/administration/").status_code == 302
    client.force_login(admin_user)
    for url in (
        "/administration/",
        "/administration/organisation/utilisateur/",
        "/administration/organisation/modificationdifferee/",
        "/administration/chorus/outboxmessage/",
        "/administration/chorus/publication/",
        "/administration/organisation/structure/",
        "/administration/organisation/service/",
        "/administration/organisation/rattachement/",
        "/administration/organisation/approbation/",
        "/administration/organisation/etablissementinsee/",
    ):
        assert client.get(url).status_code == 200, url


def test_favicon_redirige_vers_le_fichier_du_dsfr(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("dsfr/dist/favicon/favicon.ico")


def test_pages_d_erreur_en_francais(client):
    response = client.get("/nexiste-pas/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()
    client.force_login(UtilisateurFactory())
    response = client.get(reverse("utilisateurs"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_page_erreur_technique_autonome():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Erreur technique" in page and "dsfr.min.css" in page
