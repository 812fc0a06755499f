"""Issue 13 item 8: the second factor concerns the portal's pages only. The API (OAuth2 token, technical account
in ``cpro-account``) answers as before while it is required, and whatever the state of the GP's second factor."""

from django.test import override_settings

from organisation import services
from tests.api.conftest import CLIENT_ID, CLIENT_SECRET
from tests.organisation.test_double_authentification import _activer

DEVISES = "transverses/v1/recuperer/devises"


@override_settings(CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE=True)
def test_jeton_et_compte_technique_inchanges_quand_la_double_authentification_est_obligatoire(
    client, api, fournisseur_gp
):
    gp, _ = fournisseur_gp
    assert services.double_authentification_requise(gp)  # the GP itself would be sent to the enrolment page
    jeton = client.post(
        "/api/oauth/token",
        data={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
    )
    assert jeton.status_code == 200 and jeton.json()["access_token"]
    reponse = api.post(DEVISES, {})
    assert reponse.status_code == 200 and reponse.json()["codeRetour"] == 0
    # The technical account is no person: never required to enrol, never gated.
    assert not services.double_authentification_requise(api.compte.utilisateur)
    # With the GP's second factor on, the structure's technical account still works.
    _activer(gp)
    assert api.post(DEVISES, {}).status_code == 200
