"""Invoices written by other software (``tests/facturation/data/externes``), for acceptance tests.

``echantillons()`` lists the samples of the corpus described by ``manifest.json`` (sources, profiles, features,
totals as written in the XML). ``adapter()`` gives a sample a French seller and buyer known to the portal (SIRET,
code service) and, if asked, a new invoice number, without touching anything else: amounts, VAT, lines and the
rest of the document stay as the other software wrote them, so that a deposit test exercises the portal on
someone else's computations.
"""

import hashlib
import io
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import facturx
from lxml import etree
from pypdf import PdfWriter
from pypdf.generic import ByteStringObject, DictionaryObject, IndirectObject, NameObject, NumberObject

DOSSIER = Path(__file__).parent / "data" / "externes"
MANIFESTE = DOSSIER / "manifest.json"

SCHEME_SIRET = "0009"

NS_RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
NS_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
NS_UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_UBL_CREDITNOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS_EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"

# Factur-X profile (BT-24 family) -> short name, tested in this order since "basic" is a prefix of "basicwl".
NIVEAUX = (
    ("minimum", "MINIMUM"),
    ("basicwl", "BASIC WL"),
    ("basic", "BASIC"),
    ("extended", "EXTENDED"),
)


def _ram(nom: str) -> str:
    return f"{{{NS_RAM}}}{nom}"


def _cac(nom: str) -> str:
    return f"{{{NS_CAC}}}{nom}"


def _cbc(nom: str) -> str:
    return f"{{{NS_CBC}}}{nom}"


# Children that the schemas put BEFORE the element we may have to create: a new element goes right after the last
# of them present (or first when none is). CII: TradePartyType and HeaderTradeAgreementType of the Factur-X XSDs
# (all profiles share this prefix of the sequence); UBL 2.1: PartyType, PartyLegalEntityType and the Invoice /
# CreditNote headers (a union of both: every one of these names precedes cbc:BuyerReference in both documents).
AVANT_ORGANISATION_CII = {_ram(n) for n in ("ID", "GlobalID", "Name", "RoleCode", "Description")}
AVANT_ENTITE_UBL = {
    f"{{{NS_EXT}}}UBLExtensions",
    *(
        _cbc(n)
        for n in (
            "MarkCareIndicator",
            "MarkAttentionIndicator",
            "WebsiteURI",
            "LogoReferenceID",
            "EndpointID",
            "IndustryClassificationCode",
            "Language",
        )
    ),
    *(_cac(n) for n in ("PartyIdentification", "PartyName", "PostalAddress", "PhysicalLocation", "PartyTaxScheme")),
}
AVANT_COMPANY_ID_UBL = {_cbc("RegistrationName")}
AVANT_REFERENCE_ACHETEUR_UBL = {
    f"{{{NS_EXT}}}UBLExtensions",
    *(
        _cbc(n)
        for n in (
            "UBLVersionID",
            "CustomizationID",
            "ProfileID",
            "ProfileExecutionID",
            "ID",
            "CopyIndicator",
            "UUID",
            "IssueDate",
            "IssueTime",
            "DueDate",
            "InvoiceTypeCode",
            "CreditNoteTypeCode",
            "Note",
            "TaxPointDate",
            "DocumentCurrencyCode",
            "TaxCurrencyCode",
            "PricingCurrencyCode",
            "PaymentCurrencyCode",
            "PaymentAlternativeCurrencyCode",
            "AccountingCostCode",
            "AccountingCost",
            "LineCountNumeric",
        )
    ),
}


