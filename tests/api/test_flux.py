"""deposer/flux answers at once; the task integrates each invoice through the portal's deposit analysis; the
client polls consulterCRDetaille then finds the invoices by numeroFluxDepot (the Odoo connector's path)."""

import base64
import io
import re
import tarfile
from datetime import date, timedelta

import pytest

from chorus.api import tasks
from chorus.api.models import FluxDepot
from facturation import services
from facturation.conversion import donnees_de
from facturation.facturx import generer_cii, generer_pdf_facturx
from facturation.models import Facture
from organisation.models import Service

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


@pytest.fixture
def synchrone(monkeypatch, django_capture_on_commit_callbacks):
    """The Celery task runs when the deposit's transaction commits, in the test's process."""
    monkeypatch.setattr(tasks.traiter_flux, "delay", tasks.traiter_flux)
    return django_capture_on_commit_callbacks


def document(compte, etat, numero, *, pdf=False, engagement="EJ-1"):
    """The CII (or Factur-X) of an invoice of the account's structure, built from a draft then discarded."""
    brouillon = services.enregistrer(
        acting_user=compte.utilisateur,
        donnees={
            "fournisseur": compte.structure, "destinataire": etat,
            "service_destinataire": Service.objects.get(structure=etat, code="DRFIP_IDF"),
            "coordonnees_bancaires": compte.structure.coordonnees_bancaires.get(), "numero": numero,
            "date_facture": date.today() - timedelta(days=1), "numero_engagement": engagement,
        },
        lignes=[{"denomination": "Travaux", "quantite": 2, "prix_unitaire_ht": 50, "taux_tva": 20}],
    )  # fmt: skip
    donnees = donnees_de(brouillon)
    contenu = generer_pdf_facturx(donnees) if pdf else generer_cii(donnees)
    brouillon.lignes.all().delete()
    brouillon.recapitulatif_tva.all().delete()
    Facture.objects.filter(pk=brouillon.pk).delete()
    return contenu


def deposer(api, contenu, syntaxe="IN_DP_E1_CII_16B", nom="facture.xml"):
    return api.post("factures/v1/deposer/flux", {
        "fichierFlux": base64.b64encode(contenu).decode(), "nomFichier": nom, "syntaxeFlux": syntaxe,
        "avecSignature": False, "idUtilisateurCourant": 0,
    })  # fmt: skip


def test_flux_cii_integre_puis_recherche_par_numero_de_flux(api, etat, synchrone):
    contenu = document(api.compte, etat, "FLX-1")
    with synchrone(execute=True):
        r = deposer(api, contenu)
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["codeRetour"] == 0 and re.match(r"^CPP\d{22}$", corps["numeroFluxDepot"])
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", corps["dateDepot"]) and corps["syntaxeFlux"] == "IN_DP_E1_CII_16B"
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": corps["numeroFluxDepot"]}).json()
    assert cr["etatCourantDepotFlux"] == "IN_INTEGRE", cr
    assert cr["listeErreurDP"] == [] and RFC3339.match(cr["dateDepotFlux"])
    assert RFC3339.match(cr["dateHeureEtatCourantFlux"])
    trouve = api.post("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": corps["numeroFluxDepot"]}).json()
    assert [f["numeroFacture"] for f in trouve["listeFactures"]] == ["FLX-1"]
    assert trouve["listeFactures"][0]["numeroFluxDepot"] == corps["numeroFluxDepot"]
    facture = Facture.objects.get(numero="FLX-1")
    assert facture.statut == "MISE_A_DISPOSITION" and facture.mode_depot == "FLUX"
    cr = api.post("transverses/v1/consulterCR", {"numeroFluxDepot": corps["numeroFluxDepot"]}).json()
    assert cr["etatCourantFlux"] == "IN_INTEGRE" and cr["numeroFluxDepot"] == corps["numeroFluxDepot"]


