"""Counters kept by the database for the Tableaux de bord, flat in volume: the mechanism, written once. Each app
declares its counter (a ``Compteur``: its source table, its counter table and how a source row maps to a key) and
keeps its own model, migration, scoping entry point and dashboard; this module knows no domain (table and column
names are passed in).

- **Statement triggers** (``sql_installer``, run by the app's migration): ``AFTER INSERT / UPDATE / DELETE …
  REFERENCING NEW/OLD TABLE … FOR EACH STATEMENT`` on the source table append, for each statement, one row per key
  it changed with the net change — whatever wrote the rows (services, bulk updates, a COPY, another trigger). A
  statement that moves no row between keys appends nothing.
- **Append-only**: the triggers only INSERT into a table without a unique index, so two writers never wait on each
  other's counter row nor deadlock; a key's count is the **sum** of its rows.
- **The fold** (``Compteur.compacter``, beat every minute): the keys appended to since the last fold are folded into
  one row each, in one statement, under an advisory lock (one fold per table at a time).
- **The check** (``Compteur.ecarts``, beat at night and ``manage.py verifier_compteurs``): the source recounted by
  key in one statement, against the counters.

BENCHMARKS.md, « Tableaux de bord: counters », has the measurements and the reasons.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import shared_task
from django.db import connection, models, transaction
from django.db.models import QuerySet, Sum

# The advisory lock's first key, the second being the counter table's hashed name: one fold per table at a time (the
# beat, the bench seed, a test); a second one skips its turn instead of waiting.
VERROU_COMPACTION = 0x636F6D70  # "comp"

EVENEMENTS = {
    # event: (its transition tables' clause, (transition table, sign) of each part)
    "insert": ("REFERENCING NEW TABLE AS nouvelles", (("nouvelles", 1),)),
    "update": ("REFERENCING OLD TABLE AS anciennes NEW TABLE AS nouvelles", (("nouvelles", 1), ("anciennes", -1))),
    "delete": ("REFERENCING OLD TABLE AS anciennes", (("anciennes", -1),)),
}


@dataclass(frozen=True)
class Projection:
    """How a source row counts once: one SQL expression per key column, over the source row's columns, for the rows
    ``condition`` (SQL over the same columns) keeps. A row counts once per projection that keeps it."""

    expressions: tuple[str, ...]
    condition: str = ""

    def select(self, cles: tuple[str, ...], table: str, valeur: str) -> str:
        colonnes = ", ".join(f"{expression} AS {cle}" for expression, cle in zip(self.expressions, cles, strict=True))
        where = f" WHERE {self.condition}" if self.condition else ""
        return f"SELECT {colonnes}, {valeur} FROM {table}{where}"  # nosec B608  # the app's own spec, no input


def _decrire(cle: dict) -> str:
    return ", ".join(f"{nom} {valeur}" for nom, valeur in cle.items() if valeur is not None)


@dataclass(frozen=True)
class Ecart:
    """A key whose counters (``compte``) differ from its source rows (``attendu``)."""

    compteur: "Compteur"
    cle: tuple
    attendu: int
    compte: int

    def __str__(self):
        cle = self.compteur.decrire(dict(zip(self.compteur.cles, self.cle, strict=True)))
        return f"{cle} : {self.compte} compté(s), {self.attendu} {self.compteur.unite}"


@dataclass(frozen=True)
class Compteur:
    """One counter table kept from one source table. ``cles``: the counter's key columns (then ``nombre`` and
    ``compacte``); ``projections``: how a source row maps to keys; ``nullables``: the key columns that may be NULL
    (the fold matches them with ``IS NOT DISTINCT FROM``, the others with ``=``, so that it walks the counter's
    index, which must start with non-null key columns). ``nom`` prefixes the trigger functions."""

    nom: str
    table: str
    source: str
    cles: tuple[str, ...]
    projections: tuple[Projection, ...]
    nullables: tuple[str, ...] = ()
    libelle: str = "Compteur"  # the logs: « Compteur de factures en écart : … »
    pluriel: str = "Compteurs"  # the check's report: « Compteurs des factures exacts »
    unite: str = "ligne(s)"  # what the source rows are, in an écart: « 2 facture(s) »
    decrire: Callable[[dict], str] = field(default=_decrire, compare=False)

    # --- The triggers (the app's migration) -----------------------------------------------------------------

    def _colonnes(self, prefixe: str = "") -> str:
        return ", ".join(f"{prefixe}{cle}" for cle in self.cles)

    def _parts(self, table: str, valeur: str) -> str:
        return "\n        UNION ALL ".join(p.select(self.cles, table, valeur) for p in self.projections)

    def corps(self, evenement: str) -> str:
        """The PL/pgSQL body of the trigger function for ``evenement``, written here only: both ``sql_installer`` and
        ``sql_fonctions`` install it, and a test compares it with what the database holds."""
        _, tables = EVENEMENTS[evenement]
        parts = " UNION ALL ".join(self._parts(table, f"{signe} AS n") for table, signe in tables)
        # A statement that wrote no row returns at once: statement triggers fire even then, as for the works pieces'
        # UPDATE that every invoice transition runs (0.3 ms saved per transition, BENCHMARKS.md). A statement that
        # moves no row between keys (an amount, a download date) nets to zero: nothing appended.
        return f"""
