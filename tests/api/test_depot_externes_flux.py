"""Others' documents through the API's ``deposer/flux``, as an ERP sends them: each sample of
``tests/facturation/data/externes`` (given the portal's seller and buyer) ends IN_INTEGRE with its own totals."""

import base64

import pytest

from facturation.api import tasks
from facturation.enums import StatutFacture
from facturation.models import FluxDepot
from tests.facturation.test_depot_externes import ECHANTILLONS, _ids, _preparer, _totaux, _totaux_attendus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("echantillon", ECHANTILLONS, ids=_ids)
def test_depot_par_flux_api(echantillon, api, etat, monkeypatch, django_capture_on_commit_callbacks):
    gp = api.compte.structure.gestionnaire_principal
    contenu = _preparer(echantillon, api.compte.structure, etat, gp)
    monkeypatch.setattr(tasks, "lancer_flux", lambda flux_id, syntaxe: tasks.traiter_flux(flux_id))
    syntaxe = {
        "UBL_INVOICE": "IN_DP_E1_UBL_INVOICE",
        "UBL_CREDITNOTE": "IN_DP_E1_UBL_INVOICE",
        "CII": "IN_DP_E1_CII_16B",
        "FACTURX": "IN_DP_E2_CII_FACTURX",
    }[echantillon.syntax]
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(
            "factures/v1/deposer/flux",
            {
                "fichierFlux": base64.b64encode(contenu).decode(),
                "nomFichier": echantillon.name,
                "syntaxeFlux": syntaxe,
            },
        )
    assert r.status_code == 200, r.content
    flux = FluxDepot.objects.get(numero=r.json()["numeroFluxDepot"])
    assert flux.etat == FluxDepot.Etat.INTEGRE, flux.erreurs_dp
    (facture,) = flux.factures.all()
    assert _totaux(facture) == _totaux_attendus(echantillon)
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION
