"""The status machine of a sollicitation (``CIRCUIT``, running the table of ``sollicitations.statuts``) with its
e-mails (outbox rows written in the same transaction, sent after commit), and the checks both sides make before a
transition: the row's lock and the status the request is at now.

The status machine (RECALLED in the reference §4, the statuses' words from seed 001; its one table is
``sollicitations.statuts``, easy to change there)::

    (deposit) ───────────────▶ À traiter ◀───────────── the sender answers / sends the answer back (message)
                                  │  ▲
       service or support:        │  └── SYSTEME: arrival at the support (after « Mauvaise affectation ») or at
       prise en charge            ▼       a public structure's service (after « Réaffectée par le support »)
                               En cours ──▶ En cours (draft answer, assignment; hidden from the sender)
    À traiter / En cours ──▶ Demande d'information (message) ──▶ À traiter (the sender's answer)
    À traiter / En cours ──▶ Résolue (answer) ──▶ Clôturée (the sender accepts) | À traiter (sent back)
    À traiter / En cours ──▶ Mauvaise affectation (business service) ──▶ À traiter at the support
    À traiter / En cours ──▶ Réaffectée par le support (support) ──▶ À traiter at a public structure's service
"""

from chorus.messagerie import notifier as notifier_utilisateurs
from chorus.workflow import TransitionInterdite, Workflow
from sollicitations import queries, statuts
from sollicitations.enums import EMETTEUR, StatutSollicitation
from sollicitations.models import HistoriqueSollicitation, Sollicitation

# Types of message (« Mes messages », registered in ``sollicitations.navigation``).
MESSAGE_A_TRAITER = "SOLLICITATION_A_TRAITER"
MESSAGE_SUIVI = "SOLLICITATION_SUIVI"


def courriel(users, sujet: str, texte: str, *, evenement: str) -> None:
    """Notify the active users (« Mes messages », and e-mail unless they turned it off for ``evenement``)."""
    notifier_utilisateurs(
        [user for user in users if user is not None and user.is_active],
        evenement=evenement,
        sujet=f"Chorus Pro - {sujet}",
        corps=f"Bonjour,\n\n{texte}\n\nCordialement,\nL'équipe Chorus Pro\n",
    )


def destinataire_lisible(s: Sollicitation) -> str:
    """« au support Chorus Pro » or « à ETAT (service DRFIP_IDF) », to follow a verb."""
    if s.au_support:
        return "au support Chorus Pro"
    service = f" (service {s.service_destinataire.code})" if s.service_destinataire_id else ""
    return f"à {s.structure_destinataire.raison_sociale}{service}"


def notifier(*, objet, entree):
    """The hook of ``CIRCUIT``: the receiving side learns of each arrival, the sender of each change they can
    see (never of « En cours »)."""
    s, statut = objet, entree.statut
    if statut == StatutSollicitation.A_TRAITER:
        _notifier_arrivee(s, entree)
    elif statut in (
        StatutSollicitation.DEMANDE_INFORMATION,
        StatutSollicitation.RESOLUE,
        StatutSollicitation.MAUVAISE_AFFECTATION,
        StatutSollicitation.REAFFECTEE,
    ):
        libelle = statuts.libelle(statut, pour_emetteur=True)
        texte = {
            StatutSollicitation.DEMANDE_INFORMATION: "Le service qui traite votre sollicitation vous demande des "
            "informations complémentaires. Répondez-lui depuis la sollicitation, dans l'application « Sollicitations "
            "émises ».",
            StatutSollicitation.RESOLUE: "Une réponse a été apportée à votre sollicitation. Si elle vous convient, "
            "clôturez la sollicitation ; sinon, renvoyez-la en expliquant pourquoi (application « Sollicitations "
            "émises »).",
            StatutSollicitation.MAUVAISE_AFFECTATION: "Le service destinataire n'est pas compétent pour votre "
            "demande : elle est transférée au support Chorus Pro, qui la traitera.",
            StatutSollicitation.REAFFECTEE: f"Le support Chorus Pro a transmis votre demande {destinataire_lisible(s)}"
            ", qui la traitera.",
        }[statut]
        if entree.motif:
            texte += f"\n\nMessage : {entree.motif}"
        courriel(
            [s.emetteur],
            f"Sollicitation {s.numero} : {libelle}",
            f"Sollicitation {s.numero} « {s.objet} ».\n\n{texte}",
            evenement=MESSAGE_SUIVI,
        )
    elif statut == StatutSollicitation.CLOTUREE and s.assignee_a_id:
        courriel(
            [s.assignee_a],
            f"Sollicitation {s.numero} clôturée",
            f"Le déposant a accepté la réponse et clôturé la sollicitation {s.numero} « {s.objet} ».",
            evenement=MESSAGE_A_TRAITER,
        )