BEGIN
    IF NOT EXISTS (SELECT FROM {tables[0][0]}) THEN
        RETURN NULL;
    END IF;
    INSERT INTO {self.table} ({self._colonnes()}, nombre, compacte)
    SELECT {self._colonnes()}, sum(n), false
    FROM ({parts}) AS parts
    GROUP BY {self._colonnes()}
    HAVING sum(n) <> 0;
    RETURN NULL;
END """  # nosec B608  # the app's own spec, no input

    def _fonction(self, evenement: str) -> str:
        # OR REPLACE: ``sql_fonctions`` rewrites a function a database already has; on a new one it simply creates.
        return f"""
CREATE OR REPLACE FUNCTION {self.nom}_{evenement}() RETURNS trigger LANGUAGE plpgsql AS $${self.corps(evenement)}$$;"""

    def _declencheur(self, evenement: str) -> str:
        referencing, _ = EVENEMENTS[evenement]
        nom = f"{self.nom}_{evenement}"
        return f"""
CREATE TRIGGER {nom} AFTER {evenement.upper()} ON {self.source}
    {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {nom}();"""

    def sql_installer(self) -> str:
        """The three statement triggers (PostgreSQL allows transition tables on single-event triggers only), then
        the source's existing rows counted in the same transaction — whose trigger creation blocks the source's
        writers until it commits: no row is missed nor counted twice."""
        remplir = f"""
INSERT INTO {self.table} ({self._colonnes()}, nombre, compacte)
SELECT {self._colonnes()}, sum(n), true FROM ({self._parts(self.source, "1 AS n")}) AS parts
GROUP BY {self._colonnes()};"""  # nosec B608  # the app's own spec, no input
        return "".join(self._fonction(e) + self._declencheur(e) for e in EVENEMENTS) + remplir

    def sql_fonctions(self) -> str:
        """The three trigger functions alone, rewritten in place (``CREATE OR REPLACE``), for a database whose
        functions an older text of the app's migration installed: the triggers keep their names, events and
        functions, so they call the new bodies from the next statement on; no row is recounted (the counters
        stay what the old bodies, which counted the same, made them). Replacing a function locks no table."""
        return "".join(self._fonction(evenement) for evenement in EVENEMENTS)

    def sql_desinstaller(self) -> str:
        return "".join(
            f"DROP TRIGGER {self.nom}_{evenement} ON {self.source};\nDROP FUNCTION {self.nom}_{evenement}();\n"
            for evenement in reversed(EVENEMENTS)
        )

    # --- The fold (beat, every minute) ------------------------------------------------------------------------

    @property
    def sql_compacter(self) -> str:
        """The keys appended to since the last fold, folded in one statement: the DELETE and the INSERT see the
        same snapshot and commit together, so a reader sees either the rows or their sum. A row a concurrent
        transaction commits meanwhile is outside that snapshot: it stays, unfolded, for the next run. Returns (keys
        folded, rows left for them: a key that sums to zero leaves none)."""
        egalites = " AND ".join(
            f"c.{cle} IS NOT DISTINCT FROM k.{cle}" if cle in self.nullables else f"c.{cle} = k.{cle}"
            for cle in self.cles
        )
        return f"""
WITH cles AS (
    SELECT DISTINCT {self._colonnes()} FROM {self.table} WHERE NOT compacte
), lignes AS (
    DELETE FROM {self.table} c USING cles k WHERE {egalites}
    RETURNING {self._colonnes("c.")}, c.nombre
), sommes AS (
    INSERT INTO {self.table} ({self._colonnes()}, nombre, compacte)
    SELECT {self._colonnes()}, sum(nombre), true FROM lignes
    GROUP BY {self._colonnes()}
    HAVING sum(nombre) <> 0
    RETURNING 1
)
SELECT (SELECT count(*) FROM cles), (SELECT count(*) FROM sommes)
"""  # nosec B608  # the app's own spec, no input

    def compacter(self) -> tuple[int, int]:
        """Fold each key's appended rows into one: (keys folded, rows left). (0, 0) when another fold of this
        table holds the lock."""
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", [VERROU_COMPACTION, self.table])
            if not cur.fetchone()[0]:
                return 0, 0
            cur.execute(self.sql_compacter)
            cles, lignes = cur.fetchone()
        return cles, lignes

    # --- The check (beat at night, ``manage.py verifier_compteurs``) --------------------------------------------

    @property
    def sql_ecarts(self) -> str:
        """Each key whose counters differ from the source, in one statement (one snapshot: a transaction in flight
        is on neither side). One grouping over both sides rather than a join of two: ``GROUP BY`` takes NULL keys
        as equal, and hashes them."""
        ordre = ", ".join(f"{rang} NULLS FIRST" for rang in range(1, len(self.cles) + 1))
        return f"""
SELECT {self._colonnes()}, sum(attendu)::bigint, sum(compte)::bigint FROM (
    {self._parts(self.source, "1 AS attendu, 0 AS compte")}
    UNION ALL SELECT {self._colonnes()}, 0, nombre FROM {self.table}
) AS cotes
GROUP BY {self._colonnes()}
HAVING sum(attendu) <> sum(compte)
ORDER BY {ordre}
"""  # nosec B608  # the app's own spec, no input

    def ecarts(self) -> list[Ecart]:
        """Where the counters differ from the source (none when the triggers did their job). Reads the whole source
        table: a check for the night or after an incident, not for a page."""
        with connection.cursor() as cur:
            cur.execute(self.sql_ecarts)
            return [Ecart(self, tuple(ligne[:-2]), ligne[-2], ligne[-1]) for ligne in cur.fetchall()]

    def corriger(self, trouves: list[Ecart]) -> int:
        """Append to each drifted key the difference that sets it right (``ecarts``'s snapshot: rows written since
        bring their own counters). Returns the number of keys corrected."""
        if not trouves:
            return 0
        marques = ", ".join(["%s"] * len(self.cles))
        colonnes = self._colonnes()
        inserer = f"INSERT INTO {self.table} ({colonnes}, nombre, compacte) VALUES ({marques}, %s, false)"  # nosec B608
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(inserer, [(*e.cle, e.attendu - e.compte) for e in trouves])
        return len(trouves)


# --- The counter models: each app's own, on this base -----------------------------------------------------------


# A counter's key columns are derived data: no foreign-key constraint (counting never locks the row counted for) and
# no index of their own (the counter's index starts with them).
_CLE = {"on_delete": models.DO_NOTHING, "db_constraint": False, "db_index": False, "related_name": "+"}


def cle(modele: str, verbose_name: str | None = None, **options) -> models.ForeignKey:
    """A counter's key column naming a row of ``modele`` (« organisation.Structure »)."""
    return models.ForeignKey(modele, verbose_name=verbose_name, **_CLE, **options)


def index_a_compacter(nom: str, champ: str = "structure") -> models.Index:
    """What the fold has to fold: the rows appended since its last run (``WHERE NOT compacte``)."""
    return models.Index(fields=[champ], name=nom, condition=models.Q(compacte=False))


class CompteurBase(models.Model):
    """The columns every counter table has after its key: a key's count is the sum of ``nombre`` over its rows."""

    nombre = models.BigIntegerField()
    # False for a row appended by a trigger, True for the one row the fold leaves per key.
    compacte = models.BooleanField(default=False)

    class Meta:
        abstract = True


# --- The registry: every app's counters, for the check's command and the bench seed ---------------------------

_INSCRITS: dict[str, Compteur] = {}


def inscrire(compteur: Compteur) -> Compteur:
    """Called by an app's ``AppConfig.ready``."""
    _INSCRITS[compteur.table] = compteur
    return compteur


def inscrits() -> list[Compteur]:
    return list(_INSCRITS.values())


def taches(compteur: Compteur, module: str):
    """The app's two beat tasks, named in its ``tasks`` module (``module``): the fold (returns the keys folded) and
    the check, which logs each drift as an error on that module's logger and never corrects it silently (a drift is
    a bug; ``manage.py verifier_compteurs --corriger`` repairs). One pair per app: each fold takes its own table's
    lock, so a long fold of one (after a large flux) delays none of the others."""
    logger = logging.getLogger(module)

    @shared_task(name=f"{module}.compacter_compteurs")
    def compacter_compteurs() -> int:
        return compteur.compacter()[0]

    @shared_task(name=f"{module}.verifier_compteurs")
    def verifier_compteurs() -> int:
        trouves = compteur.ecarts()
        for ecart in trouves:
            logger.error("%s en écart : %s", compteur.libelle, ecart)
        return len(trouves)

    return compacter_compteurs, verifier_compteurs


# --- Reading ----------------------------------------------------------------------------------------------------


def sommes(compteurs: QuerySet, *champs: str) -> dict:
    """The scoped counter rows summed by ``champs`` (one grouped query, a handful of rows per key whatever the
    volume): value → count with one field, tuple of values → count with several. A key summing to zero is absent,
    as from a ``GROUP BY`` of the source rows."""
    lignes = (
        compteurs.values(*champs)
        .annotate(total=Sum("nombre"))
        .exclude(total=0)
        .order_by(*champs)
        .values_list(*champs, "total")
    )
    if len(champs) == 1:
        return dict(lignes)
    return {tuple(ligne[:-1]): ligne[-1] for ligne in lignes}
