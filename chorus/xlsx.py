"""An XLSX workbook written while it is sent: one sheet of any length in flat memory.

openpyxl's write-only mode keeps the sheet in a temporary file and builds the whole archive before the first byte
leaves, so a 500,000-row export waited and held it all. Here the rows go through a ZIP archive written to a
non-seekable sink (zipfile then uses data descriptors), and each compressed piece is handed to the response as
soon as it exists. Strings are inline (no shared-strings table to keep in memory), dates and amounts are numbers
with a French number format, as Excel and LibreOffice read them."""

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr  # nosec B406  # escaping helpers for writing: nothing is parsed

from django.utils import timezone

# XML 1.0 forbids these control characters even escaped: they are removed, as openpyxl does.
_CARACTERES_INTERDITS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]|[\ud800-\udfff]|[\ufffe\uffff]")
_NOM_DE_FEUILLE_INTERDIT = re.compile(r"[\\/*?:\[\]]")
_EPOQUE = datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system, as every reader counts it
_LIGNES_PAR_ENVOI = 500

# Cell styles (index in cellXfs): 0 general, 1 date, 2 date and time, 3 amount.
_DATE, _DATE_HEURE, _MONTANT = 1, 2, 3

_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_RELATIONS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_RELATIONS_CLASSEUR = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="DD/MM/YYYY"/>'
    '<numFmt numFmtId="165" formatCode="DD/MM/YYYY HH:MM"/><numFmt numFmtId="166" formatCode="#,##0.00"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_ENTETE = 4  # bold: the header row


class _Sortie:
    """A write-only, non-seekable file whose bytes are collected until the generator hands them out."""

    def __init__(self):
        self._morceaux: list[bytes] = []
        self._position = 0

    def write(self, donnees) -> int:
        self._morceaux.append(bytes(donnees))
        self._position += len(donnees)
        return len(donnees)

    def tell(self) -> int:
        return self._position

    def flush(self):
        pass

    def vider(self) -> bytes:
        donnees = b"".join(self._morceaux)
        self._morceaux.clear()
        return donnees


def _colonne(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    lettres = ""
    index += 1
    while index:
        index, reste = divmod(index - 1, 26)
        lettres = chr(65 + reste) + lettres
    return lettres


def _texte(valeur: str) -> str:
    return escape(_CARACTERES_INTERDITS.sub("", valeur))


def _cellule(reference: str, valeur, style: int = 0) -> str:
    """One ``<c>`` element: text is always text (never a formula), dates and amounts are numbers."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return f'<c r="{reference}" t="b"><v>{int(valeur)}</v></c>'
    if isinstance(valeur, datetime):  # Excel has no time zones: Paris time, to the second
        locale = timezone.localtime(valeur) if timezone.is_aware(valeur) else valeur
        ecart = locale.replace(tzinfo=None, microsecond=0) - _EPOQUE
        return f'<c r="{reference}" s="{_DATE_HEURE}"><v>{ecart.days + ecart.seconds / 86400!r}</v></c>'
    if isinstance(valeur, date):
        return f'<c r="{reference}" s="{_DATE}"><v>{(datetime.combine(valeur, time()) - _EPOQUE).days}</v></c>'
    if isinstance(valeur, Decimal):
        return f'<c r="{reference}" s="{_MONTANT}"><v>{valeur:f}</v></c>'
    if isinstance(valeur, int | float):
        return f'<c r="{reference}"><v>{valeur!r}</v></c>'
    attribut_style = f' s="{style}"' if style else ""
    texte = _texte(str(valeur))
    return f'<c r="{reference}" t="inlineStr"{attribut_style}><is><t xml:space="preserve">{texte}</t></is></c>'


def _ligne(numero: int, valeurs: Sequence, style: int = 0) -> str:
    cellules = "".join(_cellule(f"{_colonne(i)}{numero}", v, style) for i, v in enumerate(valeurs))
    return f'<row r="{numero}">{cellules}</row>'


def nom_de_feuille(nom: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of \\ / * ? : [ ]."""
    return _NOM_DE_FEUILLE_INTERDIT.sub(" ", nom).strip()[:31] or "Feuille"


def classeur(
    feuille: str, entetes: Sequence[str], lignes: Iterable[Sequence], largeurs: Sequence[int] = ()
) -> Iterator[bytes]:
    """The bytes of an XLSX workbook, piece by piece, while ``lignes`` is read (once, lazily)."""
    sortie = _Sortie()
    with zipfile.ZipFile(sortie, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELATIONS)
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name={quoteattr(nom_de_feuille(feuille))} sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr("xl/_rels/workbook.xml.rels", _RELATIONS_CLASSEUR)
        archive.writestr("xl/styles.xml", _STYLES)
        # force_zip64: the sheet's size is unknown when its entry starts and may pass 4 GB.
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as onglet:
            debut = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            if largeurs:
                colonnes = "".join(
                    f'<col min="{i}" max="{i}" width="{largeur}" customWidth="1"/>'
                    for i, largeur in enumerate(largeurs, start=1)
                )
                debut += f"<cols>{colonnes}</cols>"
            onglet.write((debut + "<sheetData>" + _ligne(1, entetes, _ENTETE)).encode())
            for numero, valeurs in enumerate(lignes, start=2):
                onglet.write(_ligne(numero, valeurs).encode())
                if numero % _LIGNES_PAR_ENVOI == 0:
                    morceau = sortie.vider()
                    if morceau:
                        yield morceau
            onglet.write(b"</sheetData></worksheet>")
    yield sortie.vider()
