"""A real Celery worker of one flux queue only (``-Q flux-cii``, as docker-compose.yml's ``worker-flux-cii``): a CII
lot deposited through the API is split and integrated by it alone, its deposit's task and both chunks having been
routed to ``flux-cii`` (a task sent elsewhere would leave the flux « reçu » or « en cours »)."""

import pytest

from chorus.celery import app
from facturation.api import flux as flux_api
from facturation.models import Facture, FluxDepot
from tests.api import conftest as api_conftest
from tests.api.test_flux import deposer, document, tar_gz
from tests.conftest import ARTIFACTS, commande_worker, environnement_de_test, lancer, stop_process, wait_until

pytestmark = pytest.mark.integration
client_oauth, compte, api = api_conftest.client_oauth, api_conftest.compte, api_conftest.api  # the API's fixtures

FINAUX = {"IN_INTEGRE", "IN_INTEGRE_PARTIEL", "IN_REJETE"}


@pytest.fixture
def worker_flux_cii(transactional_db, purge_queue):
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "celery-worker-flux-cii.log", "ab") as log:
        proc = lancer(commande_worker("flux-cii") + ["-Q", "flux-cii"], env=environnement_de_test(), sortie=log)
        try:
            wait_until(lambda: app.control.ping(timeout=0.5), timeout=60, message="worker de la file flux-cii")
            yield proc
        finally:
            stop_process(proc)


def test_lot_cii_integre_par_un_worker_de_la_seule_file_flux_cii(api, etat, worker_flux_cii):
    nombre = flux_api.TAILLE_TRANCHE + 1  # two chunks
    modele = document(api.compte, etat, "FQ-0000")
    membres = [(f"{i}.xml", modele.replace(b"FQ-0000", f"FQ-{i:04d}".encode())) for i in range(nombre)]
    numero = deposer(api, tar_gz(*membres), nom="lot.tar.gz").json()["numeroFluxDepot"]
    wait_until(
        lambda: FluxDepot.objects.get(numero=numero).etat in FINAUX,
        timeout=600,
        interval=1,
        message="flux traité par le worker de flux-cii",
    )
    flux = FluxDepot.objects.get(numero=numero)
    assert (flux.etat, flux.tranches, sorted(flux.tranches_finies), flux.erreurs_dp) == ("IN_INTEGRE", 2, [0, 1], [])
    assert Facture.objects.filter(numero__startswith="FQ-").count() == nombre
