"""Deposited flux with a real Celery worker process: the deposit's task reaches the worker and the flux ends in a
final state; a flux whose worker died is resumed by the beat task's run, delivered to the worker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from facturation.api.tasks import relancer_flux_bloques
from facturation.models import Facture, FluxDepot
from tests.api import conftest as api_conftest
from tests.api.test_flux import deposer, document, tar_gz
from tests.conftest import wait_until

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
