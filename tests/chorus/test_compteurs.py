"""The kit's counter mechanism (``chorus.compteurs``) as every app receives it: the three apps' counters are
registered for the check, the fold walks the counter's index (``=`` on its non-null key columns), a trigger returns
at once on a statement that wrote no row, and a key with NULL columns is checked like any other."""

import pytest
from django.db import connection

from chorus import compteurs
from facturation.compteurs import COMPTEUR as FACTURES
from sollicitations.compteurs import COMPTEUR as SOLLICITATIONS
from travaux.compteurs import COMPTEUR as PIECES


def test_les_trois_compteurs_sont_inscrits_pour_la_verification():
    assert {c.table for c in compteurs.inscrits()} == {FACTURES.table, PIECES.table, SOLLICITATIONS.table}


def test_le_repli_compare_par_egalite_sauf_les_colonnes_nullables():
    repli = PIECES.sql_compacter
    for cle in ("role", "structure_id", "etat_courant"):
        assert f"c.{cle} = k.{cle}" in repli
    assert "c.deposant_id IS NOT DISTINCT FROM k.deposant_id" in repli


# The invoices' functions too: facturation 0022 rewrites them on a database migrated with 0017's first text.
@pytest.mark.parametrize("compteur", [FACTURES, PIECES, SOLLICITATIONS], ids=lambda c: c.table)
@pytest.mark.django_db
def test_chaque_declencheur_installe_sort_aussitot_d_une_instruction_sans_ligne(compteur):
    """The functions in the database are the ones the kit writes for the app's spec, each beginning with the test
    that spares a statement that wrote nothing (statement triggers fire even for zero rows: the works pieces'
    UPDATE on every invoice transition)."""
    for evenement, table in (("insert", "nouvelles"), ("update", "nouvelles"), ("delete", "anciennes")):
        with connection.cursor() as cur:
            cur.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [f"{compteur.nom}_{evenement}"])
            (source,) = cur.fetchone()
        assert source == compteur.corps(evenement)
        assert source.lstrip().startswith(f"BEGIN\n    IF NOT EXISTS (SELECT FROM {table}) THEN\n        RETURN NULL;")
