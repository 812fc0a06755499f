"""One deposit pipeline, one place for amounts: an import rule read from the source (issue « deposit pipeline »).

- The send sequence (``services.valider_et_envoyer``: certificate and sending) is called by the pipeline
  (``facturation/services/envoi.py``) only: the saisie, the deposit page, ``soumettre`` and the demo loader all go
  through ``envoi.deposer_et_envoyer``, ``deposer/flux`` through ``envoi.deposer_et_envoyer_lot`` (the same steps,
  a chunk of files written together).
- Totals are computed in ``facturation/montants.py`` only (on ``chorus.money``'s helpers): no other module of the
  project calls the VAT or rounding helpers, nor defines a function that recomputes totals.
"""

import ast
from pathlib import Path

RACINE = Path(__file__).resolve().parents[2]
APPLICATIONS = ("chorus", "organisation", "facturation", "travaux", "sollicitations")
PIPELINE = RACINE / "facturation" / "services" / "envoi.py"
MONTANTS = RACINE / "facturation" / "montants.py"
MONNAIE = RACINE / "chorus" / "money.py"
# The EN 16931 checker recomputes the value a broken rule expected, to tell the user (it creates nothing).
VERIFICATEUR = RACINE / "facturation" / "en16931.py"


def _modules():
    for application in APPLICATIONS:
        for chemin in (RACINE / application).rglob("*.py"):
            if "migrations" not in chemin.parts:
                yield chemin


def _appels(chemin: Path) -> set[str]:
    noms = set()
    for noeud in ast.walk(ast.parse(chemin.read_text(), filename=str(chemin))):
        if isinstance(noeud, ast.Call):
            fonction = noeud.func
            if isinstance(fonction, ast.Attribute):
                noms.add(fonction.attr)
            elif isinstance(fonction, ast.Name):
                noms.add(fonction.id)
    return noms


def test_les_modules_sont_trouves():
    modules = {chemin.relative_to(RACINE).as_posix() for chemin in _modules()}
    assert {"facturation/services/envoi.py", "facturation/api/flux.py", "facturation/views/emises.py"} <= modules


def test_seul_le_pipeline_envoie():
    appelants = {
        chemin.relative_to(RACINE).as_posix() for chemin in _modules() if "valider_et_envoyer" in _appels(chemin)
    }
    assert appelants == {"facturation/services/envoi.py"}


def test_chaque_canal_passe_par_le_pipeline():
    canaux = {
        "facturation/views/emises.py": "deposer_et_envoyer",  # saisie and deposit page (« Confirmer l'envoi »)
        "facturation/api/factures.py": "deposer_et_envoyer",  # soumettre
        "facturation/api/flux.py": "deposer_et_envoyer_lot",  # deposer/flux, a chunk of files at a time
        "facturation/management/commands/charger_demo_factures.py": "deposer_et_envoyer",  # demo loader
    }
    for canal, entree in canaux.items():
        assert entree in _appels(RACINE / canal), canal


def test_les_montants_ne_se_calculent_que_dans_montants():
    calculs = {"montant_tva", "arrondir", "montant_ttc", "quantize"}
    autorises = {MONTANTS, MONNAIE, VERIFICATEUR}
    fautifs = {}
    for chemin in _modules():
        if chemin in autorises:
            continue
        trouves = _appels(chemin) & calculs
        if chemin.name == "facturx.py":
            # The writer formats amounts for the XML and the page (2 or 4 decimals): formatting, not computing.
            trouves -= {"arrondir", "quantize"}
        if trouves:
            fautifs[chemin.relative_to(RACINE).as_posix()] = sorted(trouves)
    assert fautifs == {}


def test_aucun_autre_module_ne_definit_de_calcul_de_totaux():
    # (``views.calculer`` is the HTTP endpoint of the saisie's live recap: it calls ``montants.calculer``.)
    definitions = {
        "ecarts_totaux",
        "montants_du_document",
        "totaux_effectifs",
        "ventilation_tva",
        "repartition_remises_charges",
    }
    definis = {}
    for chemin in _modules():
        for noeud in ast.walk(ast.parse(chemin.read_text())):
            if isinstance(noeud, ast.FunctionDef) and noeud.name in definitions:
                definis.setdefault(noeud.name, set()).add(chemin.relative_to(RACINE).as_posix())
    assert definis == {nom: {"facturation/montants.py"} for nom in definitions}
