"""The Factur-X PDF claims PDF/A-3B in its XMP: these tests check, with pypdf and lxml, the PDF/A rules that the
portal's generation can break — embedded fonts only, an sRGB output intent, Info and XMP in agreement, the Factur-X
extension schema, no transparency or CMYK, the CII embedded as an associated file. No PDF/A validator (veraPDF)
can be installed offline from PyPI or Debian, so the structure is checked rule by rule."""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import ContentStream, StreamObject
from reportlab.pdfbase import pdfmetrics

from facturation.donnees import Ligne
from facturation.facturx import enregistrer_polices, generer_cii, generer_pdf_facturx
from tests.facturation.test_facturx import facture_exemple

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
}
BASE_14 = {
    "/Courier",
    "/Courier-Bold",
    "/Courier-Oblique",
    "/Courier-BoldOblique",
    "/Helvetica",
    "/Helvetica-Bold",
    "/Helvetica-Oblique",
    "/Helvetica-BoldOblique",
    "/Times-Roman",
    "/Times-Bold",
    "/Times-Italic",
    "/Times-BoldItalic",
    "/Symbol",
    "/ZapfDingbats",
}


def facture_longue():
    """Enough lines for several pages, so that the second page's template and the repeated table header are
    checked too."""
    lignes = [
        Ligne(
            numero=str(i),
            reference=f"REF-{i:03d}",
            denomination=f"Fourniture n° {i} — chaise « ergonomique » à 20 €",
            quantite=Decimal("2"),
            prix_unitaire_ht=Decimal("12.50"),
            taux_tva=Decimal("20"),
        )
        for i in range(1, 81)
    ]
    return facture_exemple(lignes=lignes)


# Pasted text the Vera fonts cannot draw: a check mark, a narrow no-break space, fullwidth letters, a zero-width
# space, CJK.
COMMENTAIRE_HORS_POLICE = "Livré ✓ le 15\u202fmars, ＯＫ fin de chantier\u200b : 漢字"


@pytest.fixture(scope="module", params=["courte", "longue", "hors_police"])
def cas(request):
    donnees = {
        "courte": facture_exemple,
        "longue": facture_longue,
        "hors_police": lambda: facture_exemple(commentaire=COMMENTAIRE_HORS_POLICE),
    }[request.param]()
    pdf = generer_pdf_facturx(donnees)
    lecteur = PdfReader(io.BytesIO(pdf))
    assert (len(lecteur.pages) > 1) == (request.param == "longue")
    return donnees, pdf, lecteur


def _cle(objet):
    reference = getattr(objet, "indirect_reference", None)
    return (reference.idnum, reference.generation) if reference is not None else id(objet)


def _ressources_atteintes(lecteur: PdfReader):
    """Every /Resources dictionary the pages can draw with: the pages', their Form XObjects' (nested), their
    annotations' appearance streams', Type 3 fonts'. Each is yielded once, with the content stream it belongs to."""
    vus = set()

    def parcourir(ressources, contenu):
        ressources = ressources.get_object() if ressources is not None else None
        if not ressources or _cle(ressources) in vus:
            return
        vus.add(_cle(ressources))
        yield ressources, contenu
        for xobjet in (ressources.get("/XObject") or {}).values():
            xobjet = xobjet.get_object()
            if xobjet.get("/Subtype") == "/Form":
                yield from parcourir(xobjet.get("/Resources"), xobjet)
        for police in (ressources.get("/Font") or {}).values():
            police = police.get_object()
            if police.get("/Subtype") == "/Type3":
                yield from parcourir(police.get("/Resources"), None)

    for page in lecteur.pages:
        yield from parcourir(page.get("/Resources"), page.get_contents())
        for annotation in page.get("/Annots") or []:
            # /N, /R, /D: each a stream, or a dictionary of streams (one per appearance state).
            for apparence in (annotation.get_object().get("/AP") or {}).values():
                apparence = apparence.get_object()
                flux = (
                    [apparence] if isinstance(apparence, StreamObject) else [v.get_object() for v in apparence.values()]
                )
                for un_flux in flux:
                    yield from parcourir(un_flux.get("/Resources"), un_flux)


def _polices(lecteur: PdfReader) -> list:
    return [
        police.get_object()
        for ressources, _ in _ressources_atteintes(lecteur)
        for police in (ressources.get("/Font") or {}).values()
    ]


def _xmp(lecteur: PdfReader):
    flux = lecteur.trailer["/Root"]["/Metadata"].get_object()
    return flux, etree.fromstring(flux.get_data())


def _date_info(valeur: str) -> datetime:
    """``D:20240315102030+01'00'`` → an aware datetime."""
    return datetime.strptime(valeur[2:].replace("'", ""), "%Y%m%d%H%M%S%z")


