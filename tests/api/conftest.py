import base64
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from chorus.api import services
from organisation.api import comptes
from organisation.models import CompteTechnique
from tests.factories import StructureFactory

CLIENT_ID = "erp-test"
CLIENT_SECRET = "secret_de-test_0123"
MOT_DE_PASSE = "Mdp-technique_1"
# 00:30 in Paris, still the day before in UTC: the API answers the day in the portal's time zone.
MOMENT = datetime(2026, 3, 10, 0, 30, tzinfo=ZoneInfo("Europe/Paris"))


def pagination(page: int, tri: str, sens: str = "Descendant", par_page: int = 2) -> dict:
    """The pagination block of a search request, as a connector sends it: ``par_page`` results a page, page
    ``page``, sorted on the column ``tri`` in the direction ``sens``."""
    return {"nbResultatsParPage": par_page, "pageResultatDemandee": page, "triColonne": tri, "triSens": sens}


def communes_numerotees(nombre: int) -> list:
    """``nombre`` public structures « Commune 0 », « Commune 1 »…: what a search for « Commune » finds."""
    return [StructureFactory(publique=True, raison_sociale=f"Commune {i}") for i in range(nombre)]


def cpro_account(login: str, mot_de_passe: str = MOT_DE_PASSE) -> str:
    return base64.b64encode(f"{login}:{mot_de_passe}".encode()).decode()


class ClientApi:
    """Calls the API as a Chorus Pro connector does: Bearer token + cpro-account, JSON body."""

    def __init__(self, http, jeton: str, compte: CompteTechnique, mot_de_passe: str = MOT_DE_PASSE):
        self.http, self.jeton, self.compte, self.mot_de_passe = http, jeton, compte, mot_de_passe

    def entetes(self) -> dict:
        return {
            "HTTP_AUTHORIZATION": f"Bearer {self.jeton}",
            "HTTP_CPRO_ACCOUNT": cpro_account(self.compte.login, self.mot_de_passe),
        }

    def post(self, chemin: str, corps=None, content_type="application/json;charset=utf-8", brut=None, **entetes):
        donnees = brut if brut is not None else json.dumps(corps if corps is not None else {})
        return self.http.post(
            f"/cpro/{chemin}", data=donnees, content_type=content_type, **{**self.entetes(), **entetes}
        )


@pytest.fixture
def client_oauth(db):
    client, _ = services.creer_client(client_id=CLIENT_ID, secret=CLIENT_SECRET)
    return client


@pytest.fixture
def compte(fournisseur_gp):
    _, structure = fournisseur_gp
    compte, _ = comptes.creer_compte_technique(
        structure=structure, login="TECH_1_martin@cpro.fr", mot_de_passe=MOT_DE_PASSE
    )
    return compte


@pytest.fixture
def api(client, client_oauth, compte):
    return ClientApi(client, services.emettre_jeton(client_oauth), compte)


@pytest.fixture
def moment():
    """Listed first by a test, so that its other fixtures (token, account, invoices) are made at that moment too."""
    with time_machine.travel(MOMENT, tick=True):
        yield MOMENT
