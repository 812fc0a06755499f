"""Every operation of the sollicitations domain that changes state: the deposit, the receiving side's treatment
and the sender's answers, through one status machine (``CIRCUIT``) with its append-only history and its e-mails
(outbox rows written in the same transaction, sent after commit).

The status machine (RECALLED in the reference §4, the statuses' words from seed 001; its one table is
``sollicitations.statuts``, easy to change there)::

    (deposit) ───────────────▶ A traiter ◀───────────── the sender answers / sends the answer back (message)
                                  │  ▲
       service or support:        │  └── SYSTEME: arrival at the support (after « Mauvaise affectation ») or at
       prise en charge            ▼       a public structure's service (after « Réaffectée par le support »)
                               En cours ──▶ En cours (draft answer, assignment; hidden from the sender)
    A traiter / En cours ──▶ Demande d'information (message) ──▶ A traiter (the sender's answer)
    A traiter / En cours ──▶ Résolue (answer) ──▶ Clôturée (the sender accepts) | A traiter (sent back)
    A traiter / En cours ──▶ Mauvaise affectation (business service) ──▶ A traiter at the support
    A traiter / En cours ──▶ Réaffectée par le support (support) ──▶ A traiter at a public structure's service
"""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from chorus.identifiers import valider_siret
from chorus.mail import envoyer_email
from chorus.workflow import SYSTEME, TransitionInterdite, Workflow
from organisation import queries as org_queries
from organisation.enums import Application, Niveau, StatutStructure
from sollicitations import queries, statuts
from sollicitations.enums import (
    DESTINATAIRE,
    EMETTEUR,
    LONGUEUR_MAX_NOM_FICHIER,
    MAX_PIECES_PAR_ENVOI,
    MAX_PIECES_PAR_SOLLICITATION,
    SUPPORT,
    TAILLE_MAX_PIECE,
    StatutSollicitation,
)
from sollicitations.models import HistoriqueSollicitation, Message, PieceJointe, Sollicitation

S = StatutSollicitation

# The words of seed 001: « Le champ "statut" doit donc obligatoirement être renseigné. Dans le cas contraire, un
# message d'erreur s'affiche à l'écran. »
STATUT_OBLIGATOIRE = "Le champ « statut » doit obligatoirement être renseigné."


# --- E-mails (outbox rows, sent after commit) -----------------------------------------------------------------


def _courriel(users, sujet: str, texte: str) -> None:
    for user in users:
        if user is not None and user.is_active and user.email:
            envoyer_email(
                destinataires=[user.email],
                sujet=f"Chorus Pro - {sujet}",
                corps=f"Bonjour,\n\n{texte}\n\nCordialement,\nL'équipe Chorus Pro\n",
            )


def destinataire_lisible(s: Sollicitation) -> str:
    """« au support Chorus Pro » or « à ETAT (service DRFIP_IDF) », to follow a verb."""
    if s.au_support:
        return "au support Chorus Pro"
    service = f" (service {s.service_destinataire.code})" if s.service_destinataire_id else ""
    return f"à {s.structure_destinataire.raison_sociale}{service}"


def _notifier(*, objet, entree):
    """The hook of ``CIRCUIT``: the receiving side learns of each arrival, the sender of each change they can
    see (never of « En cours »)."""
    s, statut = objet, entree.statut
    if statut == S.A_TRAITER:
        _notifier_arrivee(s, entree)
    elif statut in (S.DEMANDE_INFORMATION, S.RESOLUE, S.MAUVAISE_AFFECTATION, S.REAFFECTEE):
        libelle = statuts.libelle(statut, pour_emetteur=True)
        texte = {
            S.DEMANDE_INFORMATION: "Le service qui traite votre sollicitation vous demande des informations "
            "complémentaires. Répondez-lui depuis la sollicitation, dans l'application « Sollicitations émises ».",
            S.RESOLUE: "Une réponse a été apportée à votre sollicitation. Si elle vous convient, clôturez la "
            "sollicitation ; sinon, renvoyez-la en expliquant pourquoi (application « Sollicitations émises »).",
            S.MAUVAISE_AFFECTATION: "Le service destinataire n'est pas compétent pour votre demande : elle est "
            "transférée au support Chorus Pro, qui la traitera.",
            S.REAFFECTEE: f"Le support Chorus Pro a transmis votre demande {destinataire_lisible(s)}, qui la traitera.",
        }[statut]
        if entree.motif:
            texte += f"\n\nMessage : {entree.motif}"
        _courriel(
            [s.emetteur], f"Sollicitation {s.numero} : {libelle}", f"Sollicitation {s.numero} « {s.objet} ».\n\n{texte}"
        )
    elif statut == S.CLOTUREE and s.assignee_a_id:
        _courriel(
            [s.assignee_a], f"Sollicitation {s.numero} clôturée",
            f"Le déposant a accepté la réponse et clôturé la sollicitation {s.numero} « {s.objet} ».",
        )  # fmt: skip


