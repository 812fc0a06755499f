"""Reading CII and UBL invoices into DonneesFacture: every mapped business term, exact Decimals and dates."""

from datetime import date
from decimal import Decimal as D

import pytest

from facturation.donnees import DonneesFacture, Ligne, LigneTva, Partie, Totaux
from facturation.lecture_xml import (
    MESSAGE_SYNTAXE_INCONNUE,
    lire_ajustements,
    lire_cii,
    lire_ubl,
    lire_xml,
)
from facturation.xml_securise import CII, UBL_CREDITNOTE, UBL_INVOICE, XmlInvalide, parser
from tests.facturation.xml_exemples import lire


def facture_attendue() -> DonneesFacture:
    return DonneesFacture(
        numero="FAC-2026-0117",
        date_emission=date(2026, 3, 16),
        type_document="380",
        devise="EUR",
        date_echeance=date(2026, 4, 15),
        reference_acheteur="DRFIP_IDF",
        numero_engagement="EJ-2026-0042",
        numero_marche="MARCHE-2025-118",
        facture_origine="",
        mode_paiement="30",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        commentaire=(
            "Facture émise au titre du marché MARCHE-2025-118. Pénalités de retard : trois fois le taux "
            "d'intérêt légal.\nIndemnité forfaitaire pour frais de recouvrement : 40 EUR."
        ),
        motif_exoneration="",
        fournisseur=Partie(
            raison_sociale="Société Exemple Informatique SAS",
            siret="40483304800014",
            numero_tva="FR83404833048",
            adresse="25 avenue de l'Opéra",
            code_postal="75001",
            ville="Paris",
            code_pays="FR",
            code_service="",
        ),
        destinataire=Partie(
            raison_sociale="État - Direction régionale des finances publiques d'Île-de-France",
            siret="11000201100044",
            numero_tva="",
            adresse="94 rue Réaumur",
            code_postal="75002",
            ville="Paris",
            code_pays="FR",
            code_service="DRFIP_IDF",
        ),
        lignes=[
            Ligne(
                "1",
                "CONS-ARCHI",
                "Prestation de conseil en architecture SI",
                D("10"),
                "DAY",
                D("450.00"),
                D("0"),
                D("20.00"),
                "S",
                D("4500.00"),
            ),
            Ligne(
                "2",
                "LIC-CHORUS",
                "Licence logicielle annuelle - module Chorus",
                D("2"),
                "C62",
                D("1200.00"),
                D("100.00"),
                D("20.00"),
                "S",
                D("2300.00"),
            ),
            Ligne(
                "3",
                "REVUE-PRO",
                "Abonnement revues professionnelles",
                D("15"),
                "C62",
                D("32.40"),
                D("0"),
                D("5.50"),
                "S",
                D("486.00"),
            ),
        ],
        tva=[
            LigneTva("S", D("20.00"), D("6800.00"), D("1360.00")),
            LigneTva("S", D("5.50"), D("486.00"), D("26.73")),
        ],
        totaux=Totaux(
            total_lignes_ht=D("7286.00"),
            remises_document_ht=D("0"),
            charges_document_ht=D("0"),
            total_ht=D("7286.00"),
            total_tva=D("1386.73"),
            total_ttc=D("8672.73"),
            deja_paye=D("0"),
            net_a_payer=D("8672.73"),
        ),
    )


def _attendue_complete() -> DonneesFacture:
    """``facture_attendue`` with the terms the reader learnt since: payment terms, delivery date and the line
    allowance as written (BG-27)."""
    from facturation.donnees import Ajustement

    attendue = facture_attendue()
    attendue.conditions_paiement = "Paiement à 30 jours date de facture"  # BT-20
    attendue.date_livraison = date(2026, 3, 13)  # BT-72
    attendue.lignes[1].ajustements = [
        Ajustement(charge=False, montant=D("100.00"), motif="Remise commerciale", code_motif="95")
    ]
    return attendue


def _sans_brut(donnees: DonneesFacture) -> DonneesFacture:
    """Without what each syntax writes its own way (identifiers as listed, BT-23/BT-24 values)."""
    donnees.fournisseur.identifiants = donnees.destinataire.identifiants = []
    donnees.profil = donnees.cadre = ""
    return donnees


def test_cii_tous_les_champs():
    syntaxe, donnees = lire_xml(lire("facture_cii_valide.xml"))
    assert syntaxe == CII
    assert ("40483304800014", "0009") in donnees.fournisseur.identifiants
    assert _sans_brut(donnees) == _attendue_complete()
    assert donnees.champs_a_verifier == set()


def test_ubl_tous_les_champs():
    syntaxe, donnees = lire_xml(lire("facture_ubl_valide.xml"))
    assert syntaxe == UBL_INVOICE
    assert donnees.profil.startswith("urn:cen.eu:en16931:2017")
    assert _sans_brut(donnees) == _attendue_complete()


