"""Deposited files: content sniffing, PDF classification (unsigned, signed PAdES, Factur-X), signature integrity and
the heuristic pre-filling of an invoice from a plain PDF's text.

Signatures are checked offline with pyHanko: for each signature, the digest of its ``/ByteRange`` is compared with
the one the signer signed and the CMS signature is verified with the public key of the certificate it embeds; the
signer's common name and the signing time it declares are reported, and whether the signature covers the whole
file (no bytes appended after it). Trust-chain validation (is the certificate issued by a trusted authority,
revoked, qualified?) needs trust lists and network access (CRL/OCSP): it is out of scope offline, and nothing here
says a signer is who the certificate claims.
"""

import io
import logging
import os
import pickle  # nosec B403  # only between the portal and its own analysis child (see _dans_un_processus_borne)
import re
import resource
import select
import signal
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from chorus.identifiers import normaliser, siret_valide
from facturation import bibliotheques, montants, xml_securise
from facturation.donnees import DonneesFacture, LigneTva

if TYPE_CHECKING:
    from pypdf import PdfReader

logger = logging.getLogger(__name__)

FORMAT_PDF_NON_SIGNE = "PDF_NON_SIGNE"
FORMAT_PDF_SIGNE = "PDF_SIGNE"
FORMAT_FACTURX = "FACTURX"

MESSAGE_ILLISIBLE = "Le fichier PDF est illisible ou endommagé."
MESSAGE_CHIFFRE = "Le fichier PDF est protégé par un mot de passe."

MESSAGE_TROP_VOLUMINEUX = "Le fichier PDF dépasse la taille maximale de 10 Mo."
MESSAGE_BOMBE = (
    "Le fichier PDF contient un flux compressé démesuré (plus de 20 Mo une fois décompressé) : il est refusé pour "
    "des raisons de sécurité."
)
MESSAGE_RESSOURCES = (
    "L'analyse du fichier PDF dépasse le temps ou la mémoire autorisés : le fichier est refusé pour des raisons de "
    "sécurité."
)

# Text is extracted from the first pages only: what pre-filling needs, bounded cost on a 10 MB upload.
PAGES_TEXTE = 5

# Limits on an untrusted PDF. The size is checked before any parsing; pypdf's own limits (its defaults allow
# 75 MB per stream) bound each decompressed stream; the whole analysis (pypdf, pyHanko, the embedded XML) runs in a
# child process whose CPU time and address space are capped, and which is killed past a wall-clock delay.
TAILLE_MAX = 10 * 1024 * 1024
FLUX_MAX = 20 * 1024 * 1024
LIMITES_PYPDF = {
    "maximum_declared_stream_length": TAILLE_MAX,
    "array_based_stream_maximum_output_length": FLUX_MAX,
    "zlib_maximum_output_length": FLUX_MAX,
    "zlib_maximum_recovery_input_length": 1024 * 1024,
    "lzw_maximum_output_length": FLUX_MAX,
    "run_length_maximum_output_length": FLUX_MAX,
    "brotli_maximum_output_length": FLUX_MAX,
    "jbig2_maximum_output_length": FLUX_MAX,
    "image_maximum_buffer_size": FLUX_MAX,
    "stream_decoding_work_maximum_length": 2 * FLUX_MAX,
    "xfa_decoding_work_maximum_length": 2 * FLUX_MAX,
    "jbig2dec_binary": None,  # never run an external decoder on an upload
}
DELAI_ANALYSE = 20  # seconds of wall-clock time before the analysing process is killed
CPU_ANALYSE = 10  # seconds of CPU time (RLIMIT_CPU) for the analysing process
MEMOIRE_ANALYSE = 768 * 1024 * 1024  # bytes of address space the analysing process may add to what it inherits
# The embedded XML of a Factur-X / ZUGFeRD (names as the factur-x library looks for them).
NOMS_XML_FACTURX = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


class PdfInvalide(ValueError):
    """A PDF that cannot be read; the message is in French, ready to show to the user."""


@dataclass
class InfoSignature:
    intacte: bool  # the signed byte range is unchanged and the CMS signature verifies with the embedded certificate
    signataire: str  # common name (CN) of the signer certificate's subject
    date_signature: datetime | None  # signing time declared by the signer (not a trusted timestamp)
    couvre_tout_le_document: bool  # the signed byte range covers the whole file (nothing added after signing)
    champ: str = ""  # name of the signature field


