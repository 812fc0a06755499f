"""The PDF libraries are imported on first use (``facturation.bibliotheques``, issue 15: a worker's RSS). In a fresh
process, as a Celery worker starts (``django.setup()``, then every task module): none of them is loaded; nor after
reading and checking XML invoices (a worker of CII or UBL lots); reading a Factur-X PDF loads pypdf and pyHanko (which
imports Pillow), rendering one reportlab and the factur-x package; qrcode waits for a second factor's enrolment.
Nor does a started worker import the web side (the URL conf, the views, the API on Django REST framework), which the
web process still serves."""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, environnement_de_test

DATA = Path(__file__).resolve().parent / "data"
LOURDES = ["PIL", "facturx", "pyhanko", "pypdf", "qrcode", "reportlab"]
# The web side a worker never serves (BENCHMARKS.md « A worker without the web side »): the URL conf and so every
# view, the API's protocol on Django REST framework (its views, hence requests' and pygments' share of DRF's compat),
# drf-spectacular's schema generation and django.test that it imports. ``rest_framework`` and ``drf_spectacular``
# themselves are in INSTALLED_APPS (templates, checks) and are imported by ``django.setup()``: their packages only.
WEB = [
    "chorus.urls",
    "chorus.api.protocole",
    "chorus.api.kit",
    "organisation.api.authentification",
    "chorus.api.urls",
    "facturation.urls",
    "organisation.urls",
    "rest_framework.views",
    "rest_framework.serializers",
    "rest_framework.response",
    "rest_framework.test",
    "drf_spectacular.utils",
    "drf_spectacular.openapi",
    "django.test",
    "jinja2",
]

SCRIPT = """
import json, sys
from pathlib import Path

LOURDES, WEB, DATA = json.loads(sys.argv[1]), json.loads(sys.argv[2]), Path(sys.argv[3])
etapes = {}

def charges(etape):
    etapes[etape] = sorted(nom for nom in LOURDES if nom in sys.modules)

import django
django.setup()
from chorus.celery import app
app.loader.import_default_modules()  # what `celery -A chorus worker` imports before its first task
charges("worker")
etapes["web"] = sorted(nom for nom in WEB if nom in sys.modules)

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

# The web process still resolves the cpro-account header with organisation's function, named by the settings.
from django.urls import resolve
from chorus.api import protocole
from organisation.api import authentification
assert issubclass(resolve("/cpro/structures/v1/rechercher").func.view_class, protocole.ServiceCpro)
assert protocole.resolveur_compte() is authentification.resoudre
print(json.dumps(etapes))
"""


def test_un_worker_ne_charge_les_bibliotheques_pdf_qu_au_premier_pdf_ni_le_web():
    env = environnement_de_test()
    env.pop("CELERY_SKIP_CHECKS", None)  # the worker's environment: chorus.celery sets it, nobody else
    sortie = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", SCRIPT, json.dumps(LOURDES), json.dumps(WEB), str(DATA)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert sortie.returncode == 0, sortie.stderr
    etapes = json.loads(sortie.stdout.strip().splitlines()[-1])
    assert etapes == {
        "worker": [],
        "web": [],
        "xml": [],
        "lecture_pdf": ["PIL", "pyhanko", "pypdf"],
        "rendu_pdf": ["PIL", "facturx", "pyhanko", "pypdf", "reportlab"],
    }
