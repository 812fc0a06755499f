"""Redis emptied (``FLUSHALL``) while the real worker runs (RELIABILITY.md row 3): the queued task messages, the
unacknowledged ones and kombu's routing keys are gone. The outbox still sends each message exactly once (its rows
in PostgreSQL are the truth, the periodic sweep runs what Redis lost, a row already sent is never sent again) and a
flux deposited just before still ends in a final state, each invoice once. The worker writes its e-mails to files
(``CHORUS_TEST_EMAIL_URL``) that the test counts."""

import re
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chorus.celery import app
from chorus.mail import envoyer_email
from chorus.models import OutboxMessage
from chorus.tasks import sweep_outbox
from facturation.api.tasks import relancer_flux_bloques
from facturation.models import Facture, FluxDepot
from tests.api import conftest as api_conftest
from tests.api.test_flux import deposer, document, tar_gz
from tests.conftest import ARTIFACTS, start_worker, stop_worker, wait_until

pytestmark = pytest.mark.integration
client_oauth, compte, api = api_conftest.client_oauth, api_conftest.compte, api_conftest.api  # the API's fixtures

FINAUX = {"IN_INTEGRE", "IN_INTEGRE_PARTIEL", "IN_REJETE"}


@pytest.fixture
def worker_courriels(transactional_db, purge_queue, tmp_path):
    """A real worker whose e-mails are written as files under the returned folder."""
    dossier = tmp_path / "courriels"
    dossier.mkdir()
    ARTIFACTS.mkdir(exist_ok=True)
    proc = start_worker({"CHORUS_TEST_EMAIL_URL": f"file://{dossier}"})
    try:
        wait_until(lambda: app.control.ping(timeout=0.5), timeout=60, message="worker prêt")
        yield dossier
    finally:
        stop_worker(proc)


def _vider_redis() -> None:
    with redis.Redis.from_url(settings.CELERY_BROKER_URL) as client:
        # FLUSHALL is atomic; the running worker may write its keys again at once, so no count is read after it.
        assert client.flushall() is True


def _courriels_envoyes(dossier) -> list[str]:
    """The Message-ID of every e-mail the worker sent (one per message, whatever file it was written to)."""
    return [m for f in sorted(dossier.iterdir()) for m in re.findall(r"^Message-ID: (.+)$", f.read_text(), re.M)]


def _sujets_envoyes(dossier) -> list[str]:
    return [m for f in sorted(dossier.iterdir()) for m in re.findall(r"^Subject: (.+)$", f.read_text(), re.M)]


def _comme_une_minute_plus_tard() -> None:
    """What beat does every minute once the grace period has passed: the sweep, run by the worker."""
    OutboxMessage.objects.filter(statut=OutboxMessage.Statut.EN_ATTENTE).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    sweep_outbox.delay()


def test_flushall_pendant_l_envoi_chaque_message_part_une_seule_fois(worker_courriels):
    sujets = [f"Message {i:02d}" for i in range(30)]
    for sujet in sujets[:15]:
        with transaction.atomic():
            envoyer_email(destinataires=["a@exemple.fr"], sujet=sujet, corps="Corps")
    _vider_redis()  # while the worker works through the first ones
    for sujet in sujets[15:]:
        # Queued after the flush: the routing keys of the broker are gone too.
        with transaction.atomic():
            envoyer_email(destinataires=["a@exemple.fr"], sujet=sujet, corps="Corps")
    _vider_redis()

    _comme_une_minute_plus_tard()
    _comme_une_minute_plus_tard()  # two sweeps (beat late, two beats): still once
    wait_until(
        lambda: not OutboxMessage.objects.exclude(statut=OutboxMessage.Statut.TRAITE).exists(),
        timeout=60,
        message="tous les messages envoyés",
    )

    assert sorted(_sujets_envoyes(worker_courriels)) == sujets
    assert len(set(_courriels_envoyes(worker_courriels))) == 30


def test_flushall_apres_le_depot_d_un_flux_etat_final_sans_doublon(api, etat, worker_courriels):
    documents = [document(api.compte, etat, f"FLX-RV{i}") for i in range(5)]
    lot = tar_gz(*((f"f{i}.xml", contenu) for i, contenu in enumerate(documents)))
    numero = deposer(api, lot, nom="lot.tar.gz").json()["numeroFluxDepot"]
    _vider_redis()  # the flux's task lost (or being run: either way)

    # Beat, after the blocking delay: a flux never started or silent is queued again, the outbox swept.
    FluxDepot.objects.filter(numero=numero).exclude(etat__in=FINAUX).update(
        etat_le=timezone.now() - timedelta(minutes=20), traitement_vu_le=None
    )
    relancer_flux_bloques.delay()
    wait_until(
        lambda: FluxDepot.objects.get(numero=numero).etat in FINAUX, timeout=120, message="flux dans un état final"
    )
    _comme_une_minute_plus_tard()
    wait_until(
        lambda: not OutboxMessage.objects.exclude(statut=OutboxMessage.Statut.TRAITE).exists(),
        timeout=60,
        message="notifications envoyées",
    )

    flux = FluxDepot.objects.get(numero=numero)
    assert flux.etat == "IN_INTEGRE"
    assert sorted(Facture.objects.values_list("numero", flat=True)) == [f"FLX-RV{i}" for i in range(5)]
    assert sorted(flux.factures.values_list("numero", flat=True)) == [f"FLX-RV{i}" for i in range(5)]
    # Every notification e-mail the flux caused left exactly once.
    courriels = OutboxMessage.objects.filter(kind="chorus.email")
    envoyes = _courriels_envoyes(worker_courriels)
    assert len(envoyes) == len(set(envoyes)) == courriels.count()
