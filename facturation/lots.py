"""Reading a deposited lot: one invoice file, or a tar (gzip-compressed or not) of invoice files.

A lot comes from outside, so it is read against a byte budget before anything is kept in memory: the gzip stream is
decompressed as the tar is read (never all at once) and every byte that comes out is counted, so a bomb stops at
``RATIO_MAX`` times its compressed size or at ``TAILLE_MAX_TOTALE``; extended headers (pax, GNU long names) are
refused above ``TAILLE_MAX_ENTETE`` before they are read; a member larger than ``TAILLE_MAX_MEMBRE`` is skipped as it
streams by and becomes that member's own error. A member that could escape a directory or is not a plain file
(absolute name, ``..``, link, device, FIFO) makes the whole lot refused: such a lot was not built by an invoicing
tool. Nothing is ever written to disk."""

import re
import tarfile
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# An ERP's monthly run fits in one lot (issue 15 ingests lots of 10,000 invoices); the lot's byte budget still
# bounds its memory (TAILLE_MAX_TOTALE).
MAX_MEMBRES = 10_000
MAX_REPERTOIRES = 1000
TAILLE_MAX_MEMBRE = 10 * 1024 * 1024  # 10 Mo, the per-file limit of Chorus Pro
TAILLE_MAX_TOTALE = 200 * 1024 * 1024
TAILLE_MAX_ENTETE = 64 * 1024
# One invoice compresses 5 to 20 times, but a lot of near-identical invoices (one ERP template) gzips as a whole
# up to ~130 times (measured on 1000 CII files differing by their number), while a run of zeros reaches ~1000: the
# bound sits between. Small lots get a floor because a tar's fixed 10 Kio of padding alone compresses beyond any ratio.
RATIO_MAX = 500
PLANCHER_DECOMPRESSE = 1024 * 1024
# A member carries at most a pax header, a GNU long name and a GNU long link name; tarfile reads chained headers
# recursively, so a longer chain is refused before it can exhaust the stack.
MAX_ENTETES_CHAINES = 4

GZIP = b"\x1f\x8b"
BLOC_LECTURE = 64 * 1024
_ENTETES = (
    tarfile.GNUTYPE_LONGNAME,
    tarfile.GNUTYPE_LONGLINK,
    tarfile.XHDTYPE,
    tarfile.XGLTYPE,
    tarfile.SOLARIS_XHDTYPE,
)
_LECTEUR_WINDOWS = re.compile(r"^[A-Za-z]:")


class LotInvalide(ValidationError):
    """The whole lot is refused (its French message says why, naming the member at fault)."""


@dataclass(frozen=True)
class Membre:
    """One file of a lot: ``nom`` is its base name (for display), ``contenu`` its bytes, or ``erreur`` the French
    reason why it was not read (its ``contenu`` is then empty)."""

    nom: str
    contenu: bytes = b""
    erreur: str | None = None


def lire_lot(contenu: bytes, nom: str) -> list[Membre]:
    """The files of a lot, or the file itself. Raises ``LotInvalide`` when the lot is refused as a whole."""
    return [membre for _, membre in parcourir_lot(contenu, nom)]


def parcourir_lot(contenu: bytes, nom: str, indices: Collection[int] | None = None) -> Iterator[tuple[int, Membre]]:
    """The lot's files one at a time, as ``(position in the lot, Membre)``, so that a reader keeps only what it
    needs: the flux's split reads each file once and keeps its digest, a chunk keeps only its own files. With
    ``indices``, only those files are extracted (the others stream by, their bytes counted by the budget but never
    kept) and reading stops after the last of them. Raises ``LotInvalide`` (possibly after some files were
    yielded) when the lot is refused as a whole."""
    if not contenu:
        raise LotInvalide("Le fichier du flux est vide.")
    voulus = None if indices is None else set(indices)
    compresse = contenu[:2] == GZIP
    if not compresse and not _est_un_tar(contenu):
        if voulus is None or 0 in voulus:
            yield 0, _membre(_nom_affiche(nom) or "fichier", contenu)
        return
    lecteur = _LecteurBorne(contenu, compresse=compresse)
    try:
        yield from _membres(lecteur, voulus)
    except LotInvalide:
        raise
    except (tarfile.TarError, zlib.error, EOFError, OSError, RecursionError, UnicodeError):
        if compresse and not lecteur.debut_est_tar():
            raise LotInvalide("Le fichier compressé n'est pas une archive tar.") from None
        raise LotInvalide("Le lot est illisible (archive tar tronquée ou corrompue).") from None


