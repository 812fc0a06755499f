"""The invoice counters of the Tableaux de bord (``CompteurFactures``): folding the rows the triggers append, and
checking them against the invoices themselves.

The triggers of migration 0017 append, for each statement that writes invoices, one row per key (côté, structure,
service, statut) with the net change; a key's count is the sum of its rows. ``compacter`` folds each key's rows into
one, so that a dashboard reads a handful of rows per status whatever the number of invoices and of writes.
"""

from dataclasses import dataclass

from django.db import connection, transaction

# One compaction at a time (the beat, the bench seed, a test): a second one skips its turn instead of waiting.
VERROU_COMPACTION = 0x636F6D70  # "comp"

# The keys appended to since the last compaction, folded in one statement: the DELETE and the INSERT see the same
# snapshot and commit together, so a reader sees either the rows or their sum. A row a concurrent transaction
# commits meanwhile is outside that snapshot: it stays, uncompacted, for the next run.
COMPACTER = """
WITH cles AS (
    SELECT DISTINCT cote, structure_id, service_id, statut FROM facturation_compteurfactures WHERE NOT compacte
), lignes AS (
    DELETE FROM facturation_compteurfactures c USING cles k
    WHERE c.structure_id = k.structure_id AND c.cote = k.cote AND c.statut = k.statut
      AND c.service_id IS NOT DISTINCT FROM k.service_id
    RETURNING c.cote, c.structure_id, c.service_id, c.statut, c.nombre
), sommes AS (
    INSERT INTO facturation_compteurfactures (cote, structure_id, service_id, statut, nombre, compacte)
    SELECT cote, structure_id, service_id, statut, sum(nombre), true FROM lignes
    GROUP BY cote, structure_id, service_id, statut
    HAVING sum(nombre) <> 0
    RETURNING 1
)
SELECT (SELECT count(*) FROM cles), (SELECT count(*) FROM sommes)
"""

# Each key whose counters differ from the invoices, in one statement (one snapshot: a transaction in flight is in
# neither side). ``service_id`` 0 stands for « no service » so that the full join can hash its keys.
ECARTS = """
WITH attendus AS (
    SELECT cote, structure_id, service_id, statut, count(*) AS nombre FROM (
        SELECT 'EMISES' AS cote, fournisseur_id AS structure_id, COALESCE(service_fournisseur_id, 0) AS service_id,
               statut
        FROM facturation_facture
        UNION ALL
        SELECT 'RECUES', destinataire_id, COALESCE(service_destinataire_id, 0), statut
        FROM facturation_facture WHERE destinataire_id IS NOT NULL
    ) AS factures
    GROUP BY cote, structure_id, service_id, statut
), tenus AS (
    SELECT cote, structure_id, COALESCE(service_id, 0) AS service_id, statut, sum(nombre) AS nombre
    FROM facturation_compteurfactures
    GROUP BY cote, structure_id, COALESCE(service_id, 0), statut
)
SELECT COALESCE(a.cote, t.cote), COALESCE(a.structure_id, t.structure_id),
       NULLIF(COALESCE(a.service_id, t.service_id), 0), COALESCE(a.statut, t.statut),
       COALESCE(a.nombre, 0), COALESCE(t.nombre, 0)
FROM attendus a FULL JOIN tenus t
    ON a.cote = t.cote AND a.structure_id = t.structure_id AND a.service_id = t.service_id AND a.statut = t.statut
WHERE COALESCE(a.nombre, 0) <> COALESCE(t.nombre, 0)
ORDER BY 1, 2, 3 NULLS FIRST, 4
"""


@dataclass(frozen=True)
class Ecart:
    cote: str
    structure_id: int
    service_id: int | None
    statut: str
    attendu: int
    compte: int

    def __str__(self):
        service = f", service {self.service_id}" if self.service_id else ""
        return (
            f"{self.cote} structure {self.structure_id}{service}, {self.statut} : "
            f"{self.compte} compté(s), {self.attendu} facture(s)"
        )


def compacter() -> tuple[int, int]:
    """Fold each key's appended rows into one; (keys folded, rows left for them: a key that sums to zero leaves
    none). (0, 0) when another compaction holds the lock."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [VERROU_COMPACTION])
        if not cur.fetchone()[0]:
            return 0, 0
        cur.execute(COMPACTER)
        cles, lignes = cur.fetchone()
    return cles, lignes


def ecarts() -> list[Ecart]:
    """Recount the invoices by key and return where the counters differ (none when the triggers did their job).
    Reads the whole invoice table: a check for the night or after an incident, not for a page."""
    with connection.cursor() as cur:
        cur.execute(ECARTS)
        return [Ecart(*ligne) for ligne in cur.fetchall()]


def corriger(trouves: list[Ecart]) -> int:
    """Append to each drifted key the difference that sets it right (``ecarts``'s snapshot: invoices written since
    bring their own rows). Returns the number of keys corrected."""
    if not trouves:
        return 0
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO facturation_compteurfactures (cote, structure_id, service_id, statut, nombre, compacte) "
            "VALUES (%s, %s, %s, %s, %s, false)",
            [(e.cote, e.structure_id, e.service_id, e.statut, e.attendu - e.compte) for e in trouves],
        )
    return len(trouves)
