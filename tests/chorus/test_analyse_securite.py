"""Issue 13, item 15: the static security linter (bandit) runs in ``make lint`` (hence in CI, ``.ci/run`` →
``make test`` → ``lint``), with the project's configuration, and fails on a finding."""

import subprocess  # nosec B404  # the test runs bandit itself
import sys
from pathlib import Path

from django.conf import settings

RACINE = Path(settings.BASE_DIR)


def _bandit(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run(  # nosec B603  # this interpreter's bandit, fixed arguments
        [sys.executable, "-m", "bandit", "-c", str(RACINE / "pyproject.toml"), "-q", *arguments],
        capture_output=True,
        text=True,
        cwd=RACINE,
        check=False,
        timeout=120,
    )


def test_make_lint_lance_bandit_avec_la_configuration_du_projet():
    cible = RACINE.joinpath("Makefile").read_text(encoding="utf-8").split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/bandit -c pyproject.toml -r . -q" in cible
    assert "make test" in RACINE.joinpath(".ci/run").read_text(encoding="utf-8")
    assert "test: lint" in RACINE.joinpath("Makefile").read_text(encoding="utf-8")


def test_bandit_echoue_sur_une_faille(tmp_path):
    fichier = tmp_path / "faille.py"
    fichier.write_text('import subprocess\n\nsubprocess.call("ls " + input(), shell=True)\n', encoding="utf-8")
    resultat = _bandit(str(fichier))
    assert resultat.returncode == 1
    assert "B602" in resultat.stdout


def test_bandit_ignore_les_tests_et_passe_sur_le_code_du_portail():
    resultat = _bandit("-r", "chorus", "organisation", "facturation", "travaux", "sollicitations", "tests")
    assert resultat.returncode == 0, resultat.stdout
