"""Certificat de dépôt: a 44-character base64 SHA-256 digest over the document and its key data, recomputable
from the documented construction, and its PDF export."""

import base64
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pypdf import PdfReader

from facturation.certificat import empreinte_depot, empreinte_fichier, generer_certificat_pdf

DOCUMENT = b"%PDF-1.7\n... contenu de la facture ...\n%%EOF\n"
CLES = {
    "numero": "FAC-2024-0042",
    "siret_fournisseur": "73282932000074",
    "siret_destinataire": "21690123100011",
    "date_depot": datetime(2024, 3, 15, 13, 45, 12, 654321, tzinfo=UTC),
}


def test_empreinte_depot_base64_de_44_caracteres_et_deterministe():
    empreinte = empreinte_depot(DOCUMENT, **CLES)
    assert len(empreinte) == 44
    assert len(base64.b64decode(empreinte, validate=True)) == 32
    assert empreinte == empreinte_depot(DOCUMENT, **CLES)


def test_empreinte_depot_recalculable_depuis_la_construction_documentee():
    donnees = json.dumps(
        {
            "date_depot": "2024-03-15T13:45:12Z",
            "format": "chorus-certificat-depot-v1",
            "numero": "FAC-2024-0042",
            "siret_destinataire": "21690123100011",
            "siret_fournisseur": "73282932000074",
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    attendu = base64.b64encode(hashlib.sha256(hashlib.sha256(DOCUMENT).digest() + donnees).digest()).decode()
    assert empreinte_depot(DOCUMENT, **CLES) == attendu


@pytest.mark.parametrize(
    ("cle", "valeur"),
    [
        ("numero", "FAC-2024-0043"),
        ("siret_fournisseur", "21690123100011"),
        ("siret_destinataire", "73282932000074"),
        ("date_depot", CLES["date_depot"] + timedelta(seconds=1)),
    ],
)
def test_empreinte_depot_change_avec_chaque_donnee_cle(cle, valeur):
    assert empreinte_depot(DOCUMENT, **{**CLES, cle: valeur}) != empreinte_depot(DOCUMENT, **CLES)


def test_empreinte_depot_change_avec_chaque_octet():
    reference = empreinte_depot(DOCUMENT, **CLES)
    for position in (0, len(DOCUMENT) // 2, len(DOCUMENT) - 1):
        modifie = bytearray(DOCUMENT)
        modifie[position] ^= 0x01
        assert empreinte_depot(bytes(modifie), **CLES) != reference
    assert empreinte_depot(DOCUMENT + b"\n", **CLES) != reference


def test_empreinte_depot_normalise_siret_et_instant():
    reference = empreinte_depot(DOCUMENT, **CLES)
    paris = timezone(timedelta(hours=1))
    assert (
        empreinte_depot(
            DOCUMENT,
            numero=" FAC-2024-0042 ",
            siret_fournisseur="732 829 320 00074",
            siret_destinataire="216.901.231.00011",
            date_depot=datetime(2024, 3, 15, 14, 45, 12, tzinfo=paris),  # same instant, same second
        )
        == reference
    )
    with pytest.raises(ValueError, match="fuseau horaire"):
        empreinte_depot(DOCUMENT, **{**CLES, "date_depot": datetime(2024, 3, 15, 13, 45, 12)})


def test_empreinte_fichier():
    empreinte = empreinte_fichier(DOCUMENT)
    assert len(empreinte) == 44
    assert empreinte == base64.b64encode(hashlib.sha256(DOCUMENT).digest()).decode()
    assert empreinte != empreinte_depot(DOCUMENT, **CLES)
    assert empreinte_fichier(DOCUMENT + b" ") != empreinte


def test_certificat_pdf():
    empreinte = empreinte_depot(DOCUMENT, **CLES)
    pdf = generer_certificat_pdf(
        numero="FAC-2024-0042",
        type_document="FACTURE",
        date_depot=CLES["date_depot"],
        fournisseur="Atelier Dupont SARL",
        siret_fournisseur="73282932000074",
        destinataire="Mairie de Lyon",
        siret_destinataire="21690123100011",
        code_service="SERV-FIN",
        montant_ht=Decimal("1190.00"),
        montant_ttc=Decimal("1370.00"),
        devise="EUR",
        empreinte=empreinte,
        mode_depot="DEPOT_PDF",
    )
    assert pdf.startswith(b"%PDF-")
    texte = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\u00a0", " ")
    for attendu in (
        "Certificat de dépôt",
        "FAC-2024-0042",
        "Facture",
        "15/03/2024 à 14:45:12 (heure de Paris)",
        "2024-03-15T13:45:12Z",
        "DEPOT_PDF",
        "Atelier Dupont SARL",
        "73282932000074",
        "Mairie de Lyon",
        "21690123100011",
        "SERV-FIN",
        "1 190,00 €",
        "1 370,00 €",
        empreinte,
        "Pour la vérifier",
    ):
        assert attendu in texte, attendu
