"""PostgreSQL cut under a deposit in progress (RELIABILITY.md row 3).

The portal runs in a real WSGI server (one thread, so one database connection kept between requests with
``CONN_MAX_AGE`` as in production, and ``CONN_HEALTH_CHECKS``). In the middle of « Confirmer l'envoi » and of the
API's ``soumettre`` — after the invoice was locked and its document written to disk, before the certificate and the
history are written — the portal's database session is killed from another connection with
``pg_terminate_backend``: what a PostgreSQL restart does to its clients (the server ends every session; the client's
next statement fails). Then: a clean French error (the « Erreur technique » page, the API's JSON error), nothing
half-written (no certificate nor history, no file left on disk), the idle connection killed again between requests
(the restart seen by a persistent connection) is replaced at the next request, and the retried deposit goes through
once."""

import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from chorus import outbox
from chorus.api import services as api_services
from chorus.api.kit import CODE_ERREUR_TECHNIQUE
from chorus.models import OutboxMessage
from facturation.enums import StatutFacture
from facturation.models import Facture, HistoriqueFacture
from facturation.services import envoi
from organisation.api.comptes import creer_compte_technique
from tests.api.conftest import CLIENT_ID, CLIENT_SECRET, MOT_DE_PASSE, ClientApi
from tests.api.test_factures import facture as corps_facture
from tests.fixtures_facturation import donnees_saisie

pytestmark = pytest.mark.django_db(transaction=True)

CSRF = "c" * 32  # an unmasked CSRF secret: the cookie and the form field carry the same value


class _Silencieux(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def taches(monkeypatch):
    """Tasks queued after commit are recorded instead of going to the broker."""
    envoyees = []
    monkeypatch.setattr(outbox.app, "send_task", lambda nom, args=(), **_: envoyees.append((nom, args)))
    return envoyees


@pytest.fixture
def serveur(monkeypatch):
    """The portal's WSGI application behind a one-thread HTTP server, with persistent connections."""
    assert connection.settings_dict["CONN_HEALTH_CHECKS"], "le portail doit vérifier ses connexions persistantes"
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    httpd = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=_Silencieux)

    def servir():
        try:
            httpd.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()

    fil = threading.Thread(target=servir, daemon=True)
    fil.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    fil.join(10)
    httpd.server_close()


class _SansRedirection(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OUVRIR = urllib.request.build_opener(_SansRedirection).open


def _requete(url, *, donnees: bytes | None = None, entetes=None) -> tuple[int, str, dict]:
    requete = urllib.request.Request(url, data=donnees, headers=entetes or {}, method="POST" if donnees else "GET")
    try:
        with _OUVRIR(requete, timeout=60) as reponse:
            return reponse.status, reponse.read().decode(), dict(reponse.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def _sessions_du_portail() -> list[int]:
    """The database sessions other than the test's own: the server's."""
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        return [ligne[0] for ligne in curseur.fetchall()]


def _terminer(pid: int) -> None:
    """Kill a database session from a connection of its own, as a restart of the server does, and wait for it."""
    autre = connections.create_connection("default")
    try:
        with autre.cursor() as curseur:
            curseur.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(200):
                curseur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if curseur.fetchone()[0] == 0:
                    return
                threading.Event().wait(0.05)
        raise AssertionError("la session PostgreSQL n'a pas été terminée")
    finally:
        autre.close()


@pytest.fixture
def coupure(monkeypatch):
    """The first deposit that reaches its certificate loses its database session right there (the document is
    already written to disk, the invoice locked; certificate, status and history not yet written)."""
    original = envoi.empreinte
    coupees = []

    def empreinte(contenu, facture):
        if not coupees:
            coupees.append(connection.connection.info.backend_pid)  # the server thread's session
            _terminer(coupees[0])
        return original(contenu, facture)

    monkeypatch.setattr(envoi, "empreinte", empreinte)
    return coupees


def _fichiers_sur_disque() -> set[str]:
    racine = str(settings.MEDIA_ROOT)
    return {os.path.join(d, f) for d, _sous, fichiers in os.walk(racine) for f in fichiers}


def _redemarrage_entre_deux_requetes(serveur, page: str, entetes: dict, *, attendu: int = 200) -> int:
    """A page served (the server keeps its connection), then that idle connection killed: return its pid."""
    statut, _corps, _ = _requete(serveur + page, entetes=entetes)
    assert statut == attendu
    (pid,) = _sessions_du_portail()
    _terminer(pid)
    return pid


def test_confirmer_l_envoi_coupe_par_postgresql_erreur_technique_rien_d_ecrit_puis_reussi_une_fois(
    fournisseur_gp, etat, serveur, coupure, taches
):
    gp, structure = fournisseur_gp
    client = Client()
    client.force_login(gp)
    client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat), "action": "valider"})
    facture = Facture.objects.get()
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    navigateur = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}"}
    formulaire = {**navigateur, "Content-Type": "application/x-www-form-urlencoded"}
    corps = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF}).encode()
    url = serveur + reverse("confirmer_envoi", args=[facture.pk])
    avant = _fichiers_sur_disque()
    historique = list(HistoriqueFacture.objects.filter(objet=facture).values_list("pk", "statut"))

    statut, page, _ = _requete(url, donnees=corps, entetes=formulaire)

    assert coupure, "la coupure n'a pas eu lieu pendant l'envoi"
    assert statut == 500
    assert "Erreur technique" in page and "Aucune donnée n'a été enregistrée" in page
    assert "Traceback" not in page and "OperationalError" not in page and "terminating" not in page
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.BROUILLON
    assert facture.date_depot is None and not facture.empreinte_certificat
    assert list(HistoriqueFacture.objects.filter(objet=facture).values_list("pk", "statut")) == historique
    assert _fichiers_sur_disque() == avant, "le document écrit avant la coupure est resté sur le disque"
    sujet_deposee = f"Chorus Pro - Facture {facture.numero} : Déposée"
    assert not OutboxMessage.objects.filter(payload__subject=sujet_deposee).exists()

    # PostgreSQL restarted again while the server's connection was idle between two requests.
    tuee = _redemarrage_entre_deux_requetes(serveur, reverse("confirmer_envoi", args=[facture.pk]), navigateur)
    statut, _page, entetes = _requete(url, donnees=corps, entetes=formulaire)

    assert statut == 302 and entetes["Location"] == reverse("recapitulatif", args=[facture.pk])
    assert tuee not in _sessions_du_portail()  # served through a new connection
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION and facture.empreinte_certificat
    assert HistoriqueFacture.objects.filter(objet=facture, statut=StatutFacture.DEPOSEE).count() == 1
    assert HistoriqueFacture.chaine_intacte(facture)
    assert _fichiers_sur_disque() - avant == {facture.fichier.path}
    assert OutboxMessage.objects.filter(payload__subject=sujet_deposee).count() == 1


