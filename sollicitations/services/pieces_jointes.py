"""Attachments of a sollicitation and of its messages: the accepted kinds, recognised from the content, the checks
(count, size, name, content agreeing with the extension) and the storing."""

from dataclasses import dataclass
from pathlib import PurePath

from chorus.fichiers import type_reconnu
from chorus.pieces_stockees import enregistrer_piece
from sollicitations.enums import (
    LONGUEUR_MAX_NOM_FICHIER,
    MAX_PIECES_PAR_ENVOI,
    MAX_PIECES_PAR_SOLLICITATION,
    TAILLE_MAX_PIECE,
)
from sollicitations.models import Message, PieceJointe, Sollicitation


@dataclass(frozen=True)
class Fichier:
    """A file sent with a form: its name as the user's computer gave it, and its bytes."""

    nom: str
    contenu: bytes


# The accepted kinds, recognised from the content; the file's extension must agree with it.
TYPES_ACCEPTES = {
    "application/pdf": ("PDF", (".pdf",)),
    "image/png": ("Image PNG", (".png",)),
    "image/jpeg": ("Image JPEG", (".jpg", ".jpeg")),
    "application/xml": ("XML", (".xml",)),
    "text/plain": ("Texte", (".txt", ".csv")),
}
LIBELLES_TYPES = {code: libelle for code, (libelle, _ext) in TYPES_ACCEPTES.items()}


def verifier_fichiers(fichiers, *, deja: int = 0) -> list[str]:
    """French messages for everything wrong with these files (empty when they can be attached)."""
    erreurs = []
    if len(fichiers) > MAX_PIECES_PAR_ENVOI:
        erreurs.append(f"Vous pouvez joindre au plus {MAX_PIECES_PAR_ENVOI} fichiers à la fois.")
    if deja + len(fichiers) > MAX_PIECES_PAR_SOLLICITATION:
        erreurs.append(f"Une sollicitation comporte au plus {MAX_PIECES_PAR_SOLLICITATION} pièces jointes.")
    for f in fichiers:
        nom = PurePath(f.nom.replace("\\", "/")).name
        extension = PurePath(nom).suffix.lower()
        if len(nom) > LONGUEUR_MAX_NOM_FICHIER:
            erreurs.append(f"Le nom du fichier « {nom[:40]}… » dépasse {LONGUEUR_MAX_NOM_FICHIER} caractères.")
        elif not f.contenu:
            erreurs.append(f"Le fichier « {nom} » est vide.")
        elif len(f.contenu) > TAILLE_MAX_PIECE:
            erreurs.append(f"Le fichier « {nom} » dépasse la taille maximale de {TAILLE_MAX_PIECE // 1024 // 1024} Mo.")
        else:
            type_contenu = type_reconnu(f.contenu)
            if type_contenu is None:
                erreurs.append(
                    f"Le fichier « {nom} » n'est pas d'un type accepté : seuls les fichiers PDF, PNG, JPEG, XML et "
                    "texte le sont."
                )
            elif extension not in TYPES_ACCEPTES[type_contenu][1]:
                erreurs.append(
                    f"Le contenu du fichier « {nom} » ({LIBELLES_TYPES[type_contenu]}) ne correspond pas à son "
                    f"extension « {extension or 'aucune'} »."
                )
    return erreurs


def joindre(s: Sollicitation, *, acting_user, fichiers, message: Message | None = None) -> None:
    for f in fichiers:
        nom = PurePath(f.nom.replace("\\", "/")).name
        enregistrer_piece(
            PieceJointe,
            nom,
            f.contenu,
            type_contenu=type_reconnu(f.contenu),
            sollicitation=s,
            message=message,
            deposee_par=acting_user,
            nom_fichier=nom,
        )
