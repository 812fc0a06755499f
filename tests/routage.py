"""Test helper for the read replica router (``chorus.routeurs``), shared by its unit and integration tests."""

import contextlib

from chorus import routeurs


@contextlib.contextmanager
def requete_en_lecture_seule():
    """Route the queries inside the block as a read-only request's would be (to the replica when one is declared)."""
    jeton = routeurs._REQUETE.set(routeurs._Requete(lecture_seule=True))
    try:
        yield
    finally:
        routeurs._REQUETE.reset(jeton)
