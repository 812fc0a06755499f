"""The receiving side's treatment (a public structure's service or the support desk): the status it chooses, its
answer or draft answer, the assignment to a colleague, the transfer to the support (« Mauvaise affectation ») and
the support's reaffectation to a public structure's service (« Réaffectée par le support »)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from chorus.workflow import SYSTEME, TransitionInterdite
from organisation.enums import Niveau
from sollicitations import queries, statuts
from sollicitations.enums import DESTINATAIRE, SUPPORT, StatutSollicitation
from sollicitations.models import Message, Sollicitation
from sollicitations.services.circuit import (
    CIRCUIT,
    MESSAGE_A_TRAITER,
    courriel,
    destinataire_lisible,
    verifier_cible,
    verrouiller,
)
from sollicitations.services.pieces_jointes import joindre, verifier_fichiers
from sollicitations.services.saisie import verifier_destinataire

# The words of seed 001: « Le champ "statut" doit donc obligatoirement être renseigné. Dans le cas contraire, un
# message d'erreur s'affiche à l'écran. »
STATUT_OBLIGATOIRE = "Le champ « statut » doit obligatoirement être renseigné."


def role_recepteur(user, sollicitation) -> str | None:
    """SUPPORT or DESTINATAIRE when the user may treat the sollicitation (« Sollicitations reçues » in
    modification on its structure and service, or the support desk for one routed to the support), else None."""
    if not Sollicitation.objects.recues_par(user, Niveau.MODIFICATION).filter(pk=sollicitation.pk).exists():
        return None
    return SUPPORT if sollicitation.au_support else DESTINATAIRE


def statuts_possibles(sollicitation, role: str | None) -> list[str]:
    """The statuses the treatment form offers, from the transition table (never the transient arrivals)."""
    return statuts.statuts_recepteur(sollicitation.statut, role)


def _publier(s: Sollicitation, *, acting_user, role: str, texte: str, fichiers) -> Message | None:
    """The answer given with a visible status: the draft, if any, becomes the message the sender reads."""
    echange = queries.brouillon(s)
    if echange is None and not (texte or fichiers):
        return None
    if echange is None:
        echange = Message.objects.create(sollicitation=s, auteur=acting_user, role=role, texte=texte)
    elif not texte and not fichiers and not echange.pieces_jointes.exists():
        echange.delete()  # an empty draft is dropped, not published
        return None
    else:
        echange.texte, echange.auteur, echange.role = texte, acting_user, role
        echange.brouillon, echange.created_at = False, timezone.now()
        echange.save(update_fields=["texte", "auteur", "role", "brouillon", "created_at", "updated_at"])
    joindre(s, acting_user=acting_user, fichiers=fichiers, message=echange)
    return echange


def _enregistrer_brouillon(s: Sollicitation, *, acting_user, role: str, texte: str, fichiers) -> None:
    echange = queries.brouillon(s)
    if echange is None:
        if not (texte or fichiers):
            return
        echange = Message.objects.create(sollicitation=s, auteur=acting_user, role=role, texte=texte, brouillon=True)
    else:
        echange.texte, echange.auteur = texte, acting_user
        echange.save(update_fields=["texte", "auteur", "updated_at"])
    joindre(s, acting_user=acting_user, fichiers=fichiers, message=echange)


def traiter_sollicitation(
    *,
    acting_user,
    sollicitation,
    statut: str,
    message: str = "",
    assignee=None,
    fichiers=(),
    structure_destinataire=None,
    service_destinataire=None,
) -> Sollicitation:
    """« Mise à jour de la sollicitation » by the receiving side: the chosen status (mandatory), the answer or
    comment, the assignment to a colleague, attachments; for the support, the public structure's service to which
    it hands the request (« Réaffectée par le support »)."""
    if not statut:
        raise ValidationError({"statut": STATUT_OBLIGATOIRE})
    if statut not in StatutSollicitation.values:
        raise ValidationError({"statut": "Ce statut n'existe pas."})
    texte = (message or "").strip()
    with transaction.atomic():
        s = verrouiller(sollicitation)
        role = role_recepteur(acting_user, s)
        if role is None:
            if Sollicitation.objects.recues_par(acting_user).filter(pk=s.pk).exists():
                raise PermissionDenied(
                    "Votre profil « Sollicitations reçues » (consultation) ne permet pas de traiter la sollicitation."
                )
            raise TransitionInterdite(
                f"Action impossible : la sollicitation {s.numero} a été transférée {destinataire_lisible(s)} "
                "entre-temps."
            )
        verifier_cible(s, cible=statut, role=role)
        erreurs: dict[str, str] = {}
        if statut == StatutSollicitation.DEMANDE_INFORMATION and not texte:
            erreurs["message"] = "Saisissez les informations que vous demandez au déposant."
        elif statut == StatutSollicitation.RESOLUE and not texte:
            erreurs["message"] = "Saisissez votre réponse : elle est transmise au déposant."
        if assignee is not None and not queries.agents_assignables(s).filter(pk=assignee.pk).exists():
            erreurs["assignee_a"] = "Cette personne ne peut pas traiter les sollicitations de ce destinataire."
        if statut == StatutSollicitation.REAFFECTEE:
            erreurs.update(verifier_destinataire(structure_destinataire, service_destinataire))
        messages_fichiers = verifier_fichiers(list(fichiers), deja=s.pieces_jointes.count())
        if messages_fichiers:
            erreurs["pieces"] = " ".join(messages_fichiers)
        if erreurs:
            raise ValidationError(erreurs)

        extra, commentaires = {}, []
        nouvel_assigne = assignee or s.assignee_a or (acting_user if statut == StatutSollicitation.EN_COURS else None)
        if nouvel_assigne is not None and nouvel_assigne.pk != s.assignee_a_id:
            extra["assignee_a"] = nouvel_assigne
            commentaires.append(f"Assignée à {nouvel_assigne.get_full_name()}")
        a_prevenir = nouvel_assigne if "assignee_a" in extra and nouvel_assigne.pk != acting_user.pk else None

        if statut == StatutSollicitation.EN_COURS:
            _enregistrer_brouillon(s, acting_user=acting_user, role=role, texte=texte, fichiers=fichiers)
            debut = "Prise en charge" if s.statut == StatutSollicitation.A_TRAITER else "Traitement repris"
            if texte or fichiers:
                debut += ", brouillon de réponse enregistré"
            CIRCUIT.transition(
                s,
                to=StatutSollicitation.EN_COURS,
                acting_user=acting_user,
                role=role,
                commentaire=" ; ".join([debut, *commentaires]),
                extra_updates=extra,
            )
        elif statut in (StatutSollicitation.DEMANDE_INFORMATION, StatutSollicitation.RESOLUE):
            _publier(s, acting_user=acting_user, role=role, texte=texte, fichiers=fichiers)
            CIRCUIT.transition(
                s,
                to=statut,
                acting_user=acting_user,
                role=role,
                motif=texte,
                commentaire=" ; ".join(commentaires),
                extra_updates=extra,
            )
        else:  # the request leaves this receiving side: no assignment survives it
            _publier(s, acting_user=acting_user, role=role, texte=texte, fichiers=fichiers)
            a_prevenir = None
            if statut == StatutSollicitation.MAUVAISE_AFFECTATION:
                extra = {"au_support": True, "assignee_a": None}
                commentaire = "Transférée au support Chorus Pro"
            else:
                extra = {
                    "au_support": False,
                    "structure_destinataire": structure_destinataire,
                    "service_destinataire": service_destinataire,
                    "assignee_a": None,
                }
                service = f", service {service_destinataire.code}" if service_destinataire else ""
                commentaire = f"Réaffectée à {structure_destinataire.raison_sociale}{service}"
            CIRCUIT.transition(
                s,
                to=statut,
                acting_user=acting_user,
                role=role,
                motif=texte,
                commentaire=commentaire,
                extra_updates=extra,
            )
            CIRCUIT.transition(
                s, to=StatutSollicitation.A_TRAITER, acting_user=None, role=SYSTEME, commentaire=commentaire
            )
        if a_prevenir is not None:
            courriel(
                [a_prevenir],
                f"Sollicitation {s.numero} assignée",
                f"{acting_user.get_full_name()} vous a assigné la sollicitation {s.numero} « {s.objet} ». Retrouvez-la "
                "dans « Mes sollicitations à traiter » de l'application « Sollicitations reçues ».",
                evenement=MESSAGE_A_TRAITER,
            )
    return s
