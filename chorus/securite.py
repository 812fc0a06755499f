"""The security log: one JSON object a line on the ``chorus.securite`` logger, for a SIEM to ingest.

Each event has a stable name (``connexion.echec``, ``api.jeton.refuse``…) and flat fields (``utilisateur``: an id,
``email``, ``ip``, ``structure``…); never a password, a secret or a token. ``LOGGING`` (``chorus.settings.base``)
writes this logger with ``FormatJson`` to the standard error, or to ``CHORUS_JOURNAL_SECURITE_FICHIER``.

A change (a profile, a rattachement) is logged once its transaction commits (``journaliser_apres_commit``): a
rolled-back change leaves no line. Failures and refusals are logged at once, since nothing is committed for them.
"""

import json
import logging
from datetime import UTC, datetime

from django.db import transaction

logger = logging.getLogger("chorus.securite")

CHAMPS_RESERVES = {"horodatage", "niveau", "journal", "evenement"}


def journaliser(evenement: str, *, niveau: int = logging.INFO, **champs) -> None:
    logger.log(niveau, evenement, extra={"securite": champs})


def journaliser_apres_commit(evenement: str, **champs) -> None:
    transaction.on_commit(lambda: journaliser(evenement, **champs))


class FormatJson(logging.Formatter):
    """``{"horodatage": …, "niveau": …, "journal": …, "evenement": …, <fields>}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        donnees = {
            "horodatage": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "niveau": record.levelname,
            "journal": record.name,
            "evenement": record.getMessage(),
        }
        for cle, valeur in (getattr(record, "securite", None) or {}).items():
            donnees[f"_{cle}" if cle in CHAMPS_RESERVES else cle] = valeur
        return json.dumps(donnees, ensure_ascii=False, default=str, sort_keys=False)
