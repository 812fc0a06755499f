"""Factur-X generation: the EN 16931 CII XML of an invoice (:func:`generer_cii`) and the readable PDF that embeds
it (:func:`generer_pdf_facturx`), for invoices entered on the portal (saisie).

Mapping of :class:`~facturation.donnees.DonneesFacture` onto the CII (D16B, Factur-X profile EN 16931):

* BT-1 numéro, BT-3 type (380 facture, 381 avoir, 386 acompte), BT-2 date d'émission, BT-22 commentaire (note);
* seller (BG-4) / buyer (BG-7): name, SIRET as ``SpecifiedLegalOrganization/ID schemeID="0009"`` (BT-30 / BT-47),
  postal address, VAT number as ``SpecifiedTaxRegistration/ID schemeID="VA"`` (BT-31 / BT-48);
* BT-10 buyer reference = the Chorus Pro code service (``destinataire.code_service``, else
  ``reference_acheteur``), BT-13 numéro d'engagement (``BuyerOrderReferencedDocument``), BT-12 numéro de marché
  (``ContractReferencedDocument``), BT-25 facture d'origine of an avoir (``InvoiceReferencedDocument``);
* BT-5 devise, BT-81 moyen de paiement with BT-84 IBAN and BT-86 BIC, BT-9 date d'échéance;
* lines (BG-25) with BT-136 line allowance when ``remise_ht > 0``; VAT breakdown (BG-23) with BT-120 exemption
  reason for categories that need one (E, AE, K, G, O); totals (BG-22).

Document-level allowances and charges (BT-107 / BT-108) need a VAT category each (BG-20 / BG-21), while
:class:`~facturation.donnees.Totaux` holds a single amount. They are split per VAT category (category + rate) as
follows: when the invoice carries a VAT breakdown, each category receives ``Σ lignes − base HT`` of its
breakdown line (what EN 16931 rules BR-S-08, BR-E-08... imply: base = lines − allowances + charges), provided
those differences add up to ``remises_document_ht − charges_document_ht`` and are all allowances (or all charges);
otherwise (no breakdown, or inconsistent differences) the amount is prorated on the categories' line totals,
rounded to the centime, the last category taking the remainder. One ``SpecifiedTradeAllowanceCharge`` is written
per category with a non-zero share.

When the invoice has no VAT breakdown (or no totals), they are computed from the lines. Amounts are written with
2 decimals, quantities and unit prices with up to 4 decimals, rates with 2 decimals. The header delivery element
is required by the XSD and stays empty (no delivery data in :class:`DonneesFacture`): the EN 16931 schematron
only warns about it (PEPPOL-EN16931-R008).
"""

import functools
import io
import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape  # nosec B406  # escapes the XML written; reading is xml_securise's

from lxml import etree

from chorus.money import arrondir, formater_montant
from facturation import bibliotheques
from facturation.donnees import Ajustement, DonneesFacture, Ligne, Partie
from facturation.enums import libelle_unite
from facturation.montants import (  # noqa: F401  (repartition_remises_charges: part of this module's API)
    CATEGORIES_SANS_TAUX,
    MOTIFS_EXONERATION_PAR_DEFAUT,
    montant_ligne,
    repartition_remises_charges,
    totaux_effectifs,
    ventilation_tva,
)
from facturation.pages_pdf import document_a4

if TYPE_CHECKING:
    from pypdf import PdfWriter
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"

NS_RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
NS_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
NS_QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NS_UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": NS_RSM, "qdt": NS_QDT, "ram": NS_RAM, "udt": NS_UDT}


# Chorus Pro's modePaiement words → UNTDID 4461 payment means codes (BT-81), for callers that pass the word.
CODES_MOYEN_PAIEMENT = {
    "VIREMENT": "30",
    "PRELEVEMENT": "49",
    "CHEQUE": "20",
    "ESPECE": "10",
    "AUTRE": "ZZZ",
    "REPORT": "97",
}

LIBELLES_MOYEN_PAIEMENT = {
    "10": "Espèces",
    "20": "Chèque",
    "30": "Virement",
    "42": "Virement sur compte bancaire",
    "49": "Prélèvement",
    "58": "Virement SEPA",
    "59": "Prélèvement SEPA",
    "97": "Report",
    "ZZZ": "Autre",
}

TYPES_DOCUMENT = {"380": "Facture", "381": "Avoir", "386": "Facture d'acompte", "384": "Facture rectificative"}


# --- Number formatting -------------------------------------------------------------------------------------------


def _montant(value) -> str:
    return f"{arrondir(value):.2f}"


def _decimales_variables(value, maximum: int = 4, minimum: int = 0) -> str:
    """``value`` rounded to ``maximum`` decimals, trailing zeros dropped down to ``minimum`` decimals."""
    quantum = Decimal(1).scaleb(-maximum)
    text = f"{Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        entier, decimales = text.split(".")
        decimales = decimales.rstrip("0").ljust(minimum, "0")
        text = f"{entier}.{decimales}" if decimales else entier
    elif minimum:
        text += "." + "0" * minimum
    return text


def _quantite(value) -> str:
    return _decimales_variables(value, maximum=4)


def _prix(value) -> str:
    return _decimales_variables(value, maximum=4, minimum=2)


