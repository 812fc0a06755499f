"""Issue 13, item 13: the security log is JSON lines (one object a line) on its own logger, configured by LOGGING."""

import json
import logging
import logging.config

from django.conf import settings

from chorus.securite import FormatJson, journaliser, logger


def test_une_ligne_json_par_evenement():
    champs = {"email": "jeanne@exemple.fr", "ip": "203.0.113.1", "evenement": "écrasé ?"}
    enregistrement = logger.makeRecord(
        logger.name, logging.WARNING, __file__, 1, "connexion.echec", (), None, extra={"securite": champs}
    )
    ligne = FormatJson().format(enregistrement)
    assert "\n" not in ligne
    donnees = json.loads(ligne)
    assert donnees["evenement"] == "connexion.echec"
    assert donnees["niveau"] == "WARNING" and donnees["journal"] == "chorus.securite"
    assert donnees["email"] == "jeanne@exemple.fr" and donnees["ip"] == "203.0.113.1"
    assert donnees["_evenement"] == "écrasé ?"  # a field never overwrites the envelope
    assert donnees["horodatage"].endswith("+00:00")


def test_configuration_logging_ecrit_le_journal_en_json(tmp_path):
    """The project's LOGGING writes ``chorus.securite`` with FormatJson, in the file of
    CHORUS_JOURNAL_SECURITE_FICHIER when set, and not again through the root logger."""
    config = settings.LOGGING
    assert config["loggers"]["chorus.securite"]["handlers"] == ["securite"]
    assert config["loggers"]["chorus.securite"]["propagate"] is False
    assert config["handlers"]["securite"]["formatter"] == "json"
    fichier = tmp_path / "securite.log"
    essai = {
        **config,
        "handlers": {
            **config["handlers"],
            "securite": {"class": "logging.FileHandler", "filename": str(fichier), "formatter": "json"},
        },
    }
    try:
        logging.config.dictConfig(essai)
        journaliser("api.jeton.emis", client="erp", ip="198.51.100.1")
        for handler in logger.handlers:
            handler.flush()
        lignes = fichier.read_text(encoding="utf-8").splitlines()
        assert len(lignes) == 1
        assert json.loads(lignes[0]) | {"horodatage": ""} == {
            "horodatage": "",
            "niveau": "INFO",
            "journal": "chorus.securite",
            "evenement": "api.jeton.emis",
            "client": "erp",
            "ip": "198.51.100.1",
        }
    finally:
        for handler in logger.handlers:
            handler.close()
        logging.config.dictConfig(config)
