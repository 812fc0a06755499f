"""Deposited PDFs: sniffing by content, classification (unsigned, signed, Factur-X), signature integrity checked
offline with pyHanko on a PDF signed in the test, invalid files, and pre-filling from a plain PDF's text."""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from facturation.facturx import generer_cii, generer_pdf_facturx
from facturation.pdf import (
    FORMAT_FACTURX,
    FORMAT_PDF_NON_SIGNE,
    FORMAT_PDF_SIGNE,
    AnalysePdf,
    PdfInvalide,
    analyser_pdf,
    extraire_du_texte,
    lire_montant,
    sniffer,
)
from tests.facturation.test_facturx import SIRET_DESTINATAIRE, SIRET_FOURNISSEUR, facture_exemple

LIGNES_FACTURE = [
    "Atelier Dupont SARL - SIRET : 732 829 320 00074",
    "Facture n° FAC-2024-0042",
    "Date d'émission : 15/03/2024",
    "Date d'échéance : 2024-04-14",
    "Destinataire : Mairie de Lyon - SIRET 216 901 231 00011",
    "Code service : SERV-FIN",
    "IBAN : FR76 3000 6000 0112 3456 7890 189",
    "Total HT : 1 190,00 €",
    "Total TVA : 180,00 €",
    "Total TTC : 1 370,00 €",
    "Net à payer : 1 370,00 €",
]


def pdf_simple(lignes=LIGNES_FACTURE) -> bytes:
    tampon = io.BytesIO()
    page = canvas.Canvas(tampon, pagesize=A4)
    page.setFont("Helvetica", 11)
    y = 800
    for ligne in lignes:
        page.drawString(50, y, ligne)
        y -= 18
    page.showPage()
    page.save()
    return tampon.getvalue()


