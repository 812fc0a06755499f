"""Attachments of an invoice (limits as Chorus Pro)."""

from pathlib import PurePath

from django.core.exceptions import ValidationError

from chorus import fichiers
from chorus.pieces_stockees import enregistrer_piece
from facturation.enums import StatutFacture, TypePieceJointe
from facturation.models import Facture, PieceJointe, PieceJointeTeleversee
from facturation.services.circuit import exiger_emission

EXTENSIONS_PIECES = {
    ".pdf",
    ".xml",
    ".zip",
    ".jpg",
    ".jpeg",
    ".png",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".odt",
    ".ods",
    ".csv",
    ".txt",
    ".p7s",
}
# What the content of each extension must be, read from its bytes (``chorus.fichiers``, as for sollicitations):
# a magic number for the binary formats, text (XML or plain) for the others; an EXE renamed .doc is refused.
SIGNATURES_FICHIERS = {
    ".pdf": (fichiers.SIGNATURE_PDF,),
    ".png": (fichiers.SIGNATURE_PNG,),
    ".jpg": (fichiers.SIGNATURE_JPEG,),
    ".jpeg": (fichiers.SIGNATURE_JPEG,),
    ".zip": (fichiers.SIGNATURE_ZIP,),
    ".docx": (fichiers.SIGNATURE_ZIP,),
    ".xlsx": (fichiers.SIGNATURE_ZIP,),
    ".odt": (fichiers.SIGNATURE_ZIP,),
    ".ods": (fichiers.SIGNATURE_ZIP,),
    ".doc": (fichiers.SIGNATURE_OLE2,),
    ".xls": (fichiers.SIGNATURE_OLE2,),
    ".p7s": (b"\x30",),  # a DER-encoded CMS signature starts with a SEQUENCE
}
TYPES_TEXTE = {".xml": {"application/xml"}, ".txt": {"text/plain"}, ".csv": {"text/plain"}}
TAILLE_MAX_PIECE = 10 * 1024 * 1024
TAILLE_MAX_FACTURE = 120 * 1024 * 1024


def ajouter_piece_jointe(*, acting_user, facture: Facture, type_piece: str, designation: str, nom: str, contenu: bytes):
    """An attachment on a draft or on a suspended invoice; the file's content must match its extension."""
    exiger_emission(acting_user, facture.fournisseur, service=facture.service_fournisseur)
    if facture.statut not in (StatutFacture.BROUILLON, StatutFacture.SUSPENDUE):
        raise ValidationError(
            "Des pièces jointes ne peuvent être ajoutées qu'à un brouillon ou à une facture suspendue."
        )
    erreurs = controler_fichier_joint(nom=nom, contenu=contenu, designation=designation)
    if type_piece not in TypePieceJointe.values:
        erreurs["type_piece"] = "Le type de pièce jointe est inconnu : choisissez-le dans la liste."
    if not erreurs:
        deja = sum(facture.pieces_jointes.values_list("taille", flat=True)) + (
            facture.fichier.size if facture.fichier else 0
        )
        if deja + len(contenu) > TAILLE_MAX_FACTURE:
            erreurs["fichier"] = "La facture et ses pièces jointes ne doivent pas dépasser 120 Mo au total."
    if erreurs:
        raise ValidationError(erreurs)
    return enregistrer_piece(
        PieceJointe,
        nom,
        contenu,
        type_contenu=type_contenu(nom),
        facture=facture,
        type_piece=type_piece,
        designation=designation.strip(),
    )


def televerser_piece(*, acting_user, structure, nom: str, contenu: bytes) -> PieceJointeTeleversee:
    """A file sent ahead by the API for a later invoice of ``structure`` (``ajouter/fichier``): the rules of an
    attachment (name, extension, sniffed content, 10 MB) are checked now, so that attaching it cannot fail on
    them."""
    exiger_emission(acting_user, structure)
    erreurs = controler_fichier_joint(nom=nom, contenu=contenu, designation=nom)
    if erreurs:
        raise ValidationError(list(erreurs.values()))
    return enregistrer_piece(
        PieceJointeTeleversee,
        nom,
        contenu,
        type_contenu=type_contenu(nom),
        utilisateur=acting_user,
        structure=structure,
        nom=nom,
    )


def contenu_televerse(piece: PieceJointeTeleversee) -> bytes:
    with piece.fichier.open("rb") as fichier:
        return fichier.read()


def joindre_piece_televersee(
    *, acting_user, facture: Facture, piece: PieceJointeTeleversee, type_piece: str, designation: str = ""
) -> PieceJointe:
    """Attach a copy of a file sent ahead (``soumettre``, ``completer``): the rules of ``ajouter_piece_jointe``
    (a draft or a suspended invoice, 120 MB in all)."""
    return ajouter_piece_jointe(
        acting_user=acting_user,
        facture=facture,
        type_piece=type_piece,
        designation=designation or piece.nom,
        nom=piece.nom,
        contenu=contenu_televerse(piece),
    )


def controler_fichier_joint(*, nom: str, contenu: bytes, designation: str) -> dict[str, str]:
    """The rules of an attachment (invoices and works pieces): name, extension, content matching it (sniffed),
    size, designation. Returns French messages by field, empty when accepted."""
    erreurs: dict[str, str] = {}
    extension = PurePath(nom).suffix.lower()
    if len(nom) > 50:
        erreurs["fichier"] = "Le nom du fichier ne doit pas dépasser 50 caractères, extension comprise."
    elif nom != PurePath(nom.replace("\\", "/")).name or nom in {".", ".."} or any(ord(c) < 32 for c in nom):
        erreurs["fichier"] = "Le nom du fichier ne doit contenir ni chemin (/, \\, ..) ni caractère de contrôle."
    elif extension not in EXTENSIONS_PIECES:
        erreurs["fichier"] = (
            f"Extension non autorisée ({extension or 'aucune'}) : {', '.join(sorted(EXTENSIONS_PIECES))}."
        )
    elif not contenu:
        erreurs["fichier"] = "Le fichier est vide."
    elif len(contenu) > TAILLE_MAX_PIECE:
        erreurs["fichier"] = "Une pièce jointe ne doit pas dépasser 10 Mo."
    elif extension in SIGNATURES_FICHIERS and not contenu.startswith(SIGNATURES_FICHIERS[extension]):
        erreurs["fichier"] = f"Le contenu du fichier ne correspond pas à son extension {extension}."
    elif extension in TYPES_TEXTE and fichiers.type_reconnu(contenu) not in TYPES_TEXTE[extension]:
        erreurs["fichier"] = f"Le contenu du fichier ne correspond pas à son extension {extension}."
    if not (designation or "").strip():
        erreurs["designation"] = "La désignation est obligatoire."
    elif len(designation) > 50:
        erreurs["designation"] = "La désignation ne doit pas dépasser 50 caractères."
    return erreurs


SIGNATURES_TYPES = {
    ".pdf": "application/pdf",
    ".xml": "application/xml",
    ".zip": "application/zip",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".csv": "text/csv",
    ".txt": "text/plain",
}


def type_contenu(nom: str) -> str:
    return SIGNATURES_TYPES.get(PurePath(nom).suffix.lower(), "application/octet-stream")
