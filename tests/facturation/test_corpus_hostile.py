"""Issue 13, item 7: a corpus of hostile files, generated in the tests (``fichiers_hostiles``), deposited through
the portal's « Déposer facture » (the API's ``deposer/pdf`` and ``deposer/flux``: ``tests/api/test_corpus_hostile.py``):
each one gets a French error, no invoice is written to the database, and nothing is left on disk."""

import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facturation.models import Facture
from tests import outils
from tests.facturation import fichiers_hostiles as h
from tests.facturation.depot import deposer

pytestmark = pytest.mark.django_db

TROP_GROS = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n"

# (name as uploaded, content, part of the French message expected)
CORPUS = [
    ("tronque.pdf", h.pdf_tronque(), "Le fichier PDF est illisible ou endommagé."),
    ("bombe.pdf", h.pdf_bombe_de_page(), "flux compressé démesuré"),
    ("bombe-facturx.pdf", h.pdf_facturx_bombe(), "flux compressé démesuré"),
    ("milliard-de-rires.xml", h.XML_MILLIARD_DE_RIRES, "DOCTYPE, refusée pour des raisons de sécurité"),
    ("xxe.xml", h.XML_XXE, "DOCTYPE, refusée pour des raisons de sécurité"),
    ("doctype-facturx.pdf", h.pdf_avec_piece("factur-x.xml", h.XML_XXE), "DOCTYPE"),
    ("trop-gros.pdf", TROP_GROS, "dépasse la taille maximale de 10 Mo"),
    ("programme.pdf", h.EXE, "Format de fichier non reconnu"),
    ("bombe.tar.gz", h.gzip_bombe(), "Format de fichier non reconnu"),
    ("bombe.gz", h.gzip_simple_bombe(), "Format de fichier non reconnu"),
    ("../../../../tmp/evasion.pdf", h.pdf_tronque(), "illisible ou endommagé"),
    ("facture.pdf", b"<html><script>alert(1)</script></html>", "ni une facture UBL 2.1 ni une facture CII"),
]
IDS = [nom for nom, _contenu, _message in CORPUS]


def _fichiers_sur_disque() -> set[str]:
    racine = str(settings.MEDIA_ROOT)
    return {os.path.join(d, f) for d, _sous, fichiers in os.walk(racine) for f in fichiers}


@pytest.fixture
def disque():
    avant = _fichiers_sur_disque()
    yield
    assert _fichiers_sur_disque() == avant, "un fichier hostile est resté sur le disque"


@pytest.mark.parametrize(("nom", "contenu", "message"), CORPUS, ids=IDS)
def test_depot_par_le_portail_refuse_en_francais_sans_rien_garder(
    client, fournisseur_gp, disque, nom, contenu, message
):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = client.post(
        reverse("deposer_facture"),
        {"fichier": SimpleUploadedFile(nom, contenu), "cadre": "A1_FACTURE_FOURNISSEUR", "fournisseur": structure.pk},
    )
    assert response.status_code == 200
    assert message in outils.texte(response)
    assert not Facture.objects.exists()


def test_depot_d_un_fichier_vide_par_le_portail(client, fournisseur_gp, disque):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = deposer(client, structure, b"", nom="vide.pdf")
    assert response.status_code == 200 and "Le fichier soumis est vide." in outils.texte(response)
    assert not Facture.objects.exists()
