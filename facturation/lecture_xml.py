"""Reading an EN 16931 invoice (CII / Factur-X or UBL 2.1 Invoice and CreditNote) into ``DonneesFacture``.

Only the business terms that ``DonneesFacture`` carries are read (each mapping names its BT). Amounts become
``Decimal`` exactly as written, dates ``date`` (CII format 102 ``YYYYMMDD``, UBL ISO ``YYYY-MM-DD``). A value that
was read but needs the user's confirmation (a SIREN where a SIRET was expected, an unreadable date...) is listed
in ``champs_a_verifier``. The document must have been parsed by ``facturation.xml_securise.parser``.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from facturation.donnees import Ajustement as AjustementDonnees
from facturation.donnees import DonneesFacture, Ligne, LigneTva, Partie, Totaux
from facturation.xml_securise import CII, UBL_CREDITNOTE, UBL_INVOICE, XmlInvalide, detecter_syntaxe, parser

NS_CII = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
NS_UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

SCHEME_SIRET = "0009"
SCHEME_SIREN = "0002"
ZERO = Decimal("0")

MESSAGE_SYNTAXE_INCONNUE = "Ce fichier XML n'est ni une facture UBL 2.1 ni une facture CII (UN/CEFACT)."


@dataclass
class Ajustement:
    """A document level allowance (BG-20) or charge (BG-21)."""

    montant: Decimal  # BT-92 / BT-99
    categorie: str  # BT-95 / BT-102
    taux: Decimal  # BT-96 / BT-103


@dataclass
class AjustementsDocument:
    """Document level amounts that ``DonneesFacture`` does not carry one by one (used to recompute totals)."""

    remises: list[Ajustement] = field(default_factory=list)
    charges: list[Ajustement] = field(default_factory=list)
    arrondi: Decimal = ZERO  # BT-114


# --- helpers -------------------------------------------------------------------------------------------------


def _texte(element) -> str:
    if element is None or element.text is None:
        return ""
    return " ".join(element.text.split())


def _t(parent, chemin: str, ns: dict) -> str:
    if parent is None:
        return ""
    return _texte(parent.find(chemin, ns))


def _decimal(texte: str, terme: str, defaut: Decimal | None = ZERO) -> Decimal | None:
    if not texte:
        return defaut
    try:
        valeur = Decimal(texte.strip())
    except InvalidOperation as exc:
        raise XmlInvalide(f"La valeur « {texte} » du terme {terme} n'est pas un nombre valide.") from exc
    if not valeur.is_finite():
        raise XmlInvalide(f"La valeur « {texte} » du terme {terme} n'est pas un nombre valide.")
    return valeur


def _date_iso(texte: str) -> date | None:
    if not texte:
        return None
    try:
        return date.fromisoformat(texte[:10])
    except ValueError:
        return None


def _date_cii(element) -> date | None:
    """``udt:DateTimeString`` (format 102 = ``YYYYMMDD``; ISO accepted as a courtesy)."""
    texte = _texte(element)
    if not texte:
        return None
    format_ = element.get("format", "102")
    if format_ == "102" and re.fullmatch(r"\d{8}", texte):
        try:
            return date(int(texte[:4]), int(texte[4:6]), int(texte[6:8]))
        except ValueError:
            return None
    return _date_iso(texte)


def _choisir_siret(candidats: list[tuple[str, str]]) -> tuple[str, bool]:
    """Pick the SIRET among (identifier, scheme) candidates, in order of preference. Returns (value, to_check):
    scheme 0009 (SIRET) first, then a 14-digit identifier without scheme, then a SIREN (scheme 0002), which is
    kept but marked « à vérifier » since a SIRET has 14 digits."""
    for valeur, scheme in candidats:
        if valeur and scheme == SCHEME_SIRET:
            return valeur.replace(" ", ""), False
    for valeur, scheme in candidats:
        compact = valeur.replace(" ", "")
        if compact and not scheme and re.fullmatch(r"\d{14}", compact):
            return compact, False
    for valeur, scheme in candidats:
        if valeur and scheme == SCHEME_SIREN:
            return valeur.replace(" ", ""), True
    return "", False


def _identifiants(partie: Partie, candidats: list[tuple[str, str]]) -> None:
    """Every identifier as written; the SIRET (scheme 0009, or 14 digits without scheme) and, failing it, the
    SIREN (scheme 0002, or 9 digits without scheme) that Chorus Pro routes on."""
    partie.identifiants = list(dict.fromkeys((valeur, scheme) for valeur, scheme in candidats if valeur))
    siret, est_siren = _choisir_siret(candidats)
    if est_siren:
        partie.siren = siret
    else:
        partie.siret = siret
    if not partie.siret and not partie.siren:
        for valeur, scheme in candidats:
            compact = valeur.replace(" ", "")
            if not scheme and re.fullmatch(r"\d{9}", compact):
                partie.siren = compact
                break


# Where each syntax writes an allowance or a charge (BG-20/21 on the document, BG-27/28 on a line).
CHEMINS_AJUSTEMENT = {
    CII: {
        "ns": NS_CII,
        "indicateur": "ram:ChargeIndicator/udt:Indicator",
        "montant": "ram:ActualAmount",
        "base": "ram:BasisAmount",
        "pourcentage": "ram:CalculationPercent",
        "motif": "ram:Reason",
        "code": "ram:ReasonCode",
        "categorie": "ram:CategoryTradeTax/ram:CategoryCode",
        "taux": "ram:CategoryTradeTax/ram:RateApplicablePercent",
    },
    UBL_INVOICE: {
        "ns": NS_UBL,
        "indicateur": "cbc:ChargeIndicator",
        "montant": "cbc:Amount",
        "base": "cbc:BaseAmount",
        "pourcentage": "cbc:MultiplierFactorNumeric",
        "motif": "cbc:AllowanceChargeReason",
        "code": "cbc:AllowanceChargeReasonCode",
        "categorie": "cac:TaxCategory/cbc:ID",
        "taux": "cac:TaxCategory/cbc:Percent",
    },
}


def _ajustement(element, syntaxe: str, *, document: bool) -> AjustementDonnees:
    chemins = CHEMINS_AJUSTEMENT[syntaxe]
    ns = chemins["ns"]
    charge = _t(element, chemins["indicateur"], ns).lower() in ("true", "1")
    termes = ("BT-99", "BT-100", "BT-101", "BT-103") if charge else ("BT-92", "BT-93", "BT-94", "BT-96")
    if not document:
        termes = ("BT-141", "BT-142", "BT-143", "") if charge else ("BT-136", "BT-137", "BT-138", "")
    return AjustementDonnees(
        charge=charge,
        montant=_decimal(_t(element, chemins["montant"], ns), termes[0]),
        base=_decimal(_t(element, chemins["base"], ns), termes[1], None),
        pourcentage=_decimal(_t(element, chemins["pourcentage"], ns), termes[2], None),
        motif=_t(element, chemins["motif"], ns),
        code_motif=_t(element, chemins["code"], ns),
        categorie_tva=_t(element, chemins["categorie"], ns) if document else "",
        taux_tva=_decimal(_t(element, chemins["taux"], ns), termes[3], None) if document else None,
    )


def _ajouter_notes(notes: list[str]) -> str:
    propres = []
    for note in notes:
        note = re.sub(r"^#[A-Z]{3}#", "", note)  # UBL subject code prefix (#PMT#...)
        if note:
            propres.append(note)
    return "\n".join(propres)


# --- Both syntaxes --------------------------------------------------------------------------------------------

# A party's postal address (BG-5 / BG-8), the path of each term in either syntax: BT-35 / BT-50 (the line), BT-36 /
# BT-162 (the further lines, joined), BT-38 / BT-53 (postcode), BT-37 / BT-52 (city), BT-40 / BT-55 (country).
_ADRESSE_CII = ("ram:LineOne", ("ram:LineTwo", "ram:LineThree"), "ram:PostcodeCode", "ram:CityName", "ram:CountryID")
_ADRESSE_UBL = (
    "cbc:StreetName",
    ("cbc:AdditionalStreetName", "cac:AddressLine/cbc:Line"),
    "cbc:PostalZone",
    "cbc:CityName",
    "cac:Country/cbc:IdentificationCode",
)


def _lire_adresse(partie: Partie, adresse, chemins: tuple, ns: dict, role: str, donnees: DonneesFacture) -> None:
    """The party's address read from ``adresse`` (its element, or None) by the syntax's ``chemins``; a missing
    country leaves the default one and is to be checked by the user."""
    ligne, complements, code_postal, ville, chemin_pays = chemins
    pays = ""
    if adresse is not None:
        partie.adresse = _t(adresse, ligne, ns)
        partie.adresse_complement = " ".join(filter(None, (_t(adresse, c, ns) for c in complements)))
        partie.code_postal = _t(adresse, code_postal, ns)
        partie.ville = _t(adresse, ville, ns)
        pays = _t(adresse, chemin_pays, ns)
    if pays:
        partie.code_pays = pays
    else:
        donnees.champs_a_verifier.add(f"{role}.code_pays")


# The document totals (BG-22): (``Totaux`` field, business term, its path in CII, in UBL). BT-110 is read apart by
# each syntax: the VAT total in the document's currency, among several.
_TOTAUX = (
    ("total_lignes_ht", "BT-106", "ram:LineTotalAmount", "cbc:LineExtensionAmount"),
    ("remises_document_ht", "BT-107", "ram:AllowanceTotalAmount", "cbc:AllowanceTotalAmount"),
    ("charges_document_ht", "BT-108", "ram:ChargeTotalAmount", "cbc:ChargeTotalAmount"),
    ("total_ht", "BT-109", "ram:TaxBasisTotalAmount", "cbc:TaxExclusiveAmount"),
    ("total_tva", "BT-110", None, None),
    ("total_ttc", "BT-112", "ram:GrandTotalAmount", "cbc:TaxInclusiveAmount"),
    ("deja_paye", "BT-113", "ram:TotalPrepaidAmount", "cbc:PrepaidAmount"),
    ("arrondi", "BT-114", "ram:RoundingAmount", "cbc:PayableRoundingAmount"),
    ("net_a_payer", "BT-115", "ram:DuePayableAmount", "cbc:PayableAmount"),
)


def _lire_totaux(element, ns: dict, *, total_tva: str) -> Totaux:
    """The totals read from ``element`` in the order of their terms (the first invalid amount is the one
    reported)."""
    cii = ns is NS_CII
    valeurs = {}
    for champ, terme, chemin_cii, chemin_ubl in _TOTAUX:
        texte = total_tva if champ == "total_tva" else _t(element, chemin_cii if cii else chemin_ubl, ns)
        valeurs[champ] = _decimal(texte, terme)
    return Totaux(**valeurs)


# A document-level allowance (BG-20) or charge (BG-21), the path of each term in either syntax: the charge
# indicator, the amount (BT-92 / BT-99), the VAT category (BT-95 / BT-102) and rate (BT-96 / BT-103).
_AJUSTEMENT_CII = (
    "ram:ChargeIndicator/udt:Indicator",
    "ram:ActualAmount",
    "ram:CategoryTradeTax/ram:CategoryCode",
    "ram:CategoryTradeTax/ram:RateApplicablePercent",
)
_AJUSTEMENT_UBL = ("cbc:ChargeIndicator", "cbc:Amount", "cac:TaxCategory/cbc:ID", "cac:TaxCategory/cbc:Percent")


def _ajouter_ajustement(resultat: AjustementsDocument, element, chemins: tuple, ns: dict) -> None:
    indicateur, montant, categorie, taux = chemins
    est_charge = _t(element, indicateur, ns).lower() in ("true", "1")
    ajustement = Ajustement(
        montant=_decimal(_t(element, montant, ns), "BT-99" if est_charge else "BT-92"),
        categorie=_t(element, categorie, ns),
        taux=_decimal(_t(element, taux, ns), "BT-96"),
    )
    (resultat.charges if est_charge else resultat.remises).append(ajustement)


# A line of the VAT breakdown (BG-23), the path of each term in either syntax: under the VAT category, BT-118 (code),
# BT-119 (rate), BT-120 and BT-121 (exemption reason and its code); under the breakdown line, BT-116 (taxable
# amount) and BT-117 (VAT amount). CII writes them all in one element.
_LIGNE_TVA_CII = (
    "ram:CategoryCode",
    "ram:RateApplicablePercent",
    "ram:ExemptionReason",
    "ram:ExemptionReasonCode",
    "ram:BasisAmount",
    "ram:CalculatedAmount",
)
_LIGNE_TVA_UBL = (
    "cbc:ID",
    "cbc:Percent",
    "cbc:TaxExemptionReason",
    "cbc:TaxExemptionReasonCode",
    "cbc:TaxableAmount",
    "cbc:TaxAmount",
)


def _ligne_tva(categorie, sous_total, chemins: tuple, ns: dict) -> LigneTva:
    code, taux, motif, code_motif, base, montant = chemins
    return LigneTva(
        categorie=_t(categorie, code, ns),
        taux=_decimal(_t(categorie, taux, ns), "BT-119"),
        base_ht=_decimal(_t(sous_total, base, ns), "BT-116"),
        montant_tva=_decimal(_t(sous_total, montant, ns), "BT-117"),
        motif_exoneration=_t(categorie, motif, ns),
        code_motif_exoneration=_t(categorie, code_motif, ns),
    )


# --- CII -----------------------------------------------------------------------------------------------------


def _partie_cii(element, role: str, donnees: DonneesFacture) -> Partie:
    ns = NS_CII
    partie = Partie()
    if element is None:
        return partie
    partie.raison_sociale = _t(element, "ram:Name", ns)  # BT-27 / BT-44
    candidats = [
        (_texte(e), e.get("schemeID", "")) for e in element.findall("ram:SpecifiedLegalOrganization/ram:ID", ns)
    ]
    candidats += [(_texte(e), e.get("schemeID", "")) for e in element.findall("ram:GlobalID", ns)]
    candidats += [(_texte(e), "") for e in element.findall("ram:ID", ns)]
    candidats += [
        (_texte(e), e.get("schemeID", "")) for e in element.findall("ram:URIUniversalCommunication/ram:URIID", ns)
    ]
    _identifiants(partie, candidats)
    partie.nom_commercial = _t(element, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName", ns)  # BT-28
    for tva in element.findall("ram:SpecifiedTaxRegistration/ram:ID", ns):
        if tva.get("schemeID") == "VA":
            partie.numero_tva = _texte(tva)  # BT-31 / BT-48
            break
    _lire_adresse(partie, element.find("ram:PostalTradeAddress", ns), _ADRESSE_CII, ns, role, donnees)
    return partie


def _ligne_cii(element, index: int, donnees: DonneesFacture) -> Ligne:
    ns = NS_CII
    accord = element.find("ram:SpecifiedLineTradeAgreement", ns)
    livraison = element.find("ram:SpecifiedLineTradeDelivery", ns)
    reglement = element.find("ram:SpecifiedLineTradeSettlement", ns)
    ligne = Ligne()
    ligne.numero = _t(element, "ram:AssociatedDocumentLineDocument/ram:LineID", ns)  # BT-126
    ligne.reference = _t(element, "ram:SpecifiedTradeProduct/ram:SellerAssignedID", ns)  # BT-155
    ligne.denomination = _t(element, "ram:SpecifiedTradeProduct/ram:Name", ns)  # BT-153
    quantite = livraison.find("ram:BilledQuantity", ns) if livraison is not None else None
    ligne.quantite = _decimal(_texte(quantite), "BT-129", Decimal("1"))
    if quantite is not None and quantite.get("unitCode"):
        ligne.unite = quantite.get("unitCode")  # BT-130
    prix = accord.find("ram:NetPriceProductTradePrice", ns) if accord is not None else None
    ligne.prix_unitaire_ht = _decimal(_t(prix, "ram:ChargeAmount", ns), "BT-146")
    base = _decimal(_t(prix, "ram:BasisQuantity", ns), "BT-149", None)
    if base:
        ligne.quantite_base = base  # BT-149
    if reglement is not None:
        taxe = reglement.find("ram:ApplicableTradeTax", ns)
        ligne.categorie_tva = _t(taxe, "ram:CategoryCode", ns) or ligne.categorie_tva  # BT-151
        ligne.taux_tva = _decimal(_t(taxe, "ram:RateApplicablePercent", ns), "BT-152")  # BT-152
        ligne.ajustements = [
            _ajustement(e, CII, document=False) for e in reglement.findall("ram:SpecifiedTradeAllowanceCharge", ns)
        ]  # BG-27 / BG-28
        ligne.remise_ht = sum((a.montant for a in ligne.ajustements if not a.charge), ZERO)  # Σ BT-136
        ligne.charges_ht = sum((a.montant for a in ligne.ajustements if a.charge), ZERO)  # Σ BT-141
        ligne.montant_ht = _decimal(
            _t(reglement, "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount", ns), "BT-131", None
        )
    return ligne


def _ajustements_cii(racine) -> AjustementsDocument:
    ns = NS_CII
    reglement = racine.find("rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement", ns)
    resultat = AjustementsDocument()
    if reglement is None:
        return resultat
    for element in reglement.findall("ram:SpecifiedTradeAllowanceCharge", ns):
        _ajouter_ajustement(resultat, element, _AJUSTEMENT_CII, ns)
    resultat.arrondi = _decimal(
        _t(reglement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:RoundingAmount", ns), "BT-114"
    )
    return resultat


def lire_cii(racine: etree._Element) -> DonneesFacture:
    """Read a CII (UN/CEFACT CrossIndustryInvoice D16B / Factur-X) invoice."""
    ns = NS_CII
    d = DonneesFacture()
    document = racine.find("rsm:ExchangedDocument", ns)
    transaction = racine.find("rsm:SupplyChainTradeTransaction", ns)
    accord = transaction.find("ram:ApplicableHeaderTradeAgreement", ns) if transaction is not None else None
    reglement = transaction.find("ram:ApplicableHeaderTradeSettlement", ns) if transaction is not None else None

    contexte = racine.find("rsm:ExchangedDocumentContext", ns)
    d.cadre = _t(contexte, "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID", ns)  # BT-23
    d.profil = _t(contexte, "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", ns)  # BT-24
    d.numero = _t(document, "ram:ID", ns)  # BT-1
    d.type_document = _t(document, "ram:TypeCode", ns) or d.type_document  # BT-3
    date_emission = document.find("ram:IssueDateTime/udt:DateTimeString", ns) if document is not None else None
    d.date_emission = _date_cii(date_emission)  # BT-2
    if date_emission is not None and d.date_emission is None:
        d.champs_a_verifier.add("date_emission")
    if document is not None:
        d.commentaire = _ajouter_notes([_t(n, "ram:Content", ns) for n in document.findall("ram:IncludedNote", ns)])

    d.reference_acheteur = _t(accord, "ram:BuyerReference", ns)  # BT-10
    d.numero_engagement = _t(accord, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", ns)  # BT-13
    d.numero_marche = _t(accord, "ram:ContractReferencedDocument/ram:IssuerAssignedID", ns)  # BT-12
    d.fournisseur = _partie_cii(
        accord.find("ram:SellerTradeParty", ns) if accord is not None else None, "fournisseur", d
    )
    d.destinataire = _partie_cii(
        accord.find("ram:BuyerTradeParty", ns) if accord is not None else None, "destinataire", d
    )
    d.destinataire.code_service = d.reference_acheteur  # Chorus Pro: the code service travels in BT-10

    livraison = transaction.find("ram:ApplicableHeaderTradeDelivery", ns) if transaction is not None else None
    if livraison is not None:
        lieu = livraison.find("ram:ShipToTradeParty", ns)
        if lieu is not None:
            d.livraison = Partie(
                raison_sociale=_t(lieu, "ram:Name", ns),  # BT-70
                adresse=_t(lieu, "ram:PostalTradeAddress/ram:LineOne", ns),  # BT-75
                code_postal=_t(lieu, "ram:PostalTradeAddress/ram:PostcodeCode", ns),  # BT-78
                ville=_t(lieu, "ram:PostalTradeAddress/ram:CityName", ns),  # BT-77
                code_pays=_t(lieu, "ram:PostalTradeAddress/ram:CountryID", ns),  # BT-80
            )
        d.date_livraison = _date_cii(
            livraison.find("ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString", ns)
        )  # BT-72
    if reglement is not None:
        d.devise = _t(reglement, "ram:InvoiceCurrencyCode", ns) or d.devise  # BT-5
        for precedente in reglement.findall("ram:InvoiceReferencedDocument", ns):  # BG-3
            d.factures_precedentes.append(
                (
                    _t(precedente, "ram:IssuerAssignedID", ns),  # BT-25
                    _date_cii(precedente.find("ram:FormattedIssueDateTime/qdt:DateTimeString", ns)),  # BT-26
                )
            )
        d.facture_origine = d.factures_precedentes[0][0] if d.factures_precedentes else ""
        periode = reglement.find("ram:BillingSpecifiedPeriod", ns)
        if periode is not None:
            d.periode_debut = _date_cii(periode.find("ram:StartDateTime/udt:DateTimeString", ns))  # BT-73
            d.periode_fin = _date_cii(periode.find("ram:EndDateTime/udt:DateTimeString", ns))  # BT-74
        d.conditions_paiement = _t(reglement, "ram:SpecifiedTradePaymentTerms/ram:Description", ns)  # BT-20
        d.ajustements = [
            _ajustement(e, CII, document=True) for e in reglement.findall("ram:SpecifiedTradeAllowanceCharge", ns)
        ]  # BG-20 / BG-21
        echeance = reglement.find("ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString", ns)
        d.date_echeance = _date_cii(echeance)  # BT-9
        if echeance is not None and d.date_echeance is None:
            d.champs_a_verifier.add("date_echeance")
        paiement = reglement.find("ram:SpecifiedTradeSettlementPaymentMeans", ns)
        if paiement is not None:
            d.mode_paiement = _t(paiement, "ram:TypeCode", ns)  # BT-81
            d.iban = _t(paiement, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID", ns) or _t(
                paiement, "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID", ns
            )  # BT-84
            d.bic = _t(paiement, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID", ns)  # BT-86
        for taxe in reglement.findall("ram:ApplicableTradeTax", ns):
            d.tva.append(_ligne_tva(taxe, taxe, _LIGNE_TVA_CII, ns))
        somme = reglement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", ns)
        if somme is not None:
            total_tva = ""
            for element in somme.findall("ram:TaxTotalAmount", ns):
                if element.get("currencyID", d.devise) == d.devise:
                    total_tva = _texte(element)
                    break
            d.totaux = _lire_totaux(somme, ns, total_tva=total_tva)
    d.motif_exoneration = next((t.motif_exoneration for t in d.tva if t.motif_exoneration), "")  # BT-120
    if transaction is not None:
        for index, element in enumerate(transaction.findall("ram:IncludedSupplyChainTradeLineItem", ns)):
            d.lignes.append(_ligne_cii(element, index, d))
    return d


# --- UBL -----------------------------------------------------------------------------------------------------


def _partie_ubl(element, role: str, donnees: DonneesFacture) -> Partie:
    ns = NS_UBL
    partie = Partie()
    if element is None:
        return partie
    # BT-27 / BT-44 is the legal registration name; the trading name (BT-28 / BT-45) is a fallback.
    partie.raison_sociale = _t(element, "cac:PartyLegalEntity/cbc:RegistrationName", ns) or _t(
        element, "cac:PartyName/cbc:Name", ns
    )
    candidats = [(_texte(e), e.get("schemeID", "")) for e in element.findall("cac:PartyLegalEntity/cbc:CompanyID", ns)]
    candidats += [(_texte(e), e.get("schemeID", "")) for e in element.findall("cac:PartyIdentification/cbc:ID", ns)]
    candidats += [(_texte(e), e.get("schemeID", "")) for e in element.findall("cbc:EndpointID", ns)]
    _identifiants(partie, candidats)
    nom = _t(element, "cac:PartyName/cbc:Name", ns)  # BT-28 / BT-45 (when it is not the legal name)
    partie.nom_commercial = nom if nom != partie.raison_sociale else ""
    for schema in element.findall("cac:PartyTaxScheme", ns):
        if _t(schema, "cac:TaxScheme/cbc:ID", ns).upper() == "VAT":
            partie.numero_tva = _t(schema, "cbc:CompanyID", ns)  # BT-31 / BT-48
            break
    _lire_adresse(partie, element.find("cac:PostalAddress", ns), _ADRESSE_UBL, ns, role, donnees)
    return partie


def _ligne_ubl(element, index: int, donnees: DonneesFacture) -> Ligne:
    ns = NS_UBL
    ligne = Ligne()
    ligne.numero = _t(element, "cbc:ID", ns)  # BT-126
    ligne.reference = _t(element, "cac:Item/cac:SellersItemIdentification/cbc:ID", ns)  # BT-155
    ligne.denomination = _t(element, "cac:Item/cbc:Name", ns)  # BT-153
    quantite = element.find("cbc:InvoicedQuantity", ns)
    if quantite is None:
        quantite = element.find("cbc:CreditedQuantity", ns)
    ligne.quantite = _decimal(_texte(quantite), "BT-129", Decimal("1"))
    if quantite is not None and quantite.get("unitCode"):
        ligne.unite = quantite.get("unitCode")  # BT-130
    ligne.prix_unitaire_ht = _decimal(_t(element, "cac:Price/cbc:PriceAmount", ns), "BT-146")
    base = _decimal(_t(element, "cac:Price/cbc:BaseQuantity", ns), "BT-149", None)
    if base:
        ligne.quantite_base = base  # BT-149
    categorie = element.find("cac:Item/cac:ClassifiedTaxCategory", ns)
    ligne.categorie_tva = _t(categorie, "cbc:ID", ns) or ligne.categorie_tva  # BT-151
    ligne.taux_tva = _decimal(_t(categorie, "cbc:Percent", ns), "BT-152")  # BT-152
    ligne.ajustements = [
        _ajustement(e, UBL_INVOICE, document=False) for e in element.findall("cac:AllowanceCharge", ns)
    ]
    ligne.remise_ht = sum((a.montant for a in ligne.ajustements if not a.charge), ZERO)  # Σ BT-136
    ligne.charges_ht = sum((a.montant for a in ligne.ajustements if a.charge), ZERO)  # Σ BT-141
    ligne.montant_ht = _decimal(_t(element, "cbc:LineExtensionAmount", ns), "BT-131", None)  # BT-131
    return ligne


def _ajustements_ubl(racine) -> AjustementsDocument:
    ns = NS_UBL
    resultat = AjustementsDocument()
    for element in racine.findall("cac:AllowanceCharge", ns):
        _ajouter_ajustement(resultat, element, _AJUSTEMENT_UBL, ns)
    resultat.arrondi = _decimal(_t(racine, "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount", ns), "BT-114")
    return resultat


def lire_ubl(racine: etree._Element) -> DonneesFacture:
    """Read a UBL 2.1 Invoice or CreditNote."""
    ns = NS_UBL
    avoir = detecter_syntaxe(racine) == UBL_CREDITNOTE
    d = DonneesFacture()
    d.cadre = _t(racine, "cbc:ProfileID", ns)  # BT-23
    d.profil = _t(racine, "cbc:CustomizationID", ns)  # BT-24
    d.numero = _t(racine, "cbc:ID", ns)  # BT-1
    d.date_emission = _date_iso(_t(racine, "cbc:IssueDate", ns))  # BT-2
    if _t(racine, "cbc:IssueDate", ns) and d.date_emission is None:
        d.champs_a_verifier.add("date_emission")
    code_type = _t(racine, "cbc:CreditNoteTypeCode" if avoir else "cbc:InvoiceTypeCode", ns)  # BT-3
    d.type_document = code_type or ("381" if avoir else "380")
    d.devise = _t(racine, "cbc:DocumentCurrencyCode", ns) or d.devise  # BT-5
    echeance = _t(racine, "cbc:DueDate", ns) or _t(racine, "cac:PaymentMeans/cbc:PaymentDueDate", ns)  # BT-9
    d.date_echeance = _date_iso(echeance)
    if echeance and d.date_echeance is None:
        d.champs_a_verifier.add("date_echeance")
    d.commentaire = _ajouter_notes([_texte(n) for n in racine.findall("cbc:Note", ns)])  # BT-22
    d.reference_acheteur = _t(racine, "cbc:BuyerReference", ns)  # BT-10
    d.numero_engagement = _t(racine, "cac:OrderReference/cbc:ID", ns)  # BT-13
    d.numero_marche = _t(racine, "cac:ContractDocumentReference/cbc:ID", ns)  # BT-12
    for precedente in racine.findall("cac:BillingReference/cac:InvoiceDocumentReference", ns):  # BG-3
        d.factures_precedentes.append((_t(precedente, "cbc:ID", ns), _date_iso(_t(precedente, "cbc:IssueDate", ns))))
    d.facture_origine = d.factures_precedentes[0][0] if d.factures_precedentes else ""  # BT-25
    d.date_livraison = _date_iso(_t(racine, "cac:Delivery/cbc:ActualDeliveryDate", ns))  # BT-72
    lieu = racine.find("cac:Delivery", ns)
    if lieu is not None and (
        lieu.find("cac:DeliveryLocation", ns) is not None or lieu.find("cac:DeliveryParty", ns) is not None
    ):
        adresse = "cac:DeliveryLocation/cac:Address/"
        d.livraison = Partie(
            raison_sociale=_t(lieu, "cac:DeliveryParty/cac:PartyName/cbc:Name", ns),  # BT-70
            adresse=_t(lieu, adresse + "cbc:StreetName", ns),  # BT-75
            code_postal=_t(lieu, adresse + "cbc:PostalZone", ns),  # BT-78
            ville=_t(lieu, adresse + "cbc:CityName", ns),  # BT-77
            code_pays=_t(lieu, adresse + "cac:Country/cbc:IdentificationCode", ns),  # BT-80
        )
    d.periode_debut = _date_iso(_t(racine, "cac:InvoicePeriod/cbc:StartDate", ns))  # BT-73
    d.periode_fin = _date_iso(_t(racine, "cac:InvoicePeriod/cbc:EndDate", ns))  # BT-74
    d.conditions_paiement = _t(racine, "cac:PaymentTerms/cbc:Note", ns)  # BT-20
    d.ajustements = [_ajustement(e, UBL_INVOICE, document=True) for e in racine.findall("cac:AllowanceCharge", ns)]
    d.fournisseur = _partie_ubl(racine.find("cac:AccountingSupplierParty/cac:Party", ns), "fournisseur", d)
    d.destinataire = _partie_ubl(racine.find("cac:AccountingCustomerParty/cac:Party", ns), "destinataire", d)
    d.destinataire.code_service = d.reference_acheteur  # Chorus Pro: the code service travels in BT-10

    paiement = racine.find("cac:PaymentMeans", ns)
    if paiement is not None:
        d.mode_paiement = _t(paiement, "cbc:PaymentMeansCode", ns)  # BT-81
        d.iban = _t(paiement, "cac:PayeeFinancialAccount/cbc:ID", ns)  # BT-84
        d.bic = _t(paiement, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID", ns)  # BT-86

    # BT-110 is the TaxTotal in the document currency; its subtotals are the VAT breakdown (BG-23).
    total_tva = ""
    for taxes in racine.findall("cac:TaxTotal", ns):
        montant = taxes.find("cbc:TaxAmount", ns)
        if montant is not None and montant.get("currencyID", d.devise) == d.devise and not total_tva:
            total_tva = _texte(montant)
        for sous_total in taxes.findall("cac:TaxSubtotal", ns):
            categorie = sous_total.find("cac:TaxCategory", ns)
            d.tva.append(_ligne_tva(categorie, sous_total, _LIGNE_TVA_UBL, ns))
    d.motif_exoneration = next((t.motif_exoneration for t in d.tva if t.motif_exoneration), "")  # BT-120
    totaux = racine.find("cac:LegalMonetaryTotal", ns)
    d.totaux = _lire_totaux(totaux, ns, total_tva=total_tva)
    balise = "cac:CreditNoteLine" if avoir else "cac:InvoiceLine"
    for index, element in enumerate(racine.findall(balise, ns)):
        d.lignes.append(_ligne_ubl(element, index, d))
    return d


# --- dispatch ------------------------------------------------------------------------------------------------


def lire_ajustements(racine: etree._Element) -> AjustementsDocument:
    """Document level allowances, charges and rounding amount (to recompute BT-107/108/109/115 and BG-23)."""
    syntaxe = detecter_syntaxe(racine)
    if syntaxe == CII:
        return _ajustements_cii(racine)
    if syntaxe in (UBL_INVOICE, UBL_CREDITNOTE):
        return _ajustements_ubl(racine)
    raise XmlInvalide(MESSAGE_SYNTAXE_INCONNUE)


def lire_racine(racine: etree._Element) -> tuple[str, DonneesFacture]:
    syntaxe = detecter_syntaxe(racine)
    if syntaxe == CII:
        return syntaxe, lire_cii(racine)
    if syntaxe in (UBL_INVOICE, UBL_CREDITNOTE):
        return syntaxe, lire_ubl(racine)
    raise XmlInvalide(MESSAGE_SYNTAXE_INCONNUE)


def lire_xml(contenu: bytes) -> tuple[str, DonneesFacture]:
    """Parse (safely) and read an invoice: ``("CII" | "UBL_INVOICE" | "UBL_CREDITNOTE", DonneesFacture)``."""
    return lire_racine(parser(contenu))