@pytest.fixture(scope="module")
def signataire():
    """A pyHanko signer with a self-signed RSA 2048 certificate for « Jean Signataire », made with cryptography."""
    cle = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    nom = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Jean Signataire")])
    maintenant = datetime.now(UTC)
    certificat = (
        x509.CertificateBuilder()
        .subject_name(nom)
        .issuer_name(nom)
        .public_key(cle.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(maintenant - timedelta(days=1))
        .not_valid_after(maintenant + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(cle, hashes.SHA256())
    )
    cert_asn1 = asn1_x509.Certificate.load(certificat.public_bytes(serialization.Encoding.DER))
    cle_asn1 = asn1_keys.PrivateKeyInfo.load(
        cle.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return signers.SimpleSigner(
        signing_cert=cert_asn1,
        signing_key=cle_asn1,
        cert_registry=SimpleCertificateStore.from_certs([cert_asn1]),
    )


def signer(contenu: bytes, signataire) -> bytes:
    sortie = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(contenu), strict=False),
        signers.PdfSignatureMetadata(field_name="Signature1", reason="Facture"),
        signer=signataire,
    )
    return sortie.getvalue()


# --- Sniffing ----------------------------------------------------------------------------------------------------


def test_sniffer_reconnait_le_contenu():
    assert sniffer(pdf_simple()) == "PDF"
    assert sniffer(b"<?xml version='1.0' encoding='UTF-8'?><rsm:CrossIndustryInvoice/>") == "XML"
    assert sniffer(b"\xef\xbb\xbf\r\n  <?xml version='1.0'?><Invoice/>") == "XML"
    assert sniffer("<?xml version='1.0' encoding='UTF-16'?><Invoice/>".encode("utf-16")) == "XML"
    assert sniffer(b"\n\t<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>") == "XML"
    assert sniffer(generer_cii(facture_exemple())) == "XML"
    assert sniffer(b"PK\x03\x04 archive zip") is None
    assert sniffer(b"Bonjour, ceci est du texte") is None
    assert sniffer(b"") is None


def test_un_pdf_renomme_en_xml_reste_un_pdf(tmp_path):
    chemin = tmp_path / "facture.xml"
    chemin.write_bytes(pdf_simple())
    assert sniffer(chemin.read_bytes()) == "PDF"
    assert analyser_pdf(chemin.read_bytes()).format == FORMAT_PDF_NON_SIGNE


# --- Classification ----------------------------------------------------------------------------------------------


def test_pdf_non_signe_avec_son_texte():
    analyse = analyser_pdf(pdf_simple())
    assert isinstance(analyse, AnalysePdf)
    assert analyse.format == FORMAT_PDF_NON_SIGNE
    assert analyse.xml_facturx is None
    assert analyse.signatures == []
    assert "Facture n° FAC-2024-0042" in analyse.texte
    assert "Net à payer" in analyse.texte


def test_facturx_avec_son_xml():
    donnees = facture_exemple()
    analyse = analyser_pdf(generer_pdf_facturx(donnees))
    assert analyse.format == FORMAT_FACTURX
    assert analyse.xml_facturx == generer_cii(donnees)
    assert analyse.signatures == []
    assert "FAC-2024-0042" in analyse.texte


def test_pdf_signe_intact(signataire):
    avant = datetime.now(UTC)
    analyse = analyser_pdf(signer(pdf_simple(), signataire))
    assert analyse.format == FORMAT_PDF_SIGNE
    assert analyse.xml_facturx is None
    assert len(analyse.signatures) == 1
    signature = analyse.signatures[0]
    assert signature.intacte is True
    assert signature.signataire == "Jean Signataire"
    assert signature.couvre_tout_le_document is True
    assert signature.champ == "Signature1"
    assert signature.date_signature is not None
    assert abs(signature.date_signature - avant) < timedelta(minutes=2)
    assert "Facture n° FAC-2024-0042" in analyse.texte


def test_pdf_signe_modifie_dans_la_plage_signee(signataire):
    signe = signer(pdf_simple(), signataire)
    position = signe.index(b"ReportLab")  # /Producer of the original revision, inside the signed byte range
    assert position < signe.index(b"/ByteRange")
    modifie = signe[:position] + b"ReportLap" + signe[position + len(b"ReportLab") :]
    assert len(modifie) == len(signe)

    analyse = analyser_pdf(modifie)
    assert analyse.format == FORMAT_PDF_SIGNE
    assert len(analyse.signatures) == 1
    assert analyse.signatures[0].intacte is False
    assert analyse.signatures[0].signataire == "Jean Signataire"


def test_pdf_signe_puis_complete_ne_couvre_plus_tout_le_document(signataire):
    signe = signer(pdf_simple(), signataire)
    # An incremental update appended after signing: the signature stays intact but no longer covers the file.
    ajout = signe + b"\n% ajout apres signature\n" + signe[signe.rindex(b"startxref") :]
    signature = analyser_pdf(ajout).signatures[0]
    assert signature.intacte is True
    assert signature.couvre_tout_le_document is False


def test_facturx_signe_reste_facturx_avec_sa_signature(signataire):
    donnees = facture_exemple()
    analyse = analyser_pdf(signer(generer_pdf_facturx(donnees), signataire))
    assert analyse.format == FORMAT_FACTURX
    assert analyse.xml_facturx == generer_cii(donnees)
    assert [(s.intacte, s.signataire) for s in analyse.signatures] == [(True, "Jean Signataire")]


# --- Invalid files -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "contenu",
    [
        pytest.param(pdf_simple()[:600], id="tronque"),
        pytest.param(b"%PDF-1.7\n" + bytes(range(256)) * 8, id="octets-aleatoires"),
        pytest.param(b"%PDF-1.4\n%%EOF\n", id="vide"),
        pytest.param(b"Ceci n'est pas un PDF", id="texte"),
        pytest.param(b"", id="rien"),
    ],
)
def test_pdf_illisible(contenu):
    with pytest.raises(PdfInvalide) as erreur:
        analyser_pdf(contenu)
    assert str(erreur.value) == "Le fichier PDF est illisible ou endommagé."
    assert isinstance(erreur.value, ValueError)