# --- the corpus ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Echantillon:
    """One file of the corpus, as described by the manifest."""

    name: str
    path: Path
    syntax: str  # CII, UBL_INVOICE, UBL_CREDITNOTE or FACTURX (a PDF with an embedded CII)
    profile: str  # BT-24 as written
    features: tuple[str, ...]
    vat_categories: tuple[str, ...]
    totals: dict[str, str | None] = field(hash=False)  # "BT-106"... -> the text of the XML element, None if absent
    sha256: str = ""
    git_blob: str = ""
    repository: str = ""
    source_path: str = ""
    commit: str = ""
    license: str = ""

    @property
    def niveau(self) -> str:
        """The Factur-X profile of BT-24: MINIMUM, BASIC WL, BASIC, EN 16931 or EXTENDED (a UBL or CII document
        under the plain EN 16931 specification is "EN 16931")."""
        fin = self.profile.lower().split("#")[-1].split(":")[-1]
        for cle, niveau in NIVEAUX:
            if fin == cle:
                return niveau
        return "EN 16931"

    @property
    def est_pdf(self) -> bool:
        return self.syntax == "FACTURX"

    def contenu(self) -> bytes:
        return self.path.read_bytes()

    def xml(self) -> bytes:
        """The invoice XML: the file itself, or the XML embedded in the PDF."""
        return xml_de(self.contenu())


@cache
def _manifeste() -> tuple[Echantillon, ...]:
    entrees = json.loads(MANIFESTE.read_text(encoding="utf-8"))["samples"]
    return tuple(
        Echantillon(
            name=e["file"],
            path=DOSSIER / e["file"],
            syntax=e["syntax"],
            profile=e["profile"],
            features=tuple(e["features"]),
            vat_categories=tuple(e["vat_categories"]),
            totals=dict(e["totals"]),
            sha256=e["sha256"],
            git_blob=e["git_blob"],
            repository=e["repository"],
            source_path=e["path"],
            commit=e["commit"],
            license=e["license"],
        )
        for e in entrees
    )


def echantillons(**filtres) -> list[Echantillon]:
    """The samples whose attributes match every filter. A scalar attribute (``syntax``, ``profile``, ``niveau``,
    ``name``...) matches a value, or any of a tuple/list/set of values; a multi-valued one (``features``,
    ``vat_categories``) matches when it contains the value, or all of the given values.
    ``echantillons(syntax="CII", features="base_quantity")``, ``echantillons(niveau=("MINIMUM", "BASIC"))``."""
    resultat = []
    for echantillon in _manifeste():
        retenu = True
        for nom, attendu in filtres.items():
            if not hasattr(echantillon, nom):
                raise TypeError(f"Unknown filter {nom!r}")
            valeur = getattr(echantillon, nom)
            plusieurs = attendu if isinstance(attendu, tuple | list | set | frozenset) else (attendu,)
            if isinstance(valeur, tuple):
                retenu = all(a in valeur for a in plusieurs)
            else:
                retenu = valeur in plusieurs
            if not retenu:
                break
        if retenu:
            resultat.append(echantillon)
    return resultat


