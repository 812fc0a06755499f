"""Safe XML parsing for deposited invoices (UBL 2.1, CII / Factur-X).

A deposited file is untrusted: entities are never expanded, no DTD and no network resource is loaded, huge
documents are refused, and any document that declares a DOCTYPE is refused outright (billion laughs, XXE).
Errors are ``XmlInvalide`` with a French message ready to show to the user.
"""

import re

from lxml import etree

TAILLE_MAX = 10 * 1024 * 1024  # 10 Mo, the per-file upload limit of Chorus Pro

NS_UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_UBL_CREDITNOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"

UBL_INVOICE = "UBL_INVOICE"
UBL_CREDITNOTE = "UBL_CREDITNOTE"
CII = "CII"

_RACINES = {
    f"{{{NS_UBL_INVOICE}}}Invoice": UBL_INVOICE,
    f"{{{NS_UBL_CREDITNOTE}}}CreditNote": UBL_CREDITNOTE,
    f"{{{NS_CII}}}CrossIndustryInvoice": CII,
}

MESSAGE_DOCTYPE = "Le fichier XML contient une déclaration DOCTYPE, refusée pour des raisons de sécurité."
# The DOCTYPE keyword in the encodings a document can be written in (checked before parsing, so that a
# billion-laughs document is refused without libxml2 ever reading its entity declarations).
_DOCTYPE_MOTIFS = tuple(
    "<!DOCTYPE".encode(encodage) for encodage in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)


class XmlInvalide(ValueError):
    """A deposited XML file that cannot be read; the message is French."""


def _nouveau_parser() -> etree.XMLParser:
    # A parser per call: lxml parser objects must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


_PROLOGUE = 64 * 1024  # a DOCTYPE can only appear before the root element: look at the start of the file


def _contient_doctype(contenu: bytes, *, partout: bool = False) -> bool:
    zone = contenu if partout else contenu[:_PROLOGUE]
    return any(motif in zone for motif in _DOCTYPE_MOTIFS)


def parser(contenu: bytes) -> etree._Element:
    """Parse an untrusted XML document and return its root element, or raise ``XmlInvalide``."""
    if isinstance(contenu, str):
        contenu = contenu.encode("utf-8")
    if not isinstance(contenu, bytes | bytearray | memoryview):
        raise XmlInvalide("Le contenu fourni n'est pas un fichier XML.")
    contenu = bytes(contenu)
    if len(contenu) > TAILLE_MAX:
        raise XmlInvalide("Le fichier XML dépasse la taille maximale autorisée (10 Mo).")
    if not contenu.strip():
        raise XmlInvalide("Le fichier XML est vide.")
    if _contient_doctype(contenu):
        raise XmlInvalide(MESSAGE_DOCTYPE)
    try:
        racine = etree.fromstring(contenu, parser=_nouveau_parser())
    except etree.XMLSyntaxError as exc:
        if _contient_doctype(contenu, partout=True):
            raise XmlInvalide(MESSAGE_DOCTYPE) from exc
        ligne, colonne = exc.position if exc.position else (exc.lineno, 0)
        detail = re.sub(r",? line \d+, column \d+\s*$", "", (exc.msg or "").strip())
        raise XmlInvalide(
            f"Le fichier XML est mal formé (ligne {ligne}, colonne {colonne}) : {detail}".rstrip(" :") + "."
        ) from exc
    docinfo = racine.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XmlInvalide(MESSAGE_DOCTYPE)
    return racine


def detecter_syntaxe(racine: etree._Element) -> str | None:
    """``"UBL_INVOICE"``, ``"UBL_CREDITNOTE"`` or ``"CII"`` from the root element's namespace and name."""
    if racine is None or not isinstance(racine.tag, str):
        return None
    return _RACINES.get(racine.tag)
