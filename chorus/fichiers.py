"""The type of an uploaded file read from its bytes (never from its name nor the browser's claim): shared by every
application that accepts attachments (sollicitations, invoices, works pieces); and the one way documents are served
(as attachments, ``Cache-Control: no-store``)."""

import contextvars
import io
import re
import tarfile
from contextlib import contextmanager

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

_CONTROLES_PERMIS = {"\t", "\n", "\r", "\f"}

# The files written by the operations in progress (one list per ``effaces_en_cas_d_echec`` block, innermost last).
_ECRITS: contextvars.ContextVar[tuple[list, ...]] = contextvars.ContextVar("fichiers_ecrits", default=())

# Magic numbers of the binary formats the portal accepts as attachments.
SIGNATURE_PDF = b"%PDF-"
SIGNATURE_PNG = b"\x89PNG\r\n\x1a\n"
SIGNATURE_JPEG = b"\xff\xd8\xff"
SIGNATURE_ZIP = b"PK\x03\x04"  # also DOCX, XLSX, ODT, ODS
SIGNATURE_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # DOC and XLS (Microsoft Office 97-2003)


def type_reconnu(contenu: bytes) -> str | None:
    """``application/pdf``, ``image/png``, ``image/jpeg``, ``application/xml`` or ``text/plain`` from the bytes
    themselves; ``None`` for anything else (an executable, a binary of another kind)."""
    if contenu.startswith(SIGNATURE_PDF):
        return "application/pdf"
    if contenu.startswith(SIGNATURE_PNG):
        return "image/png"
    if contenu.startswith(SIGNATURE_JPEG):
        return "image/jpeg"
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            texte = contenu.decode("cp1252")  # a CSV saved by a French spreadsheet
        except UnicodeDecodeError:
            return None
    if any(ord(c) < 32 and c not in _CONTROLES_PERMIS for c in texte) or "\x7f" in texte:
        return None
    debut = texte.lstrip()
    if debut.startswith("<?xml") or (debut[:1] == "<" and debut[1:2].isalpha()):
        return "application/xml"
    return "text/plain"


def nom_de_fichier_sur(nom: str, *, defaut: str = "document") -> str:
    """A file name safe in a ``Content-Disposition`` header and on any disk: letters (accented too), digits,
    spaces, ``.``, ``_``, ``-`` and parentheses only (a newline, a quote or a path in a name never reaches the
    header)."""
    return re.sub(r"[^\w.\- ()]+", "_", nom).strip("._ ") or defaut


def telechargement(contenu, *, nom: str, content_type: str) -> HttpResponse | FileResponse:
    """A document served as an attachment (never shown inline by the browser, never kept in a cache): ``contenu``
    is an open file (streamed) or bytes."""
    nom = nom_de_fichier_sur(nom)
    if isinstance(contenu, bytes | bytearray):
        reponse = HttpResponse(bytes(contenu), content_type=content_type)
        reponse["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=nom)
    else:
        reponse = FileResponse(contenu, content_type=content_type, as_attachment=True, filename=nom)
    reponse["Cache-Control"] = "no-store"
    return reponse


def noter_ecriture(fichier) -> None:
    """Record a file just saved (a ``FieldFile``) for the enclosing ``effaces_en_cas_d_echec`` block, if any."""
    blocs = _ECRITS.get()
    if blocs and fichier:
        blocs[-1].append((fichier.storage, fichier.name))


@contextmanager
def effaces_en_cas_d_echec():
    """Files recorded by ``noter_ecriture`` inside the block are deleted when the block raises. The storage is not
    transactional: a deposit refused or cut by a database failure (PostgreSQL restarted) rolls its rows back, and
    the files they named would stay on disk with nothing pointing at them."""
    ecrits: list = []
    jeton = _ECRITS.set((*_ECRITS.get(), ecrits))
    try:
        yield
    except BaseException:
        for stockage, nom in ecrits:
            stockage.delete(nom)
        raise
    finally:
        _ECRITS.reset(jeton)
    # Written in a block that succeeded inside one that may still fail: the outer block answers for them.
    blocs = _ECRITS.get()
    if blocs:
        blocs[-1].extend(ecrits)


def archive_tar_gz(membres) -> bytes:
    """A gzip-compressed tar of ``membres`` ((name, bytes) pairs, regular files in that order), built in memory: a
    lot of documents as a depositor sends it."""
    tampon = io.BytesIO()
    with tarfile.open(fileobj=tampon, mode="w:gz") as archive:
        for nom, contenu in membres:
            info = tarfile.TarInfo(nom)
            info.size = len(contenu)
            archive.addfile(info, io.BytesIO(contenu))
    return tampon.getvalue()
