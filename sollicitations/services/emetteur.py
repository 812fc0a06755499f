"""The sender's actions on a deposited sollicitation: answer a « Demande d'information », send an unsatisfying
answer back, or accept it (« Clôturée »)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from chorus.workflow import TransitionInterdite
from sollicitations import queries, statuts
from sollicitations.enums import EMETTEUR, StatutSollicitation
from sollicitations.models import Message, Sollicitation
from sollicitations.services.circuit import CIRCUIT, verifier_cible, verrouiller
from sollicitations.services.pieces_jointes import joindre, verifier_fichiers


def _exiger_emetteur(user, s: Sollicitation) -> None:
    if not queries.peut_agir_emetteur(user, s):
        raise PermissionDenied(
            "Votre profil « Sollicitations émises » ne permet pas d'agir sur cette sollicitation (consultation)."
        )


# The sender's two messages back to the receiving side, by the status they answer: the error of an empty message
# and the history's comment.
REPONSES_EMETTEUR = {
    StatutSollicitation.DEMANDE_INFORMATION: (
        "Votre réponse est obligatoire.",
        "Informations complémentaires apportées",
    ),
    StatutSollicitation.RESOLUE: (
        "Expliquez pourquoi la réponse ne vous convient pas : ce message est obligatoire pour renvoyer la "
        "sollicitation.",
        "Réponse non satisfaisante : sollicitation renvoyée par le déposant",
    ),
}


def _reponse_emetteur(acting_user, sollicitation, depuis: str, message: str, fichiers):
    vide, commentaire = REPONSES_EMETTEUR[depuis]
    _exiger_emetteur(acting_user, sollicitation)
    message = (message or "").strip()
    erreurs = {}
    if not message:
        erreurs["message"] = vide
    with transaction.atomic():
        s = verrouiller(sollicitation)
        if s.statut != depuis:
            raise TransitionInterdite(
                f"Action impossible : la sollicitation {s.numero} est au statut « "
                f"{statuts.libelle(s.statut, pour_emetteur=True)} » (quelqu'un a peut-être agi avant vous)."
            )
        messages_fichiers = verifier_fichiers(list(fichiers), deja=s.pieces_jointes.count())
        if messages_fichiers:
            erreurs["pieces"] = " ".join(messages_fichiers)
        if erreurs:
            raise ValidationError(erreurs)
        echange = Message.objects.create(sollicitation=s, auteur=acting_user, role=EMETTEUR, texte=message)
        joindre(s, acting_user=acting_user, fichiers=fichiers, message=echange)
        CIRCUIT.transition(
            s,
            to=StatutSollicitation.A_TRAITER,
            acting_user=acting_user,
            role=EMETTEUR,
            motif=message,
            commentaire=commentaire,
        )
    return s


def repondre_demande_information(*, acting_user, sollicitation, message: str, fichiers=()) -> Sollicitation:
    """The sender answers « Demande d'information »: the request goes back to the receiving side « À traiter »."""
    return _reponse_emetteur(acting_user, sollicitation, StatutSollicitation.DEMANDE_INFORMATION, message, fichiers)


def renvoyer_sollicitation(*, acting_user, sollicitation, message: str, fichiers=()) -> Sollicitation:
    """The sender is not satisfied with the answer: back to the receiving side « À traiter », with why."""
    return _reponse_emetteur(acting_user, sollicitation, StatutSollicitation.RESOLUE, message, fichiers)


def cloturer_sollicitation(*, acting_user, sollicitation) -> Sollicitation:
    """The sender accepts the answer: « Clôturée », with its date."""
    _exiger_emetteur(acting_user, sollicitation)
    with transaction.atomic():
        s = verrouiller(sollicitation)
        verifier_cible(s, cible=StatutSollicitation.CLOTUREE, role=EMETTEUR)
        CIRCUIT.transition(
            s,
            to=StatutSollicitation.CLOTUREE,
            acting_user=acting_user,
            role=EMETTEUR,
            commentaire="Réponse acceptée par le déposant",
            extra_updates={"date_cloture": timezone.now()},
        )
    return s
