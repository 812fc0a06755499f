"""Hostile files generated in the tests (issue 13, items 5 and 7): nothing of this kind is stored in the repository.
Each builder returns the bytes an attacker would upload."""

import gzip
import io
import tarfile
import zlib

from tests.facturation.test_pdf import pdf_simple

BOMBE_DECOMPRESSEE = 64 * 1024 * 1024  # 64 MB of zeros: a few tens of kilobytes once compressed


def pdf_brut(objets: list[bytes]) -> bytes:
    """A PDF written by hand from its numbered objects (1 0 obj is the catalog), with a correct xref."""
    sortie = io.BytesIO()
    sortie.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    positions = []
    for numero, corps in enumerate(objets, start=1):
        positions.append(sortie.tell())
        sortie.write(b"%d 0 obj\n" % numero + corps + b"\nendobj\n")
    xref = sortie.tell()
    sortie.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objets) + 1))
    for position in positions:
        sortie.write(b"%010d 00000 n \n" % position)
    sortie.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objets) + 1, xref))
    return sortie.getvalue()


def _flux(donnees: bytes, *, compresser=True) -> bytes:
    corps = zlib.compress(donnees, 9) if compresser else donnees
    filtre = b" /Filter /FlateDecode" if compresser else b""
    return b"<< /Length %d%s >>\nstream\n" % (len(corps), filtre) + corps + b"\nendstream"


def pdf_bombe_de_page() -> bytes:
    """One page whose content stream inflates to 64 MB."""
    return pdf_brut(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            _flux(b" " * BOMBE_DECOMPRESSEE),
        ]
    )


def pdf_avec_piece(nom: str, contenu: bytes) -> bytes:
    """A one-page PDF carrying ``contenu`` (compressed) as the embedded file ``nom``, as a Factur-X carries its
    XML."""
    nom_pdf = nom.encode()
    return pdf_brut(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(%s) 5 0 R] >> >> >>" % nom_pdf,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            _flux(b"BT /F1 12 Tf 72 720 Td (Facture) Tj ET", compresser=False),
            b"<< /Type /Filespec /F (%s) /UF (%s) /EF << /F 6 0 R >> >>" % (nom_pdf, nom_pdf),
            _flux(contenu).replace(b"<< /Length", b"<< /Type /EmbeddedFile /Length", 1),
        ]
    )


def pdf_facturx_bombe() -> bytes:
    """A PDF whose embedded ``factur-x.xml`` inflates to 64 MB."""
    return pdf_avec_piece("factur-x.xml", b"<a>" + b" " * BOMBE_DECOMPRESSEE + b"</a>")


def pdf_tronque() -> bytes:
    contenu = pdf_simple()
    return contenu[: len(contenu) // 2]


XML_MILLIARD_DE_RIRES = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&lol3;
</rsm:CrossIndustryInvoice>"""

XML_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>"""


def gzip_bombe() -> bytes:
    """A .tar.gz whose single member inflates to 64 MB."""
    tampon = io.BytesIO()
    with tarfile.open(fileobj=tampon, mode="w:gz") as archive:
        membre = tarfile.TarInfo("facture.xml")
        membre.size = BOMBE_DECOMPRESSEE
        archive.addfile(membre, io.BytesIO(b"\x00" * BOMBE_DECOMPRESSEE))
    return tampon.getvalue()


def gzip_simple_bombe() -> bytes:
    return gzip.compress(b"\x00" * BOMBE_DECOMPRESSEE, 9)


def tar_traversee(contenu_xml: bytes) -> bytes:
    """A .tar.gz whose member climbs out of any extraction folder."""
    tampon = io.BytesIO()
    with tarfile.open(fileobj=tampon, mode="w:gz") as archive:
        membre = tarfile.TarInfo("../../../../tmp/chorus_traversee.xml")
        membre.size = len(contenu_xml)
        archive.addfile(membre, io.BytesIO(contenu_xml))
    return tampon.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
