"""Others' documents through ``soumettre``, as an ERP that keys an invoice through the API: the lines and the totals
of an invoice written by other software (``tests/facturation/data/externes``), sent as JSON with their declared
totals. ``soumettre`` carries what the saisie can express (lines with a discount, one VAT type, euros): a sample of
that shape is accepted with its own totals, computed again by the portal and found equal; a credit note without the
invoice it corrects is refused with the saisie's French rule."""

from datetime import date, timedelta

import pytest

from facturation.lecture_xml import lire_xml
from facturation.models import Facture
from tests.facturation.externes import echantillons
from tests.fixtures_facturation import SIRET_ETAT

pytestmark = pytest.mark.django_db
TYPES_TVA = {"S": "TVA_SUR_DEBIT", "Z": "TVA_SUR_DEBIT", "E": "EXONERATION", "O": "SANS_TVA"}


def _corps(echantillon) -> tuple[dict, object]:
    _, d = lire_xml(echantillon.xml())
    (categorie,) = {ligne.categorie_tva for ligne in d.lignes}
    corps = {
        "modeDepot": "SAISIE_API",
        "numeroFactureSaisi": d.numero[:20],
        # The document's own date may be years old; the portal refuses only a date in the future.
        "dateFacture": (date.today() - timedelta(days=1)).isoformat(),
        "destinataire": {"codeDestinataire": SIRET_ETAT, "codeServiceExecutant": "FACTURES_PUBLIQUES"},
        "cadreDeFacturation": {"codeCadreFacturation": "A1_FACTURE_FOURNISSEUR"},
        "references": {
            "deviseFacture": d.devise,
            "typeFacture": "AVOIR" if d.type_document == "381" else "FACTURE",
            "typeTva": TYPES_TVA[categorie],
            "motifExonerationTva": d.motif_exoneration or d.tva[0].motif_exoneration,
            "modePaiement": "VIREMENT",
            "numeroFactureOrigine": d.facture_origine,
        },
        "lignePoste": [
            {
                "lignePosteNumero": i,
                "lignePosteReference": ligne.reference,
                "lignePosteDenomination": ligne.denomination,
                "lignePosteQuantite": str(ligne.quantite),
                "lignePosteUnite": ligne.unite,
                # BT-146 applies to BT-149 units: soumettre's unit price is per unit.
                "lignePosteMontantUnitaireHT": str(ligne.prix_unitaire_ht / (ligne.quantite_base or 1)),
                "lignePosteMontantRemiseHT": str(ligne.remise_ht),
                "lignePosteTauxTvaManuel": str(ligne.taux_tva),
            }
            for i, ligne in enumerate(d.lignes, start=1)
        ],
        "montantTotal": {
            "montantHtTotal": str(d.totaux.total_ht),
            "montantTVA": str(d.totaux.total_tva),
            "montantTtcTotal": str(d.totaux.total_ttc),
            "montantAPayer": str(d.totaux.net_a_payer),
        },
    }
    return corps, d


def test_une_facture_d_un_autre_logiciel_est_acceptee_avec_ses_totaux(api, etat):
    (echantillon,) = echantillons(name="ubl-tc434-example8.xml")  # ten lines, prices per base quantity
    corps, d = _corps(echantillon)
    r = api.post("factures/v1/soumettre", corps)
    assert r.status_code == 200, r.content
    facture = Facture.objects.get(pk=r.json()["identifiantFactureCPP"])
    assert (facture.montant_ht, facture.montant_tva, facture.montant_ttc, facture.montant_a_payer) == (
        d.totaux.total_ht,
        d.totaux.total_tva,
        d.totaux.total_ttc,
        d.totaux.net_a_payer,
    )
    assert facture.lignes.count() == 10 and facture.mode_depot == "SAISIE_API"


def test_des_lignes_qui_ne_donnent_pas_les_totaux_declares_sont_refusees(api, etat):
    """This credit note's first line writes 5 × 4,10 = 20,48 (its net price is rounded): typed as lines, it gives
    218,50 HT where the document declares 218,48. soumettre computes from the lines, so it refuses, saying where;
    deposited as a file, the same document is accepted with its own totals (test_depot_externes)."""
    (echantillon,) = echantillons(name="Avoir_FR_type381_BASIC.pdf")
    corps, _d = _corps(echantillon)
    r = api.post("factures/v1/soumettre", corps)
    assert r.status_code == 400 and r.json()["codeRetour"] == 20003
    libelle = r.json()["libelle"]
    assert "Le montant HT déclaré (218,48) ne correspond pas au montant calculé des lignes (218,50)." in libelle
    assert not Facture.objects.exists()


def test_avoir_sans_facture_d_origine_refuse_en_francais(api, etat):
    (echantillon,) = echantillons(name="ubl-tc434-creditnote1.xml")
    corps, _d = _corps(echantillon)
    r = api.post("factures/v1/soumettre", corps)
    assert r.status_code == 400 and r.json()["codeRetour"] == 20003
    assert "Un avoir doit indiquer le numéro de la facture d'origine." in r.json()["libelle"]
    assert not Facture.objects.exists()
