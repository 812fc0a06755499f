"""One table of codeRetour (``chorus.api.kit.CODES_RETOUR``), the one README documents; a duplicate answers 20004
whichever way it is detected; an unknown /cpro/… path answers the JSON envelope (HTTP 404), DEBUG on or off."""

import re
from pathlib import Path

import pytest
from django.test import override_settings

from chorus.api.kit import CODE_DOUBLON, CODE_INTROUVABLE, CODES_RETOUR
from tests.api.test_factures import facture

README = Path(__file__).resolve().parents[2] / "README.md"
LIGNE = re.compile(r"^\| `(\d+)` \| (\d{3}) \| (.+) \|$")


def test_la_table_du_readme_est_celle_du_code():
    documentes = {}
    for ligne in README.read_text(encoding="utf-8").splitlines():
        if trouve := LIGNE.match(ligne):
            documentes[int(trouve[1])] = (int(trouve[2]), trouve[3])
    assert documentes == CODES_RETOUR
    assert len(set(CODES_RETOUR)) == len(CODES_RETOUR)  # one number, one meaning


def test_soumettre_un_numero_deja_depose_repond_le_code_doublon(api, etat):
    assert api.post("factures/v1/soumettre", facture()).status_code == 200
    r = api.post("factures/v1/soumettre", facture())
    assert r.status_code == 400
    assert r.json()["codeRetour"] == CODE_DOUBLON == 20004
    assert "numéro de facture est déjà utilisé" in r.json()["libelle"]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("methode", ["get", "post", "put"])
def test_un_chemin_inconnu_repond_en_json(client, debug, methode):
    with override_settings(DEBUG=debug):
        if methode == "get":
            r = client.get("/cpro/factures/v1/inexistant")
        else:
            r = getattr(client, methode)("/cpro/factures/v1/inexistant", data="{}", content_type="application/json")
    assert r.status_code == 404
    assert r["Content-Type"].startswith("application/json")
    assert r.json() == {
        "codeRetour": CODE_INTROUVABLE,
        "libelle": "Service inconnu : /cpro/factures/v1/inexistant. Vérifiez le chemin (/cpro/<domaine>/v1/<service>).",
    }


def test_un_service_existant_n_est_pas_masque_par_le_chemin_inconnu(api):
    r = api.post("transverses/v1/recuperer/devises", {})
    assert r.status_code == 200 and r.json()["codeRetour"] == 0
    # The trailing slash is another path: no redirect to an HTML page, the envelope.
    r = api.post("transverses/v1/recuperer/devises/", {})
    assert r.status_code == 404 and r.json()["codeRetour"] == CODE_INTROUVABLE