def test_chaque_police_est_embarquee(cas):
    _, _, lecteur = cas
    polices = _polices(lecteur)
    assert polices, "the walk found no font: it would check nothing"
    for police in polices:
        nom = police.get("/BaseFont")
        if police["/Subtype"] == "/Type3":
            continue  # its glyphs are content streams of the file itself
        descendante = police["/DescendantFonts"][0].get_object() if police["/Subtype"] == "/Type0" else police
        descripteur = descendante.get("/FontDescriptor")
        assert descripteur is not None, f"{nom} has no FontDescriptor"
        programmes = {"/FontFile", "/FontFile2", "/FontFile3"} & set(descripteur.get_object())
        assert programmes, f"{nom} is not embedded"
        assert nom.split("+")[-1] not in {n.lstrip("/") for n in BASE_14}, f"base-14 font {nom}"
        assert nom not in BASE_14
    # The readable PDF uses the two Vera fonts reportlab ships, as TrueType subsets.
    noms = {police["/BaseFont"].split("+")[-1] for police in polices}
    assert noms == {"BitstreamVeraSans-Roman", "BitstreamVeraSans-Bold"}
    assert all(police["/Subtype"] == "/TrueType" for police in polices)
    assert all("/FontFile2" in police["/FontDescriptor"].get_object() for police in polices)


def test_chaque_police_appelee_par_le_contenu_est_dans_les_ressources(cas):
    """The check above only sees fonts listed in /Resources: every Tf operator of the pages must name one of them
    (a font selected but missing from the resources would escape the walk)."""
    _, _, lecteur = cas
    dessinees = [(ressources, contenu) for ressources, contenu in _ressources_atteintes(lecteur) if contenu is not None]
    assert dessinees, "the walk found no content stream: it would check nothing"
    for ressources, contenu in dessinees:
        noms = set(ressources.get("/Font") or {})
        appels = {
            operandes[0] for operandes, operateur in ContentStream(contenu, lecteur).operations if operateur == b"Tf"
        }
        assert appels, "a page draws no text at all"
        assert appels <= noms, appels - noms


def test_aucun_glyphe_absent_de_la_police(cas):
    """PDF/A forbids showing .notdef: every character of the page text must exist in the Vera fonts."""
    donnees, _, lecteur = cas
    police, gras = enregistrer_polices()
    cmap = pdfmetrics.getFont(police).face.charToGlyph
    cmap_gras = pdfmetrics.getFont(gras).face.charToGlyph
    texte = "".join(page.extract_text() for page in lecteur.pages)
    assert "Net à payer" in texte
    absents = {c for c in texte if c not in "\n\r" and (ord(c) not in cmap or ord(c) not in cmap_gras)}
    assert not absents
    if donnees.commentaire == COMMENTAIRE_HORS_POLICE:
        # The readable copy shows a stand-in, the embedded CII keeps what was typed.
        assert "Livré ? le 15 mars, OK fin de chantier : ??" in texte
        assert COMMENTAIRE_HORS_POLICE.encode() in generer_cii(donnees)


def test_sortie_srgb_avec_un_profil_icc_valide(cas):
    _, _, lecteur = cas
    racine = lecteur.trailer["/Root"]
    intentions = racine["/OutputIntents"]
    assert len(intentions) == 1
    intention = intentions[0].get_object()
    assert intention["/Type"] == "/OutputIntent"
    assert intention["/S"] == "/GTS_PDFA1"
    assert intention["/OutputConditionIdentifier"]
    profil = intention["/DestOutputProfile"].get_object()
    assert profil["/N"] == 3
    icc = profil.get_data()
    assert int.from_bytes(icc[0:4], "big") == len(icc)  # declared size
    assert icc[36:40] == b"acsp"
    assert icc[16:20] == b"RGB "
    assert icc[12:16] in (b"mntr", b"prtr")  # a device class PDF/A accepts for an output intent
    assert icc[8] <= 4  # ICC major version PDF/A-3 accepts


def test_pas_de_transparence_ni_de_cmjn(cas):
    _, pdf, lecteur = cas
    for page in lecteur.pages:
        groupe = page.get("/Group")
        assert groupe is None or groupe.get_object().get("/S") != "/Transparency"
    atteintes = list(_ressources_atteintes(lecteur))
    assert atteintes, "the walk found no resources: it would check nothing"
    for ressources, contenu in atteintes:
        for etat in (ressources.get("/ExtGState") or {}).values():
            etat = etat.get_object()
            assert etat.get("/SMask", "/None") == "/None"
            assert float(etat.get("/CA", 1)) == 1 and float(etat.get("/ca", 1)) == 1
            assert etat.get("/BM", "/Normal") in ("/Normal", "/Compatible")
        for xobjet in (ressources.get("/XObject") or {}).values():
            assert "/SMask" not in xobjet.get_object()
        if contenu is not None:
            operateurs = {operateur for _, operateur in ContentStream(contenu, lecteur).operations}
            assert not operateurs & {b"k", b"K"}, "CMYK colour with an RGB output intent"
    assert b"/DeviceCMYK" not in pdf