def _notifier_arrivee(s: Sollicitation, entree) -> None:
    precedent = entree.statut_precedent
    if precedent in (S.DEMANDE_INFORMATION, S.RESOLUE) and s.assignee_a_id:
        destinataires = [s.assignee_a]
    else:
        destinataires = list(queries.destinataires_arrivee(s))
    if precedent == "":
        sujet = f"Nouvelle sollicitation {s.numero}"
        texte = (
            f"La sollicitation {s.numero} « {s.objet} » de {s.structure_emettrice.raison_sociale} "
            f"({s.categorie.libelle} / {s.sous_categorie.libelle}) est adressée {destinataire_lisible(s)}. "
        )
    elif precedent == S.DEMANDE_INFORMATION:
        sujet = f"Sollicitation {s.numero} : le déposant a répondu"
        texte = f"Le déposant a répondu à votre demande d'information sur la sollicitation {s.numero} « {s.objet} ». "
    elif precedent == S.RESOLUE:
        sujet = f"Sollicitation {s.numero} renvoyée par le déposant"
        texte = f"La réponse apportée à la sollicitation {s.numero} « {s.objet} » ne satisfait pas le déposant. "
    else:  # arrival after « Mauvaise affectation » or « Réaffectée par le support »
        sujet = f"Sollicitation {s.numero} transférée {destinataire_lisible(s)}"
        texte = f"La sollicitation {s.numero} « {s.objet} » est transférée {destinataire_lisible(s)}. "
    texte += "Retrouvez-la dans « Mes sollicitations à traiter » de l'application « Sollicitations reçues »."
    if entree.motif and precedent in (S.DEMANDE_INFORMATION, S.RESOLUE):
        texte += f"\n\nMessage du déposant : {entree.motif}"
    _courriel(destinataires, sujet, texte)


CIRCUIT = Workflow(
    transitions=statuts.TRANSITIONS, historique=HistoriqueSollicitation, libelles=StatutSollicitation,
    notifications=[_notifier],
)  # fmt: skip


# --- Attachments ----------------------------------------------------------------------------------------------


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
_CONTROLES_PERMIS = {"\t", "\n", "\r", "\f"}


def type_reconnu(contenu: bytes) -> str | None:
    """The content type read from the bytes themselves (never from the name nor the browser's claim)."""
    if contenu.startswith(b"%PDF-"):
        return "application/pdf"
    if contenu.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if contenu.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            texte = contenu.decode("cp1252")  # a CSV saved by a French spreadsheet
        except UnicodeDecodeError:
            return None
    if any(ord(c) < 32 and c not in _CONTROLES_PERMIS for c in texte) or "\x7f" in texte:
        return None
    debut = texte.lstrip()
    if debut.startswith("<?xml") or (debut[:1] == "<" and debut[1:2].isalpha()):
        return "application/xml"
    return "text/plain"


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


def _joindre(s: Sollicitation, *, acting_user, fichiers, message: Message | None = None) -> None:
    for f in fichiers:
        nom = PurePath(f.nom.replace("\\", "/")).name
        piece = PieceJointe(
            sollicitation=s, message=message, deposee_par=acting_user, nom_fichier=nom, taille=len(f.contenu),
            sha256=hashlib.sha256(f.contenu).hexdigest(), type_contenu=type_reconnu(f.contenu),
        )  # fmt: skip
        piece.fichier.save(nom, ContentFile(f.contenu), save=False)
        piece.save()


# --- Routing --------------------------------------------------------------------------------------------------


def verifier_destinataire(structure, service, *, champ_structure="structure_destinataire") -> dict[str, str]:
    """A public structure's service may receive sollicitations: the structure is an active public structure of the
    annuaire, the service one of its active services (mandatory when the structure requires a code service)."""
    if structure is None:
        return {champ_structure: "Désignez la structure publique destinataire : cette sous-catégorie est traitée "
                                 "par le service d'une structure publique."}  # fmt: skip
    if not structure.est_publique or structure.statut != StatutStructure.ACTIVE:
        return {champ_structure: "La structure destinataire doit être une structure publique active de l'annuaire."}
    if service is not None and (service.structure_id != structure.pk or not service.actif):
        return {"service_destinataire": "Ce service n'appartient pas à la structure destinataire ou n'est pas actif."}
    if service is None and structure.code_service_obligatoire:
        return {"service_destinataire": "Le service destinataire est obligatoire pour cette structure."}
    return {}


