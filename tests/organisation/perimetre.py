"""The users a test of a perimeter (``organisation.queries.condition_perimetre`` under each application's
``emises_par`` / ``recues_par``…) asks about, the same four in every application."""

from organisation.enums import Niveau


def utilisateurs_du_perimetre(creer, structure, application, *, service, autre_structure):
    """(whole ``structure``, its ``service`` only, ``autre_structure``, ``structure`` in consultation only), each
    with ``application``'s profile; ``creer(structure, application, niveau=MODIFICATION, *, service=None)`` is the
    test's way of attaching a user."""
    return (
        creer(structure, application),
        creer(structure, application, service=service),
        creer(autre_structure, application),
        creer(structure, application, Niveau.CONSULTATION),
    )
