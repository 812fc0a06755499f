"""The files an API client sends ahead (``ajouter/fichier``, ``deposer/pdf``) and their ``pieceJointeId`` in the
invoices' bodies (``soumettre``, ``completer``), read through ``facturation.queries.pieces_televersees``."""

import base64
import binascii

from chorus.api.champs import Entier, Requete, Texte
from chorus.api.choix import valeur_connue
from chorus.api.kit import introuvable, requete_invalide
from facturation import queries as fq
from facturation.enums import TypePieceJointe


def decoder_base64(corps, cle: str) -> bytes:
    try:
        return base64.b64decode("".join(corps.texte(cle, requis=True).split()), validate=True)
    except (binascii.Error, ValueError):
        raise requete_invalide(f"Le champ « {cle} » doit être le fichier encodé en base64.") from None


def piece_televersee(compte, pk: int, champ: str):
    piece = fq.pieces_televersees(compte.utilisateur).filter(pk=pk).first()
    if piece is None:
        raise introuvable(f"La pièce jointe {pk} (« {champ} ») n'existe pas ou ne vous est pas accessible.")
    return piece


class PieceJointeComplementaire(Requete):
    pieceJointeComplementaireId = Entier(requis=True)
    pieceJointeComplementaireDesignation = Texte()
    pieceJointeComplementaireType = Texte()


def pieces_complementaires(corps, compte) -> list[tuple]:
    """(file sent ahead, type, designation) of each ``pieceJointeComplementaire``."""
    pieces = []
    for objet in corps.objets("pieceJointeComplementaire"):
        piece = piece_televersee(
            compte, objet.entier("pieceJointeComplementaireId", requis=True), "pieceJointeComplementaireId"
        )
        type_piece = objet.texte("pieceJointeComplementaireType") or TypePieceJointe.AUTRE
        valeur_connue(type_piece, TypePieceJointe.values, "pieceJointeComplementaireType")
        pieces.append((piece, type_piece, objet.texte("pieceJointeComplementaireDesignation")[:50]))
    return pieces
