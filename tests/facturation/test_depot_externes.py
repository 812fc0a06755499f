"""Others' documents are the acceptance test: invoices written by other software (the official EN 16931 examples,
the factur-x project's and Mustang's Factur-X / ZUGFeRD samples, ``tests/facturation/data/externes``), given a
French seller and buyer known to the portal (nothing else changed, amounts never), are deposited through the
three entry points that take a file: the deposit pipeline itself, the portal's « Déposer facture » and the
API's ``deposer/flux`` (``tests/api/test_depot_externes_flux.py``). Each one is accepted with its own totals;
then the Factur-X the portal regenerates from the stored invoice passes the official rules of its level and
carries the same totals (round trip)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from facturation import en16931
from facturation.conversion import donnees_de
from facturation.enums import StatutFacture
from facturation.facturx import generer_cii, generer_pdf_facturx
from facturation.lecture_xml import lire_xml
from facturation.models import Facture
from organisation.models import CoordonneesBancaires
from tests.facturation.depot import deposer, envoyer_le_brouillon, envoyer_par_le_circuit
from tests.facturation.externes import adapter, echantillons, xml_de

pytestmark = pytest.mark.django_db
ECHANTILLONS = echantillons()
CODE_SERVICE = "FACTURES_PUBLIQUES"  # a service of the State without « engagement obligatoire »
# BT-106 … BT-115 of the manifest → the stored invoice's fields.
TOTAUX = {
    "BT-106": "montant_lignes_ht",
    "BT-107": "montant_remises_ht",
    "BT-108": "montant_charges_ht",
    "BT-109": "montant_ht",
    "BT-110": "montant_tva",
    "BT-112": "montant_ttc",
    "BT-113": "montant_deja_paye",
    "BT-114": "montant_arrondi",
    "BT-115": "montant_a_payer",
}


def _ids(echantillon):
    return echantillon.name


def _preparer(echantillon, structure, etat, gp) -> bytes:
    """The sample with the portal's seller and buyer; its bank account (BT-84) declared by the seller, as Chorus
    Pro requires of a supplier paid by transfer."""
    contenu = adapter(
        echantillon.contenu(),
        siret_vendeur=structure.identifiant,
        siret_acheteur=etat.identifiant,
        code_service=CODE_SERVICE,
    )
    _, donnees = lire_xml(xml_de(contenu))
    if donnees.iban:
        CoordonneesBancaires.objects.create(
            structure=structure,
            titulaire=structure.raison_sociale,
            iban="".join(donnees.iban.split()).upper(),
            bic=(donnees.bic or "")[:11],
            active=True,
            created_by=gp,
        )
    return contenu


def _totaux_attendus(echantillon) -> dict:
    return {champ: Decimal(echantillon.totals.get(bt) or "0") for bt, champ in TOTAUX.items()}


def _totaux(facture) -> dict:
    return {champ: getattr(facture, champ) for champ in TOTAUX.values()}


def _aller_retour(facture, echantillon):
    """The Factur-X regenerated from the stored invoice: accepted by the official rules of its level, same totals."""
    donnees = donnees_de(facture)
    xml = generer_cii(donnees)
    assert en16931.verifier(xml) == []
    _, relue = lire_xml(xml)
    t = relue.totaux
    assert (t.total_ht, t.total_tva, t.total_ttc, t.deja_paye, t.arrondi, t.net_a_payer) == (
        facture.montant_ht,
        facture.montant_tva,
        facture.montant_ttc,
        facture.montant_deja_paye,
        facture.montant_arrondi,
        facture.montant_a_payer,
    )
    if echantillon.profile and "minimum" not in echantillon.profile:
        assert (t.total_lignes_ht, t.remises_document_ht, t.charges_document_ht) == (
            facture.montant_lignes_ht,
            facture.montant_remises_ht,
            facture.montant_charges_ht,
        )
    # The readable PDF embeds that same XML (and is what the recipient downloads for a regenerated invoice).
    assert generer_pdf_facturx(donnees).startswith(b"%PDF")


def test_le_corpus_couvre_les_cinq_profils_et_un_avoir_ubl():
    niveaux = {e.niveau for e in ECHANTILLONS}
    assert niveaux == {"MINIMUM", "BASIC WL", "BASIC", "EN 16931", "EXTENDED"}
    assert any(e.syntax == "UBL_CREDITNOTE" for e in ECHANTILLONS)


@pytest.mark.parametrize("echantillon", ECHANTILLONS, ids=_ids)
def test_pipeline_accepte_le_document_avec_ses_propres_totaux(echantillon, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    contenu = _preparer(echantillon, structure, etat, gp)
    facture = envoyer_par_le_circuit(gp, structure, contenu, echantillon.name)
    assert _totaux(facture) == _totaux_attendus(echantillon)
    _aller_retour(facture, echantillon)


@pytest.mark.parametrize("echantillon", ECHANTILLONS, ids=_ids)
def test_depot_sur_le_portail(echantillon, client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    contenu = _preparer(echantillon, structure, etat, gp)
    client.force_login(gp)
    response = deposer(client, structure, contenu, nom=echantillon.name)
    assert response.status_code == 302, response.context["form"].errors
    facture = Facture.objects.get()
    assert response["Location"] == reverse("modifier_brouillon", args=[facture.pk])
    assert _totaux(facture) == _totaux_attendus(echantillon)
    page = client.get(response["Location"])
    assert page.status_code == 200 and facture.numero in page.content.decode()
    envoyer_le_brouillon(client, facture, response["Location"])
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION
    assert _totaux(facture) == _totaux_attendus(echantillon)
