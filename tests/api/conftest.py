import base64
import json

import pytest

from chorus.api import services
from organisation.api import comptes
from organisation.models import CompteTechnique

CLIENT_ID = "erp-test"
CLIENT_SECRET = "secret_de-test_0123"
MOT_DE_PASSE = "Mdp-technique_1"


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