def sha256(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


# --- XML helpers -----------------------------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    # A deposited file is untrusted, and so is a sample: no entity expansion, no network access.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)


def xml_de(contenu: bytes) -> bytes:
    """The invoice XML of a file: the XML itself, or the Factur-X / ZUGFeRD XML embedded in a PDF."""
    if contenu.lstrip()[:5] == b"%PDF-":
        _nom, xml = facturx.get_facturx_xml_from_pdf(contenu, check_xsd=False)
        return xml
    return contenu


def _inserer(parent, element, predecesseurs: set[str]):
    """Insert ``element`` in ``parent`` right after the last child the schema puts before it (first otherwise),
    copying the indentation of its neighbours so that the document stays readable."""
    position = 0
    for index, enfant in enumerate(parent):
        if enfant.tag in predecesseurs:
            position = index + 1
    if position > 0:
        element.tail = parent[position - 1].tail
    else:
        element.tail = parent.text
    parent.insert(position, element)
    return element


def _enfant(parent, tag: str, predecesseurs: set[str]):
    """The first child ``tag`` of ``parent``, created at its schema position when absent."""
    element = parent.find(tag)
    if element is None:
        element = _inserer(parent, parent.makeelement(tag), predecesseurs)
    return element


def _serialiser(racine) -> bytes:
    arbre = racine.getroottree()
    # The original encoding and standalone declaration are kept; comments and processing instructions around the
    # root (licence headers...) are part of the tree and are written back too.
    options = {"xml_declaration": True, "encoding": arbre.docinfo.encoding or "UTF-8"}
    if arbre.docinfo.standalone is not None:
        options["standalone"] = arbre.docinfo.standalone
    return etree.tostring(arbre, **options)


def _identifier_cii(partie, siret: str) -> None:
    organisation = _enfant(partie, _ram("SpecifiedLegalOrganization"), AVANT_ORGANISATION_CII)
    # ram:ID is the first child of a LegalOrganization (before TradingBusinessName and, in EXTENDED, the address).
    identifiant = _enfant(organisation, _ram("ID"), set())
    identifiant.text = siret
    identifiant.attrib.clear()
    identifiant.set("schemeID", SCHEME_SIRET)


def _poser_reference_acheteur(parent, balise: str, avant, code_service: str | None) -> None:
    """Set the buyer reference (BT-10, the service code) under ``parent``: ``None`` keeps the file's, ``""`` removes
    it."""
    if code_service is None:
        return
    if code_service == "":
        reference = parent.find(balise)
        if reference is not None:
            parent.remove(reference)
    else:
        _enfant(parent, balise, avant).text = code_service


def _adapter_cii(racine, siret_vendeur: str, siret_acheteur: str, code_service: str | None, numero: str | None):
    accord = racine.find(f"{{{NS_RSM}}}SupplyChainTradeTransaction/{_ram('ApplicableHeaderTradeAgreement')}")
    if accord is None:
        raise ValueError("CII sans ApplicableHeaderTradeAgreement")
    for role, siret in (("SellerTradeParty", siret_vendeur), ("BuyerTradeParty", siret_acheteur)):
        partie = accord.find(_ram(role))
        if partie is None:
            raise ValueError(f"CII sans {role}")
        _identifier_cii(partie, siret)
    # BT-10 is the first child of the header trade agreement.
    _poser_reference_acheteur(accord, _ram("BuyerReference"), set(), code_service)
    if numero is not None:
        racine.find(f"{{{NS_RSM}}}ExchangedDocument/{_ram('ID')}").text = numero


def _identifier_ubl(partie, siret: str) -> None:
    entite = _enfant(partie, _cac("PartyLegalEntity"), AVANT_ENTITE_UBL)
    identifiant = _enfant(entite, _cbc("CompanyID"), AVANT_COMPANY_ID_UBL)
    identifiant.text = siret
    identifiant.attrib.clear()
    identifiant.set("schemeID", SCHEME_SIRET)


def _adapter_ubl(racine, siret_vendeur: str, siret_acheteur: str, code_service: str | None, numero: str | None):
    for role, siret in (("AccountingSupplierParty", siret_vendeur), ("AccountingCustomerParty", siret_acheteur)):
        partie = racine.find(f"{_cac(role)}/{_cac('Party')}")
        if partie is None:
            raise ValueError(f"UBL sans {role}/Party")
        _identifier_ubl(partie, siret)
    _poser_reference_acheteur(racine, _cbc("BuyerReference"), AVANT_REFERENCE_ACHETEUR_UBL, code_service)
    if numero is not None:
        racine.find(_cbc("ID")).text = numero


def adapter_xml(
    contenu: bytes,
    *,
    siret_vendeur: str,
    siret_acheteur: str,
    code_service: str | None = None,
    numero: str | None = None,
) -> bytes:
    """``adapter()`` for an XML document (CII or UBL 2.1 Invoice / CreditNote)."""
    racine = etree.fromstring(contenu, _parser())
    if racine.tag == f"{{{NS_RSM}}}CrossIndustryInvoice":
        _adapter_cii(racine, siret_vendeur, siret_acheteur, code_service, numero)
    elif racine.tag in (f"{{{NS_UBL_INVOICE}}}Invoice", f"{{{NS_UBL_CREDITNOTE}}}CreditNote"):
        _adapter_ubl(racine, siret_vendeur, siret_acheteur, code_service, numero)
    else:
        raise ValueError(f"Document non pris en charge : {racine.tag}")
    return _serialiser(racine)


# --- PDF -------------------------------------------------------------------------------------------------------


def _feuilles_noms(noeud):
    """(name, value) pairs of a PDF name tree (/Names arrays, down through /Kids)."""
    noeud = noeud.get_object()
    noms = noeud.get("/Names")
    if noms is not None:
        for index in range(0, len(noms) - 1, 2):
            yield str(noms[index]), noms[index + 1].get_object()
    for enfant in noeud.get("/Kids", []):
        yield from _feuilles_noms(enfant)


def remplacer_xml_pdf(contenu: bytes, xml: bytes) -> bytes:
    """Replace the embedded Factur-X XML of a PDF by ``xml``. Rather than regenerating the PDF (``factur-x``'s
    ``generate_from_binary`` rewrites the XMP, the document info and the attachment list), the embedded file
    stream is replaced in an incremental update: the original bytes stay, unchanged, at the start of the result,
    and the attachment keeps its name, relationship and the PDF/A metadata that describe it."""
    nom, _ancien = facturx.get_facturx_xml_from_pdf(contenu, check_xsd=False)
    ecrivain = PdfWriter(io.BytesIO(contenu), incremental=True)
    arbre = ecrivain._root_object.get("/Names", DictionaryObject()).get("/EmbeddedFiles")
    if arbre is None:
        raise ValueError("PDF sans /EmbeddedFiles")
    flux_remplaces = set()
    for cle, specification in _feuilles_noms(arbre):
        noms = {cle, str(specification.get("/F", "")), str(specification.get("/UF", ""))}
        if nom not in noms:
            continue
        fichiers = specification["/EF"]
        for entree in ("/F", "/UF"):
            if entree not in fichiers:
                continue
            reference = fichiers.raw_get(entree)
            flux = reference.get_object()
            # /F and /UF usually point to the same stream: replace it once.
            cle_flux = (reference.idnum, reference.generation) if isinstance(reference, IndirectObject) else id(flux)
            if cle_flux in flux_remplaces:
                continue
            flux.set_data(xml)  # re-encoded with the stream's own filter (FlateDecode or none)
            parametres = flux.get("/Params")
            if parametres is not None:
                parametres = parametres.get_object()
                parametres[NameObject("/Size")] = NumberObject(len(xml))
                if "/CheckSum" in parametres:
                    parametres[NameObject("/CheckSum")] = ByteStringObject(hashlib.md5(xml).digest())
            flux_remplaces.add(cle_flux)
    if not flux_remplaces:
        raise ValueError(f"Pièce jointe {nom} introuvable dans le PDF")
    sortie = io.BytesIO()
    ecrivain.write(sortie)
    return sortie.getvalue()


def adapter(
    contenu: bytes,
    *,
    siret_vendeur: str,
    siret_acheteur: str,
    code_service: str | None = None,
    numero: str | None = None,
) -> bytes:
    """The document with a French seller and buyer known to the portal, and nothing else changed (no amount).

    - seller / buyer legal registration identifier (BT-30 / BT-47) = the SIRET, scheme ``0009``: CII
      ``SpecifiedLegalOrganization/ID``, UBL ``PartyLegalEntity/CompanyID`` (created at their schema place when
      absent); the parties' other identifiers, names and addresses are kept;
    - ``code_service``: BT-10 (``BuyerReference``) set, created when absent; ``""`` removes it; ``None`` keeps it;
    - ``numero``: BT-1 replaced when given.

    A Factur-X PDF gets its embedded XML adapted and replaced (``remplacer_xml_pdf``)."""
    options = {
        "siret_vendeur": siret_vendeur,
        "siret_acheteur": siret_acheteur,
        "code_service": code_service,
        "numero": numero,
    }
    if contenu.lstrip()[:5] == b"%PDF-":
        _nom, xml = facturx.get_facturx_xml_from_pdf(contenu, check_xsd=False)
        return remplacer_xml_pdf(contenu, adapter_xml(xml, **options))
    return adapter_xml(contenu, **options)
