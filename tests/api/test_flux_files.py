"""Each syntax's flux work goes to a Celery queue of its own (``facturation.api.tasks.file_du_flux``): the deposit's
task, the lot's chunks and the beat's resumption of a stuck flux, so that a worker started with ``-Q flux-cii`` only
ever compiles the CII rules (issue 15: a worker's RSS); a worker started without ``-Q`` consumes every queue."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from chorus.celery import app
from facturation.api import flux as flux_api
from facturation.api import tasks
from facturation.api.vues_flux import creer_flux
from tests.api.test_flux import deposer, document, tar_gz

pytestmark = pytest.mark.django_db

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
    return creer_flux(
        structure=api.compte.structure,
        compte=api.compte,
        syntaxe=syntaxe,
        nom_fichier="lot.tar.gz",
        contenu=tar_gz(*membres),
    )


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