def _membres(lecteur: "_LecteurBorne", voulus: set[int] | None) -> Iterator[tuple[int, Membre]]:
    try:
        archive = tarfile.open(fileobj=lecteur, mode="r|", tarinfo=_InfoBornee, encoding="utf-8", errors="replace")
    except tarfile.ReadError:
        if lecteur.lus and not lecteur.debut.strip(b"\0"):
            raise LotInvalide("Le lot ne contient aucun fichier.") from None
        raise
    position, repertoires = 0, 0
    restants = None if voulus is None else len(voulus)
    with archive:
        for info in archive:
            _refuser_si_dangereux(info)
            if info.isdir():
                repertoires += 1
                if repertoires > MAX_REPERTOIRES:
                    raise LotInvalide(f"Le lot contient plus de {MAX_REPERTOIRES} répertoires.")
                continue
            if position >= MAX_MEMBRES:
                raise LotInvalide(f"Le lot dépasse {MAX_MEMBRES} fichiers.")
            position += 1
            if voulus is not None and position - 1 not in voulus:
                # Not extracted: tarfile skips its bytes when it reads the next header.
                continue
            yield position - 1, _lire_membre(archive, info, position)
            if restants is not None:
                restants -= 1
                if not restants:
                    return
    if not position:
        raise LotInvalide("Le lot ne contient aucun fichier.")


def _lire_membre(archive: tarfile.TarFile, info: tarfile.TarInfo, position: int) -> Membre:
    nom = _nom_affiche(info.name) or f"fichier n° {position}"
    if not info.isfile() or info.issparse():
        return Membre(nom, erreur=f"Le fichier {nom} n'est pas un fichier ordinaire : il est ignoré.")
    if info.size > TAILLE_MAX_MEMBRE:
        # Not read: tarfile skips its bytes as they stream by (still counted by the budget).
        return Membre(nom, erreur=_trop_gros(nom))
    return _membre(nom, archive.extractfile(info).read())


def _membre(nom: str, contenu: bytes) -> Membre:
    if not contenu:
        return Membre(nom, erreur=f"Le fichier {nom} est vide.")
    if len(contenu) > TAILLE_MAX_MEMBRE:
        return Membre(nom, erreur=_trop_gros(nom))
    return Membre(nom, contenu)


def _trop_gros(nom: str) -> str:
    return f"Le fichier {nom} dépasse la taille maximale de {TAILLE_MAX_MEMBRE // (1024 * 1024)} Mo."


def _refuser_si_dangereux(info: tarfile.TarInfo) -> None:
    nom = _cite(info.name)
    chemin = info.name.replace("\\", "/")
    if chemin.startswith("/") or _LECTEUR_WINDOWS.match(chemin):
        raise LotInvalide(f"Le lot est refusé : le membre {nom} a un chemin absolu.")
    if ".." in chemin.split("/"):
        raise LotInvalide(f"Le lot est refusé : le membre {nom} remonte dans l'arborescence (« .. »).")
    if info.issym() or info.islnk():
        raise LotInvalide(f"Le lot est refusé : le membre {nom} est un lien vers {_cite(info.linkname)}.")
    if info.ischr() or info.isblk():
        raise LotInvalide(f"Le lot est refusé : le membre {nom} est un périphérique.")
    if info.isfifo():
        raise LotInvalide(f"Le lot est refusé : le membre {nom} est un tube nommé (FIFO).")


def _cite(nom: str) -> str:
    nom = nom if len(nom) <= 120 else nom[:117] + "…"
    return f"« {nom} »"


def _nom_affiche(nom: str) -> str:
    return nom.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1][-255:]