def _numero(date_depot) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('sollicitations_numero_seq')")
        (n,) = cursor.fetchone()
    return f"SOL-{timezone.localtime(date_depot).year}-{n:06d}"


# --- The sender ------------------------------------------------------------------------------------------------


def deposer_sollicitation(
    *,
    acting_user,
    structure_emettrice,
    categorie,
    sous_categorie,
    objet: str,
    message: str,
    service_emetteur=None,
    structure_destinataire=None,
    service_destinataire=None,
    numero_facture: str = "",
    siret_concerne: str = "",
    courriel_contact: str = "",
    telephone_contact: str = "",
    fichiers=(),
) -> Sollicitation:
    """« Saisir une sollicitation »: check everything, number it, route it by its sous-catégorie (the support desk,
    or the service of the public structure the sender designates), keep its attachments, e-mail both sides."""
    p = org_queries.perimetre(acting_user, Application.SOLLICITATIONS_EMISES, Niveau.MODIFICATION)
    erreurs: dict[str, str] = {}
    if structure_emettrice is None:
        erreurs["structure_emettrice"] = "Choisissez la structure émettrice."
    elif structure_emettrice.pk in p.structures:
        if service_emetteur is not None and service_emetteur.structure_id != structure_emettrice.pk:
            erreurs["service_emetteur"] = "Ce service n'appartient pas à la structure émettrice."
    elif structure_emettrice.pk in p.structures_par_service:
        if (
            service_emetteur is None
            or service_emetteur.pk not in p.services
            or service_emetteur.structure_id != structure_emettrice.pk
        ):
            erreurs["service_emetteur"] = "Choisissez l'un des services de la structure auxquels vous êtes rattaché."
    else:
        raise PermissionDenied(
            "Vous n'avez pas le profil « Sollicitations émises » en modification sur cette structure."
        )

    if categorie is None:
        erreurs["categorie"] = "Choisissez une catégorie."
    elif not categorie.actif:
        erreurs["categorie"] = "Cette catégorie n'est plus proposée."
    if sous_categorie is None:
        erreurs["sous_categorie"] = "Choisissez une sous-catégorie."
    elif categorie is not None and sous_categorie.categorie_id != categorie.pk:
        erreurs["sous_categorie"] = f"Cette sous-catégorie n'appartient pas à la catégorie « {categorie.libelle} »."
    elif not sous_categorie.actif:
        erreurs["sous_categorie"] = "Cette sous-catégorie n'est plus proposée."

    objet, message = (objet or "").strip(), (message or "").strip()
    if not objet:
        erreurs["objet"] = "L'objet de la sollicitation est obligatoire."
    elif len(objet) > 200:
        erreurs["objet"] = "L'objet ne doit pas dépasser 200 caractères."
    if not message:
        erreurs["message"] = "Le message est obligatoire : décrivez votre demande."
    if siret_concerne:
        try:
            siret_concerne = valider_siret(siret_concerne)
        except ValidationError as exc:
            erreurs["siret_concerne"] = exc.messages[0]

    au_support = True
    if "sous_categorie" not in erreurs and sous_categorie is not None and sous_categorie.vers_service_metier:
        au_support = False
        erreurs.update(verifier_destinataire(structure_destinataire, service_destinataire))
    else:
        structure_destinataire = service_destinataire = None
    messages_fichiers = verifier_fichiers(list(fichiers))
    if messages_fichiers:
        erreurs["pieces"] = " ".join(messages_fichiers)
    if erreurs:
        raise ValidationError(erreurs)

    with transaction.atomic():
        maintenant = timezone.now()
        s = Sollicitation.objects.create(
            numero=_numero(maintenant), date_depot=maintenant, emetteur=acting_user,
            structure_emettrice=structure_emettrice, service_emetteur=service_emetteur,
            courriel_contact=(courriel_contact or acting_user.email).strip(),
            telephone_contact=(telephone_contact or "").strip(), au_support=au_support,
            structure_destinataire=structure_destinataire, service_destinataire=service_destinataire,
            categorie=categorie, sous_categorie=sous_categorie, objet=objet, message=message,
            numero_facture=(numero_facture or "").strip(), siret_concerne=siret_concerne,
        )  # fmt: skip
        _joindre(s, acting_user=acting_user, fichiers=fichiers)
        entree = HistoriqueSollicitation.ajouter(
            objet=s, acting_user=acting_user, role=EMETTEUR, statut_precedent="", statut=S.A_TRAITER,
            commentaire=f"Sollicitation déposée, adressée {destinataire_lisible(s)}",
        )  # fmt: skip
        _notifier(objet=s, entree=entree)
        _courriel(
            [acting_user], f"Sollicitation {s.numero} déposée",
            f"Votre sollicitation {s.numero} « {s.objet} » est déposée et adressée {destinataire_lisible(s)}. "
            "Vous serez informé par courriel de chaque réponse.",
        )  # fmt: skip
    return s


