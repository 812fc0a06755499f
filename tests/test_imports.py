"""No import between the project's modules is hidden inside a function: every dependency is at the top of its
module, where the layers contract of ``make lint`` (import-linter, ``pyproject.toml``) sees it and an import circle
fails at once. Exception: an ``AppConfig.ready`` (registrations into the kit happen there by design)."""

import ast
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
PROJET = ("chorus", "organisation", "facturation", "sollicitations", "travaux")


def _imports_dans_des_fonctions(chemin: Path, racine: Path = RACINE) -> list[str]:
    arbre = ast.parse(chemin.read_text(), filename=str(chemin))
    trouves = []
    for noeud in ast.walk(arbre):
        if not isinstance(noeud, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if chemin.name == "apps.py" and noeud.name == "ready":
            continue
        for interne in ast.walk(noeud):
            modules = []
            if isinstance(interne, ast.ImportFrom) and interne.module and interne.level == 0:
                modules = [interne.module]
            elif isinstance(interne, ast.Import):
                modules = [alias.name for alias in interne.names]
            trouves += [
                f"{chemin.relative_to(racine)}:{interne.lineno} {module}"
                for module in modules
                if module.split(".")[0] in PROJET
            ]
    return trouves


def test_aucun_import_du_projet_dans_une_fonction():
    modules = [
        chemin
        for application in PROJET
        for chemin in (RACINE / application).rglob("*.py")
        if "migrations" not in chemin.parts
    ]
    assert len(modules) > 50  # the scan reads the project, not an empty folder
    assert [trouve for chemin in modules for trouve in _imports_dans_des_fonctions(chemin)] == []


def test_le_controle_voit_un_import_cache(tmp_path):
    module = tmp_path / "exemple.py"
    module.write_text("def f():\n    from facturation import services\n    return services\n")
    assert _imports_dans_des_fonctions(module, racine=tmp_path) == ["exemple.py:2 facturation"]