def _est_un_tar(contenu: bytes) -> bool:
    """An uncompressed tar starts with a header whose checksum holds (even if truncated after it), or is made of
    zero blocks (an empty tar)."""
    if len(contenu) < tarfile.BLOCKSIZE:
        return False
    entete = contenu[: tarfile.BLOCKSIZE]
    if not entete.strip(b"\0"):
        return len(contenu) % tarfile.BLOCKSIZE == 0
    try:
        tarfile.TarInfo.frombuf(entete, "utf-8", "replace")
    except tarfile.HeaderError:
        return False
    return True


class _InfoBornee(tarfile.TarInfo):
    """Checks an extended header's size before tarfile reads it into memory, and the length of a chain of them."""

    def _proc_member(self, archive):
        if self.type in _ENTETES:
            if self.size > TAILLE_MAX_ENTETE:
                raise LotInvalide(
                    f"Le lot est refusé : un en-tête étendu de {self.size} octets dépasse le maximum de "
                    f"{TAILLE_MAX_ENTETE} octets."
                )
            archive.chorus_entetes_chaines = getattr(archive, "chorus_entetes_chaines", 0) + 1
            if archive.chorus_entetes_chaines > MAX_ENTETES_CHAINES:
                raise LotInvalide("Le lot est refusé : trop d'en-têtes étendus se suivent.")
        else:
            archive.chorus_entetes_chaines = 0
        return super()._proc_member(archive)


class _LecteurBorne:
    """A read-only stream over the lot: gunzips (when compressed) as tarfile asks for bytes and counts what comes
    out, refusing the lot as soon as the count passes the budget."""

    def __init__(self, contenu: bytes, *, compresse: bool):
        self._source = memoryview(contenu)
        self._position = 0
        self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS) if compresse else None
        self._fini = False
        self.lus = 0
        self.debut = b""  # the first block, to tell an empty tar or a non-tar from a damaged tar
        self._budget_ratio = max(PLANCHER_DECOMPRESSE, RATIO_MAX * len(contenu)) if compresse else len(contenu)

    def read(self, taille=-1):
        if taille is None or taille < 0:
            taille = TAILLE_MAX_TOTALE + 1
        morceaux, obtenus = [], 0
        while obtenus < taille:
            morceau = self._produire(min(taille - obtenus, BLOC_LECTURE))
            if not morceau:
                break
            morceaux.append(morceau)
            obtenus += len(morceau)
            self._compter(len(morceau))
        donnees = b"".join(morceaux)
        if len(self.debut) < tarfile.BLOCKSIZE:
            self.debut += donnees[: tarfile.BLOCKSIZE - len(self.debut)]
        return donnees

    def _compter(self, n: int) -> None:
        self.lus += n
        if self.lus > self._budget_ratio and self._budget_ratio < TAILLE_MAX_TOTALE:
            raise LotInvalide(
                f"Le lot est refusé : décompressé, il dépasse {RATIO_MAX} fois sa taille (archive piégée ?)."
            )
        if self.lus > TAILLE_MAX_TOTALE:
            raise LotInvalide(f"Le lot est refusé : décompressé, il dépasse {TAILLE_MAX_TOTALE // (1024 * 1024)} Mo.")

    def _produire(self, taille: int) -> bytes:
        if self._zlib is None:
            morceau = self._source[self._position : self._position + taille]
            self._position += len(morceau)
            return bytes(morceau)
        while not self._fini:
            if self._zlib.eof:
                # A gzip file may hold several members one after the other; anything else after it is ignored.
                self._position -= len(self._zlib.unused_data)
                if bytes(self._source[self._position : self._position + 2]) != GZIP:
                    self._fini = True
                    break
                self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
            entree = self._zlib.unconsumed_tail
            if not entree:
                if self._position >= len(self._source):
                    return b""  # truncated gzip: tarfile reports the missing bytes
                entree = self._source[self._position : self._position + BLOC_LECTURE]
                self._position += len(entree)
            sortie = self._zlib.decompress(entree, taille)
            if sortie:
                return sortie
        return b""

    def debut_est_tar(self) -> bool:
        return len(self.debut) == tarfile.BLOCKSIZE and _est_un_tar(self.debut)
