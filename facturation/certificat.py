"""Certificat de dépôt: the digest (``empreinteCertificatDepot`` in Chorus Pro's API) that binds a deposited
document to its key data, and the PDF certificate the supplier exports after a deposit.

Exact construction of :func:`empreinte_depot` (version 1), so that anyone holding the document can recompute it:

1. ``h_doc = SHA-256(document bytes)`` — the 32 raw bytes (its base64 form is :func:`empreinte_fichier`);
2. ``donnees`` = the UTF-8 bytes of the canonical JSON object (keys sorted, no whitespace: separators ``,`` and
   ``:``, non-ASCII characters written as is)::

       {"date_depot":"2024-03-15T13:45:12Z","format":"chorus-certificat-depot-v1","numero":"FAC-2024-0042",
        "siret_destinataire":"21690123100011","siret_fournisseur":"73282932000074"}

   where ``numero`` is the invoice number stripped of surrounding whitespace, the SIRET are the 14 digits without
   spaces, dots or dashes, and ``date_depot`` is the deposit time converted to UTC, truncated to the second, in
   ISO 8601 with a ``Z`` (a naive datetime is refused: its instant would be ambiguous);
3. ``empreinte = base64(SHA-256(h_doc || donnees))`` (standard alphabet with padding: 44 characters).

Hashing the document first gives a fixed-length prefix, so no choice of document bytes can shift the boundary
with the key data. Python equivalent::

    h_doc = hashlib.sha256(document).digest()
    donnees = json.dumps(cles, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    base64.b64encode(hashlib.sha256(h_doc + donnees).digest()).decode()
"""

import base64
import hashlib
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from xml.sax.saxutils import escape  # nosec B406  # escapes text written to the PDF; parses nothing
from zoneinfo import ZoneInfo

from chorus.identifiers import normaliser
from facturation import bibliotheques
from facturation.facturx import TYPES_DOCUMENT, affichage_montant, enregistrer_polices
from facturation.pages_pdf import document_a4, tableau

FORMAT_EMPREINTE = "chorus-certificat-depot-v1"
FUSEAU_AFFICHAGE = ZoneInfo("Europe/Paris")

TYPES_DOCUMENT_CHORUS = {"FACTURE": "Facture", "AVOIR": "Avoir", "ACOMPTE": "Facture d'acompte"}


