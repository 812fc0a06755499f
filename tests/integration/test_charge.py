"""The load scenario of ``bench/charge.py`` cannot rot: a short run (not timed) of ``bench/locustfile.py`` with
one user of each kind against the production processes (gunicorn, a Celery worker, beat) on a fresh database with
the demo data. Every journey's requests must have been made, and none may fail (a page that moved, a form that
gained a field, a lost session: locust counts them as failures)."""

import pytest

from bench import charge
from tests.conftest import _test_database_url, free_port
from tests.integration.test_production import _production_redis_url

pytestmark = pytest.mark.integration

# One row of locust's statistics per request name (bench/locustfile.py): each journey's own requests.
REQUETES_ATTENDUES = {
    "connexion",
    "fournisseur: Synthèse",
    "fournisseur: Rechercher",
    "fournisseur: une facture",
    "fournisseur: Rechercher (statut)",
    "fournisseur: Tableau de bord",
    "fournisseur: Saisir (page)",
    "fournisseur: Saisir (enregistrer le brouillon)",
    "destinataire: Synthèse",
    "destinataire: Rechercher",
    "destinataire: une facture",
    "destinataire: Tableau de bord",
    "destinataire: Rechercher (à prendre en compte)",
    "destinataire: Traiter (page)",
    "destinataire: Traiter (prendre en compte)",
    "valideur: Factures à valider",
    "valideur: une facture",
    "MOE: Factures de travaux Synthèse",
    "MOE: Factures de travaux Rechercher",
    "MOE: une pièce de travaux",
    "MOE: Factures de travaux Tableau de bord",
    "MOA: Factures de travaux Synthèse",
    "MOA: Factures de travaux Rechercher",
    "MOA: Factures de travaux Tableau de bord",
    "sollicitations: émises Synthèse",
    "sollicitations: émises Rechercher",
    "sollicitations: une émise",
    "sollicitations: reçues Synthèse",
    "sollicitations: reçues Rechercher",
    "sollicitations: reçues Tableau de bord",
    "sollicitations: une reçue",
    "ERP: jeton OAuth2",
    "ERP: deposer/flux (lot CII)",
    "ERP: consulterCRDetaille",
}


def test_le_scenario_de_charge_passe_sans_echec(tmp_path, monkeypatch):
    monkeypatch.setattr(charge, "SERVEUR", _test_database_url("postgres").rsplit("/", 1)[0])
    redis_url = _production_redis_url()
    monkeypatch.setattr(charge, "REDIS", redis_url.rsplit("/", 1)[0] + "/5")
    monkeypatch.setattr(charge, "DATABASE", "chorus_charge_check")
    # Every task of a user once per iteration, short pauses, an ERP lot of 5 every 5 s.
    monkeypatch.setenv("CHORUS_CHARGE_PARCOURS_COMPLET", "1")
    monkeypatch.setenv("CHORUS_CHARGE_PAUSE", "0.2,0.5")
    monkeypatch.setenv("CHORUS_CHARGE_PAUSE_ERP", "5")
    monkeypatch.setenv("CHORUS_CHARGE_LOT", "5")
    env = charge.environnement(tmp_path, 60)
    charge.preparer(env, 0)
    try:
        with charge.portail(env, tmp_path, workers=1, threads=4, celery_concurrency=1, port=free_port()) as url:
            # 8 users for the 8 user classes (equal weights in this mode, the ERP's fixed count of one); 45 s leave
            # each user several full journeys even on a loaded machine.
            lignes = charge.locust("locustfile.py", url, 8, 8, "45s", tmp_path / "charge")
    finally:
        charge._admin('DROP DATABASE IF EXISTS "chorus_charge_check" WITH (FORCE)')

    par_nom = {ligne["Name"]: ligne for ligne in lignes}
    echecs = {nom: ligne["Failure Count"] for nom, ligne in par_nom.items() if int(ligne["Failure Count"])}
    assert echecs == {}, (tmp_path / "charge_failures.csv").read_text()
    manquantes = {nom for nom in REQUETES_ATTENDUES if int(par_nom.get(nom, {}).get("Request Count", 0)) == 0}
    assert manquantes == set(), f"journeys not made: {sorted(manquantes)}"