@dataclass
class AnalysePdf:
    """``format`` is ``FACTURX`` whenever a Factur-X XML is embedded, even in a signed PDF: the XML is what the
    deposit reads, and the signatures are still listed in ``signatures``. ``PDF_SIGNE`` means signed without
    Factur-X XML, ``PDF_NON_SIGNE`` neither."""

    format: str
    xml_facturx: bytes | None = None
    signatures: list[InfoSignature] = field(default_factory=list)
    texte: str = ""

    @property
    def signe(self) -> bool:
        return bool(self.signatures)


# --- Sniffing ----------------------------------------------------------------------------------------------------


def sniffer(contenu: bytes) -> str | None:
    """``"PDF"``, ``"XML"`` or ``None`` from the first bytes of the content, never from the file name: ``%PDF-``
    for a PDF; ``<?xml`` or another markup start (``<`` followed by a name, ``!`` or ``?``) for XML, after an
    optional byte order mark (UTF-8 or UTF-16) and whitespace."""
    if not contenu:
        return None
    debut = contenu[:1024]
    if debut.lstrip(b" \t\r\n\x00").startswith(b"%PDF-"):
        return "PDF"
    if debut.startswith(b"\xef\xbb\xbf"):
        texte = debut[3:].decode("utf-8", errors="ignore")
    elif debut.startswith((b"\xff\xfe", b"\xfe\xff")):
        texte = debut[: len(debut) // 2 * 2].decode("utf-16", errors="ignore")
    else:
        texte = debut.decode("utf-8", errors="ignore")
    texte = texte.lstrip(" \t\r\n\ufeff")
    if texte.startswith("<?xml") or re.match(r"<[A-Za-z_!?]", texte):
        return "XML"
    return None


# --- PDF analysis ------------------------------------------------------------------------------------------------


def _lire_pypdf(contenu: bytes) -> "PdfReader":
    pypdf = bibliotheques.pypdf()
    if sniffer(contenu) != "PDF":
        raise PdfInvalide(MESSAGE_ILLISIBLE)
    # A complete PDF ends with %%EOF (possibly followed by a little whitespace or junk): its absence means a
    # truncated upload, which pypdf would otherwise try to "repair".
    if b"%%EOF" not in contenu[-1024:]:
        raise PdfInvalide(MESSAGE_ILLISIBLE)
    try:
        lecteur = pypdf.PdfReader(io.BytesIO(contenu), strict=False)
        chiffre = lecteur.is_encrypted
    except pypdf.errors.LimitReachedError as exc:
        raise PdfInvalide(MESSAGE_BOMBE) from exc
    except Exception as exc:
        raise PdfInvalide(MESSAGE_ILLISIBLE) from exc
    if chiffre:
        # Even an owner-password-only PDF (openable, but with restrictions) is refused: its content is
        # encrypted, so neither its Factur-X XML nor its text can be read reliably.
        raise PdfInvalide(MESSAGE_CHIFFRE)
    try:
        if len(lecteur.pages) == 0:
            raise PdfInvalide(MESSAGE_ILLISIBLE)
    except PdfInvalide:
        raise
    except pypdf.errors.LimitReachedError as exc:
        raise PdfInvalide(MESSAGE_BOMBE) from exc
    except Exception as exc:
        raise PdfInvalide(MESSAGE_ILLISIBLE) from exc
    return lecteur


def _texte(lecteur: "PdfReader", pages: int = PAGES_TEXTE) -> str:
    pypdf = bibliotheques.pypdf()
    morceaux = []
    for page in list(lecteur.pages)[:pages]:
        try:
            # pypdf's text extraction swallows a decompression limit and returns no text: decode the content
            # first, so that a bomb refuses the PDF instead of passing as a PDF without text.
            if (contenu_page := page.get_contents()) is not None:
                contenu_page.get_data()
            morceaux.append(page.extract_text() or "")
        except pypdf.errors.LimitReachedError as exc:  # a decompression bomb in a page's content
            raise PdfInvalide(MESSAGE_BOMBE) from exc
        except Exception:  # a page whose text cannot be decoded does not make the PDF invalid
            logger.info("Texte illisible sur une page PDF", exc_info=True)
    return "\n".join(morceaux)


def _xml_facturx(lecteur: "PdfReader") -> bytes | None:
    """The embedded ``factur-x.xml`` (or ZUGFeRD) XML, as is: not checked against the XSD here, so that the
    validator can report its errors to the user. It is read only through ``xml_securise`` (never a default lxml
    parser): a DOCTYPE refuses the PDF; an attachment of that name that is not XML is ignored, as the factur-x
    library does."""
    pypdf = bibliotheques.pypdf()
    try:
        pieces = [(p.name, p.content) for p in lecteur.attachment_list if p.name.lower() in NOMS_XML_FACTURX]
    except pypdf.errors.LimitReachedError as exc:
        raise PdfInvalide(MESSAGE_BOMBE) from exc
    except Exception:
        logger.info("Pièce jointe Factur-X illisible", exc_info=True)
        return None
    for nom, xml in sorted(pieces, key=lambda piece: NOMS_XML_FACTURX.index(piece[0].lower())):
        if not xml:
            continue
        try:
            racine = xml_securise.parser(xml)
        except xml_securise.XmlInvalide as exc:
            if str(exc) == xml_securise.MESSAGE_DOCTYPE:
                raise PdfInvalide(f"Le XML Factur-X intégré au PDF est refusé : {exc}") from exc
            logger.info("Pièce jointe %s illisible : %s", nom, exc)
            continue
        if xml_securise.detecter_syntaxe(racine) is not None:
            return xml
    return None


def _nom_commun(certificat) -> str:
    try:
        sujet = certificat.subject.native
    except (ValueError, TypeError, KeyError, AttributeError):
        return ""
    nom = sujet.get("common_name") or ""
    if isinstance(nom, list | tuple):
        nom = nom[0] if nom else ""
    return str(nom)


def _info_signature(signature) -> InfoSignature:
    pyhanko = bibliotheques.pyhanko()
    signataire = ""
    date_signature = None
    intacte = False
    couvre = False
    try:
        certificat = signature.signer_cert
        signataire = _nom_commun(certificat)
    except Exception:
        logger.info("Certificat du signataire illisible", exc_info=True)
        certificat = None
    try:
        date_signature = signature.self_reported_timestamp
    except Exception:
        logger.info("Date de signature illisible", exc_info=True)
        date_signature = None
    try:
        type_contenu = signature.signed_data["encap_content_info"]["content_type"].native
        if certificat is not None:
            digest_ok, signature_ok = pyhanko.validate_sig_integrity(
                signature.signer_info,
                certificat,
                expected_content_type=type_contenu,
                actual_digest=signature.compute_digest(),
            )
            intacte = bool(digest_ok and signature_ok)
    except Exception:
        logger.info("Intégrité de signature non vérifiable", exc_info=True)
        intacte = False
    try:
        couvre = signature.evaluate_signature_coverage() == pyhanko.SignatureCoverageLevel.ENTIRE_FILE
    except Exception:
        logger.info("Couverture de signature non évaluable", exc_info=True)
        couvre = False
    return InfoSignature(
        intacte=intacte,
        signataire=signataire,
        date_signature=date_signature,
        couvre_tout_le_document=couvre,
        champ=str(getattr(signature, "field_name", "") or ""),
    )


def _signatures(contenu: bytes) -> list[InfoSignature]:
    # Every PDF signature dictionary has a /ByteRange: without one, no need to parse the file a second time.
    if b"/ByteRange" not in contenu:
        return []
    try:
        lecteur = bibliotheques.pyhanko().PdfFileReader(io.BytesIO(contenu), strict=False)
        signatures = list(lecteur.embedded_regular_signatures)
    except Exception:
        # A signature dictionary is present but pyHanko cannot read the signature structure: report one
        # signature that cannot be trusted rather than pretending the PDF is unsigned.
        logger.info("Signatures PDF illisibles", exc_info=True)
        return [InfoSignature(intacte=False, signataire="", date_signature=None, couvre_tout_le_document=False)]
    return [_info_signature(signature) for signature in signatures]


def analyser_pdf(contenu: bytes) -> AnalysePdf:
    """Classify a deposited PDF and read what it carries: embedded Factur-X XML, signatures (integrity, signer,
    signing time, coverage: trust-chain validation is out of scope offline, see the module docstring) and the text
    of its first pages. Raises :class:`PdfInvalide` (French message) for a malformed, truncated, encrypted or
    oversized PDF, a decompression bomb, or an analysis that exceeds its time or memory (see ``LIMITES_PYPDF``,
    ``CPU_ANALYSE``, ``MEMOIRE_ANALYSE``, ``DELAI_ANALYSE``)."""
    if len(contenu) > TAILLE_MAX:
        raise PdfInvalide(MESSAGE_TROP_VOLUMINEUX)
    if sniffer(contenu) != "PDF":
        raise PdfInvalide(MESSAGE_ILLISIBLE)
    # Imported here, in this process, before the analysis forks: every child inherits them instead of importing
    # them again (a few hundred ms each); a process that never reads a PDF never loads them.
    bibliotheques.pypdf()
    bibliotheques.pyhanko()
    return _dans_un_processus_borne(_analyser, contenu)


def _analyser(contenu: bytes) -> AnalysePdf:
    with bibliotheques.pypdf().apply_configuration(**LIMITES_PYPDF):
        lecteur = _lire_pypdf(contenu)
        texte = _texte(lecteur)
        xml = _xml_facturx(lecteur)
    signatures = _signatures(contenu)
    if xml:
        format_pdf = FORMAT_FACTURX
    elif signatures:
        format_pdf = FORMAT_PDF_SIGNE
    else:
        format_pdf = FORMAT_PDF_NON_SIGNE
    return AnalysePdf(format=format_pdf, xml_facturx=xml, signatures=signatures, texte=texte)


def _memoire_virtuelle() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _dans_un_processus_borne(fonction, contenu: bytes):
    """``fonction(contenu)`` run in a forked child with its CPU time and address space capped (``resource``), killed
    past ``DELAI_ANALYSE`` seconds: a hostile file can exhaust the child, never the web process. The child sends
    back its result (or the French message of its refusal) through a pipe; it never touches the database."""
    memoire = _memoire_virtuelle() + MEMOIRE_ANALYSE
    lecture, ecriture = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process (its outcome is asserted by the parent's tests)
        code = 1
        try:
            os.close(lecture)
            resource.setrlimit(resource.RLIMIT_CPU, (CPU_ANALYSE, CPU_ANALYSE + 1))
            resource.setrlimit(resource.RLIMIT_AS, (memoire, memoire))
            try:
                resultat = ("ok", fonction(contenu))
            except PdfInvalide as exc:
                resultat = ("refus", str(exc))
            except MemoryError:
                resultat = ("refus", MESSAGE_RESSOURCES)
            except Exception:
                logger.info("Analyse PDF en échec", exc_info=True)
                resultat = ("refus", MESSAGE_ILLISIBLE)
            with os.fdopen(ecriture, "wb") as sortie:
                sortie.write(pickle.dumps(resultat))
            code = 0
        finally:
            os._exit(code)
    os.close(ecriture)
    morceaux = []
    fin = time.monotonic() + DELAI_ANALYSE
    delai_depasse = False
    try:
        while True:
            reste = fin - time.monotonic()
            prets = select.select([lecture], [], [], reste)[0] if reste > 0 else []
            if not prets:
                delai_depasse = True
                break
            morceau = os.read(lecture, 1 << 20)
            if not morceau:
                break
            morceaux.append(morceau)
    finally:
        os.close(lecture)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    donnees = b"".join(morceaux)
    if delai_depasse or not donnees:
        # Killed (CPU time, wall-clock delay) or dead of exhaustion before answering.
        raise PdfInvalide(MESSAGE_RESSOURCES)
    etat, valeur = pickle.loads(donnees)  # noqa: S301  # nosec B301  # written by our own child process, not by the upload
    if etat == "refus":
        raise PdfInvalide(valeur)
    return valeur


# --- Text heuristics ---------------------------------------------------------------------------------------------

_ESPACES = " \u00a0\u202f"
_RE_SIRET = re.compile(r"(?<![\dA-Za-z])\d(?:[ \u00a0\u202f.]?\d){13}(?!\d)")
_N_DEGRE = (
    r"N\s*(?:[°º˚]|o(?![A-Za-z]))\.?"  # « N° », « Nº », « No » (pypdf may read the degree sign as a ring or an o)
)
_VALEUR_NUMERO = r"\s*[:：#]?\s*(?P<valeur>[A-Za-z0-9][A-Za-z0-9/_.\-]*)"
# Explicit labels: « Facture n° », « N° de facture », « Numéro de facture », « Invoice number »...
_RE_NUMERO = re.compile(
    r"(?P<libelle>(?:Facture|Avoir)\s*(?:" + _N_DEGRE + r"|num[ée]ro|#)"
    r"|\b" + _N_DEGRE + r"\s*(?:de\s+)?(?:la\s+)?(?:facture|l'avoir|d'avoir|avoir)"
    r"|Num[ée]ro\s+(?:de\s+(?:la\s+)?)?(?:facture|l'avoir|d'avoir)"
    r"|R[ée]f(?:[ée]rence)?\.?\s+(?:de\s+(?:la\s+)?)?facture"
    r"|Invoice\s*(?:number|no\.?|n\s*[°º]|#))" + _VALEUR_NUMERO,
    re.IGNORECASE,
)
# Weaker clues, read only when no label above gives a number: a title « FACTURE F2026-001 » or « Facture : … », a
# line starting with « Numéro : » or « N° : ».
_RE_NUMERO_TITRE = re.compile(
    r"(?P<libelle>\b(?:Facture|Avoir)(?=\s*:|\s+[A-Za-z0-9/_.\-]*\d)|^[ \t]*(?:Num[ée]ro|\b"
    + _N_DEGRE
    + r")(?=\s*[:：]))"
    + _VALEUR_NUMERO,
    re.IGNORECASE | re.MULTILINE,
)
_RE_DATE_SEULE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}")
_RE_DATE = re.compile(
    r"\bDate(?P<libelle>[^\d\n]{0,40}?)\s*[:：]?\s*"
    r"(?:(?P<j>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<a>\d{4})|(?P<iso_a>\d{4})-(?P<iso_m>\d{2})-(?P<iso_j>\d{2}))",
    re.IGNORECASE,
)
_NOMBRE = r"(?P<nombre>-?\s?(?:\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?))"
_TVA = r"T\.?\s?V\.?\s?A\.?(?![A-Za-z])"
_HT = r"(?:H\.?\s?T\.?(?![A-Za-z])|hors\s+taxes?)"
_TTC = r"(?:T\.?\s?T\.?\s?C\.?(?![A-Za-z])|toutes\s+taxes\s+comprises)"
# A rate between a total's label and its amount: « Total TVA (20 %) : 200,00 ».
_TAUX_INTERCALE = r"(?:[ \t]*\(?[ \t]*\d{1,2}(?:[.,]\d{1,3})?[ \t]*%[ \t]*\)?)?"
_LIBELLES_MONTANTS = {
    "totaux.total_ht": rf"\b(?:(?:Sous-|Montant\s+)?total\s+(?:net\s+)?{_HT}|Montant\s+(?:net\s+)?{_HT}|Total\s+{_HT})",
    "totaux.total_tva": rf"(?:\b(?:Total|Montant)\s+(?:total\s+)?(?:de\s+(?:la\s+)?)?{_TVA}{_TAUX_INTERCALE}"
    rf"|^[ \t]*{_TVA}(?=\s*[:：]?\s*(?:EUR|€)?\s*-?\d))",
    "totaux.total_ttc": rf"\b(?:(?:Montant\s+)?total\s+{_TTC}|Montant\s+{_TTC})",
    "totaux.net_a_payer": r"\b(?:Net\s+[àa]\s+payer|Montant\s+d[ûu]|Reste\s+[àa]\s+payer)",
}
_RE_MONTANTS = {
    cle: re.compile(
        rf"{libelle}\s*(?:\((?:EUR|€)\))?\s*[:：]?\s*(?:EUR|€)?\s*{_NOMBRE}(?![\d,.]*\d)(?!\s*%)",
        re.IGNORECASE | re.MULTILINE,
    )
    for cle, libelle in _LIBELLES_MONTANTS.items()
}
_TAUX = r"(?P<taux>\d{1,2}(?:[.,]\d{1,3})?)\s*%"
# « TVA 20 % », « TVA (20,00 %) », « Taux de TVA : 5,5 % », « TVA à 10% » (the label may end a table header line)...
_RE_TAUX_APRES_LIBELLE = re.compile(
    rf"\b{_TVA}[^\d%\n]{{0,30}}?(?:\n[^\d%\n]{{0,30}}?)?(?<![\d,.]){_TAUX}", re.IGNORECASE
)
# ... or « 20 % de TVA »
_RE_TAUX_AVANT_LIBELLE = re.compile(rf"(?<![\d,.]){_TAUX}\s*(?:de\s+)?{_TVA}", re.IGNORECASE)
# ... or, without a label, a row of a VAT breakdown: « 20,00 % 1 000,00 200,00 » (base, then VAT at that rate).
_RE_TAUX_SEUL = re.compile(rf"(?<![\d,.]){_TAUX}", re.IGNORECASE)
# What may stand between a rate and its amounts: « TVA 20 % sur 1 000,00 € : 200,00 € ».
_RE_MONTANT_SUIVANT = re.compile(
    rf"(?:[\s:：=()*€]|EUR\b|sur\b|base\b|de\b|soit\b)*{_NOMBRE}(?![\d,.]*\d)(?!\s*%)",
    re.IGNORECASE,
)
_TAUX_MAX = Decimal(30)  # no VAT rate above: a larger percentage is something else (a discount, a progress)
_RE_CODE_SERVICE = re.compile(r"Code\s+service\s*[:：]\s*(?P<valeur>[A-Za-z0-9][A-Za-z0-9_\-]*)", re.IGNORECASE)
_RE_ENGAGEMENT = re.compile(
    r"(?:N\s*[°º]\s*d'engagement|Num[ée]ro\s+d'engagement|Engagement\s+juridique|Bon\s+de\s+commande)"
    r"\s*[:：]?\s*(?P<valeur>[A-Za-z0-9][A-Za-z0-9/_\-]*)",
    re.IGNORECASE,
)


def lire_montant(texte: str) -> Decimal | None:
    """A French (``1 234,56``, ``1.234,56``) or dotted (``1234.56``) amount, else ``None``."""
    brut = "".join(ch for ch in texte if ch not in _ESPACES)
    if "," in brut:
        brut = brut.replace(".", "").replace(",", ".")
    elif brut.count(".") > 1 or re.fullmatch(r"-?\d{1,3}\.\d{3}", brut):
        brut = brut.replace(".", "")
    try:
        return Decimal(brut)
    except InvalidOperation:
        return None


def _sirets(texte: str) -> list[str]:
    etiquetes, autres = [], []
    for ligne in texte.splitlines():
        if re.search(r"\b(IBAN|BIC|RIB|T[ée]l|Fax)\b", ligne, re.IGNORECASE):
            continue
        for trouve in _RE_SIRET.finditer(ligne):
            siret = normaliser(trouve.group(0))
            if not siret_valide(siret):
                continue
            avant = ligne[max(0, trouve.start() - 25) : trouve.start()]
            (etiquetes if re.search(r"SIRE[TN]", avant, re.IGNORECASE) else autres).append(siret)
    resultat = []
    for siret in etiquetes + autres:
        if siret not in resultat:
            resultat.append(siret)
    return resultat


def _date(trouve: re.Match) -> date | None:
    try:
        if trouve.group("a"):
            return date(int(trouve.group("a")), int(trouve.group("m")), int(trouve.group("j")))
        return date(int(trouve.group("iso_a")), int(trouve.group("iso_m")), int(trouve.group("iso_j")))
    except ValueError:
        return None


def _numero(texte: str) -> tuple[str, bool] | None:
    """(number, is an avoir) from the labels, explicit ones first; a date or a word without digit is no number, and
    the weaker clues need three digits at least (« Facture 1/2 » is a page count)."""
    for motif, chiffres_min in ((_RE_NUMERO, 1), (_RE_NUMERO_TITRE, 3)):
        for trouve in motif.finditer(texte):
            valeur = trouve.group("valeur").rstrip(".-/_")
            if sum(ch.isdigit() for ch in valeur) < chiffres_min:
                continue
            if _RE_DATE_SEULE.fullmatch(valeur):
                continue
            return valeur, "avoir" in trouve.group("libelle").lower()
    return None


def _taux(brut: str) -> Decimal | None:
    taux = lire_montant(brut)
    if taux is None or not 0 <= taux <= _TAUX_MAX:
        return None
    # « 20,00 » and « 20 » are the same rate: one key, written without trailing zeros nor exponent.
    return montants.taux_normalise(taux)


def _montants_suivants(texte: str, position: int, nombre: int = 2) -> list[Decimal]:
    """The amounts right after ``position``, separated only by currency signs, colons or words like « sur »."""
    montants = []
    while len(montants) < nombre:
        trouve = _RE_MONTANT_SUIVANT.match(texte, position)
        if trouve is None:
            break
        montant = lire_montant(trouve.group("nombre"))
        if montant is None:
            break
        montants.append(montant)
        position = trouve.end()
    return montants


def _tva_coherente(base: Decimal, taux: Decimal, montant: Decimal) -> bool:
    """``montant`` is the VAT of ``base`` at ``taux`` (rounding of a few lines allowed)."""
    return base > 0 and abs(base * taux / 100 - montant) <= max(Decimal("0.05"), abs(montant) / 200)


def _taux_lus(texte: str) -> dict[Decimal, tuple[Decimal | None, Decimal | None]]:
    """Each VAT rate the text names → (base HT, VAT amount) when written next to it, in order of appearance.
    A rate must be labelled « TVA » or be a row of a VAT breakdown (base and VAT consistent with the rate): a bare
    percentage is a discount as often as a rate."""
    trouves: dict[Decimal, tuple[Decimal | None, Decimal | None]] = {}

    def retenir(taux, base, montant):
        ancien = trouves.get(taux, (None, None))
        # The most complete reading wins (a breakdown after the lines), else the first one.
        if sum(v is not None for v in (base, montant)) >= sum(v is not None for v in ancien):
            trouves[taux] = (base, montant)

    occurrences = []
    for motif in (_RE_TAUX_APRES_LIBELLE, _RE_TAUX_AVANT_LIBELLE):
        occurrences += [(t.start("taux"), t.end(), t.group("taux"), True) for t in motif.finditer(texte)]
    etiquetes = {debut for debut, *_ in occurrences}
    occurrences += [
        (t.start("taux"), t.end(), t.group("taux"), False)
        for t in _RE_TAUX_SEUL.finditer(texte)
        if t.start("taux") not in etiquetes
    ]
    for _debut, fin, brut, etiquete in sorted(occurrences):
        taux = _taux(brut)
        if taux is None:
            continue
        montants = _montants_suivants(texte, fin)
        if len(montants) == 2 and _tva_coherente(montants[0], taux, montants[1]):
            retenir(taux, montants[0], montants[1])
        elif etiquete:
            retenir(taux, None, montants[0] if montants else None)
    return trouves


def _deduire_totaux(totaux, a_verifier: set[str]) -> None:
    """A total among HT, TVA and TTC that is not written but implied by the two others."""
    lus = {cle for cle in ("totaux.total_ht", "totaux.total_tva", "totaux.total_ttc") if cle in a_verifier}
    if lus == {"totaux.total_ht", "totaux.total_ttc"}:
        totaux.total_tva = totaux.total_ttc - totaux.total_ht
        a_verifier.add("totaux.total_tva")
    elif lus == {"totaux.total_tva", "totaux.total_ttc"}:
        totaux.total_ht = totaux.total_ttc - totaux.total_tva
        a_verifier.add("totaux.total_ht")
    elif lus == {"totaux.total_ht", "totaux.total_tva"}:
        totaux.total_ttc = totaux.total_ht + totaux.total_tva
        a_verifier.add("totaux.total_ttc")


def _ventilation_tva(donnees: DonneesFacture, texte: str, a_verifier: set[str]) -> None:
    """``donnees.tva`` from the rates read, and the totals a PDF leaves implicit (TVA = TTC − HT...)."""
    totaux = donnees.totaux
    _deduire_totaux(totaux, a_verifier)
    taux_lus = _taux_lus(texte)
    if len(taux_lus) == 1:
        # One rate: its base and VAT are the invoice's totals when not written next to it.
        ((taux, (base, montant)),) = taux_lus.items()
        if base is None and "totaux.total_ht" in a_verifier:
            base = totaux.total_ht
        if montant is None and "totaux.total_tva" in a_verifier:
            montant = totaux.total_tva
        taux_lus[taux] = (base, montant)
    elif taux_lus:
        # Several rates: a base not written is what the total HT leaves, or the VAT divided by the rate.
        manquants = [t for t, (base, _m) in taux_lus.items() if base is None]
        if len(manquants) == 1 and "totaux.total_ht" in a_verifier:
            autres = sum((b for t, (b, _m) in taux_lus.items() if t != manquants[0]), Decimal(0))
            if totaux.total_ht > autres:
                taux_lus[manquants[0]] = (totaux.total_ht - autres, taux_lus[manquants[0]][1])
        for taux, (base, montant) in list(taux_lus.items()):
            if base is None and montant and taux > 0:
                taux_lus[taux] = (montants.base_de_la_tva(montant, taux), montant)
    for taux, (base, montant) in taux_lus.items():
        base = base if base is not None else Decimal(0)
        if montant is None:
            montant = montants.tva_sur_base(base, taux)
        donnees.tva.append(LigneTva(categorie="S" if taux > 0 else "Z", taux=taux, base_ht=base, montant_tva=montant))
    if not donnees.tva:
        return
    a_verifier.add("tva")
    # Totals still unknown come from the breakdown when it is complete (every base read or deduced).
    if all(t.base_ht > 0 for t in donnees.tva):
        if "totaux.total_ht" not in a_verifier:
            totaux.total_ht = sum((t.base_ht for t in donnees.tva), Decimal(0))
            a_verifier.add("totaux.total_ht")
        if "totaux.total_tva" not in a_verifier:
            totaux.total_tva = sum((t.montant_tva for t in donnees.tva), Decimal(0))
            a_verifier.add("totaux.total_tva")
        _deduire_totaux(totaux, a_verifier)


def extraire_du_texte(texte: str) -> DonneesFacture:
    """Pre-fill an invoice from a plain PDF's text. Every field found is listed in ``champs_a_verifier`` (the
    user confirms it): ``numero``, ``type_document`` (an « Avoir n° »), ``date_emission``, ``date_echeance``,
    ``fournisseur.siret`` (first valid SIRET, those labelled « SIRET » first), ``destinataire.siret`` (the next
    distinct one), ``destinataire.code_service``, ``numero_engagement``, ``tva`` (the VAT rates, in ``tva``: « TVA
    20 % », « Taux de TVA : 5,5 % », rows of a VAT breakdown) and ``totaux.total_ht``, ``totaux.total_tva``,
    ``totaux.total_ttc``, ``totaux.net_a_payer`` (last occurrence of each label; a total not written but implied by
    the others or by the VAT breakdown is computed)."""
    donnees = DonneesFacture()
    a_verifier = donnees.champs_a_verifier
    texte = texte or ""

    sirets = _sirets(texte)
    if sirets:
        donnees.fournisseur.siret = sirets[0]
        a_verifier.add("fournisseur.siret")
    if len(sirets) > 1:
        donnees.destinataire.siret = sirets[1]
        a_verifier.add("destinataire.siret")

    numero = _numero(texte)
    if numero:
        donnees.numero, avoir = numero
        a_verifier.add("numero")
        if avoir:
            donnees.type_document = "381"
            a_verifier.add("type_document")

    for trouve in _RE_DATE.finditer(texte):
        valeur = _date(trouve)
        if valeur is None:
            continue
        libelle = trouve.group("libelle").lower()
        if re.search(r"[ée]ch[ée]ance|due|limite|paiement|r[èe]glement", libelle):
            if donnees.date_echeance is None:
                donnees.date_echeance = valeur
                a_verifier.add("date_echeance")
        elif re.search(r"d[ée]p[ôo]t|livraison|commande|signature|impression", libelle):
            continue
        elif donnees.date_emission is None:
            donnees.date_emission = valeur
            a_verifier.add("date_emission")

    for cle, motif in _RE_MONTANTS.items():
        valeurs = [lire_montant(trouve.group("nombre")) for trouve in motif.finditer(texte)]
        valeurs = [valeur for valeur in valeurs if valeur is not None]
        if valeurs:
            setattr(donnees.totaux, cle.split(".")[1], valeurs[-1])
            a_verifier.add(cle)
    _ventilation_tva(donnees, texte, a_verifier)

    trouve = _RE_CODE_SERVICE.search(texte)
    if trouve:
        donnees.destinataire.code_service = trouve.group("valeur")
        a_verifier.add("destinataire.code_service")
    trouve = _RE_ENGAGEMENT.search(texte)
    if trouve and any(ch.isdigit() for ch in trouve.group("valeur")):
        donnees.numero_engagement = trouve.group("valeur")
        a_verifier.add("numero_engagement")
    return donnees
