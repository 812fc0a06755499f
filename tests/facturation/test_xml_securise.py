"""Safe parsing of deposited XML: DOCTYPE and entities refused, malformed files reported in French."""

import pytest
from lxml import etree

from facturation.xml_securise import (
    CII,
    MESSAGE_DOCTYPE,
    TAILLE_MAX,
    UBL_CREDITNOTE,
    UBL_INVOICE,
    XmlInvalide,
    detecter_syntaxe,
    parser,
)
from tests.facturation.xml_exemples import lire


@pytest.mark.parametrize(
    ("nom", "syntaxe"),
    [
        ("facture_cii_valide.xml", CII),
        ("facture_ubl_valide.xml", UBL_INVOICE),
        ("avoir_ubl_valide.xml", UBL_CREDITNOTE),
        ("facture_cii_incoherente.xml", CII),
    ],
)
def test_detection_de_la_syntaxe(nom, syntaxe):
    assert detecter_syntaxe(parser(lire(nom))) == syntaxe


@pytest.mark.parametrize(
    "contenu",
    [
        b"<facture/>",
        b'<Invoice xmlns="urn:example:autre"/>',  # right name, wrong namespace
        b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>',
        b'<CrossIndustryInvoice xmlns="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:99"/>',
    ],
)
def test_detection_refuse_les_autres_documents(contenu):
    assert detecter_syntaxe(parser(contenu)) is None


def test_xml_invalide_est_une_value_error():
    assert issubclass(XmlInvalide, ValueError)


def test_doctype_avec_entites_refuse():
    with pytest.raises(XmlInvalide) as exc:
        parser(lire("doctype_entites.xml"))
    assert str(exc.value) == MESSAGE_DOCTYPE
    assert "DOCTYPE" in str(exc.value) and "sécurité" in str(exc.value)


@pytest.mark.parametrize(
    "contenu",
    [
        b'<?xml version="1.0"?><!DOCTYPE Invoice><Invoice/>',
        b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><x/>',
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'.encode("utf-16"),
    ],
)
def test_toute_declaration_doctype_est_refusee(contenu):
    with pytest.raises(XmlInvalide, match="DOCTYPE"):
        parser(contenu)


def test_doctype_loin_dans_le_fichier_refuse_apres_analyse():
    # Beyond the quick scan of the prologue, the parsed document's DOCTYPE is still refused.
    commentaire = b"<!--" + b"x" * (70 * 1024) + b"-->"
    with pytest.raises(XmlInvalide, match="DOCTYPE"):
        parser(b'<?xml version="1.0"?>' + commentaire + b"<!DOCTYPE r><r/>")


def test_xml_mal_forme_message_francais_avec_ligne():
    with pytest.raises(XmlInvalide) as exc:
        parser(lire("mal_forme.xml"))
    message = str(exc.value)
    assert message.startswith("Le fichier XML est mal formé (ligne 6")
    assert "ExchangedDocumen" in message


@pytest.mark.parametrize("contenu", [b"", b"   \n", b"pas du XML", b"<a><b></a>"])
def test_contenus_illisibles(contenu):
    with pytest.raises(XmlInvalide):
        parser(contenu)


def test_fichier_trop_volumineux():
    contenu = b"<a>" + b" " * TAILLE_MAX + b"</a>"
    with pytest.raises(XmlInvalide, match="10 Mo"):
        parser(contenu)


def test_parser_rend_un_element_lxml_sans_entite():
    racine = parser(lire("facture_ubl_valide.xml"))
    assert isinstance(racine, etree._Element)
    assert racine.getroottree().docinfo.doctype == ""