def test_lot_tar_gz_partiel_erreur_rattachee_au_numero(api, etat, synchrone):
    bon = document(api.compte, etat, "FLX-2")
    sans_engagement = document(api.compte, etat, "FLX-3", engagement="")
    tampon = io.BytesIO()
    with tarfile.open(fileobj=tampon, mode="w:gz") as archive:
        for nom, contenu in (("a.xml", bon), ("b.xml", sans_engagement)):
            info = tarfile.TarInfo(nom)
            info.size = len(contenu)
            archive.addfile(info, io.BytesIO(contenu))
    with synchrone(execute=True):
        numero = deposer(api, tampon.getvalue(), nom="lot.tar.gz").json()["numeroFluxDepot"]
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero}).json()
    assert cr["etatCourantDepotFlux"] == "IN_INTEGRE_PARTIEL"
    assert [e["numeroDP"] for e in cr["listeErreurDP"]] == ["FLX-3"]
    assert "engagement" in cr["listeErreurDP"][0]["libelleErreurDP"]
    assert Facture.objects.filter(numero="FLX-2", statut="MISE_A_DISPOSITION").exists()
    assert not Facture.objects.filter(numero="FLX-3").exists()


def test_facturx_et_mauvaise_syntaxe(api, etat, synchrone):
    pdf = document(api.compte, etat, "FLX-4", pdf=True)
    with synchrone(execute=True):
        numero = deposer(api, pdf, syntaxe="IN_DP_E1_UBL_INVOICE", nom="f.pdf").json()["numeroFluxDepot"]
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero}).json()
    assert cr["etatCourantDepotFlux"] == "IN_REJETE"
    assert "PDF Factur-X, pas celui que le flux déclare" in cr["listeErreurDP"][0]["libelleErreurDP"]
    with synchrone(execute=True):
        numero = deposer(api, pdf, syntaxe="IN_DP_E2_CII_FACTURX", nom="f.pdf").json()["numeroFluxDepot"]
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero}).json()
    assert cr["etatCourantDepotFlux"] == "IN_INTEGRE", cr


def test_deposer_refus(api):
    r = api.post(
        "factures/v1/deposer/flux", {"fichierFlux": "@@@", "nomFichier": "x", "syntaxeFlux": "IN_DP_E1_CII_16B"}
    )
    assert r.status_code == 400 and "base64" in r.json()["libelle"]
    r = api.post("factures/v1/deposer/flux", {"fichierFlux": "eA==", "nomFichier": "x", "syntaxeFlux": "IN_DP_E9"})
    assert r.status_code == 400 and "Syntaxe de flux non prise en charge" in r.json()["libelle"]
    r = api.post("factures/v1/deposer/flux", {"nomFichier": "x", "syntaxeFlux": "IN_DP_E1_CII_16B"})
    assert r.status_code == 400 and r.json()["libelle"] == "Le champ « fichierFlux » est obligatoire."
    assert not FluxDepot.objects.exists()
    r = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": "CPP0"})
    assert r.status_code == 400 and "accessible" in r.json()["libelle"]


def test_flux_d_une_autre_structure_invisible(api, etat, synchrone, client, client_oauth):
    from chorus.api import services as api_services
    from organisation import services as org_services
    from organisation.enums import TypeStructure
    from tests.api.conftest import ClientApi
    from tests.factories import UtilisateurFactory, siret_aleatoire

    with synchrone(execute=True):
        numero = deposer(api, document(api.compte, etat, "FLX-9")).json()["numeroFluxDepot"]
    structure = org_services.creer_structure_par_utilisateur(
        acting_user=UtilisateurFactory(),
        siret=siret_aleatoire(),
        raison_sociale="Autre",
        type_structure=TypeStructure.PRIVEE,
    )
    compte, _ = api_services.creer_compte_technique(structure=structure, login="TECH_9@cpro.fr", mot_de_passe="m")
    autre = ClientApi(client, api_services.emettre_jeton(client_oauth), compte, mot_de_passe="m")
    for chemin in ("transverses/v1/consulterCRDetaille", "transverses/v1/consulterCR"):
        r = autre.post(chemin, {"numeroFluxDepot": numero})
        assert r.status_code == 400 and "accessible" in r.json()["libelle"]
    r = autre.post("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": numero})
    assert r.json()["listeFactures"] == []
