"""The whole cycle of an invoice exactly as two ERPs drive it, with ``requests`` against a live server process
(gunicorn on the test database) and a real Celery worker: the supplier's ERP takes a token, finds the public
recipient and its services, deposits a Factur-X flux (a third-party sample), polls ``consulterCR`` until
IN_INTEGRE, finds its invoice by ``numeroFluxDepot`` and reads its history; the recipient's ERP finds the invoice,
processes it up to « Mise en paiement » and downloads it; the supplier's history then says so."""

import base64
import io
import time
import zipfile

import pytest
import requests

from chorus.api import services as api_services
from organisation.api import comptes
from tests.conftest import (
    ARTIFACTS,
    commande_gunicorn,
    environnement_de_test,
    free_port,
    lancer,
    stop_process,
    wait_until,
)
from tests.facturation.test_depot_externes import CODE_SERVICE, ECHANTILLONS, _preparer
from tests.fixtures_facturation import SIRET_ETAT

pytestmark = pytest.mark.integration

CLIENT_ID, CLIENT_SECRET = "erp-cycle", "secret_du-cycle_0123"
MOT_DE_PASSE = "Mdp-technique_Cycle1"
ECHANTILLON = next(e for e in ECHANTILLONS if e.name == "Facture_FR_BASICWL.pdf")


@pytest.fixture
def serveur(celery_worker_process):
    """``gunicorn`` serving the portal on a free port, on the test database and the test Redis (the worker's)."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    env = environnement_de_test()
    log = open(ARTIFACTS / "gunicorn-cycle-erp.log", "ab")  # noqa: SIM115 - closed below
    proc = lancer(commande_gunicorn(port, "--timeout", "120", "--no-control-socket"), env=env, sortie=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError("gunicorn s'est arrêté au démarrage (voir test-artifacts/gunicorn-cycle-erp.log).")
            try:
                if requests.get(f"{url}/cpro/transverses/v1/health-check", timeout=30).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn ne répond pas (voir test-artifacts/gunicorn-cycle-erp.log).")
            time.sleep(0.2)
        yield url
    finally:
        stop_process(proc)
        log.close()


class Erp:
    """A connector written for Chorus Pro: its two base URLs point at the live server."""

    def __init__(self, url: str, login: str):
        self.url, self.session = url, requests.Session()
        jeton = self.session.post(
            f"{url}/api/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "scope": "openid",
            },
            timeout=30,
        )
        assert jeton.status_code == 200, jeton.text
        assert jeton.json()["token_type"] == "Bearer" and int(jeton.json()["expires_in"]) == 3600
        self.session.headers.update(
            {
                "Authorization": f"Bearer {jeton.json()['access_token']}",
                "cpro-account": base64.b64encode(f"{login}:{MOT_DE_PASSE}".encode()).decode(),
                "Content-Type": "application/json;charset=utf-8",
            }
        )

    def post(self, chemin: str, corps: dict) -> dict:
        r = self.session.post(f"{self.url}/cpro/{chemin}", json=corps, timeout=60)
        assert r.status_code == 200, (chemin, r.status_code, r.text)
        assert r.json()["codeRetour"] == 0, r.json()
        return r.json()


def test_cycle_complet_d_une_facture_entre_deux_erp(serveur, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    contenu = _preparer(ECHANTILLON, structure, etat, gp)  # the sample, with the portal's seller and buyer
    api_services.creer_client(client_id=CLIENT_ID, secret=CLIENT_SECRET)
    comptes.creer_compte_technique(structure=structure, login="TECH_1_fournisseur@cpro.fr", mot_de_passe=MOT_DE_PASSE)
    comptes.creer_compte_technique(structure=etat, login="TECH_1_etat@cpro.fr", mot_de_passe=MOT_DE_PASSE)

    # --- The supplier's ERP -------------------------------------------------------------------------------------
    fournisseur = Erp(serveur, "TECH_1_fournisseur@cpro.fr")
    trouvees = fournisseur.post("structures/v1/rechercher", {"structure": {"identifiantStructure": SIRET_ETAT}})
    (destinataire,) = trouvees["listeStructures"]
    assert destinataire["idStructureCPP"] == etat.pk
    services = fournisseur.post(
        "structures/v1/rechercher/services",
        {
            "idStructure": destinataire["idStructureCPP"],
            "parametresRechercherServicesStructure": {"nbResultatsParPage": 10000},
        },
    )
    assert CODE_SERVICE in {s["codeService"] for s in services["listeServices"]}

    depot = fournisseur.post(
        "factures/v1/deposer/flux",
        {
            "fichierFlux": base64.b64encode(contenu).decode(),
            "nomFichier": ECHANTILLON.name,
            "syntaxeFlux": "IN_DP_E2_CII_FACTURX",
            "avecSignature": False,
        },
    )
    numero_flux = depot["numeroFluxDepot"]

    def cr():
        etat_flux = fournisseur.post("transverses/v1/consulterCR", {"numeroFluxDepot": numero_flux})["etatCourantFlux"]
        assert etat_flux not in ("IN_REJETE", "IN_INTEGRE_PARTIEL"), etat_flux
        return etat_flux == "IN_INTEGRE"

    wait_until(cr, timeout=120, interval=0.5, message="flux intégré par le worker (consulterCR)")

    (emise,) = fournisseur.post("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": numero_flux})["listeFactures"]
    id_facture = emise["identifiantFactureCPP"]
    assert type(id_facture) is int and emise["statut"] == "MISE_A_DISPOSITION"
    historique = fournisseur.post("factures/v1/consulter/historique", {"idFacture": id_facture})
    assert historique["idFacture"] == id_facture and historique["statutCourantCode"] == "MISE_A_DISPOSITION"

    # --- The recipient's ERP ------------------------------------------------------------------------------------
    recipiendaire = Erp(serveur, "TECH_1_etat@cpro.fr")
    recues = recipiendaire.post("factures/v1/rechercher/recipiendaire", {"statutCourant": ["MISE_A_DISPOSITION"]})
    assert [f["idFacture"] for f in recues["listeFactures"]] == [id_facture]
    assert recues["listeFactures"][0]["numeroFacture"] == emise["numeroFacture"]
    detail = recipiendaire.post("factures/v1/consulter/recipiendaire", {"identifiantFactureCPP": id_facture})
    assert detail["facture"]["montantTotal"]["montantAPayer"] == emise["montantAPayer"]

    for statut in ("SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT"):
        traitee = recipiendaire.post("factures/v1/traiter/recue", {"idFacture": id_facture, "nouveauStatut": statut})
        assert traitee["nouveauStatut"] == statut and traitee["idFacture"] == id_facture

    groupe = recipiendaire.post(
        "factures/v1/telecharger/groupe", {"listeFacture": [{"idFacture": id_facture}], "format": "ZIP"}
    )
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(groupe["fichierResultat"])))
    (nom,) = archive.namelist()
    assert archive.read(nom) == contenu  # the deposited Factur-X, unchanged

    # --- Back to the supplier: its polling of the history ends ---------------------------------------------------
    historique = fournisseur.post("factures/v1/consulter/historique", {"idFacture": id_facture})
    assert historique["statutCourantCode"] == "MISE_EN_PAIEMENT"
    codes = [h["histoStatutCode"] for h in historique["historiquesDesStatuts"]["histoStatut"]]
    assert codes[:3] == ["MISE_EN_PAIEMENT", "MANDATEE", "SERVICE_FAIT"]