def test_cii_et_ubl_donnent_les_memes_donnees():
    assert _sans_brut(lire_cii(parser(lire("facture_cii_valide.xml")))) == _sans_brut(
        lire_ubl(parser(lire("facture_ubl_valide.xml")))
    )


def test_montants_decimaux_exacts():
    _, donnees = lire_xml(lire("facture_cii_valide.xml"))
    ligne = donnees.lignes[2]
    assert isinstance(ligne.prix_unitaire_ht, D)
    assert str(ligne.prix_unitaire_ht) == "32.40"
    assert str(ligne.taux_tva) == "5.50"
    assert str(donnees.tva[1].montant_tva) == "26.73"
    assert str(donnees.totaux.total_ttc) == "8672.73"
    assert sum(lg.montant_ht for lg in donnees.lignes) == donnees.totaux.total_lignes_ht


def test_champs_chorus():
    _, donnees = lire_xml(lire("facture_ubl_valide.xml"))
    assert donnees.destinataire.code_service == donnees.reference_acheteur == "DRFIP_IDF"  # BT-10
    assert donnees.numero_engagement == "EJ-2026-0042"  # BT-13
    assert donnees.fournisseur.siret == "40483304800014"
    assert donnees.destinataire.siret == "11000201100044"


def test_avoir_ubl():
    syntaxe, donnees = lire_xml(lire("avoir_ubl_valide.xml"))
    assert syntaxe == UBL_CREDITNOTE
    assert donnees.numero == "AV-2026-0009"
    assert donnees.type_document == "381"
    assert donnees.date_emission == date(2026, 3, 30)
    assert donnees.date_echeance == date(2026, 4, 29)  # PaymentMeans/PaymentDueDate for a CreditNote
    assert donnees.facture_origine == "FAC-2026-0117"  # BT-25
    assert donnees.numero_engagement == "EJ-2026-0042"
    assert donnees.destinataire.code_service == "DRFIP_IDF"
    assert [(lg.numero, lg.quantite, lg.unite, lg.montant_ht) for lg in donnees.lignes] == [
        ("1", D("2"), "DAY", D("900.00")),
        ("2", D("5"), "C62", D("162.00")),
    ]
    assert donnees.tva == [
        LigneTva("S", D("20.00"), D("900.00"), D("180.00")),
        LigneTva("S", D("5.50"), D("162.00"), D("8.91")),
    ]
    assert donnees.totaux == Totaux(
        total_lignes_ht=D("1062.00"),
        total_ht=D("1062.00"),
        total_tva=D("188.91"),
        total_ttc=D("1250.91"),
        net_a_payer=D("1250.91"),
    )


def test_siren_lu_comme_siren():
    """A SIREN (scheme 0002) is kept as such: the deposit pipeline routes on it (the unique public structure of
    that SIREN, or the seller's check against the depositing structure's SIRET)."""
    contenu = lire("facture_ubl_valide.xml").replace(b'schemeID="0009">40483304800014', b'schemeID="0002">404833048')
    _, donnees = lire_xml(contenu)
    assert donnees.fournisseur.siret == "" and donnees.fournisseur.siren == "404833048"
    assert ("404833048", "0002") in donnees.fournisseur.identifiants
    assert donnees.destinataire.siret == "11000201100044"


def test_siret_du_global_id_cii():
    contenu = lire("facture_cii_valide.xml").replace(
        b'<ram:ID schemeID="0009">40483304800014</ram:ID></ram:SpecifiedLegalOrganization>',
        b'<ram:ID schemeID="0002">404833048</ram:ID></ram:SpecifiedLegalOrganization>',
    )
    _, donnees = lire_xml(contenu)
    assert donnees.fournisseur.siret == "40483304800014"  # GlobalID scheme 0009 preferred to a SIREN
    assert donnees.champs_a_verifier == set()


def test_montant_illisible():
    contenu = lire("facture_cii_valide.xml").replace(b"<ram:GrandTotalAmount>8672.73", b"<ram:GrandTotalAmount>huit")
    with pytest.raises(XmlInvalide, match="BT-112"):
        lire_xml(contenu)


def test_syntaxe_inconnue():
    with pytest.raises(XmlInvalide) as exc:
        lire_xml(b"<facture/>")
    assert str(exc.value) == MESSAGE_SYNTAXE_INCONNUE


def test_ajustements_document():
    assert lire_ajustements(parser(lire("facture_cii_valide.xml"))).remises == []
    contenu = lire("facture_ubl_valide.xml").replace(
        b" <cac:TaxTotal>",
        b""" <cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>
  <cbc:AllowanceChargeReason>Remise</cbc:AllowanceChargeReason><cbc:Amount currencyID="EUR">50.00</cbc:Amount>
  <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20.00</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
  </cac:TaxCategory></cac:AllowanceCharge>
 <cac:TaxTotal>""",
        1,
    )
    ajustements = lire_ajustements(parser(contenu))
    assert [(a.montant, a.categorie, a.taux) for a in ajustements.remises] == [(D("50.00"), "S", D("20.00"))]
    assert ajustements.charges == []
