"""Reading an object's status history (invoice, works piece, sollicitation) the way the tests compare it."""

import hashlib
import json


def statuts(objet) -> list[str]:
    """The statuses of ``objet.historique`` in the order they were reached."""
    return list(objet.historique.order_by("created_at", "id").values_list("statut", flat=True))


def empreinte_copiee(h: dict) -> str:
    """The SHA-256 ``HistoriqueBase`` would give the history row ``h`` as a seeder writes it for COPY (text
    columns, ``\\N`` for no acting user): the seeders' chains must verify like the portal's."""
    user = None if h["acting_user_id"] == "\\N" else int(h["acting_user_id"])
    contenu = json.dumps(
        [
            int(h["objet_id"]),
            h["created_at"],
            user,
            h["role"],
            h["statut_precedent"],
            h["statut"],
            h["motif"],
            h["commentaire"],
            h["empreinte_precedente"],
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(contenu.encode()).hexdigest()
