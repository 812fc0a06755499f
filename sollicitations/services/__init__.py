"""Every operation of the sollicitations domain that changes state, one module a subject:

- ``circuit``: the status machine of a sollicitation (``CIRCUIT``, running the table of ``sollicitations.statuts``)
  and its e-mails, the row's lock and the check of the status the request is at before an action;
- ``pieces_jointes``: attachments (accepted kinds read from the content, checks, storing);
- ``saisie``: « Saisir une sollicitation », the deposit with its numbering and routing;
- ``emetteur``: the sender's answers (répondre à une demande d'information, renvoyer, clôturer);
- ``recepteur``: the receiving side's treatment (status, answer, assignment, transfer to the support and the
  support's reaffectation).

The names below are the domain's service API (``services.deposer_sollicitation``, ``services.CIRCUIT``…),
re-exported so that callers need not know which module holds each one.
"""

from sollicitations.enums import DESTINATAIRE, EMETTEUR, SUPPORT
from sollicitations.services.circuit import CIRCUIT, destinataire_lisible
from sollicitations.services.emetteur import (
    cloturer_sollicitation,
    renvoyer_sollicitation,
    repondre_demande_information,
)
from sollicitations.services.pieces_jointes import (
    LIBELLES_TYPES,
    TYPES_ACCEPTES,
    Fichier,
    type_reconnu,
    verifier_fichiers,
)
from sollicitations.services.recepteur import (
    STATUT_OBLIGATOIRE,
    role_recepteur,
    statuts_possibles,
    traiter_sollicitation,
)
from sollicitations.services.saisie import deposer_sollicitation, verifier_destinataire

__all__ = [
    "CIRCUIT",
    "DESTINATAIRE",
    "EMETTEUR",
    "LIBELLES_TYPES",
    "STATUT_OBLIGATOIRE",
    "SUPPORT",
    "TYPES_ACCEPTES",
    "Fichier",
    "cloturer_sollicitation",
    "deposer_sollicitation",
    "destinataire_lisible",
    "renvoyer_sollicitation",
    "repondre_demande_information",
    "role_recepteur",
    "statuts_possibles",
    "traiter_sollicitation",
    "type_reconnu",
    "verifier_destinataire",
    "verifier_fichiers",
]
