"""What the tests of every Tableau de bord's counters check the same way (``chorus.compteurs``): the fold keeps the
sums in one row per key, an injected drift is logged by the app's beat task and reported by the command before
``--corriger`` sets it right, the beat runs the app's tasks, and the migration finds yesterday's rows."""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Q

from chorus.celery import app
from chorus.compteurs import Compteur


def copies(objet, nombre: int, prefixe: str = "CLONE") -> list:
    """``nombre`` copies of ``objet`` as the database holds it, written by one INSERT (the triggers run once for
    all): same columns, numbered ``<prefixe>-000``…, without history."""
    modele = type(objet)
    colonnes = modele.objects.filter(pk=objet.pk).values(*(f.attname for f in modele._meta.concrete_fields)).get()
    del colonnes[modele._meta.pk.attname]
    return modele.objects.bulk_create(modele(**{**colonnes, "numero": f"{prefixe}-{i:03d}"}) for i in range(nombre))


def replier(compteur: Compteur, modele, lire: Callable[[], object]) -> None:
    """Fold the counters: one row per key, none at zero, none left unfolded, ``lire()`` (the dashboards of the
    test's users) unchanged, no drift, and a second fold with nothing to do."""
    avant = lire()
    cles, restantes = compteur.compacter()
    assert cles > 0 and restantes <= cles
    assert {r["n"] for r in modele.objects.values(*compteur.cles).annotate(n=Count("id"))} == {1}
    assert not modele.objects.filter(Q(nombre=0) | Q(compacte=False)).exists()
    assert lire() == avant
    assert compteur.ecarts() == []
    assert compteur.compacter() == (0, 0)


def signaler_puis_corriger(compteur: Compteur, taches, ecart: str, *, caplog, capsys) -> None:
    """One drifted key (``ecart``: its description) the test has just injected: the app's beat task logs it as an
    error, ``verifier_compteurs`` reports it and fails, ``--corriger`` sets it right; then the beat's two tasks of
    the app are scheduled and the fold runs."""
    with caplog.at_level(logging.ERROR, logger=taches.__name__):
        assert taches.verifier_compteurs() == 1
    assert f"{compteur.libelle} en écart : {ecart}" in caplog.text
    capsys.readouterr()
    with pytest.raises(CommandError, match="^1 compteur"):
        call_command("verifier_compteurs")
    assert f"Écart : {ecart}" in capsys.readouterr().out
    call_command("verifier_compteurs", "--corriger")
    assert "1 compteur(s) corrigé(s)" in capsys.readouterr().out
    assert compteur.ecarts() == []
    assert taches.compacter_compteurs() > 0
    planifiees = {e["task"]: e["schedule"] for e in app.conf.beat_schedule.values()}
    assert planifiees[f"{taches.__name__}.compacter_compteurs"].minute == set(range(60))
    assert f"{taches.__name__}.verifier_compteurs" in planifiees


@contextmanager
def avant_les_compteurs(avant: list[tuple[str, str]], table: str) -> Iterator:
    """The database migrated back to ``avant`` (the counters' ``table`` gone) inside the block, which gets that
    state's apps to write yesterday's rows with; migrated forward to the latest on the way out."""
    derniers = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        MigrationExecutor(connection).migrate(avant)
        with connection.cursor() as cur:
            cur.execute("SELECT to_regclass(%s)", [table])
            assert cur.fetchone()[0] is None
        yield MigrationExecutor(connection).loader.project_state(avant).apps
    finally:
        MigrationExecutor(connection).migrate(derniers)
