"""Hostile lots: each is refused (or its bad member reported) with a French message, within a byte budget, and
nothing is ever written to disk."""

import gzip
import io
import os
import tarfile
import tempfile
import zlib

import pytest
from django.conf import settings

from facturation import lots
from facturation.lots import LotInvalide, Membre, lire_lot

XML = b"<?xml version='1.0'?><Invoice>" + b"<Line>1</Line>" * 50 + b"</Invoice>"


def _fichiers(racine) -> set[str]:
    if not os.path.isdir(racine):
        return set()
    return {os.path.join(d, f) for d, _, fs in os.walk(racine) for f in fs}


@pytest.fixture(autouse=True)
def rien_sur_disque(tmp_path, monkeypatch):
    """Every test runs from an empty directory that is also the temporary directory, and the media are watched:
    reading a lot must leave all of them as they were."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    avant = _fichiers(settings.MEDIA_ROOT)
    yield
    assert list(tmp_path.iterdir()) == []
    assert _fichiers(settings.MEDIA_ROOT) == avant


def lot(*membres, mode="w:gz", format=tarfile.PAX_FORMAT) -> bytes:
    """A tar of ``(TarInfo or name, bytes)`` members."""
    tampon = io.BytesIO()
    with tarfile.open(fileobj=tampon, mode=mode, format=format) as archive:
        for info, contenu in membres:
            if isinstance(info, str):
                info = tarfile.TarInfo(info)
            if info.isfile():
                info.size = len(contenu)
                archive.addfile(info, io.BytesIO(contenu))
            else:
                archive.addfile(info)
    return tampon.getvalue()


def info(nom, type_, **attributs) -> tarfile.TarInfo:
    resultat = tarfile.TarInfo(nom)
    resultat.type = type_
    for cle, valeur in attributs.items():
        setattr(resultat, cle, valeur)
    return resultat


def refus(contenu, nom="lot.tar.gz") -> str:
    with pytest.raises(LotInvalide) as exc:
        lire_lot(contenu, nom)
    assert isinstance(exc.value, LotInvalide) and len(exc.value.messages) == 1
    return exc.value.messages[0]


def test_fichier_seul_un_membre():
    assert lire_lot(XML, "rep/facture.xml") == [Membre("facture.xml", XML)]
    pdf = b"%PDF-1.7 pas une archive" * 10
    assert lire_lot(pdf, "f.pdf") == [Membre("f.pdf", pdf)]


def test_lot_gz_et_tar_simple_noms_reduits():
    for mode in ("w:gz", "w"):
        contenu = lot(
            (info("factures", tarfile.DIRTYPE), b""), ("factures/a.xml", XML), ("./b.xml", XML + b" "), mode=mode
        )
        assert lire_lot(contenu, "lot") == [Membre("a.xml", XML), Membre("b.xml", XML + b" ")]


def test_gzip_en_plusieurs_membres():
    brut = lot(("a.xml", XML), mode="w")
    contenu = gzip.compress(brut[:700]) + gzip.compress(brut[700:])
    assert lire_lot(contenu, "lot.tar.gz") == [Membre("a.xml", XML)]


@pytest.mark.parametrize(
    ("membre", "attendu"),
    [
        (("/etc/passwd", XML), "Le lot est refusé : le membre « /etc/passwd » a un chemin absolu."),
        (("C:\\factures\\a.xml", XML), "Le lot est refusé : le membre « C:\\factures\\a.xml » a un chemin absolu."),
        (("factures/../../a.xml", XML), "Le lot est refusé : le membre « factures/../../a.xml » remonte dans"),
        (("..\\a.xml", XML), "Le lot est refusé : le membre « ..\\a.xml » remonte dans l'arborescence (« .. »)."),
        (
            (info("a.xml", tarfile.SYMTYPE, linkname="/etc/shadow"), b""),
            "Le lot est refusé : le membre « a.xml » est un lien vers « /etc/shadow ».",
        ),
        (
            (info("b.xml", tarfile.LNKTYPE, linkname="a.xml"), b""),
            "Le lot est refusé : le membre « b.xml » est un lien vers « a.xml ».",
        ),
        ((info("sda", tarfile.BLKTYPE), b""), "Le lot est refusé : le membre « sda » est un périphérique."),
        ((info("tty", tarfile.CHRTYPE), b""), "Le lot est refusé : le membre « tty » est un périphérique."),
        ((info("tube", tarfile.FIFOTYPE), b""), "Le lot est refusé : le membre « tube » est un tube nommé (FIFO)."),
    ],
)
def test_membre_dangereux_refuse_tout_le_lot(membre, attendu):
    # The dangerous member comes after a valid one: nothing of the lot is kept.
    assert refus(lot(("a.xml", XML), membre)).startswith(attendu)


def test_nom_dangereux_venu_d_un_entete_pax_ou_gnu():
    pax = info("a.xml", tarfile.REGTYPE, pax_headers={"path": "../../etc/cron.d/x"})
    assert "« ../../etc/cron.d/x » remonte" in refus(lot((pax, XML)))
    long = "x/" * 80 + "../a.xml"
    assert "remonte dans l'arborescence" in refus(lot((long, XML), format=tarfile.GNU_FORMAT))


def test_trop_de_membres(monkeypatch):
    monkeypatch.setattr(lots, "MAX_MEMBRES", 3)
    assert len(lire_lot(lot(*[(f"{i}.xml", XML) for i in range(3)]), "lot")) == 3
    assert refus(lot(*[(f"{i}.xml", XML) for i in range(4)])) == "Le lot dépasse 3 fichiers."


def test_dix_mille_et_un_fichiers():
    assert refus(lot(*[(f"{i}.xml", b"x") for i in range(10_001)])) == "Le lot dépasse 10000 fichiers."


def test_membre_trop_gros_seul_en_erreur():
    # Hexadecimal noise compresses like a real document (a run of one byte would be stopped as a bomb).
    gros = b"<a>" + os.urandom(lots.TAILLE_MAX_MEMBRE // 2).hex().encode() + b"</a>"
    membres = lire_lot(lot(("a.xml", XML), ("gros.xml", gros), ("c.xml", XML)), "lot.tar.gz")
    assert membres == [
        Membre("a.xml", XML),
        Membre("gros.xml", erreur="Le fichier gros.xml dépasse la taille maximale de 10 Mo."),
        Membre("c.xml", XML),
    ]


def test_membre_vide_en_erreur_et_fichier_vide_refuse():
    assert lire_lot(lot(("a.xml", XML), ("vide.xml", b"")), "lot") == [
        Membre("a.xml", XML),
        Membre("vide.xml", erreur="Le fichier vide.xml est vide."),
    ]
    assert refus(b"") == "Le fichier du flux est vide."


def _bombe(taille: int) -> bytes:
    """A gzipped tar whose single member is ``taille`` zero bytes, compressed chunk by chunk (never all in memory)."""
    entete = tarfile.TarInfo("a.xml")
    entete.size = taille
    compresseur = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    morceaux = [compresseur.compress(entete.tobuf(tarfile.PAX_FORMAT))]
    zeros = bytes(1024 * 1024)
    for _ in range(taille // len(zeros)):
        morceaux.append(compresseur.compress(zeros))
    morceaux.append(compresseur.compress(bytes(2 * tarfile.BLOCKSIZE)))
    morceaux.append(compresseur.flush())
    return b"".join(morceaux)


def test_bombe_gzip_arretee_au_taux_de_compression(monkeypatch):
    lus = []
    decompresser = lots._LecteurBorne._produire
    monkeypatch.setattr(lots._LecteurBorne, "_produire", lambda self, n: lus.append(n) or decompresser(self, n))
    bombe = _bombe(100 * 1024 * 1024)
    assert len(bombe) < 200 * 1024
    message = refus(bombe)
    assert message == "Le lot est refusé : décompressé, il dépasse 500 fois sa taille (archive piégée ?)."
    # Reading stopped at the budget (500 × the compressed size, under 100 Mo), not at the member's end.
    assert sum(lus) < 500 * len(bombe) + 2 * lots.BLOC_LECTURE < 100 * 1024 * 1024


def test_lot_de_factures_presque_identiques_pas_pris_pour_une_bombe():
    """1000 invoices of one template gzip ~130 times: below the ratio that stops a bomb."""
    gabarit = XML * 20
    contenu = lot(*[(f"f{i}.xml", gabarit.replace(b"<Line>", b"<Line n='%d'>" % i, 1)) for i in range(1000)])
    assert len(gzip.decompress(contenu)) > 100 * len(contenu)
    assert len(lire_lot(contenu, "lot.tar.gz")) == 1000


def test_taille_totale_decompressee(monkeypatch):
    monkeypatch.setattr(lots, "TAILLE_MAX_TOTALE", 1024 * 1024)
    contenu = lot(*[(f"{i}.xml", os.urandom(150 * 1024)) for i in range(10)])
    assert refus(contenu) == "Le lot est refusé : décompressé, il dépasse 1 Mo."
    monkeypatch.setattr(lots, "TAILLE_MAX_TOTALE", 2 * 1024 * 1024)
    monkeypatch.setattr(lots, "TAILLE_MAX_MEMBRE", 4 * 1024 * 1024)
    gros = lot(("a.xml", os.urandom(3 * 1024 * 1024)), mode="w")
    assert refus(gros) == "Le lot est refusé : décompressé, il dépasse 2 Mo."


def test_entete_pax_enorme():
    enorme = info("a.xml", tarfile.REGTYPE, pax_headers={"comment": "x" * (lots.TAILLE_MAX_ENTETE + 1)})
    message = refus(lot(("ok.xml", XML), (enorme, XML)))
    assert message.startswith("Le lot est refusé : un en-tête étendu de ") and "dépasse le maximum" in message


def test_nom_gnu_enorme():
    assert "en-tête étendu" in refus(lot(("a" * 100_000, XML), format=tarfile.GNU_FORMAT))


def test_chaine_d_entetes():
    brut = io.BytesIO()
    for i in range(10):
        brut.write(tarfile.TarInfo(f"h{i}")._create_pax_generic_header({"comment": "x"}, tarfile.XHDTYPE, "utf-8"))
    brut.write(lot(("a.xml", XML), mode="w"))
    assert refus(gzip.compress(brut.getvalue())) == "Le lot est refusé : trop d'en-têtes étendus se suivent."


def test_pas_une_archive():
    assert refus(gzip.compress(XML)) == "Le fichier compressé n'est pas une archive tar."
    assert refus(b"\x1f\x8bpas du gzip") == "Le fichier compressé n'est pas une archive tar."
    tronque = lot(("a.xml", XML * 100), mode="w")[:1500]
    assert refus(tronque) == "Le lot est illisible (archive tar tronquée ou corrompue)."
    assert refus(gzip.compress(tronque)) == "Le lot est illisible (archive tar tronquée ou corrompue)."


def test_lot_vide():
    assert refus(lot()) == "Le lot ne contient aucun fichier."
    assert refus(lot(mode="w")) == "Le lot ne contient aucun fichier."
    assert refus(lot((info("rep", tarfile.DIRTYPE), b""))) == "Le lot ne contient aucun fichier."


def test_parcourir_seulement_les_membres_voulus(monkeypatch):
    """A chunk of a lot extracts exactly its own files: the others stream by without ever being read into memory
    (counted at tarfile's extraction and at the Membre built), and reading stops after the last wanted file."""
    contenus = [XML.replace(b"<Line>1", b"<Line>%d" % i, 1) for i in range(30)]
    contenu = lot(*[(f"{i}.xml", c) for i, c in enumerate(contenus)])
    extraits, construits, produits = [], [], []
    extraire = tarfile.TarFile.extractfile
    monkeypatch.setattr(tarfile.TarFile, "extractfile", lambda self, m: extraits.append(m.name) or extraire(self, m))
    monkeypatch.setattr(lots, "Membre", lambda *a, **k: construits.append(a[0]) or Membre(*a, **k))
    produire = lots._LecteurBorne._produire

    def compter(self, n):
        morceau = produire(self, n)
        produits.append(len(morceau))
        return morceau

    monkeypatch.setattr(lots._LecteurBorne, "_produire", compter)

    tranche = list(lots.parcourir_lot(contenu, "lot.tar.gz", [10, 11, 12]))
    assert tranche == [(i, Membre(f"{i}.xml", contenus[i])) for i in (10, 11, 12)]
    assert extraits == construits == ["10.xml", "11.xml", "12.xml"]
    partiel = sum(produits)

    extraits.clear(), construits.clear(), produits.clear()
    assert [i for i, _ in lots.parcourir_lot(contenu, "lot.tar.gz")] == list(range(30))
    assert len(extraits) == len(construits) == 30
    # The chunk stopped at its last file: it decompressed well under the whole lot (13 of 30 files and headers).
    assert partiel < sum(produits) * 0.6


def test_parcourir_un_fichier_seul_et_ses_indices():
    assert list(lots.parcourir_lot(XML, "f.xml", [0])) == [(0, Membre("f.xml", XML))]
    assert list(lots.parcourir_lot(XML, "f.xml", [1])) == []
