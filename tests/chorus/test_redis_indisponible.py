"""Redis down or frozen: the cache fails open, sessions live in the database, a committed deposit never becomes a
500 because its task could not be queued (the outbox sweep sends it later), and /health says so in French."""

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from chorus import outbox
from chorus.celery import app
from chorus.models import OutboxMessage
from chorus.tasks import record_heartbeat
from facturation.enums import StatutFacture
from facturation.models import Facture
from tests.api.conftest import api, client_oauth, compte  # noqa: F401  (API fixtures)
from tests.fixtures_facturation import donnees_saisie

pytestmark = pytest.mark.django_db

PORT_FERME = "redis://127.0.0.1:1/0"


def _cache_redis(url: str) -> dict:
    from chorus.settings.base import cache_settings

    return cache_settings(url)


@pytest.fixture
def cache_ferme(settings):
    """The shared cache points at a port where nothing listens (Redis stopped)."""
    settings.CACHES = _cache_redis(PORT_FERME)


@pytest.fixture
def redis_gele():
    """A server that accepts connections and never answers: a frozen Redis, or a network partition."""
    serveur = socket.socket()
    serveur.bind(("127.0.0.1", 0))
    serveur.listen(50)
    ouvertes = []
    arret = threading.Event()

    def accepter():
        serveur.settimeout(0.2)
        while not arret.is_set():
            try:
                ouvertes.append(serveur.accept()[0])
            except OSError:
                continue

    fil = threading.Thread(target=accepter, daemon=True)
    fil.start()
    yield f"redis://127.0.0.1:{serveur.getsockname()[1]}/0"
    arret.set()
    fil.join()
    for connexion in ouvertes:
        connexion.close()
    serveur.close()


@pytest.fixture
def broker_ferme(settings):
    """The Celery broker (and /health's Redis) points at a closed port; restored afterwards."""
    ancien = app.conf.broker_url
    settings.CELERY_BROKER_URL = PORT_FERME
    app.conf.broker_url = PORT_FERME
    _oublier_connexions()
    yield
    app.conf.broker_url = ancien
    _oublier_connexions()


def _oublier_connexions():
    """Celery keeps its connection and producer pools for the broker it first used: drop them."""
    app._pool = None
    app.amqp._producer_pool = None


def _brouillon(client, structure, etat) -> Facture:
    response = client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat), "action": "valider"})
    facture = Facture.objects.get()
    assert response["Location"] == reverse("confirmer_envoi", args=[facture.pk])
    return facture


def test_cache_ferme_les_pages_authentifiees_repondent(client, fournisseur_gp, cache_ferme):
    gp, _ = fournisseur_gp
    client.force_login(gp)
    for nom in ("domaines", "factures_emises", "approbations"):
        assert client.get(reverse(nom)).status_code == 200, nom


def test_cache_ferme_la_connexion_par_mot_de_passe_fonctionne(client, fournisseur_gp, cache_ferme):
    """Sessions live in the database: logging in and staying logged in need no Redis."""
    gp, _ = fournisseur_gp
    gp.set_password("Mot-de-passe-solide-1")
    gp.save()
    response = client.post(reverse("connexion"), {"username": gp.email, "password": "Mot-de-passe-solide-1"})
    assert response.status_code == 302
    assert client.get(reverse("domaines")).status_code == 200


def test_cache_ferme_l_api_authentifie_le_compte_technique(api, cache_ferme):  # noqa: F811
    response = api.post("transverses/v1/recuperer/devises", {})
    assert response.status_code == 200
    assert response.json()["codeRetour"] == 0


def test_redis_gele_une_page_ne_reste_pas_bloquee(client, fournisseur_gp, settings, redis_gele):
    settings.CACHES = _cache_redis(redis_gele)
    gp, _ = fournisseur_gp
    client.force_login(gp)
    debut = time.monotonic()
    for _ in range(3):
        assert client.get(reverse("domaines")).status_code == 200
    # One socket timeout (0.5 s), then the cache is left alone for a few seconds instead of waiting on each call.
    assert time.monotonic() - debut < 3


def test_broker_ferme_confirmer_l_envoi_depose_et_le_courriel_part_plus_tard(
    client, fournisseur_gp, etat, broker_ferme, django_capture_on_commit_callbacks
):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    facture = _brouillon(client, structure, etat)
    with django_capture_on_commit_callbacks(execute=True) as rappels:
        response = client.post(reverse("confirmer_envoi", args=[facture.pk]))
    assert rappels  # the task was due to be queued on commit, and the broker refused it
    assert response.status_code == 302 and response["Location"] == reverse("recapitulatif", args=[facture.pk])
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION
    en_attente = OutboxMessage.objects.filter(statut=OutboxMessage.Statut.EN_ATTENTE, kind="chorus.email")
    nombre = en_attente.count()
    assert nombre > 0 and not mail.outbox
    # The periodic sweep sends what could not be queued.
    assert outbox.sweep(grace=timedelta(0)) == nombre
    assert any(gp.email in m.to and facture.numero in m.subject for m in mail.outbox)


def test_publier_une_tache_ne_s_abonne_jamais_a_son_resultat(
    client, fournisseur_gp, etat, broker_ferme, django_capture_on_commit_callbacks, monkeypatch
):
    """With Redis down, a subscription to the task's result made the result backend retry its connection twenty
    times, a second apart, inside « Confirmer l'envoi » (seen under gunicorn): publishing never subscribes, and
    the result backend itself gives up after one retry."""
    abonnements = []
    monkeypatch.setattr(type(app.backend), "on_task_call", lambda self, *args, **kwargs: abonnements.append(args))
    gp, structure = fournisseur_gp
    client.force_login(gp)
    facture = _brouillon(client, structure, etat)
    with django_capture_on_commit_callbacks(execute=True) as rappels:
        response = client.post(reverse("confirmer_envoi", args=[facture.pk]))
    assert rappels and response.status_code == 302
    assert abonnements == []
    assert app.backend.retry_policy["max_retries"] <= 1


def test_broker_ferme_le_depot_d_un_flux_par_l_api_repond(
    api,  # noqa: F811
    broker_ferme,
    django_capture_on_commit_callbacks,
):
    import base64

    with django_capture_on_commit_callbacks(execute=True) as rappels:
        response = api.post(
            "factures/v1/deposer/flux",
            {
                "syntaxeFlux": "IN_DP_E1_UBL_INVOICE",
                "nomFichier": "flux.xml",
                "fichierFlux": base64.b64encode(b"<Invoice/>").decode(),
            },
        )
    assert rappels
    assert response.status_code == 200 and response.json()["codeRetour"] == 0


def test_sante_broker_ferme_503_en_francais_sans_texte_d_erreur(client, broker_ferme):
    record_heartbeat("worker@test")
    response = client.get("/health")
    assert response.status_code == 503
    corps = response.content.decode()
    body = response.json()
    assert body["redis"]["ok"] is False and body["database"]["ok"] is True
    assert body["message"] == "Service dégradé : Redis (file de tâches et cache) injoignable."
    assert "Error" not in corps and "refused" not in corps.lower() and "127.0.0.1" not in corps


def test_sante_sans_worker_nomme_la_partie_degradee(client):
    response = client.get("/health")
    assert response.status_code == 503
    assert "aucun worker Celery actif" in response.json()["message"]
    assert "Redis" not in response.json()["message"]
