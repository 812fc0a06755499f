"""The supplier's actions of ``/cpro/factures/v1/…`` on a sent invoice (``completer``, ``recycler``,
``traiterRejet``, ``corriger/valideur/facture``) and the files sent ahead (``transverses/v1/ajouter/fichier``,
``factures/v1/deposer/pdf``) whose ``pieceJointeId`` ``soumettre`` and ``completer`` attach.

Every invoice is read through ``facturation.queries.facture_emise`` of the technical account's user (in
modification), every file through ``queries.pieces_televersees``; every change is the service the portal's pages
call (``services.completer``, ``recycler``, ``traiter_rejet``, ``corriger_valideur``, ``televerser_piece``), inside
one transaction: a refusal changes nothing."""

from contextlib import contextmanager
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from chorus.api.champs import Entier, ListeObjets, Requete, Texte
from chorus.api.choix import valeur_connue
from chorus.api.kit import (
    CODE_DOUBLON,
    CODE_INTERDIT,
    CODE_REGLE_METIER,
    ErreurApi,
    identifiants,
    introuvable,
    jour,
    requete_invalide,
    succes,
    succes_traitement,
)
from chorus.api.protocole import service_cpro
from chorus.workflow import TransitionInterdite
from facturation import depot, services
from facturation.api import acces
from facturation.api.factures import Destinataire, _destinataire
from facturation.api.pieces import PieceJointeComplementaire, decoder_base64, pieces_complementaires
from facturation.services import envoi
from organisation.enums import Niveau
from organisation.models import Structure


@contextmanager
def refus_metier():
    """The services' refusals as the API's: a missing profile 403, a business rule or a status that no longer
    allows the action 400 with the service's French message."""
    try:
        yield
    except PermissionDenied as exc:
        raise ErreurApi(str(exc) or "Profil manquant pour cette opération.", CODE_INTERDIT, 403) from None
    except TransitionInterdite as exc:
        raise ErreurApi(exc.message, CODE_REGLE_METIER) from None
    except ValidationError as exc:
        raise ErreurApi(" ".join(exc.messages), CODE_REGLE_METIER) from None


def facture_modifiable(compte, pk: int):
    """An invoice the technical account's user may act on as its supplier."""
    return acces.facture_emise(compte, pk, Niveau.MODIFICATION)


# --- Files sent ahead --------------------------------------------------------------------------------------------


class AjouterFichierRequete(Requete):
    pieceJointeFichier = Texte(requis=True)
    pieceJointeNom = Texte(requis=True)
    pieceJointeExtension = Texte()
    pieceJointeTypeMime = Texte()
    idUtilisateurCourant = Entier()


def _nom_fichier(corps) -> str:
    """``pieceJointeNom`` with ``pieceJointeExtension`` when the name has none (clients send either)."""
    nom = PurePath(corps.texte("pieceJointeNom", requis=True)).name
    extension = corps.texte("pieceJointeExtension").lstrip(".").lower()
    if extension and not PurePath(nom).suffix:
        nom = f"{nom}.{extension}"
    return nom


def ajouter_fichier(corps, compte):
    contenu = decoder_base64(corps, "pieceJointeFichier")
    with refus_metier():
        piece = services.televerser_piece(
            acting_user=compte.utilisateur,
            structure=compte.structure,
            nom=_nom_fichier(corps),
            contenu=contenu,
        )
    return succes(pieceJointeId=piece.pk)


AjouterFichier = service_cpro(
    "Ajouter une pièce jointe (à joindre ensuite par soumettre ou completer)", AjouterFichierRequete, ajouter_fichier
)


class DeposerPdfRequete(Requete):
    fichierFacture = Texte(requis=True)
    nomFichier = Texte(requis=True)
    formatDepot = Texte()
    idUtilisateurCourant = Entier()


FORMATS_PDF = {"PDF_NON_SIGNE", "PDF_SIGNE"}


