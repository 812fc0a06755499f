"""Issue 13, item 7: the corpus of hostile files (``tests/facturation/test_corpus_hostile.py``) deposited through the
API's ``deposer/pdf`` and ``deposer/flux``: each one gets a French error, no invoice nor uploaded file is written
to the database, and nothing is left on disk."""

import base64
import os

import pytest
from django.conf import settings

from facturation.models import Facture, FluxDepot, PieceJointeTeleversee
from tests.api.test_factures import facture as corps_facture
from tests.api.test_flux import deposer as deposer_flux
from tests.api.test_flux import synchrone  # noqa: F401 - fixture
from tests.facturation import fichiers_hostiles as h
from tests.facturation.test_corpus_hostile import (
    CORPUS,
    IDS,
    disque,  # noqa: F401 - fixture
)
from tests.facturation.test_pdf import pdf_simple

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("nom", "contenu", "message"), [c for c in CORPUS if c[0].endswith(".pdf")], ids=str)
def test_depot_pdf_par_l_api_refuse_en_francais_sans_rien_garder(api, disque, nom, contenu, message):  # noqa: F811
    corps = {"fichierFacture": base64.b64encode(contenu).decode(), "nomFichier": os.path.basename(nom)}
    r = api.post("factures/v1/deposer/pdf", corps)
    assert r.status_code == 400, r.content
    assert message in r.json()["libelle"] or "doit être un PDF" in r.json()["libelle"], r.content
    assert not PieceJointeTeleversee.objects.exists() and not Facture.objects.exists()


@pytest.mark.parametrize(("nom", "contenu", "message"), CORPUS, ids=IDS)
def test_depot_en_flux_par_l_api_rejete_en_francais_sans_rien_garder(api, synchrone, nom, contenu, message):  # noqa: F811
    attente = os.path.join(settings.MEDIA_ROOT, "depots", "attente")
    avant = set(os.listdir(attente)) if os.path.isdir(attente) else set()
    syntaxe = "IN_DP_E2_CII_FACTURX" if nom.endswith(".pdf") else "IN_DP_E1_CII_16B"
    with synchrone(execute=True):
        r = deposer_flux(api, contenu, syntaxe=syntaxe, nom=os.path.basename(nom))
    if r.status_code == 400:  # refused at the door (size): a French answer, no flux kept
        assert r.json()["libelle"] and not FluxDepot.objects.exists()
    else:
        numero = r.json()["numeroFluxDepot"]
        cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero}).json()
        assert cr["etatCourantDepotFlux"] == "IN_REJETE", cr
        libelles = " ".join(
            [e["libelleErreur"] for e in cr["listeErreurTechnique"]]
            + [e["libelleErreurDP"] for e in cr["listeErreurDP"]]
        )
        assert libelles, cr
        if not nom.endswith("gz"):  # a lot is read as a tar first: its own French refusal
            assert message in libelles, cr
    assert not Facture.objects.exists()
    assert (set(os.listdir(attente)) if os.path.isdir(attente) else set()) == avant


def test_lot_dont_un_membre_remonte_l_arborescence_rejete(api, synchrone, tmp_path):  # noqa: F811
    with synchrone(execute=True):
        r = deposer_flux(api, h.tar_traversee(pdf_simple()), nom="lot.tar.gz")
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": r.json()["numeroFluxDepot"]}).json()
    assert cr["etatCourantDepotFlux"] == "IN_REJETE"
    assert "remonte dans l'arborescence" in cr["listeErreurTechnique"][0]["libelleErreur"]
    assert not os.path.exists("/tmp/chorus_traversee.xml")
    assert not Facture.objects.exists()


@pytest.mark.parametrize("numero", ["API\n001", "API\r\nBcc: x@y.fr", "API\x00", 'API"1'])
def test_soumettre_un_numero_au_caractere_interdit_refuse_sans_rien_garder(api, etat, numero):
    r = api.post("factures/v1/soumettre", corps_facture(numero=numero))
    assert r.status_code == 400, r.content
    assert "Le numéro de facture contient un caractère non autorisé" in r.json()["libelle"], r.content
    assert not Facture.objects.exists()
