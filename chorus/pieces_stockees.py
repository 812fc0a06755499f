"""An attachment stored from its content, the same way in every application (invoices, travaux pieces,
sollicitations): the row keeps the file's size, SHA-256 and content type beside the stored file."""

import hashlib

from django.core.files.base import ContentFile

from chorus.fichiers import noter_ecriture


def enregistrer_piece(modele, nom: str, contenu: bytes, /, *, type_contenu: str, **champs):
    """A new row of ``modele`` (fields ``fichier``, ``taille``, ``sha256``, ``type_contenu``, and ``champs``, which
    may name a model field ``nom``) holding ``contenu`` stored under the name ``nom``. The file is recorded for the
    enclosing ``effaces_en_cas_d_echec`` block, if any, so that a rolled-back row leaves no file behind."""
    piece = modele(taille=len(contenu), sha256=hashlib.sha256(contenu).hexdigest(), type_contenu=type_contenu, **champs)
    piece.fichier.save(nom, ContentFile(contenu), save=False)
    noter_ecriture(piece.fichier)
    piece.save()
    return piece