def deposer_pdf(corps, compte):
    """The portal's « Déposer facture » of a plain PDF: read by the deposit pipeline (``envoi.analyser_depot``:
    format sniffed from the content, signature checked, duplicate file refused, data read from the text), what it
    could read is returned to pre-fill ``soumettre``, which names the file in ``pieceJointePrincipale``
    (``modeDepot`` ``DEPOT_PDF_API``). ``formatDepot``, when sent, must be what the file is."""
    contenu = decoder_base64(corps, "fichierFacture")
    nom = PurePath(corps.texte("nomFichier", requis=True)).name
    if PurePath(nom).suffix.lower() != ".pdf":
        raise requete_invalide(f"Le fichier « {nom} » doit être un PDF (extension .pdf).")
    attendu = corps.texte("formatDepot")
    if attendu:
        valeur_connue(attendu, sorted(FORMATS_PDF), "formatDepot")
    with refus_metier():
        services.exiger_emission(compte.utilisateur, compte.structure)
        try:
            document = envoi.analyser_depot(fournisseur=compte.structure, contenu=contenu, nom_fichier=nom)
        except envoi.DepotRefuse as exc:
            if exc.code_refus == envoi.DepotRefuse.DOUBLON:
                raise ErreurApi(" ".join(exc.messages), CODE_DOUBLON) from None
            raise
        format_lu = document.analyse.format
        if format_lu not in FORMATS_PDF:
            raise requete_invalide(
                f"Le fichier est au format {depot.LIBELLES_FORMAT[format_lu]} : un document structuré se dépose "
                "par « factures/v1/deposer/flux »."
            )
        if attendu and attendu != format_lu:
            raise requete_invalide(
                f"Le fichier est un {depot.LIBELLES_FORMAT[format_lu]}, pas « {attendu} » comme l'indique "
                "« formatDepot »."
            )
        piece = services.televerser_piece(
            acting_user=compte.utilisateur, structure=compte.structure, nom=nom[-50:], contenu=contenu
        )
    valeurs = document.valeurs
    destinataire = valeurs.get("destinataire")
    return succes(
        pieceJointeId=piece.pk,
        formatDepot=document.analyse.format,
        numeroFacture=valeurs.get("numero") or "",
        dateFacture=jour(valeurs.get("date_facture")),
        codeDestinataire=destinataire.identifiant if isinstance(destinataire, Structure) else "",
        numeroBonCommande=valeurs.get("numero_engagement") or "",
    )


DeposerPdf = service_cpro(
    "Déposer une facture PDF (ses données sont ensuite envoyées par soumettre)", DeposerPdfRequete, deposer_pdf
)


# --- Actions on a sent invoice -----------------------------------------------------------------------------------


class CompleterRequete(Requete):
    identifiantFactureCPP = Entier(requis=True)
    commentaire = Texte()
    pieceJointeComplementaire = ListeObjets(PieceJointeComplementaire)
    idUtilisateurCourant = Entier()


def completer(corps, compte):
    facture = facture_modifiable(compte, corps.entier("identifiantFactureCPP", requis=True))
    pieces = pieces_complementaires(corps, compte)
    with refus_metier(), transaction.atomic():
        for piece, type_piece, designation in pieces:
            services.joindre_piece_televersee(
                acting_user=compte.utilisateur,
                facture=facture,
                piece=piece,
                type_piece=type_piece,
                designation=designation,
            )
        services.completer(acting_user=compte.utilisateur, facture=facture, commentaire=corps.texte("commentaire"))
    return succes_traitement(identifiantFactureCPP=facture.pk, numeroFacture=facture.numero)


Completer = service_cpro("Compléter une facture suspendue", CompleterRequete, completer)


class ReferenceRecyclage(Requete):
    numeroBonCommande = Texte()


class RecyclerRequete(Requete):
    identifiantFactureCPP = Entier(requis=True)
    destinataire = Destinataire()
    reference = ReferenceRecyclage()
    commentaire = Texte()
    idUtilisateurCourant = Entier()