def _exiger_emetteur(user, s: Sollicitation) -> None:
    if not queries.sollicitations_emises(user, Niveau.MODIFICATION).filter(pk=s.pk).exists():
        raise PermissionDenied(
            "Votre profil « Sollicitations émises » ne permet pas d'agir sur cette sollicitation (consultation)."
        )


def _verrouiller(s: Sollicitation) -> Sollicitation:
    return Sollicitation.objects.select_for_update(of=("self",)).get(pk=s.pk)


def _verifier_cible(s: Sollicitation, *, cible: str, role: str) -> None:
    """Refuse, in French, an action that the current status no longer allows (someone acted first). The caller
    holds the row's lock; ``CIRCUIT.transition`` checks the table again as the last word."""
    if cible not in {t.cible for t in CIRCUIT.transitions_possibles(s.statut, role)}:
        libelle = statuts.libelle(s.statut, pour_emetteur=role == EMETTEUR)
        raise TransitionInterdite(
            f"Action impossible : la sollicitation {s.numero} est au statut « {libelle} », qui ne permet pas de la "
            f"passer au statut « {S(cible).label} » (quelqu'un a peut-être agi avant vous)."
        )


def _reponse_emetteur(*, acting_user, sollicitation, depuis: str, message: str, fichiers, vide: str, commentaire: str):
    _exiger_emetteur(acting_user, sollicitation)
    message = (message or "").strip()
    erreurs = {}
    if not message:
        erreurs["message"] = vide
    with transaction.atomic():
        s = _verrouiller(sollicitation)
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
        _joindre(s, acting_user=acting_user, fichiers=fichiers, message=echange)
        CIRCUIT.transition(
            s, to=S.A_TRAITER, acting_user=acting_user, role=EMETTEUR, motif=message, commentaire=commentaire
        )
    return s


def repondre_demande_information(*, acting_user, sollicitation, message: str, fichiers=()) -> Sollicitation:
    """The sender answers « Demande d'information »: the request goes back to the receiving side « A traiter »."""
    return _reponse_emetteur(
        acting_user=acting_user, sollicitation=sollicitation, depuis=S.DEMANDE_INFORMATION, message=message,
        fichiers=fichiers, vide="Votre réponse est obligatoire.", commentaire="Informations complémentaires apportées",
    )  # fmt: skip


def renvoyer_sollicitation(*, acting_user, sollicitation, message: str, fichiers=()) -> Sollicitation:
    """The sender is not satisfied with the answer: back to the receiving side « A traiter », with why."""
    return _reponse_emetteur(
        acting_user=acting_user, sollicitation=sollicitation, depuis=S.RESOLUE, message=message, fichiers=fichiers,
        vide="Expliquez pourquoi la réponse ne vous convient pas : ce message est obligatoire pour renvoyer la "
        "sollicitation.",
        commentaire="Réponse non satisfaisante : sollicitation renvoyée par le déposant",
    )  # fmt: skip


def cloturer_sollicitation(*, acting_user, sollicitation) -> Sollicitation:
    """The sender accepts the answer: « Clôturée », with its date."""
    _exiger_emetteur(acting_user, sollicitation)
    with transaction.atomic():
        s = _verrouiller(sollicitation)
        _verifier_cible(s, cible=S.CLOTUREE, role=EMETTEUR)
        CIRCUIT.transition(
            s, to=S.CLOTUREE, acting_user=acting_user, role=EMETTEUR, commentaire="Réponse acceptée par le déposant",
            extra_updates={"date_cloture": timezone.now()},
        )  # fmt: skip
    return s


# --- The receiving side ----------------------------------------------------------------------------------------