def date_depot_canonique(date_depot: datetime) -> str:
    """The deposit time as it enters the digest: UTC, to the second, ISO 8601 with ``Z``."""
    if date_depot.tzinfo is None or date_depot.utcoffset() is None:
        raise ValueError("date_depot doit être un datetime avec fuseau horaire (aware).")
    return date_depot.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def donnees_canoniques(*, numero: str, siret_fournisseur: str, siret_destinataire: str, date_depot: datetime) -> bytes:
    """Step 2 of the construction described in the module docstring."""
    cles = {
        "date_depot": date_depot_canonique(date_depot),
        "format": FORMAT_EMPREINTE,
        "numero": (numero or "").strip(),
        "siret_destinataire": normaliser(siret_destinataire),
        "siret_fournisseur": normaliser(siret_fournisseur),
    }
    return json.dumps(cles, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def empreinte_fichier(contenu: bytes) -> str:
    """Base64 SHA-256 of the bytes alone: what the public verification page computes from a dropped file."""
    return base64.b64encode(hashlib.sha256(contenu).digest()).decode("ascii")


def empreinte_depot(
    contenu: bytes, *, numero: str, siret_fournisseur: str, siret_destinataire: str, date_depot: datetime
) -> str:
    """The certificat de dépôt digest (44-character base64 SHA-256) over the document and its key data; see the
    module docstring for the exact, recomputable construction."""
    donnees = donnees_canoniques(
        numero=numero, siret_fournisseur=siret_fournisseur, siret_destinataire=siret_destinataire, date_depot=date_depot
    )
    empreinte = hashlib.sha256(hashlib.sha256(contenu).digest() + donnees).digest()
    return base64.b64encode(empreinte).decode("ascii")


def _libelle_type(type_document: str) -> str:
    return TYPES_DOCUMENT_CHORUS.get(type_document) or TYPES_DOCUMENT.get(type_document) or str(type_document)


def _affichage_montant(montant, devise: str) -> str:
    if montant is None or montant == "":
        return ""
    return affichage_montant(Decimal(str(montant)) if not isinstance(montant, Decimal) else montant, devise or "EUR")


def generer_certificat_pdf(
    *,
    numero: str,
    type_document: str,
    date_depot: datetime,
    fournisseur: str,
    siret_fournisseur: str,
    destinataire: str,
    siret_destinataire: str,
    code_service: str,
    montant_ht,
    montant_ttc,
    devise: str,
    empreinte: str,
    mode_depot: str,
    lignes_supplementaires=(),
    verification: str | None = None,
) -> bytes:
    """The « Certificat de dépôt » PDF (A4, French): deposit data, the full digest and how to verify it.
    ``lignes_supplementaires`` ((label, value) pairs) follow the deposit mode (a works piece's dossier, depositor…);
    ``verification`` replaces the paragraph on the public verification page (a works piece that is not an invoice
    is not found there)."""
    rl = bibliotheques.reportlab()
    police, gras = enregistrer_polices()
    normal = rl.ParagraphStyle("normal", fontName=police, fontSize=10, leading=13)
    titre = rl.ParagraphStyle("titre", fontName=gras, fontSize=18, leading=22, spaceAfter=6)
    empreinte_style = rl.ParagraphStyle("empreinte", fontName=gras, fontSize=11, leading=14)
    locale = date_depot.astimezone(FUSEAU_AFFICHAGE) if date_depot.tzinfo else date_depot
    tampon = io.BytesIO()
    doc = document_a4(tampon, marge=20, titre=f"Certificat de dépôt {numero}")
    lignes = [
        ("Numéro du document", numero),
        ("Type de document", _libelle_type(type_document)),
        ("Date et heure de dépôt", f"{locale:%d/%m/%Y à %H:%M:%S} (heure de Paris)"),
        ("Date de dépôt (UTC)", date_depot_canonique(date_depot) if date_depot.tzinfo else ""),
        ("Mode de dépôt", mode_depot),
        *lignes_supplementaires,
        ("Fournisseur", fournisseur),
        ("SIRET du fournisseur", normaliser(siret_fournisseur)),
        ("Destinataire", destinataire),
        ("SIRET du destinataire", normaliser(siret_destinataire)),
        ("Code service", code_service or "—"),
        ("Montant HT", _affichage_montant(montant_ht, devise)),
        ("Montant TTC", _affichage_montant(montant_ttc, devise)),
        ("Devise", devise),
    ]
    verification = verification or (
        "Cette empreinte SHA-256 (encodée en base64) atteste que le document ci-dessus a été déposé dans Chorus Pro "
        "à la date indiquée. Pour la vérifier, déposez le document sur la page publique de vérification des "
        "certificats de dépôt : le portail recalcule l'empreinte SHA-256 du fichier puis celle du certificat, "
        "calculée sur l'empreinte du fichier suivie des données clés (numéro, SIRET du fournisseur et du "
        "destinataire, date de dépôt en UTC) sérialisées en JSON canonique, et la compare à celle-ci. "
        "Toute modification du document, même d'un seul octet, change l'empreinte."
    )
    elements = [
        rl.Paragraph("Certificat de dépôt", titre),
        rl.Paragraph(
            escape(f"Le document n° {numero} a été déposé et intégré dans Chorus Pro. Il porte les données suivantes."),
            normal,
        ),
        rl.Spacer(1, 6 * rl.mm),
        tableau(lignes, [55 * rl.mm, 115 * rl.mm], normal),
        rl.Spacer(1, 8 * rl.mm),
        rl.Paragraph("Empreinte du certificat de dépôt", empreinte_style),
        rl.Spacer(1, 2 * rl.mm),
        rl.Paragraph(escape(empreinte), empreinte_style),
        rl.Spacer(1, 6 * rl.mm),
        rl.Paragraph(escape(verification), normal),
    ]
    doc.build(elements)
    return tampon.getvalue()