def test_soumettre_coupe_par_postgresql_erreur_json_rien_d_ecrit_puis_un_seul_depot(
    fournisseur_gp, etat, serveur, coupure, taches
):
    _, structure = fournisseur_gp
    client_oauth, _ = api_services.creer_client(client_id=CLIENT_ID, secret=CLIENT_SECRET)
    compte, _ = creer_compte_technique(structure=structure, login="TECH_1_martin@cpro.fr", mot_de_passe=MOT_DE_PASSE)
    api = ClientApi(None, api_services.emettre_jeton(client_oauth), compte)
    entetes = {
        "Authorization": api.entetes()["HTTP_AUTHORIZATION"],
        "cpro-account": api.entetes()["HTTP_CPRO_ACCOUNT"],
        "Content-Type": "application/json;charset=utf-8",
    }
    corps = json.dumps(corps_facture("PANNE-001")).encode()
    url = serveur + "/cpro/factures/v1/soumettre"
    avant = _fichiers_sur_disque()

    statut, reponse, en_tetes = _requete(url, donnees=corps, entetes=entetes)

    assert coupure, "la coupure n'a pas eu lieu pendant le dépôt"
    assert statut == 500 and en_tetes["Content-Type"].startswith("application/json")
    erreur = json.loads(reponse)
    assert erreur == {
        "codeRetour": CODE_ERREUR_TECHNIQUE,
        "libelle": "Erreur technique du portail : la requête n'a pas pu être traitée, réessayez plus tard.",
    }
    assert not Facture.objects.filter(numero="PANNE-001").exists()
    assert not HistoriqueFacture.objects.exists()
    assert _fichiers_sur_disque() == avant, "le document écrit avant la coupure est resté sur le disque"

    # /health reads the database (503 here: no worker runs in this test).
    tuee = _redemarrage_entre_deux_requetes(serveur, "/health", {}, attendu=503)
    statut, reponse, _ = _requete(url, donnees=corps, entetes=entetes)

    assert statut == 200 and json.loads(reponse)["codeRetour"] == 0, reponse
    assert tuee not in _sessions_du_portail()
    facture = Facture.objects.get(numero="PANNE-001")
    assert facture.empreinte_certificat and facture.statut == StatutFacture.MISE_A_DISPOSITION
    assert HistoriqueFacture.objects.filter(objet=facture, statut=StatutFacture.DEPOSEE).count() == 1
    assert _fichiers_sur_disque() - avant == {facture.fichier.path}
    # The same deposit sent a third time (the client did not read the answer): the duplicate answer, nothing more.
    statut, reponse, _ = _requete(url, donnees=corps, entetes=entetes)
    assert statut == 400 and "déjà utilisé" in json.loads(reponse)["libelle"]
    assert Facture.objects.filter(numero="PANNE-001").count() == 1
