"""SaxonC's GraalVM heap is bounded (``facturation.isolat_saxon``, issue 15: a flux worker's RSS ≤ 300 MB).

In a fresh process started as a flux worker is (``django.setup()``, every task module), the portal's own reading of
CII invoices (``depot.analyser``: parse + official rules) creates SaxonC's isolate with ``isolat_saxon.OPTIONS``, and
the process's peak (VmHWM) stays under 300 MB over a run long enough for GraalVM's default young generation to have
grown well past it. The options reach GraalVM: a maximum heap too small for the CII rules makes their compilation
fail, and anything but a heap size is refused with a message naming the variable (GraalVM would end the process on
an unknown ``-XX:`` option, or ignore an unknown ``-X`` one and leave the heap unbounded)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from facturation import isolat_saxon
from tests.conftest import ROOT, environnement_de_test

DATA = Path(__file__).resolve().parent / "data"
PLAFOND_MO = 300  # issue 15, goal 1
FACTURES = 400  # GraalVM's default young generation grew by 50–125 MB over the first 200–400 (BENCHMARKS.md)

SCRIPT = """
import json, re, sys
from pathlib import Path

def mo(champ):
    return int(re.search(champ + r":\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1)) / 1024

modele, factures = Path(sys.argv[1]).read_bytes(), int(sys.argv[2])
import django
django.setup()
from chorus.celery import app
app.loader.import_default_modules()  # what `celery -A chorus worker` imports before its first task
from facturation import depot, isolat_saxon
apres_la_premiere = None
for i in range(factures):
    analyse = depot.analyser(modele.replace(b"FAC-2026-0117", b"RSS-%07d" % i))
    assert analyse.format == "CII" and not analyse.erreurs, analyse.erreurs
    if i == 0:
        apres_la_premiere = mo("VmRSS")
print(json.dumps({"options": isolat_saxon.options_de_l_isolat, "premiere": apres_la_premiere, "pic": mo("VmHWM")}))
"""


def _worker_cii(factures: int, **env_saxon) -> subprocess.CompletedProcess:
    env = environnement_de_test()
    env.pop(isolat_saxon.VARIABLE, None)
    env.update(env_saxon)
    return subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", SCRIPT, str(DATA / "facture_cii_valide.xml"), str(factures)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_un_worker_cii_reste_sous_300_mo_avec_le_tas_de_saxon_borne():
    sortie = _worker_cii(FACTURES)
    assert sortie.returncode == 0, sortie.stderr
    mesure = json.loads(sortie.stdout.strip().splitlines()[-1])
    assert mesure["options"] == list(isolat_saxon.OPTIONS)
    assert mesure["pic"] <= PLAFOND_MO, mesure
    # The rules compiled, the first invoice checked: the 399 others add no more than the bounded young generation.
    assert mesure["pic"] - mesure["premiere"] <= 40, mesure


def test_les_options_atteignent_graalvm_un_tas_trop_petit_pour_les_regles_echoue():
    sortie = _worker_cii(1, **{isolat_saxon.VARIABLE: "-Xmx24m"})
    assert sortie.returncode != 0
    assert "OutOfMemoryError" in sortie.stderr + sortie.stdout, sortie.stderr[-2000:]


def test_une_option_autre_qu_une_taille_de_tas_est_refusee_en_nommant_la_variable(monkeypatch):
    # GraalVM would end the process on an unknown -XX: option and ignore an unknown -X one (an unbounded heap).
    for valeur in ("-XX:+Inconnue", "-Xtaille", "-Xmn16m -Xss1m"):
        monkeypatch.setenv(isolat_saxon.VARIABLE, valeur)
        with pytest.raises(ValueError, match=r"CHORUS_SAXON_OPTIONS : option\(s\) non prise\(s\) en charge"):
            isolat_saxon.options()
    monkeypatch.setenv(isolat_saxon.VARIABLE, "-Xmn32m  -Xmx1g")
    assert isolat_saxon.options() == ["-Xmn32m", "-Xmx1g"]
    monkeypatch.setenv(isolat_saxon.VARIABLE, "")
    assert isolat_saxon.options() == []  # GraalVM's own defaults
    monkeypatch.delenv(isolat_saxon.VARIABLE)
    assert isolat_saxon.options() == list(isolat_saxon.OPTIONS)
