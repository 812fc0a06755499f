"""Deposited flux with a real Celery worker process: the deposit's task reaches the worker and the flux ends in a
final state; a flux whose worker died is resumed by the beat task's run, delivered to the worker."""

import io
import os
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from chorus.celery import app
from chorus.models import Message, OutboxMessage
from facturation.api import flux as flux_api
from facturation.api.tasks import relancer_flux_bloques
from facturation.models import Facture, FluxDepot, HistoriqueFacture
from tests.api import conftest as api_conftest
from tests.api.test_flux import deposer, document, tar_gz
from tests.conftest import start_worker, stop_worker, wait_until
from tests.factories import utilisateur_de

pytestmark = pytest.mark.integration
client_oauth, compte, api = api_conftest.client_oauth, api_conftest.compte, api_conftest.api  # the API's fixtures

FINAUX = {"IN_INTEGRE", "IN_INTEGRE_PARTIEL", "IN_REJETE"}


def _etat(numero):
    return FluxDepot.objects.get(numero=numero).etat


def test_lot_traite_par_le_worker_puis_flux_bloque_repris(api, etat, celery_worker_process):
    a, b = document(api.compte, etat, "FLX-IW1"), document(api.compte, etat, "FLX-IW2")
    numero = deposer(api, tar_gz(("a.xml", a), ("b.xml", a), ("c.xml", b)), nom="lot.tar.gz").json()["numeroFluxDepot"]
    wait_until(lambda: _etat(numero) in FINAUX, message="flux traité par le worker")
    flux = FluxDepot.objects.get(numero=numero)
    assert flux.etat == "IN_INTEGRE_PARTIEL" and flux.tentatives == 1
    assert [e["libelleErreurDP"] for e in flux.erreurs_dp] == [
        "Ce fichier figure deux fois dans le lot (même contenu que « a.xml ») : il est ignoré."
    ]
    assert sorted(flux.factures.values_list("numero", flat=True)) == ["FLX-IW1", "FLX-IW2"]

    # As if the worker had died before writing the compte rendu, 20 minutes ago: the beat's run resumes it.
    FluxDepot.objects.filter(pk=flux.pk).update(
        etat="IN_EN_COURS_TRAITEMENT_CPP", erreurs_dp=[], traitement_vu_le=timezone.now() - timedelta(minutes=20)
    )
    relancer_flux_bloques.delay()
    wait_until(lambda: _etat(numero) in FINAUX, message="flux repris par le worker")
    repris = FluxDepot.objects.get(pk=flux.pk)
    assert (repris.etat, repris.tentatives, repris.erreurs_dp) == ("IN_INTEGRE_PARTIEL", 2, flux.erreurs_dp)
    assert Facture.objects.filter(numero__startswith="FLX-IW").count() == 2


def test_lot_de_1000_factures_worker_tue_puis_relance(api, etat, fournisseur_gp, celery_worker_process):
    """Issue 13 item 3: a 1,000-invoice lot, its worker SIGKILLed in the middle of a chunk then restarted: the flux
    ends in a final state, every invoice exists exactly once and each notification was sent exactly once."""
    gp, _ = fournisseur_gp
    agent = utilisateur_de(etat, email="agent@etat.gouv.fr", profils={"FACTURES_RECUES": "consultation"})
    modele = document(api.compte, etat, "KIL-0000")
    membres = [(f"{i}.xml", modele.replace(b"KIL-0000", f"KIL-{i:04d}".encode())) for i in range(1000)]
    numero = deposer(api, tar_gz(*membres), nom="lot.tar.gz").json()["numeroFluxDepot"]
    factures = Facture.objects.filter(numero__startswith="KIL-")

    # Killed once 150 invoices are in (chunks are written whole: two chunks written, the next ones under way).
    wait_until(lambda: factures.count() >= 150, timeout=900, message="150 factures intégrées")
    os.killpg(celery_worker_process.pid, signal.SIGKILL)
    celery_worker_process.wait()
    flux = FluxDepot.objects.get(numero=numero)
    assert flux.etat == "IN_EN_COURS_TRAITEMENT_CPP" and flux.tentatives == 1 and factures.count() < 1000

    relance = start_worker()
    try:
        wait_until(lambda: app.control.ping(timeout=0.5), timeout=60, message="worker relancé")
        # The restarted worker runs the chunks still queued; the killed one's message stays unacknowledged, so the
        # attempt cannot end: the flux falls silent, and the beat's run (DELAI_BLOCAGE later) starts attempt 2.
        wait_until(
            lambda: _etat(numero) in FINAUX or _silencieux(numero),
            timeout=900,
            interval=1,
            message="chunks de la première tentative terminés",
        )
        if _etat(numero) not in FINAUX:
            FluxDepot.objects.filter(numero=numero).update(traitement_vu_le=timezone.now() - timedelta(minutes=20))
            relancer_flux_bloques.delay()
        wait_until(lambda: _etat(numero) in FINAUX, timeout=900, interval=1, message="flux terminé")
    finally:
        stop_worker(relance)
    flux = FluxDepot.objects.get(numero=numero)
    assert (flux.etat, flux.erreurs_dp, flux.erreurs_techniques) == ("IN_INTEGRE", [], [])
    assert factures.count() == 1000 and flux.factures.count() == 1000
    assert set(factures.values_list("numero", flat=True)) == {f"KIL-{i:04d}" for i in range(1000)}
    assert set(factures.values_list("statut", flat=True)) == {"MISE_A_DISPOSITION"}
    recus = Message.objects.filter(destinataire=agent, evenement="FACTURE_RECUE")
    assert [m.sujet for m in recus] == [f"1000 nouvelle(s) facture(s) de {flux.structure.raison_sociale}"]
    emis = Message.objects.filter(destinataire=gp, evenement="FACTURE_STATUT")
    assert [m.sujet for m in emis] == [f"Flux {numero} : 1000 facture(s) intégrée(s)"]
    courriels = sorted(m.payload["to"] for m in OutboxMessage.objects.all() if "KIL-" in m.payload.get("body", ""))
    assert courriels == [["agent@etat.gouv.fr"], ["gp@fournisseur.fr"], ["tech_1_martin@cpro.fr"]]
    assert HistoriqueFacture.objects.filter(objet__numero__startswith="KIL-").count() == 2000
    call_command("verifier_historiques", stdout=io.StringIO())  # every chain intact (exit code 1 otherwise)


def _silencieux(numero) -> bool:
    """No chunk has shown life for 15 seconds (they do after each chunk and every SIGNE_DE_VIE seconds)."""
    flux = FluxDepot.objects.get(numero=numero)
    return flux.traitement_vu_le < timezone.now() - timedelta(seconds=max(15, flux_api.SIGNE_DE_VIE + 5))