def _notifier_arrivee(s: Sollicitation, entree) -> None:
    precedent = entree.statut_precedent
    if precedent in (StatutSollicitation.DEMANDE_INFORMATION, StatutSollicitation.RESOLUE) and s.assignee_a_id:
        destinataires = [s.assignee_a]
    else:
        destinataires = list(queries.destinataires_arrivee(s))
    if precedent == "":
        sujet = f"Nouvelle sollicitation {s.numero}"
        texte = (
            f"La sollicitation {s.numero} « {s.objet} » de {s.structure_emettrice.raison_sociale} "
            f"({s.categorie.libelle} / {s.sous_categorie.libelle}) est adressée {destinataire_lisible(s)}. "
        )
    elif precedent == StatutSollicitation.DEMANDE_INFORMATION:
        sujet = f"Sollicitation {s.numero} : le déposant a répondu"
        texte = f"Le déposant a répondu à votre demande d'information sur la sollicitation {s.numero} « {s.objet} ». "
    elif precedent == StatutSollicitation.RESOLUE:
        sujet = f"Sollicitation {s.numero} renvoyée par le déposant"
        texte = f"La réponse apportée à la sollicitation {s.numero} « {s.objet} » ne satisfait pas le déposant. "
    else:  # arrival after « Mauvaise affectation » or « Réaffectée par le support »
        sujet = f"Sollicitation {s.numero} transférée {destinataire_lisible(s)}"
        texte = f"La sollicitation {s.numero} « {s.objet} » est transférée {destinataire_lisible(s)}. "
    texte += "Retrouvez-la dans « Mes sollicitations à traiter » de l'application « Sollicitations reçues »."
    if entree.motif and precedent in (StatutSollicitation.DEMANDE_INFORMATION, StatutSollicitation.RESOLUE):
        texte += f"\n\nMessage du déposant : {entree.motif}"
    courriel(destinataires, sujet, texte, evenement=MESSAGE_A_TRAITER)


CIRCUIT = Workflow(
    transitions=statuts.TRANSITIONS,
    historique=HistoriqueSollicitation,
    libelles=StatutSollicitation,
    notifications=[notifier],
)


def verrouiller(s: Sollicitation) -> Sollicitation:
    return Sollicitation.objects.select_for_update(of=("self",)).get(pk=s.pk)


def verifier_cible(s: Sollicitation, *, cible: str, role: str) -> None:
    """Refuse, in French, an action that the current status no longer allows (someone acted first). The caller
    holds the row's lock; ``CIRCUIT.transition`` checks the table again as the last word."""
    if cible not in {t.cible for t in CIRCUIT.transitions_possibles(s.statut, role)}:
        libelle = statuts.libelle(s.statut, pour_emetteur=role == EMETTEUR)
        raise TransitionInterdite(
            f"Action impossible : la sollicitation {s.numero} est au statut « {libelle} », qui ne permet pas de la "
            f"passer au statut « {StatutSollicitation(cible).label} » (quelqu'un a peut-être agi avant vous)."
        )
