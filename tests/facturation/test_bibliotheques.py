"""The PDF libraries are imported on first use (``facturation.bibliotheques``, issue 15: a worker's RSS). In a fresh
process, as a Celery worker starts (``django.setup()``, then every task module): none of them is loaded; nor after
reading and checking XML invoices (a worker of CII or UBL lots); reading a Factur-X PDF loads pypdf and pyHanko (which
imports Pillow), rendering one reportlab and the factur-x package; qrcode waits for a second factor's enrolment."""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, environnement_de_test

DATA = Path(__file__).resolve().parent / "data"
LOURDES = ["PIL", "facturx", "pyhanko", "pypdf", "qrcode", "reportlab"]

SCRIPT = """
import json, sys
from pathlib import Path

LOURDES, DATA = json.loads(sys.argv[1]), Path(sys.argv[2])
etapes = {}

def charges(etape):
    etapes[etape] = sorted(nom for nom in LOURDES if nom in sys.modules)

import django
django.setup()
from chorus.celery import app
app.loader.import_default_modules()  # what `celery -A chorus worker` imports before its first task
charges("worker")

from facturation import depot, facturx
cii = depot.analyser((DATA / "facture_cii_valide.xml").read_bytes())
ubl = depot.analyser((DATA / "facture_ubl_valide.xml").read_bytes())
assert (cii.format, cii.erreurs, ubl.format, ubl.erreurs) == ("CII", [], "UBL_INVOICE", []), (cii, ubl)
charges("xml")

pdf = depot.analyser((DATA / "externes" / "invoice_EN16931.pdf").read_bytes())
assert pdf.format == "FACTURX", pdf.format
charges("lecture_pdf")

assert facturx.generer_pdf_facturx(cii.donnees).startswith(b"%PDF")
charges("rendu_pdf")
print(json.dumps(etapes))
"""


def test_un_worker_ne_charge_les_bibliotheques_pdf_qu_au_premier_pdf():
    sortie = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", SCRIPT, json.dumps(LOURDES), str(DATA)],
        cwd=ROOT,
        env=environnement_de_test(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert sortie.returncode == 0, sortie.stderr
    etapes = json.loads(sortie.stdout.strip().splitlines()[-1])
    assert etapes == {
        "worker": [],
        "xml": [],
        "lecture_pdf": ["PIL", "pyhanko", "pypdf"],
        "rendu_pdf": ["PIL", "facturx", "pyhanko", "pypdf", "reportlab"],
    }