def _taux(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"


# --- Amount computations shared by the XML and the PDF --------------------------------------------------------------


def code_moyen_paiement(mode: str) -> str:
    mode = (mode or "").strip()
    return CODES_MOYEN_PAIEMENT.get(mode.upper(), mode)


def code_service(donnees: DonneesFacture) -> str:
    """BT-10 as Chorus Pro uses it: the buyer's code service, else the given buyer reference."""
    return donnees.destinataire.code_service or donnees.reference_acheteur


# --- CII XML -----------------------------------------------------------------------------------------------------


def _el(parent, tag: str, text=None, **attrib):
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", {k: v for k, v in attrib.items()})
    if text is not None:
        element.text = str(text)
    return element


def _date_cii(parent, tag: str, valeur: date, conteneur: str = "udt:DateTimeString"):
    wrapper = _el(parent, tag)
    _el(wrapper, conteneur, valeur.strftime("%Y%m%d"), format="102")
    return wrapper


def _lignes_adresse(adresse: str) -> list[str]:
    lignes = [ligne.strip() for ligne in (adresse or "").splitlines() if ligne.strip()]
    if len(lignes) > 3:
        lignes = lignes[:2] + [", ".join(lignes[2:])]
    return lignes


# The Factur-X profiles the portal writes: EN 16931 when the invoice has lines; a deposited MINIMUM or BASIC WL
# (no lines: its PDF is the invoice) is written again at its own level, which the official rules of that level
# accept (a lineless invoice is not EN 16931: BR-16).
GUIDELINES = {
    "MINIMUM": "urn:factur-x.eu:1p0:minimum",
    "BASICWL": "urn:factur-x.eu:1p0:basicwl",
    "EN16931": GUIDELINE_EN16931,
}
NIVEAUX_FACTURX = {"MINIMUM": "minimum", "BASICWL": "basicwl", "EN16931": "en16931"}


def niveau(donnees: DonneesFacture) -> str:
    """EN16931 with lines; without lines, BASICWL when the VAT breakdown is known, else MINIMUM."""
    if donnees.lignes:
        return "EN16931"
    return "BASICWL" if donnees.tva else "MINIMUM"


def _partie(parent, tag: str, partie: Partie, *, minimum: bool = False, acheteur: bool = False):
    node = _el(parent, tag)
    _el(node, "ram:Name", partie.raison_sociale)
    if partie.siret:
        organisation = _el(node, "ram:SpecifiedLegalOrganization")
        _el(organisation, "ram:ID", partie.siret, schemeID="0009")
        if partie.nom_commercial and partie.nom_commercial != partie.raison_sociale and not minimum:
            _el(organisation, "ram:TradingBusinessName", partie.nom_commercial)
    if minimum and acheteur:
        return node
    adresse = _el(node, "ram:PostalTradeAddress")
    if not minimum:
        if partie.code_postal:
            _el(adresse, "ram:PostcodeCode", partie.code_postal)
        lignes_adresse = _lignes_adresse(partie.adresse)
        if partie.adresse_complement and len(lignes_adresse) < 3:
            lignes_adresse.append(partie.adresse_complement)
        for nom, texte in zip(
            ("ram:LineOne", "ram:LineTwo", "ram:LineThree")[: len(lignes_adresse)], lignes_adresse, strict=True
        ):
            _el(adresse, nom, texte)
        if partie.ville:
            _el(adresse, "ram:CityName", partie.ville)
    _el(adresse, "ram:CountryID", partie.code_pays or "FR")
    if partie.numero_tva:
        enregistrement = _el(node, "ram:SpecifiedTaxRegistration")
        _el(enregistrement, "ram:ID", partie.numero_tva, schemeID="VA")
    return node


def _taxe(parent, tag: str, categorie: str, taux):
    node = _el(parent, tag)
    _el(node, "ram:TypeCode", "VAT")
    _el(node, "ram:CategoryCode", categorie)
    if categorie not in CATEGORIES_SANS_TAUX:
        _el(node, "ram:RateApplicablePercent", _taux(taux))
    return node


def _remise_ou_charge(parent, ajustement: Ajustement, *, document: bool):
    node = _el(parent, "ram:SpecifiedTradeAllowanceCharge")
    indicateur = _el(node, "ram:ChargeIndicator")
    _el(indicateur, "udt:Indicator", "true" if ajustement.charge else "false")
    if ajustement.pourcentage is not None:
        _el(node, "ram:CalculationPercent", _decimales_variables(ajustement.pourcentage, 4, 0))
    if ajustement.base is not None:
        _el(node, "ram:BasisAmount", _montant(ajustement.base))
    _el(node, "ram:ActualAmount", _montant(ajustement.montant))
    if ajustement.code_motif:
        _el(node, "ram:ReasonCode", ajustement.code_motif)
    if ajustement.motif or not ajustement.code_motif:
        _el(node, "ram:Reason", ajustement.motif or ("Frais" if ajustement.charge else "Remise"))
    if document:
        _taxe(node, "ram:CategoryTradeTax", ajustement.categorie_tva or "S", ajustement.taux_tva or 0)
    return node


def _ligne(parent, index: int, ligne: Ligne):
    item = _el(parent, "ram:IncludedSupplyChainTradeLineItem")
    document = _el(item, "ram:AssociatedDocumentLineDocument")
    _el(document, "ram:LineID", ligne.numero or str(index))
    produit = _el(item, "ram:SpecifiedTradeProduct")
    if ligne.reference:
        _el(produit, "ram:SellerAssignedID", ligne.reference)
    _el(produit, "ram:Name", ligne.denomination or ligne.reference or "Article")
    accord = _el(item, "ram:SpecifiedLineTradeAgreement")
    prix = _el(accord, "ram:NetPriceProductTradePrice")
    _el(prix, "ram:ChargeAmount", _prix(ligne.prix_unitaire_ht))
    if ligne.quantite_base and ligne.quantite_base != 1:
        _el(prix, "ram:BasisQuantity", _quantite(ligne.quantite_base), unitCode=ligne.unite or "C62")
    livraison = _el(item, "ram:SpecifiedLineTradeDelivery")
    _el(livraison, "ram:BilledQuantity", _quantite(ligne.quantite), unitCode=ligne.unite or "C62")
    reglement = _el(item, "ram:SpecifiedLineTradeSettlement")
    _taxe(reglement, "ram:ApplicableTradeTax", ligne.categorie_tva, ligne.taux_tva)
    ajustements = ligne.ajustements
    if not ajustements:
        ajustements = [Ajustement(charge=False, montant=ligne.remise_ht)] if ligne.remise_ht > 0 else []
        if ligne.charges_ht > 0:
            ajustements.append(Ajustement(charge=True, montant=ligne.charges_ht))
    for ajustement in ajustements:
        _remise_ou_charge(reglement, ajustement, document=False)
    somme_ligne = _el(reglement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _el(somme_ligne, "ram:LineTotalAmount", _montant(montant_ligne(ligne)))


def _ajustements_document(donnees: DonneesFacture) -> list[Ajustement]:
    """The document's allowances and charges as stored; for data that only has their totals, one per VAT
    category (see the module docstring)."""
    if donnees.ajustements:
        return donnees.ajustements
    remises, charges = repartition_remises_charges(donnees)
    return [
        *(Ajustement(charge=False, montant=m, categorie_tva=c, taux_tva=t) for (c, t), m in remises.items()),
        *(Ajustement(charge=True, montant=m, categorie_tva=c, taux_tva=t) for (c, t), m in charges.items()),
    ]


def generer_cii(donnees: DonneesFacture) -> bytes:
    """The Factur-X CII XML of ``donnees`` (UTF-8 bytes with an XML declaration), at the level ``niveau`` gives.
    Every amount is written as stored, never recomputed when the data carry it. Passes the Factur-X XSD of its
    level; business rules are the validator's job. A missing date d'émission (draft) is written as today's date,
    since the XSD requires one."""
    devise = donnees.devise or "EUR"
    profil = niveau(donnees)
    minimum = profil == "MINIMUM"
    racine = etree.Element(f"{{{NS_RSM}}}CrossIndustryInvoice", nsmap=NSMAP)

    contexte = _el(racine, "rsm:ExchangedDocumentContext")
    if donnees.cadre:
        processus = _el(contexte, "ram:BusinessProcessSpecifiedDocumentContextParameter")
        _el(processus, "ram:ID", donnees.cadre)
    guideline = _el(contexte, "ram:GuidelineSpecifiedDocumentContextParameter")
    _el(guideline, "ram:ID", GUIDELINES[profil])

    document = _el(racine, "rsm:ExchangedDocument")
    _el(document, "ram:ID", donnees.numero)
    _el(document, "ram:TypeCode", donnees.type_document or "380")
    _date_cii(document, "ram:IssueDateTime", donnees.date_emission or date.today())
    if donnees.commentaire and not minimum:
        note = _el(document, "ram:IncludedNote")
        _el(note, "ram:Content", donnees.commentaire)

    transaction = _el(racine, "rsm:SupplyChainTradeTransaction")
    for index, ligne in enumerate(donnees.lignes, start=1):
        _ligne(transaction, index, ligne)

    accord = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    if code_service(donnees):
        _el(accord, "ram:BuyerReference", code_service(donnees))
    _partie(accord, "ram:SellerTradeParty", donnees.fournisseur, minimum=minimum)
    _partie(accord, "ram:BuyerTradeParty", donnees.destinataire, minimum=minimum, acheteur=True)
    if donnees.numero_engagement:
        commande = _el(accord, "ram:BuyerOrderReferencedDocument")
        _el(commande, "ram:IssuerAssignedID", donnees.numero_engagement)
    if donnees.numero_marche and not minimum:
        contrat = _el(accord, "ram:ContractReferencedDocument")
        _el(contrat, "ram:IssuerAssignedID", donnees.numero_marche)

    livraison = _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    lieu = donnees.livraison
    if not minimum and (lieu.raison_sociale or lieu.code_pays):
        partie = _el(livraison, "ram:ShipToTradeParty")
        if lieu.raison_sociale:
            _el(partie, "ram:Name", lieu.raison_sociale)
        if lieu.code_pays:
            adresse = _el(partie, "ram:PostalTradeAddress")
            if lieu.code_postal:
                _el(adresse, "ram:PostcodeCode", lieu.code_postal)
            if lieu.adresse:
                _el(adresse, "ram:LineOne", lieu.adresse)
            if lieu.ville:
                _el(adresse, "ram:CityName", lieu.ville)
            _el(adresse, "ram:CountryID", lieu.code_pays)
    if donnees.date_livraison and not minimum:
        evenement = _el(livraison, "ram:ActualDeliverySupplyChainEvent")
        _date_cii(evenement, "ram:OccurrenceDateTime", donnees.date_livraison)

    reglement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(reglement, "ram:InvoiceCurrencyCode", devise)
    if not minimum:
        _reglement_detaille(reglement, donnees, bic=profil == "EN16931")

    totaux = totaux_effectifs(donnees)
    sommes = _el(reglement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    if not minimum:
        _el(sommes, "ram:LineTotalAmount", _montant(totaux.total_lignes_ht))
        if totaux.charges_document_ht:
            _el(sommes, "ram:ChargeTotalAmount", _montant(totaux.charges_document_ht))
        if totaux.remises_document_ht:
            _el(sommes, "ram:AllowanceTotalAmount", _montant(totaux.remises_document_ht))
    _el(sommes, "ram:TaxBasisTotalAmount", _montant(totaux.total_ht))
    _el(sommes, "ram:TaxTotalAmount", _montant(totaux.total_tva), currencyID=devise)
    if totaux.arrondi and profil == "EN16931":  # BT-114 exists from the EN 16931 level on
        _el(sommes, "ram:RoundingAmount", _montant(totaux.arrondi))
    _el(sommes, "ram:GrandTotalAmount", _montant(totaux.total_ttc))
    if totaux.deja_paye and not minimum:
        _el(sommes, "ram:TotalPrepaidAmount", _montant(totaux.deja_paye))
    _el(sommes, "ram:DuePayableAmount", _montant(totaux.net_a_payer))
    precedentes = donnees.factures_precedentes or ([(donnees.facture_origine, None)] if donnees.facture_origine else [])
    if precedentes and not minimum:
        numero, date_precedente = precedentes[0]  # one in the EN 16931 CII (BG-3 is 0..1 there)
        origine = _el(reglement, "ram:InvoiceReferencedDocument")
        _el(origine, "ram:IssuerAssignedID", numero)
        if date_precedente:
            _date_cii(origine, "ram:FormattedIssueDateTime", date_precedente, "qdt:DateTimeString")

    return etree.tostring(racine, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _reglement_detaille(reglement, donnees: DonneesFacture, *, bic: bool) -> None:
    """Payment means, VAT breakdown, period, allowances and charges, payment terms (all but MINIMUM)."""
    code_paiement = code_moyen_paiement(donnees.mode_paiement) or ("30" if donnees.iban else "")
    if code_paiement:
        moyen = _el(reglement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _el(moyen, "ram:TypeCode", code_paiement)
        if donnees.iban:
            compte = _el(moyen, "ram:PayeePartyCreditorFinancialAccount")
            _el(compte, "ram:IBANID", donnees.iban.replace(" ", ""))
        if donnees.bic and bic:  # BT-86 exists from the EN 16931 level on
            banque = _el(moyen, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _el(banque, "ram:BICID", donnees.bic.replace(" ", ""))
    for ligne_tva in ventilation_tva(donnees):
        taxe = _el(reglement, "ram:ApplicableTradeTax")
        _el(taxe, "ram:CalculatedAmount", _montant(ligne_tva.montant_tva))
        _el(taxe, "ram:TypeCode", "VAT")
        if ligne_tva.motif_exoneration:
            _el(taxe, "ram:ExemptionReason", ligne_tva.motif_exoneration)
        _el(taxe, "ram:BasisAmount", _montant(ligne_tva.base_ht))
        _el(taxe, "ram:CategoryCode", ligne_tva.categorie)
        if ligne_tva.code_motif_exoneration:
            _el(taxe, "ram:ExemptionReasonCode", ligne_tva.code_motif_exoneration)
        if ligne_tva.categorie not in CATEGORIES_SANS_TAUX:
            _el(taxe, "ram:RateApplicablePercent", _taux(ligne_tva.taux))
    _dates(
        reglement,
        "ram:BillingSpecifiedPeriod",
        ("ram:StartDateTime", donnees.periode_debut),
        ("ram:EndDateTime", donnees.periode_fin),
    )
    for ajustement in _ajustements_document(donnees):
        _remise_ou_charge(reglement, ajustement, document=True)
    _dates(
        reglement,
        "ram:SpecifiedTradePaymentTerms",
        ("ram:DueDateDateTime", donnees.date_echeance),
        texte=("ram:Description", donnees.conditions_paiement),
    )


def _dates(parent, tag: str, *dates, texte=("", "")):
    """``tag`` with its optional text (first) then its dates, written only when one of them is known; XSD order:
    the description precedes the dates in every element this writes."""
    if not any(valeur for _nom, valeur in dates) and not texte[1]:
        return None
    node = _el(parent, tag)
    if texte[1]:
        _el(node, texte[0], texte[1])
    for nom, valeur in dates:
        if valeur:
            _date_cii(node, nom, valeur)
    return node


# --- Readable PDF ----------------------------------------------------------------------------------------------------

_POLICE = "ChorusVera"
_POLICE_GRAS = "ChorusVera-Gras"


def enregistrer_polices() -> tuple[str, str]:
    """Register (once) the Bitstream Vera fonts shipped with reportlab: embedded TrueType fonts, as PDF/A wants,
    covering French accents and the euro sign."""
    rl = bibliotheques.reportlab()
    if _POLICE not in rl.pdfmetrics.getRegisteredFontNames():
        rl.pdfmetrics.registerFont(rl.TTFont(_POLICE, "Vera.ttf"))
        rl.pdfmetrics.registerFont(rl.TTFont(_POLICE_GRAS, "VeraBd.ttf"))
        rl.pdfmetrics.registerFontFamily(_POLICE, normal=_POLICE, bold=_POLICE_GRAS)
    return _POLICE, _POLICE_GRAS


def affichage_montant(value, devise: str = "EUR") -> str:
    """``formater_montant`` with a plain no-break space for the thousands (the narrow one is not in the font)."""
    return formater_montant(value, devise).replace("\u202f", "\u00a0")


def affichage_date(valeur: date | None) -> str:
    return valeur.strftime("%d/%m/%Y") if valeur else ""


def affichage_taux(value) -> str:
    return _decimales_variables(value, maximum=2).replace(".", ",") + " %"


def affichage_quantite(value) -> str:
    return _quantite(value).replace(".", ",")


def _styles():
    rl = bibliotheques.reportlab()
    police, gras = enregistrer_polices()
    # reportlab's defaults (ParagraphStyle's bullet font, a Table cell's font) are Helvetica, a base-14 font that is
    # never embedded and so forbidden by PDF/A: every style derives from one that names the embedded fonts.
    base = rl.ParagraphStyle("base", fontName=police, bulletFontName=police, fontSize=9, leading=11.5)
    return {
        "normal": rl.ParagraphStyle("normal", parent=base),
        "petit": rl.ParagraphStyle("petit", parent=base, fontSize=8, leading=10),
        "droite": rl.ParagraphStyle("droite", parent=base, fontSize=8, leading=10, alignment=rl.TA_RIGHT),
        "titre": rl.ParagraphStyle("titre", parent=base, fontName=gras, fontSize=16, leading=20, spaceAfter=4),
        "sous_titre": rl.ParagraphStyle(
            "sous_titre", parent=base, fontName=gras, fontSize=10.5, leading=13, spaceBefore=6
        ),
        "police": police,
        "gras": gras,
        # Prepended to every TableStyle: a cell given a plain string would otherwise be drawn in Helvetica.
        "tableau": [("FONTNAME", (0, 0), (-1, -1), police)],
    }


@functools.cache
def _caracteres_des_polices() -> frozenset[int]:
    rl = bibliotheques.reportlab()
    police, gras = enregistrer_polices()
    return frozenset(rl.pdfmetrics.getFont(police).face.charToGlyph) & frozenset(
        rl.pdfmetrics.getFont(gras).face.charToGlyph
    )


def _affichable(texte: str) -> str:
    """The text with every character the Vera fonts lack replaced: reportlab would draw it with the .notdef glyph,
    which PDF/A forbids. Spaces become plain spaces, invisible format characters are dropped, compatibility forms
    become their decomposition (fullwidth Ａ → A) when the font has it, anything else a question mark. Only the
    readable copy changes: the embedded CII keeps the text as is."""
    couverts = _caracteres_des_polices()
    if all(ord(c) in couverts or c == "\n" for c in texte):
        return texte
    resultat = []
    for caractere in texte:
        if ord(caractere) in couverts or caractere == "\n":
            resultat.append(caractere)
        elif caractere.isspace():
            resultat.append(" ")
        elif unicodedata.category(caractere) == "Cf":
            continue  # invisible format characters (zero-width space...) pasted with the text
        else:
            decompose = unicodedata.normalize("NFKC", caractere)
            resultat.append(decompose if all(ord(c) in couverts for c in decompose) else "?")
    return "".join(resultat)


def _echapper(texte: str) -> str:
    """Text for a reportlab Paragraph: drawable by the embedded fonts, its markup characters escaped."""
    return escape(_affichable(texte))


def _p(texte: str, style) -> "Paragraph":
    rl = bibliotheques.reportlab()
    return rl.Paragraph(_echapper(texte).replace("\n", "<br/>"), style)


def _bloc_partie(titre: str, partie: Partie, styles, extra: list[tuple[str, str]]) -> list:
    rl = bibliotheques.reportlab()
    lignes = [f"<b>{_echapper(titre)}</b>", f"<b>{_echapper(partie.raison_sociale)}</b>"]
    lignes += [_echapper(ligne) for ligne in _lignes_adresse(partie.adresse)]
    lignes.append(_echapper(f"{partie.code_postal} {partie.ville}".strip()))
    if partie.code_pays and partie.code_pays != "FR":
        lignes.append(_echapper(partie.code_pays))
    lignes.append(f"SIRET : {_echapper(partie.siret)}")
    if partie.numero_tva:
        lignes.append(f"N° TVA : {_echapper(partie.numero_tva)}")
    lignes += [f"{_echapper(label)} : {_echapper(valeur)}" for label, valeur in extra if valeur]
    return [rl.Paragraph("<br/>".join(ligne for ligne in lignes if ligne), styles["normal"])]


def _document(tampon, donnees: DonneesFacture, type_libelle: str, styles) -> "SimpleDocTemplate":
    """The A4 page template with the PDF's metadata (title, author, subject, language)."""
    return document_a4(
        tampon,
        marge=15,
        titre=f"{type_libelle} n° {donnees.numero}",
        auteur=donnees.fournisseur.raison_sociale,
        subject=f"{type_libelle} n° {donnees.numero}",
        # The canvas selects its initial font (Helvetica by default) at the top of every page, which puts a
        # non-embedded font in the page resources even if no text uses it.
        initialFontName=styles["police"],
    )


def _en_tete(donnees: DonneesFacture, type_libelle: str, styles) -> list:
    """The header: title with the number, issue and due dates, the original invoice of an avoir."""
    rl = bibliotheques.reportlab()
    elements = [
        _p(f"{type_libelle} n° {donnees.numero}", styles["titre"]),
        _p(f"Date d'émission : {affichage_date(donnees.date_emission)}", styles["normal"]),
    ]
    if donnees.date_echeance:
        elements.append(_p(f"Date d'échéance : {affichage_date(donnees.date_echeance)}", styles["normal"]))
    if donnees.facture_origine:
        elements.append(_p(f"Facture d'origine : {donnees.facture_origine}", styles["normal"]))
    return elements + [rl.Spacer(1, 5 * rl.mm)]


def _references_destinataire(donnees: DonneesFacture) -> list[tuple[str, str]]:
    """The references printed under the buyer: code service, engagement and contract numbers."""
    return [
        ("Code service", code_service(donnees)),
        ("N° d'engagement", donnees.numero_engagement),
        ("N° de marché", donnees.numero_marche),
    ]


def _parties(donnees: DonneesFacture, styles) -> list:
    """The seller and buyer blocks side by side, the buyer's with its references."""
    rl = bibliotheques.reportlab()
    blocs = rl.Table(
        [
            [
                _bloc_partie("Fournisseur", donnees.fournisseur, styles, []),
                _bloc_partie("Destinataire", donnees.destinataire, styles, _references_destinataire(donnees)),
            ]
        ],
        colWidths=[90 * rl.mm, 90 * rl.mm],
    )
    blocs.setStyle(
        rl.TableStyle(
            styles["tableau"]
            + [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (0, 0), 0.5, rl.colors.grey),
                ("BOX", (1, 0), (1, 0), 0.5, rl.colors.grey),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [blocs, rl.Spacer(1, 6 * rl.mm)]


def _tableau_lignes(donnees: DonneesFacture, devise: str, styles) -> list:
    """The invoice lines table, its header row repeated on every page."""
    rl = bibliotheques.reportlab()
    entete = ["Référence", "Désignation", "Quantité", "Unité", "PU HT", "Remise HT", "Taux TVA", "Montant HT"]
    lignes = [[_p(t, styles["petit"]) for t in entete]]
    for ligne in donnees.lignes:
        lignes.append(
            [
                _p(ligne.reference, styles["petit"]),
                _p(ligne.denomination, styles["petit"]),
                _p(affichage_quantite(ligne.quantite), styles["droite"]),
                _p(libelle_unite(ligne.unite), styles["petit"]),
                _p(affichage_montant(ligne.prix_unitaire_ht, devise), styles["droite"]),
                _p(affichage_montant(ligne.remise_ht, devise) if ligne.remise_ht else "", styles["droite"]),
                _p(
                    affichage_taux(ligne.taux_tva) if ligne.categorie_tva not in CATEGORIES_SANS_TAUX else "—",
                    styles["droite"],
                ),
                _p(affichage_montant(montant_ligne(ligne), devise), styles["droite"]),
            ]
        )
    tableau = rl.Table(
        lignes,
        colWidths=[22 * rl.mm, 50 * rl.mm, 17 * rl.mm, 14 * rl.mm, 21 * rl.mm, 19 * rl.mm, 15 * rl.mm, 22 * rl.mm],
        repeatRows=1,
    )
    tableau.setStyle(
        rl.TableStyle(
            styles["tableau"]
            + [
                ("BACKGROUND", (0, 0), (-1, 0), rl.colors.HexColor("#e3e3fd")),
                ("GRID", (0, 0), (-1, -1), 0.4, rl.colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [tableau, rl.Spacer(1, 6 * rl.mm)]


def _style_synthese(styles) -> list:
    """The style shared by the VAT and totals tables: small font, grid, top-aligned."""
    rl = bibliotheques.reportlab()
    return styles["tableau"] + [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.4, rl.colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]


def _tableau_tva(donnees: DonneesFacture, devise: str, styles) -> "Table":
    """The VAT breakdown table: category, rate, base, amount and exemption reason."""
    rl = bibliotheques.reportlab()
    recap = [["Catégorie", "Taux TVA", "Base HT", "Montant TVA", "Motif d'exonération"]]
    for ligne_tva in ventilation_tva(donnees):
        recap.append(
            [
                ligne_tva.categorie,
                affichage_taux(ligne_tva.taux) if ligne_tva.categorie not in CATEGORIES_SANS_TAUX else "—",
                affichage_montant(ligne_tva.base_ht, devise),
                affichage_montant(ligne_tva.montant_tva, devise),
                _p(ligne_tva.motif_exoneration, styles["petit"]),
            ]
        )
    table_recap = rl.Table(recap, colWidths=[18 * rl.mm, 16 * rl.mm, 24 * rl.mm, 24 * rl.mm, 38 * rl.mm])
    table_recap.setStyle(
        rl.TableStyle(
            _style_synthese(styles)
            + [("FONTNAME", (0, 0), (-1, 0), styles["gras"]), ("ALIGN", (1, 1), (3, -1), "RIGHT")]
        )
    )
    return table_recap


def _tableau_totaux(donnees: DonneesFacture, devise: str, styles) -> "Table":
    """The totals table, from the lines' total to the amount due (in bold)."""
    rl = bibliotheques.reportlab()
    totaux = totaux_effectifs(donnees)
    montants = [["Total HT des lignes", affichage_montant(totaux.total_lignes_ht, devise)]]
    if totaux.remises_document_ht:
        montants.append(["Remises globales HT", affichage_montant(totaux.remises_document_ht, devise)])
    if totaux.charges_document_ht:
        montants.append(["Frais globaux HT", affichage_montant(totaux.charges_document_ht, devise)])
    montants += [
        ["Total HT", affichage_montant(totaux.total_ht, devise)],
        ["Total TVA", affichage_montant(totaux.total_tva, devise)],
        ["Total TTC", affichage_montant(totaux.total_ttc, devise)],
    ]
    if totaux.deja_paye:
        montants.append(["Déjà payé", affichage_montant(totaux.deja_paye, devise)])
    montants.append(["Net à payer", affichage_montant(totaux.net_a_payer, devise)])
    table_totaux = rl.Table(montants, colWidths=[32 * rl.mm, 28 * rl.mm])
    table_totaux.setStyle(
        rl.TableStyle(
            _style_synthese(styles)
            + [("ALIGN", (1, 0), (1, -1), "RIGHT"), ("FONTNAME", (0, -1), (-1, -1), styles["gras"])]
        )
    )
    return table_totaux


def _synthese(donnees: DonneesFacture, devise: str, styles) -> list:
    """The « Récapitulatif TVA et totaux » section: the VAT table beside the totals table."""
    rl = bibliotheques.reportlab()
    synthese = rl.Table(
        [[_tableau_tva(donnees, devise, styles), _tableau_totaux(donnees, devise, styles)]],
        colWidths=[120 * rl.mm, 60 * rl.mm],
    )
    synthese.setStyle(
        rl.TableStyle(styles["tableau"] + [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return [_p("Récapitulatif TVA et totaux", styles["sous_titre"]), synthese, rl.Spacer(1, 5 * rl.mm)]


def _paiement(donnees: DonneesFacture, styles) -> list:
    """The « Paiement » section (means, IBAN, BIC), absent when none is known."""
    paiement = []
    if donnees.mode_paiement:
        code = code_moyen_paiement(donnees.mode_paiement)
        paiement.append(f"Moyen de paiement : {LIBELLES_MOYEN_PAIEMENT.get(code, code)}")
    if donnees.iban:
        paiement.append(f"IBAN : {donnees.iban}")
    if donnees.bic:
        paiement.append(f"BIC : {donnees.bic}")
    if not paiement:
        return []
    return [_p("Paiement", styles["sous_titre"]), _p("\n".join(paiement), styles["normal"])]


def _commentaire(donnees: DonneesFacture, styles) -> list:
    """The « Commentaire » section, absent without a comment."""
    if not donnees.commentaire:
        return []
    return [_p("Commentaire", styles["sous_titre"]), _p(donnees.commentaire, styles["normal"])]


def _pdf_lisible(donnees: DonneesFacture) -> bytes:
    """The readable PDF of the invoice (before PDF/A-3 conformance), assembled from its sections."""
    styles = _styles()
    devise = donnees.devise or "EUR"
    tampon = io.BytesIO()
    type_libelle = TYPES_DOCUMENT.get(donnees.type_document, "Facture")
    doc = _document(tampon, donnees, type_libelle, styles)
    doc.build(
        _en_tete(donnees, type_libelle, styles)
        + _parties(donnees, styles)
        + _tableau_lignes(donnees, devise, styles)
        + _synthese(donnees, devise, styles)
        + _paiement(donnees, styles)
        + _commentaire(donnees, styles)
    )
    return tampon.getvalue()


# --- PDF/A-3 ----------------------------------------------------------------------------------------------------

_NS_XMP = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}
# The condition named in the output intent: the ICC registry's name for the colour space the profile describes.
_CONDITION_SRGB = "sRGB IEC61966-2.1"


@functools.cache
def profil_icc_srgb() -> bytes:
    """An sRGB ICC profile (version 4, display class) built by the lcms2 library that Pillow ships, so that no
    profile has to be downloaded or vendored. Pillow comes with reportlab."""
    image_cms = bibliotheques.imagecms()
    return image_cms.ImageCmsProfile(image_cms.createProfile("sRGB")).tobytes()


def _ajouter_output_intent(writer: "PdfWriter") -> None:
    """PDF/A forbids device-dependent colours (reportlab draws in DeviceRGB, grey lines may be DeviceGray) unless the
    catalog carries a PDF/A output intent that gives them a meaning: here sRGB."""
    g = bibliotheques.pypdf().generic
    NameObject = g.NameObject
    profil = g.DecodedStreamObject()
    profil.set_data(profil_icc_srgb())
    profil = profil.flate_encode()
    profil[NameObject("/N")] = g.NumberObject(3)
    intention = g.DictionaryObject(
        {
            NameObject("/Type"): NameObject("/OutputIntent"),
            NameObject("/S"): NameObject("/GTS_PDFA1"),
            NameObject("/OutputConditionIdentifier"): g.TextStringObject(_CONDITION_SRGB),
            NameObject("/RegistryName"): g.TextStringObject("http://www.color.org"),
            NameObject("/Info"): g.TextStringObject(_CONDITION_SRGB),
            NameObject("/DestOutputProfile"): writer._add_object(profil),
        }
    )
    writer.root_object[NameObject("/OutputIntents")] = g.ArrayObject([writer._add_object(intention)])


def _date_pdf(date_xmp: str) -> str:
    """``2024-03-15T10:20:30+00:00`` → ``D:20240315102030+00'00'``: the Info dictionary must give the same instants
    as the XMP."""
    instant = datetime.fromisoformat(date_xmp)
    decalage = instant.strftime("%z") or "+0000"
    return instant.strftime("D:%Y%m%d%H%M%S") + f"{decalage[:3]}'{decalage[3:]}'"


def _accorder_xmp_et_info(writer: "PdfWriter", mots_cles: str) -> None:
    """PDF/A wants each entry of the Info dictionary to have its XMP twin with the same value. The ``factur-x``
    package writes ``pdf:Producer`` « pypdf » while reportlab's Info says ReportLab, puts /Keywords in the Info only,
    stamps both with two separate clock readings, and reportlab adds /Trapped: the XMP is completed and the Info
    dictionary rewritten from it. Every rdf:Description also gets its (empty) rdf:about, which XMP requires."""
    rdf = f"{{{_NS_XMP['rdf']}}}"
    paquet = writer.root_object["/Metadata"].get_object().get_data()
    xmp = etree.fromstring(paquet, etree.XMLParser(remove_blank_text=False, resolve_entities=False, no_network=True))
    for description in xmp.iterfind("rdf:RDF/rdf:Description", _NS_XMP):
        if description.get(f"{rdf}about") is None:
            description.set(f"{rdf}about", "")
    producteur = xmp.find("rdf:RDF/rdf:Description/pdf:Producer", _NS_XMP)
    if mots_cles and xmp.find("rdf:RDF/rdf:Description/pdf:Keywords", _NS_XMP) is None:
        element = etree.Element(f"{{{_NS_XMP['pdf']}}}Keywords")
        element.text = mots_cles
        element.tail, producteur.tail = producteur.tail, "\n" + " " * 6
        producteur.addnext(element)
    info = {cle: valeur for cle, valeur in (writer.metadata or {}).items() if cle not in ("/Trapped", "/Keywords")}
    info["/Producer"] = producteur.text
    info["/CreationDate"] = _date_pdf(xmp.findtext("rdf:RDF/rdf:Description/xmp:CreateDate", namespaces=_NS_XMP))
    info["/ModDate"] = _date_pdf(xmp.findtext("rdf:RDF/rdf:Description/xmp:ModifyDate", namespaces=_NS_XMP))
    if mots_cles:
        info["/Keywords"] = mots_cles
    writer.metadata = info
    # Serialising the tree (not the root) keeps the <?xpacket?> processing instructions around the metadata.
    writer.xmp_metadata = etree.tostring(xmp.getroottree(), encoding="utf-8", xml_declaration=False)


def _conformer_pdfa3(pdf: bytes, mots_cles: str) -> bytes:
    """Completes what the ``factur-x`` package leaves out of PDF/A-3B: the sRGB output intent and metadata whose
    Info dictionary and XMP agree. The fonts are already embedded by ``_pdf_lisible``. The XMP stream stays
    uncompressed (a PAdES signature can still be added) and the embedded ``factur-x.xml`` is copied as it is."""
    writer = bibliotheques.pypdf().PdfWriter(clone_from=io.BytesIO(pdf))
    # PDF/A-3 is built on ISO 32000-1, i.e. PDF 1.7 (the /AF associated files it uses do not exist before).
    writer.pdf_header = "%PDF-1.7"
    _ajouter_output_intent(writer)
    _accorder_xmp_et_info(writer, mots_cles)
    sortie = io.BytesIO()
    writer.write(sortie)
    return sortie.getvalue()


def generer_pdf_facturx(donnees: DonneesFacture) -> bytes:
    """A readable A4 PDF/A-3B of the invoice with its CII embedded as Factur-X EN 16931 (``factur-x.xml``, embedded
    by the ``factur-x`` package, which also writes the XMP; ``_conformer_pdfa3`` adds what PDF/A still lacks). The
    XMP metadata is left uncompressed so that the supplier can still add a PAdES signature to the file."""
    xml = generer_cii(donnees)
    type_libelle = TYPES_DOCUMENT.get(donnees.type_document, "Facture")
    metadonnees = {
        "author": donnees.fournisseur.raison_sociale or "Chorus Pro",
        "keywords": "Factur-X, Facture",
        "title": f"{donnees.fournisseur.raison_sociale} : {type_libelle} {donnees.numero}",
        "subject": f"Factur-X {type_libelle.lower()} {donnees.numero} du {affichage_date(donnees.date_emission)} "
        f"émise par {donnees.fournisseur.raison_sociale}",
    }
    pdf = bibliotheques.facturx().generate_from_binary(
        _pdf_lisible(donnees),
        xml,
        flavor="factur-x",
        level=NIVEAUX_FACTURX[niveau(donnees)],
        check_xsd=True,
        pdf_metadata=metadonnees,
        lang="fr-FR",
        xmp_compression=False,
    )
    return _conformer_pdfa3(pdf, metadonnees["keywords"])
