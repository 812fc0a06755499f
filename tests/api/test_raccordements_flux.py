"""« Raccordements » > « Suivi des flux »: every flux of the structure (API or portal), its state, dates, file,
syntax, invoices and errors, keyset-paginated; its compte rendu as a PDF, the same document that ``consulterCR``
returns in ``fichierCR``; a flux deposited from the page goes through the API's pipeline; another structure's flux
are refused."""

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from facturation.api import tasks
from facturation.models import Facture, FluxDepot
from organisation import services as org_services
from organisation.enums import Application, StatutRattachement
from organisation.models import Rattachement
from tests import outils
from tests.api.test_flux import deposer, document, tar_gz
from tests.factories import UtilisateurFactory, structure_privee


@pytest.fixture
def synchrone(monkeypatch, django_capture_on_commit_callbacks):
    """The flux task runs when the deposit's transaction commits, in the test's process."""
    monkeypatch.setattr(tasks, "lancer_flux", lambda flux_id, syntaxe: tasks.traiter_flux(flux_id))
    return django_capture_on_commit_callbacks


def _texte_pdf(contenu: bytes) -> str:
    assert contenu.startswith(b"%PDF")
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages)


def test_flux_de_l_api_suivi_sur_le_portail_avec_son_compte_rendu(api, etat, synchrone, client, fournisseur_gp):
    gp, structure = fournisseur_gp
    lot = tar_gz(
        ("a.xml", document(api.compte, etat, "FLX-A")), ("b.xml", document(api.compte, etat, "FLX-B", engagement=""))
    )
    with synchrone(execute=True):
        numero = deposer(api, lot, nom="lot.tar.gz").json()["numeroFluxDepot"]

    client.force_login(gp)
    response = client.get(reverse("raccordements_flux"))
    assert response.status_code == 200
    texte = outils.texte(response)
    assert numero in texte and "lot.tar.gz" in texte and "IN_DP_E1_CII_16B" in texte
    assert "Intégré partiellement" in texte and api.compte.login in texte
    assert "FLX-B : " in texte and "engagement" in texte

    fichier = client.get(reverse("fichier_flux", args=[numero]))
    assert fichier.status_code == 200 and b"".join(fichier.streaming_content) == lot
    assert 'filename="lot.tar.gz"' in fichier["Content-Disposition"]

    pdf = client.get(reverse("compte_rendu_flux", args=[numero]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    texte_pdf = _texte_pdf(pdf.content)
    assert numero in texte_pdf and "Intégré partiellement" in texte_pdf
    assert "FLX-A" in texte_pdf and "FLX-B" in texte_pdf and "engagement" in texte_pdf

    # consulterCR returns that same compte rendu, base64-encoded.
    cr = api.post("transverses/v1/consulterCR", {"numeroFluxDepot": numero}).json()
    assert cr["codeRetour"] == 0 and isinstance(cr["fichierCR"], str)
    assert _texte_pdf(base64.b64decode(cr["fichierCR"], validate=True)) == texte_pdf


def test_deposer_un_flux_depuis_le_portail(etat, synchrone, client, fournisseur_gp, compte):
    gp, structure = fournisseur_gp
    contenu = document(compte, etat, "PORTAIL-1")
    client.force_login(gp)
    with synchrone(execute=True):
        response = client.post(
            reverse("raccordements_flux"),
            {
                "structure": structure.pk,
                "syntaxe": "IN_DP_E1_CII_16B",
                "fichier": SimpleUploadedFile("portail.xml", contenu, content_type="application/xml"),
            },
        )
    assert response.status_code == 302
    flux = FluxDepot.objects.get(nom_fichier="portail.xml")
    assert flux.depose_par == gp and flux.compte is None and flux.structure == structure
    assert flux.etat == FluxDepot.Etat.INTEGRE
    facture = Facture.objects.get(numero="PORTAIL-1")
    assert facture.mode_depot == "FLUX" and facture.statut == "MISE_A_DISPOSITION"
    texte = outils.texte(client.get(reverse("raccordements_flux")))
    assert flux.numero in texte and "Intégré" in texte and gp.get_full_name() in texte


def test_depot_refuse_sans_rien_creer(client, fournisseur_gp):
    gp, structure = fournisseur_gp
    autre = structure_privee(UtilisateurFactory(), "Autre")
    client.force_login(gp)
    cas = [
        ({"structure": structure.pk, "syntaxe": "IN_DP_E1_CII_16B"}, "Choisissez le fichier du flux."),
        (
            {"structure": structure.pk, "syntaxe": "IN_DP_E1_CII_16B", "fichier": SimpleUploadedFile("v.xml", b"")},
            "Le fichier du flux est vide.",
        ),
        (
            {"structure": structure.pk, "syntaxe": "IN_DP_E9", "fichier": SimpleUploadedFile("f.xml", b"<x/>")},
            "Choisissez une syntaxe de flux dans la liste.",
        ),
        (
            {"structure": autre.pk, "syntaxe": "IN_DP_E1_CII_16B", "fichier": SimpleUploadedFile("f.xml", b"<x/>")},
            "Choisissez une de vos structures dans la liste.",
        ),
    ]
    for donnees, message in cas:
        response = client.post(reverse("raccordements_flux"), donnees)
        assert response.status_code == 200 and message in outils.texte(response)
    assert not FluxDepot.objects.exists()


def test_flux_d_une_autre_structure_refuse(api, etat, synchrone, client):
    with synchrone(execute=True):
        numero = deposer(api, document(api.compte, etat, "FLX-X")).json()["numeroFluxDepot"]
    autre_gp = UtilisateurFactory()
    structure_privee(autre_gp, "Autre")
    client.force_login(autre_gp)
    assert numero not in outils.texte(client.get(reverse("raccordements_flux")))
    assert client.get(reverse("compte_rendu_flux", args=[numero])).status_code == 404
    assert client.get(reverse("fichier_flux", args=[numero])).status_code == 404

    # Attached to the supplier without « Raccordements »: the page is refused.
    sans_profil = UtilisateurFactory()
    Rattachement.objects.create(
        utilisateur=sans_profil, structure=api.compte.structure, statut=StatutRattachement.ACTIF
    )
    org_services.definir_profils(
        utilisateur=sans_profil, structure=api.compte.structure, profils={Application.FACTURES_EMISES: "modification"}
    )
    client.force_login(sans_profil)
    assert client.get(reverse("raccordements_flux")).status_code == 403
    assert client.get(reverse("compte_rendu_flux", args=[numero])).status_code == 404


def test_pagination_par_curseur_et_requetes_bornees(client, fournisseur_gp, compte, django_assert_max_num_queries):
    gp, structure = fournisseur_gp
    FluxDepot.objects.bulk_create(
        FluxDepot(
            numero=f"CPP{i:022d}",
            compte=compte,
            structure=structure,
            syntaxe="IN_DP_E1_CII_16B",
            nom_fichier=f"flux-{i:03d}.xml",
            etat=FluxDepot.Etat.REJETE,
            erreurs_techniques=[{"codeErreur": "FLUX_ILLISIBLE", "libelleErreur": f"Illisible {i}"}],
        )
        for i in range(1, 56)
    )
    client.force_login(gp)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("raccordements_flux"))
    texte = outils.texte(response)
    assert "flux-055.xml" in texte and "flux-006.xml" in texte and "flux-005.xml" not in texte
    assert "Illisible 55" in texte and "Rejeté" in texte
    suivante = response.context["suivante"]
    texte = outils.texte(client.get(reverse("raccordements_flux"), {"apres": suivante}))
    assert "flux-005.xml" in texte and "flux-001.xml" in texte and "flux-006.xml" not in texte