def recycler(corps, compte):
    """Only the routing changes (``services.recycler``): the recipient and its service (``destinataire``, the
    current one when absent) and the engagement number (``reference.numeroBonCommande``, kept when absent)."""
    facture = facture_modifiable(compte, corps.entier("identifiantFactureCPP", requis=True))
    if corps.donnees.get("destinataire") is not None:
        destinataire, service = _destinataire(corps)
    else:
        destinataire, service = facture.destinataire, facture.service_destinataire
    reference = corps.objet("reference")
    engagement = (
        reference.texte("numeroBonCommande")[:50]
        if reference.donnees.get("numeroBonCommande") is not None
        else facture.numero_engagement
    )
    with refus_metier(), transaction.atomic():
        services.recycler(
            acting_user=compte.utilisateur,
            facture=facture,
            destinataire=destinataire,
            service_destinataire=service,
            numero_engagement=engagement,
            commentaire=corps.texte("commentaire"),
        )
    facture.refresh_from_db()
    return succes(
        identifiantFactureCPP=facture.pk,
        numeroFacture=facture.numero,
        statutFacture=facture.statut,
        dateDepot=jour(facture.date_depot),
    )


Recycler = service_cpro("Recycler une facture (nouvel acheminement)", RecyclerRequete, recycler)


MAX_REJETS = 500  # one call, one transaction: a bounded number of invoices


class DemandePaiement(Requete):
    idDemandePaiement = Entier(requis=True)


class TraiterRejetRequete(Requete):
    listeDemandePaiement = ListeObjets(DemandePaiement)
    motifRejet = Texte()
    cpltInfos = Texte()


def traiter_rejet(corps, compte):
    """Every invoice of ``listeDemandePaiement`` or none: one refused (unknown, not rejected, already handled)
    refuses the call."""
    ids = identifiants(
        corps,
        "listeDemandePaiement",
        "idDemandePaiement",
        maximum=MAX_REJETS,
        si_vide="Le champ « listeDemandePaiement » doit contenir au moins une facture.",
        si_trop=f"Le champ « listeDemandePaiement » contient au plus {MAX_REJETS} factures.",
    )
    motif = " – ".join(filter(None, [corps.texte("motifRejet"), corps.texte("cpltInfos")]))
    factures = [facture_modifiable(compte, pk) for pk in ids]
    with refus_metier(), transaction.atomic():
        for facture in factures:
            try:
                services.traiter_rejet(acting_user=compte.utilisateur, facture=facture, motif=motif)
            except ValidationError as exc:
                raise ValidationError(f"Facture {facture.pk} : {' '.join(exc.messages)}") from None
    return succes()


TraiterRejet = service_cpro("Traiter le rejet de factures rejetées", TraiterRejetRequete, traiter_rejet)


class CorrigerValideurRequete(Requete):
    idFacture = Entier(requis=True)
    idStructure = Entier()
    identifiantStructure = Texte()
    typeIdentifiantStructure = Texte()


def corriger_valideur(corps, compte):
    """The right valideur by ``identifiantStructure`` (its SIRET) or ``idStructure``."""
    facture = facture_modifiable(compte, corps.entier("idFacture", requis=True))
    siret = corps.texte("identifiantStructure").replace(" ", "")
    if not siret and (id_structure := corps.entier("idStructure")):
        siret = Structure.objects.filter(pk=id_structure).values_list("identifiant", flat=True).first()
        if siret is None:
            raise introuvable(f"La structure {id_structure} n'existe pas.")
    if not siret:
        raise requete_invalide("Indiquez le nouveau valideur : « identifiantStructure » ou « idStructure ».")
    with refus_metier(), transaction.atomic():
        services.corriger_valideur(acting_user=compte.utilisateur, facture=facture, siret=siret)
    return succes(idFacture=facture.pk)


CorrigerValideur = service_cpro(
    "Corriger le valideur d'une facture (erreur fournisseur sur valideur)", CorrigerValideurRequete, corriger_valideur
)