def test_xmp_pdfa3b_et_extension_factur_x(cas):
    _, _, lecteur = cas
    flux, xmp = _xmp(lecteur)
    assert "/Filter" not in flux, "the XMP must stay uncompressed (PAdES signature)"
    assert flux["/Type"] == "/Metadata" and flux["/Subtype"] == "/XML"
    brut = flux.get_data()
    assert brut.startswith(b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>')
    assert brut.rstrip().endswith(b'<?xpacket end="w"?>')

    def un(xpath):
        valeurs = xmp.xpath(xpath, namespaces=NS)
        assert len(valeurs) == 1, (xpath, valeurs)
        return str(valeurs[0])

    assert un("//pdfaid:part/text()") == "3"
    assert un("//pdfaid:conformance/text()") == "B"
    assert un("//fx:DocumentType/text()") == "INVOICE"
    assert un("//fx:DocumentFileName/text()") == "factur-x.xml"
    assert un("//fx:Version/text()") == "1.0"
    assert un("//fx:ConformanceLevel/text()") == "EN 16931"
    assert "FAC-2024-0042" in un("//dc:title/rdf:Alt/rdf:li[@xml:lang='x-default']/text()")
    # The fx: properties are custom: PDF/A wants them declared in an extension schema with that namespace.
    schema = xmp.xpath("//pdfaExtension:schemas/rdf:Bag/rdf:li[pdfaSchema:prefix='fx']", namespaces=NS)
    assert len(schema) == 1
    assert schema[0].findtext("pdfaSchema:namespaceURI", namespaces=NS) == NS["fx"]
    declarees = schema[0].xpath("pdfaSchema:property/rdf:Seq/rdf:li/pdfaProperty:name/text()", namespaces=NS)
    assert set(declarees) == {"DocumentType", "DocumentFileName", "Version", "ConformanceLevel"}
    descriptions = list(xmp.iterfind("rdf:RDF/rdf:Description", NS))
    assert descriptions
    for description in descriptions:
        assert description.get(f"{{{NS['rdf']}}}about") == ""


def test_info_et_xmp_concordent(cas):
    _, _, lecteur = cas
    _, xmp = _xmp(lecteur)
    info = lecteur.trailer["/Info"].get_object()

    def texte(xpath):
        return xmp.xpath(f"string({xpath})", namespaces=NS)

    assert info["/Title"] == texte("//dc:title/rdf:Alt/rdf:li")
    assert info["/Author"] == texte("//dc:creator/rdf:Seq/rdf:li")
    assert info["/Subject"] == texte("//dc:description/rdf:Alt/rdf:li")
    assert info["/Keywords"] == texte("//pdf:Keywords") == "Factur-X, Facture"
    assert info["/Creator"] == texte("//xmp:CreatorTool")
    assert info["/Producer"] == texte("//pdf:Producer")
    assert _date_info(info["/CreationDate"]) == datetime.fromisoformat(texte("//xmp:CreateDate"))
    assert _date_info(info["/ModDate"]) == datetime.fromisoformat(texte("//xmp:ModifyDate"))
    assert "/Trapped" not in info  # it would need a pdf:Trapped twin


def test_structure_du_fichier(cas):
    _, pdf, lecteur = cas
    assert pdf.startswith(b"%PDF-1.7\n%")
    assert all(octet > 127 for octet in pdf[10:14])  # the binary comment line PDF/A wants after the header
    assert pdf.rstrip().endswith(b"%%EOF")
    assert not lecteur.is_encrypted
    assert "/Encrypt" not in lecteur.trailer
    identifiant = lecteur.trailer["/ID"]
    assert len(identifiant) == 2 and all(len(bytes(partie.original_bytes)) == 16 for partie in identifiant)
    assert lecteur.trailer["/Root"]["/Lang"] == "fr-FR"


def test_le_cii_est_un_fichier_associe_identique(cas):
    donnees, _, lecteur = cas
    racine = lecteur.trailer["/Root"]
    noms = racine["/Names"]["/EmbeddedFiles"]["/Names"]
    assert noms[0] == "factur-x.xml"
    specification = noms[1].get_object()
    assert [ref.get_object() for ref in racine["/AF"]] == [specification]
    assert specification["/Type"] == "/Filespec"
    assert specification["/F"] == specification["/UF"] == "factur-x.xml"
    assert specification["/AFRelationship"] in ("/Data", "/Alternative")
    fichier = specification["/EF"]["/F"].get_object()
    assert fichier["/Type"] == "/EmbeddedFile"
    assert fichier["/Subtype"] == "/text/xml"
    assert _date_info(fichier["/Params"]["/ModDate"])
    assert fichier.get_data() == generer_cii(donnees)
    assert lecteur.attachments["factur-x.xml"] == [generer_cii(donnees)]
