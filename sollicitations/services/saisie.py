"""« Saisir une sollicitation »: the deposit by the sender, its numbering and its routing (the support desk, or the
service of a public structure of the annuaire)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from chorus.identifiers import valider_siret
from organisation import queries as org_queries
from organisation.enums import Application, Niveau, StatutStructure
from sollicitations.enums import EMETTEUR, StatutSollicitation
from sollicitations.models import HistoriqueSollicitation, Sollicitation
from sollicitations.services.circuit import MESSAGE_SUIVI, courriel, destinataire_lisible, notifier
from sollicitations.services.pieces_jointes import joindre, verifier_fichiers


def verifier_destinataire(structure, service, *, champ_structure="structure_destinataire") -> dict[str, str]:
    """A public structure's service may receive sollicitations: the structure is an active public structure of the
    annuaire, the service one of its active services (mandatory when the structure requires a code service)."""
    if structure is None:
        return {
            champ_structure: "Désignez la structure publique destinataire : cette sous-catégorie est traitée "
            "par le service d'une structure publique."
        }
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
            numero=_numero(maintenant),
            date_depot=maintenant,
            emetteur=acting_user,
            structure_emettrice=structure_emettrice,
            service_emetteur=service_emetteur,
            courriel_contact=(courriel_contact or acting_user.email).strip(),
            telephone_contact=(telephone_contact or "").strip(),
            au_support=au_support,
            structure_destinataire=structure_destinataire,
            service_destinataire=service_destinataire,
            categorie=categorie,
            sous_categorie=sous_categorie,
            objet=objet,
            message=message,
            numero_facture=(numero_facture or "").strip(),
            siret_concerne=siret_concerne,
        )
        joindre(s, acting_user=acting_user, fichiers=fichiers)
        entree = HistoriqueSollicitation.ajouter_creation(
            objet=s,
            acting_user=acting_user,
            role=EMETTEUR,
            statut=StatutSollicitation.A_TRAITER,
            commentaire=f"Sollicitation déposée, adressée {destinataire_lisible(s)}",
        )
        notifier(objet=s, entree=entree)
        courriel(
            [acting_user],
            f"Sollicitation {s.numero} déposée",
            f"Votre sollicitation {s.numero} « {s.objet} » est déposée et adressée {destinataire_lisible(s)}. "
            "Vous serez informé par courriel de chaque réponse.",
            evenement=MESSAGE_SUIVI,
        )
    return s
