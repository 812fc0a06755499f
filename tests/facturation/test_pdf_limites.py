"""Issue 13, item 5: an untrusted PDF is parsed with limits — its size before any parsing, pypdf's decompression
limits (``LIMITES_PYPDF``), and the CPU time, memory and wall-clock delay of the child process that analyses it —
and its embedded XML is read only through ``facturation/xml_securise.py``."""

import time

import pytest
from pypdf import Configuration

from facturation import pdf, xml_securise
from facturation.pdf import PdfInvalide, analyser_pdf
from tests.facturation import fichiers_hostiles as h
from tests.facturation.test_pdf import pdf_simple


def test_un_pdf_trop_gros_est_refuse_avant_toute_analyse(monkeypatch):
    monkeypatch.setattr(pdf, "_dans_un_processus_borne", lambda *a: pytest.fail("analysé malgré sa taille"))
    contenu = pdf_simple()
    contenu = contenu + b"\n%" + b"x" * (pdf.TAILLE_MAX - len(contenu))
    with pytest.raises(PdfInvalide, match="dépasse la taille maximale de 10 Mo"):
        analyser_pdf(contenu)


def test_une_bombe_de_decompression_dans_une_page_est_refusee():
    with pytest.raises(PdfInvalide, match="flux compressé démesuré"):
        analyser_pdf(h.pdf_bombe_de_page())


def test_une_bombe_dans_le_xml_facturx_est_refusee():
    with pytest.raises(PdfInvalide, match="flux compressé démesuré"):
        analyser_pdf(h.pdf_facturx_bombe())


def test_les_limites_de_pypdf_sont_plus_strictes_que_ses_defauts():
    defauts = Configuration()
    limites = {nom: valeur for nom, valeur in pdf.LIMITES_PYPDF.items() if nom != "jbig2dec_binary"}
    assert limites, "no limit set: the loop below would check nothing"
    for nom, valeur in limites.items():
        assert valeur < getattr(defauts, nom), nom


@pytest.mark.parametrize("xml", [h.XML_MILLIARD_DE_RIRES, h.XML_XXE])
def test_un_xml_facturx_avec_doctype_refuse_le_pdf(xml):
    with pytest.raises(PdfInvalide, match="DOCTYPE"):
        analyser_pdf(h.pdf_avec_piece("factur-x.xml", xml))


def test_le_xml_facturx_est_lu_par_le_parseur_securise(monkeypatch):
    """The factur-x library parsed the XML with a default lxml parser: the PDF is now read by pypdf under limits
    and its XML by ``xml_securise.parser`` (here made to refuse everything: the refusal reaches the user)."""
    xml = b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>'
    analyse = analyser_pdf(h.pdf_avec_piece("factur-x.xml", xml))
    assert analyse.format == pdf.FORMAT_FACTURX and analyse.xml_facturx == xml

    def refuse(contenu):
        raise xml_securise.XmlInvalide(xml_securise.MESSAGE_DOCTYPE)

    monkeypatch.setattr(xml_securise, "parser", refuse)
    with pytest.raises(PdfInvalide, match="DOCTYPE"):
        analyser_pdf(h.pdf_avec_piece("factur-x.xml", xml))
    assert not hasattr(pdf, "facturx")  # the factur-x library is no longer used to read a deposit


def test_une_piece_nommee_factur_x_qui_n_est_pas_du_xml_est_ignoree():
    analyse = analyser_pdf(h.pdf_avec_piece("factur-x.xml", b"pas du XML"))
    assert analyse.format == pdf.FORMAT_PDF_NON_SIGNE and analyse.xml_facturx is None


def test_un_pdf_tronque_est_refuse():
    with pytest.raises(PdfInvalide, match="illisible ou endommagé"):
        analyser_pdf(h.pdf_tronque())


def test_analyse_trop_longue_tuee(monkeypatch):
    monkeypatch.setattr(pdf, "DELAI_ANALYSE", 0.5)
    debut = time.monotonic()
    with pytest.raises(PdfInvalide, match="dépasse le temps ou la mémoire autorisés"):
        pdf._dans_un_processus_borne(lambda contenu: time.sleep(30), b"")
    assert time.monotonic() - debut < 5


def test_analyse_trop_gourmande_en_cpu_arretee(monkeypatch):
    monkeypatch.setattr(pdf, "CPU_ANALYSE", 1)

    def boucle(contenu):
        while True:
            pass

    with pytest.raises(PdfInvalide, match="dépasse le temps ou la mémoire autorisés"):
        pdf._dans_un_processus_borne(boucle, b"")


def test_analyse_trop_gourmande_en_memoire_arretee():
    with pytest.raises(PdfInvalide, match="dépasse le temps ou la mémoire autorisés"):
        pdf._dans_un_processus_borne(lambda contenu: bytearray(2 * pdf.MEMOIRE_ANALYSE), b"")


def test_le_resultat_et_les_refus_reviennent_du_processus_d_analyse():
    assert pdf._dans_un_processus_borne(lambda contenu: contenu[::-1], b"abc") == b"cba"

    def refuse(contenu):
        raise PdfInvalide("Refus en français.")

    with pytest.raises(PdfInvalide, match="Refus en français."):
        pdf._dans_un_processus_borne(refuse, b"")