def role_recepteur(user, sollicitation) -> str | None:
    """SUPPORT or DESTINATAIRE when the user may treat the sollicitation (« Sollicitations reçues » in
    modification on its structure and service, or the support desk for one routed to the support), else None."""
    if not queries.sollicitations_recues(user, Niveau.MODIFICATION).filter(pk=sollicitation.pk).exists():
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
    _joindre(s, acting_user=acting_user, fichiers=fichiers, message=echange)
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
    _joindre(s, acting_user=acting_user, fichiers=fichiers, message=echange)


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
    if statut not in S.values:
        raise ValidationError({"statut": "Ce statut n'existe pas."})
    texte = (message or "").strip()
    with transaction.atomic():
        s = _verrouiller(sollicitation)
        role = role_recepteur(acting_user, s)
        if role is None:
            if queries.sollicitations_recues(acting_user).filter(pk=s.pk).exists():
                raise PermissionDenied(
                    "Votre profil « Sollicitations reçues » (consultation) ne permet pas de traiter la sollicitation."
                )
            raise TransitionInterdite(
                f"Action impossible : la sollicitation {s.numero} a été transférée {destinataire_lisible(s)} "
                "entre-temps."
            )
        _verifier_cible(s, cible=statut, role=role)
        erreurs: dict[str, str] = {}
        if statut == S.DEMANDE_INFORMATION and not texte:
            erreurs["message"] = "Saisissez les informations que vous demandez au déposant."
        elif statut == S.RESOLUE and not texte:
            erreurs["message"] = "Saisissez votre réponse : elle est transmise au déposant."
        if assignee is not None and not queries.agents_assignables(s).filter(pk=assignee.pk).exists():
            erreurs["assignee_a"] = "Cette personne ne peut pas traiter les sollicitations de ce destinataire."
        if statut == S.REAFFECTEE:
            erreurs.update(verifier_destinataire(structure_destinataire, service_destinataire))
        messages_fichiers = verifier_fichiers(list(fichiers), deja=s.pieces_jointes.count())
        if messages_fichiers:
            erreurs["pieces"] = " ".join(messages_fichiers)
        if erreurs:
            raise ValidationError(erreurs)

        extra, commentaires = {}, []
        nouvel_assigne = assignee or s.assignee_a or (acting_user if statut == S.EN_COURS else None)
        if nouvel_assigne is not None and nouvel_assigne.pk != s.assignee_a_id:
            extra["assignee_a"] = nouvel_assigne
            commentaires.append(f"Assignée à {nouvel_assigne.get_full_name()}")
        a_prevenir = nouvel_assigne if "assignee_a" in extra and nouvel_assigne.pk != acting_user.pk else None

        if statut == S.EN_COURS:
            _enregistrer_brouillon(s, acting_user=acting_user, role=role, texte=texte, fichiers=fichiers)
            debut = "Prise en charge" if s.statut == S.A_TRAITER else "Traitement repris"
            if texte or fichiers:
                debut += ", brouillon de réponse enregistré"
            CIRCUIT.transition(
                s, to=S.EN_COURS, acting_user=acting_user, role=role, commentaire=" ; ".join([debut, *commentaires]),
                extra_updates=extra,
            )  # fmt: skip
        elif statut in (S.DEMANDE_INFORMATION, S.RESOLUE):
            _publier(s, acting_user=acting_user, role=role, texte=texte, fichiers=fichiers)
            CIRCUIT.transition(
                s, to=statut, acting_user=acting_user, role=role, motif=texte, commentaire=" ; ".join(commentaires),
                extra_updates=extra,
            )  # fmt: skip
        else:  # the request leaves this receiving side: no assignment survives it
            _publier(s, acting_user=acting_user, role=role, texte=texte, fichiers=fichiers)
            a_prevenir = None
            if statut == S.MAUVAISE_AFFECTATION:
                extra = {"au_support": True, "assignee_a": None}
                commentaire = "Transférée au support Chorus Pro"
            else:
                extra = {
                    "au_support": False, "structure_destinataire": structure_destinataire,
                    "service_destinataire": service_destinataire, "assignee_a": None,
                }  # fmt: skip
                service = f", service {service_destinataire.code}" if service_destinataire else ""
                commentaire = f"Réaffectée à {structure_destinataire.raison_sociale}{service}"
            CIRCUIT.transition(
                s, to=statut, acting_user=acting_user, role=role, motif=texte, commentaire=commentaire,
                extra_updates=extra,
            )  # fmt: skip
            CIRCUIT.transition(s, to=S.A_TRAITER, acting_user=None, role=SYSTEME, commentaire=commentaire)
        if a_prevenir is not None:
            _courriel(
                [a_prevenir], f"Sollicitation {s.numero} assignée",
                f"{acting_user.get_full_name()} vous a assigné la sollicitation {s.numero} « {s.objet} ». Retrouvez-la "
                "dans « Mes sollicitations à traiter » de l'application « Sollicitations reçues ».",
            )  # fmt: skip
    return s