def test_pdf_protege_par_mot_de_passe():
    from pypdf import PdfReader, PdfWriter

    ecrivain = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_simple())))
    ecrivain.encrypt(user_password="secret", owner_password="secret-proprietaire", algorithm="AES-256")
    tampon = io.BytesIO()
    ecrivain.write(tampon)
    with pytest.raises(PdfInvalide) as erreur:
        analyser_pdf(tampon.getvalue())
    assert str(erreur.value) == "Le fichier PDF est protégé par un mot de passe."


# --- Text extraction ---------------------------------------------------------------------------------------------


def test_extraction_du_texte_d_un_pdf_simple():
    donnees = extraire_du_texte(analyser_pdf(pdf_simple()).texte)
    assert donnees.fournisseur.siret == SIRET_FOURNISSEUR
    assert donnees.destinataire.siret == SIRET_DESTINATAIRE
    assert donnees.numero == "FAC-2024-0042"
    assert donnees.date_emission == date(2024, 3, 15)
    assert donnees.date_echeance == date(2024, 4, 14)
    assert donnees.destinataire.code_service == "SERV-FIN"
    assert donnees.totaux.total_ht == Decimal("1190.00")
    assert donnees.totaux.total_tva == Decimal("180.00")
    assert donnees.totaux.total_ttc == Decimal("1370.00")
    assert donnees.totaux.net_a_payer == Decimal("1370.00")
    assert donnees.champs_a_verifier == {
        "fournisseur.siret",
        "destinataire.siret",
        "numero",
        "date_emission",
        "date_echeance",
        "destinataire.code_service",
        "totaux.total_ht",
        "totaux.total_tva",
        "totaux.total_ttc",
        "totaux.net_a_payer",
    }


def test_extraction_du_texte_du_pdf_genere():
    """The portal's own layout (labels and amounts on separate lines) is read back."""
    texte = analyser_pdf(generer_pdf_facturx(facture_exemple())).texte
    donnees = extraire_du_texte(texte)
    assert (donnees.fournisseur.siret, donnees.destinataire.siret) == (SIRET_FOURNISSEUR, SIRET_DESTINATAIRE)
    assert donnees.numero == "FAC-2024-0042"
    assert donnees.date_emission == date(2024, 3, 15)
    assert donnees.numero_engagement == "EJ1234567890"
    assert donnees.totaux.total_ht == Decimal("1190.00")
    assert donnees.totaux.total_ttc == Decimal("1370.00")
    assert donnees.totaux.net_a_payer == Decimal("1370.00")


def test_extraction_variantes():
    texte = "\n".join(
        [
            "INVOICE",
            "Invoice number: INV/2024/17",
            "Date: 2024-01-31",
            "Seller 73282932000074 - a random 12345678901234 that fails the checksum",
            "Total TTC 12.50",
        ]
    )
    donnees = extraire_du_texte(texte)
    assert donnees.numero == "INV/2024/17"
    assert donnees.date_emission == date(2024, 1, 31)
    assert donnees.fournisseur.siret == SIRET_FOURNISSEUR
    assert donnees.destinataire.siret == ""
    assert donnees.totaux.total_ttc == Decimal("12.50")
    assert donnees.champs_a_verifier == {"numero", "date_emission", "fournisseur.siret", "totaux.total_ttc"}

    avoir = extraire_du_texte("Avoir n° AV-12\nN° de facture : FAC-9")
    assert avoir.numero == "AV-12"
    assert avoir.type_document == "381"

    assert extraire_du_texte("").champs_a_verifier == set()


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("1 234,56", Decimal("1234.56")),
        ("1\u202f234,56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("1234.56", Decimal("1234.56")),
        ("1.234", Decimal("1234")),
        ("-12,5", Decimal("-12.5")),
        ("abc", None),
    ],
)
def test_lire_montant(texte, attendu):
    assert lire_montant(texte) == attendu
