"""Reading an object's status history (invoice, works piece, sollicitation) the way the tests compare it."""


def statuts(objet) -> list[str]:
    """The statuses of ``objet.historique`` in the order they were reached."""
    return list(objet.historique.order_by("created_at", "id").values_list("statut", flat=True))
