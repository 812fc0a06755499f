"""Every operation of the invoicing domain that changes state, one module a subject:

- ``circuit``: the status machine of an invoice (``CIRCUIT``, running the table of ``facturation.statuts``) and its
  notifications, who may act for a supplier;
- ``brouillons``: drafts (« Enregistrer »), the reminder of forgotten drafts;
- ``controles``: the checks before sending (routing rules, the portal's rules, duplicates);
- ``envoi``: the one deposit pipeline of every channel, with the certificate and the sending;
- ``destinataire``, ``valideur``, ``fournisseur``: each party's decisions on a sent invoice;
- ``pieces_jointes``: attachments.

The names below are the domain's service API (``services.enregistrer``, ``services.CIRCUIT``…), re-exported so
that callers need not know which module holds each one.
"""

from facturation.services.brouillons import (
    DELAI_RELANCE_BROUILLON,
    completer_brouillon_depose,
    enregistrer,
    relancer_brouillons,
)
from facturation.services.circuit import CIRCUIT, exiger_emission
from facturation.services.controles import DoublonDepot, doublon_fichier, verifier_acheminement, verifier_avant_envoi
from facturation.services.destinataire import (
    MOTIF_REQUIS,
    marquer_telechargees,
    traiter,
    traiter_en_masse,
    traiter_facture_recue,
)
from facturation.services.envoi import (
    AGE_DEPOT_ABANDONNE,
    acheminer,
    empreinte,
    purger_depots_abandonnes,
    valider_et_envoyer,
)
from facturation.services.fournisseur import completer, recycler, traiter_rejet
from facturation.services.pieces_jointes import (
    EXTENSIONS_PIECES,
    SIGNATURES_FICHIERS,
    SIGNATURES_TYPES,
    TAILLE_MAX_FACTURE,
    TAILLE_MAX_PIECE,
    ajouter_piece_jointe,
    joindre_piece_televersee,
    televerser_piece,
)
from facturation.services.valideur import corriger_valideur, refuser_facture, valider_facture, valider_tacitement
from facturation.statuts import DESTINATAIRE, FOURNISSEUR, VALIDEUR

__all__ = [
    "AGE_DEPOT_ABANDONNE",
    "CIRCUIT",
    "DELAI_RELANCE_BROUILLON",
    "DESTINATAIRE",
    "EXTENSIONS_PIECES",
    "FOURNISSEUR",
    "MOTIF_REQUIS",
    "SIGNATURES_FICHIERS",
    "SIGNATURES_TYPES",
    "TAILLE_MAX_FACTURE",
    "TAILLE_MAX_PIECE",
    "VALIDEUR",
    "DoublonDepot",
    "acheminer",
    "ajouter_piece_jointe",
    "completer",
    "completer_brouillon_depose",
    "corriger_valideur",
    "doublon_fichier",
    "empreinte",
    "enregistrer",
    "exiger_emission",
    "joindre_piece_televersee",
    "marquer_telechargees",
    "purger_depots_abandonnes",
    "recycler",
    "refuser_facture",
    "relancer_brouillons",
    "televerser_piece",
    "traiter",
    "traiter_en_masse",
    "traiter_facture_recue",
    "traiter_rejet",
    "valider_et_envoyer",
    "valider_facture",
    "valider_tacitement",
    "verifier_acheminement",
    "verifier_avant_envoi",
]
