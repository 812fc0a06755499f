"""Each syntax's flux work goes to a Celery queue of its own (``facturation.api.tasks.file_du_flux``): the deposit's
task, the lot's chunks and the beat's resumption of a stuck flux, so that a worker started with ``-Q flux-cii`` only
ever compiles the CII rules (issue 15: a worker's RSS); a worker started without ``-Q`` consumes every queue. A mixed
lot (a file of another syntax than the flux declares) still completes, and the other syntax's rules never run."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from chorus.celery import app
from facturation import en16931
from facturation.api import flux as flux_api
from facturation.api import tasks
from tests.api.test_flux import creer_lot, deposer, document

pytestmark = pytest.mark.django_db
UBL = Path(__file__).resolve().parents[1] / "facturation" / "data" / "facture_ubl_valide.xml"

FILES = [
    ("IN_DP_E1_CII_16B", "flux-cii"),
    ("IN_DP_E1_UBL_INVOICE", "flux-ubl"),
    ("IN_DP_E2_CII_FACTURX", "flux-facturx"),
]


@pytest.fixture
def envois(monkeypatch):
    """What the flux tasks send to the broker, as (task, arguments, queue): captured, nothing is published."""
    envoyes = []

    def capturer(tache):
        def apply_async(args=(), kwargs=None, **options):
            envoyes.append((tache.name, tuple(args), options.get("queue")))

        return apply_async

    for tache in (tasks.traiter_flux, tasks.traiter_tranche_flux):
        monkeypatch.setattr(tache, "apply_async", capturer(tache))
    return envoyes


def _lot(api, etat, syntaxe: str, nombre: int):
    modele = document(api.compte, etat, "FIL-00")
    membres = [(f"{i}.xml", modele.replace(b"FIL-00", f"FIL-{i:02d}".encode())) for i in range(nombre)]
    return creer_lot(api.compte, membres, syntaxe)


@pytest.mark.parametrize(("syntaxe", "file"), FILES)
def test_le_flux_et_ses_tranches_vont_dans_la_file_de_leur_syntaxe(
    api, etat, envois, monkeypatch, django_capture_on_commit_callbacks, syntaxe, file
):
    monkeypatch.setattr(flux_api, "TAILLE_TRANCHE", 1)
    with django_capture_on_commit_callbacks(execute=True):
        flux = _lot(api, etat, syntaxe, 3)
    assert envois == [("chorus.api.tasks.traiter_flux", (flux.pk,), file)]

    # The worker of that queue splits the lot: each chunk is queued on the same queue.
    tasks.traiter_flux(flux.pk)
    assert envois[1:] == [
        ("facturation.api.tasks.traiter_tranche_flux", (flux.pk, 1, index, [index]), file) for index in range(3)
    ]


def test_depot_par_l_api_dans_la_file_de_la_syntaxe_declaree(api, etat, envois, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = deposer(api, document(api.compte, etat, "FIL-API"), syntaxe="IN_DP_E1_CII_16B")
    assert r.status_code == 200, r.content
    assert [(nom, file) for nom, _, file in envois] == [("chorus.api.tasks.traiter_flux", "flux-cii")]


def test_flux_bloque_relance_dans_la_file_de_sa_syntaxe(api, etat, envois, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the deposit's task was lost
        ubl = _lot(api, etat, "IN_DP_E1_UBL_INVOICE", 1)
    with time_machine.travel(timezone.now() + timedelta(minutes=20), tick=False):
        assert tasks.relancer_flux_bloques() == 1
    assert envois == [("chorus.api.tasks.traiter_flux", (ubl.pk,), "flux-ubl")]


def test_chaque_file_est_declaree_et_un_worker_sans_q_les_consomme_toutes():
    declarees = {file.name for file in settings.CELERY_TASK_QUEUES}
    assert {file for _, file in FILES} == set(tasks.FILES_FLUX.values())
    assert declarees == set(tasks.FILES_FLUX.values()) | {settings.CELERY_TASK_DEFAULT_QUEUE}
    # What ``celery worker`` consumes when no ``-Q`` narrows it (make run, the tests' real worker).
    assert set(app.amqp.queues.consume_from) == declarees
    # A syntax without a queue of its own would go to the default queue, never to a queue nobody reads.
    assert tasks.file_du_flux("IN_DP_INCONNUE") == settings.CELERY_TASK_DEFAULT_QUEUE


def test_lot_mixte_termine_sans_les_regles_de_l_autre_syntaxe(
    api, etat, monkeypatch, django_capture_on_commit_callbacks
):
    compilees = []
    executable = en16931.executable

    def compter(syntaxe, profil=None):
        compilees.append(syntaxe)
        return executable(syntaxe, profil)

    monkeypatch.setattr(en16931, "executable", compter)
    cii = document(api.compte, etat, "MIX-1")
    with django_capture_on_commit_callbacks(execute=False):
        flux = creer_lot(api.compte, [("a.xml", cii), ("b.xml", UBL.read_bytes())])
    flux = flux_api.traiter(tasks._flux(flux.pk))
    assert flux.etat == "IN_INTEGRE_PARTIEL"
    assert list(flux.factures.values_list("numero", flat=True)) == ["MIX-1"]
    assert [(e["numeroDP"], e["libelleErreurDP"]) for e in flux.erreurs_dp] == [
        ("FAC-2026-0117", "Le fichier est au format XML UBL 2.1 (Invoice), pas celui que le flux déclare.")
    ]
    # The UBL file was read (its number) but its rules never ran: a CII queue's worker never compiles UBL's.
    assert compilees and set(compilees) == {"CII"}


def test_un_message_n_arrive_que_dans_sa_file():
    """On the real broker (the tests' Redis): a chunk sent to « flux-cii » lands in that queue only, a task of the
    default queue in « celery » only. Queues declared by name alone would all be bound to one exchange with one key,
    and each would receive a copy of every message (a CII chunk run by the UBL worker, the default worker...)."""
    with app.connection_for_write() as connexion:
        files = [file.bind(connexion.default_channel) for file in app.amqp.queues.values()]
        for file in files:
            file.declare()
            file.purge()
        try:
            tasks.traiter_tranche_flux.apply_async((0, 1, 0, [0]), queue=tasks.file_du_flux("IN_DP_E1_CII_16B"))
            app.send_task("chorus.tasks.ping", args=["file"])
            recus = {file.name: file.queue_declare().message_count for file in files}
        finally:
            for file in files:
                file.purge()
    assert recus == {"celery": 1, "flux-cii": 1, "flux-ubl": 0, "flux-facturx": 0}
