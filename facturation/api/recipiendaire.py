"""``/cpro/factures/v1/…`` of the recipient side (« Factures reçues »): ``rechercher/recipiendaire``,
``consulter/recipiendaire``, ``traiter/recue`` and ``telecharger/groupe``. Every read goes through
``facturation.queries.factures_recues`` of the technical account's user (its structure, or its services for a
service-level rattachement); every status change through ``services.traiter_facture_recue``, the service of the
portal's « Traiter la facture », with the same coded motifs."""

import base64
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from chorus.api.champs import Booleen, Date, Entier, Entiers, ListeObjets, Montant, Pagination, Requete, Texte, Textes
from chorus.api.choix import valeur_connue
from chorus.api.kit import (
    CODE_INTERDIT,
    CODE_REGLE_METIER,
    CODE_TROP_VOLUMINEUX,
    ErreurApi,
    envoyes,
    identifiants,
    introuvable,
    jour,
    nombre,
    page_triee,
    requete_invalide,
    rfc3339,
    succes,
    succes_traitement,
)
from chorus.api.protocole import service_cpro
from facturation import documents, services
from facturation import queries as fq
from facturation.api import acces, acteurs
from facturation.api.factures import COLONNES_FACTURES, reponse_consulter
from facturation.api.recherche import bornes_montants, criteres_formulaire, identite
from facturation.enums import MOTIFS_DESTINATAIRE
from facturation.models import Facture, HistoriqueFacture, PieceJointe
from facturation.statuts import ACTIONS_DESTINATAIRE

# --- Request serializers (Chorus Pro's field names and JSON types; OpenAPI) ------------------------------------


class FournisseurCritere(Requete):
    idFournisseur = Entier()
    listeIdService = Entiers()


class RechercherRecipiendaireRequete(Requete):
    typeDemandePaiement = Texte()
    idDestinataire = Entier()
    idServiceExecutant = Entier()
    listeFournisseurs = ListeObjets(FournisseurCritere)
    listeTypeFacture = Textes()
    statutCourant = Textes()
    cadreFacturation = Texte()
    numeroFacture = Texte()
    numeroBonCommande = Texte()
    numeroMarche = Texte()
    montantHTMin = Montant()
    montantHTMax = Montant()
    montantTTCMin = Montant()
    montantTTCMax = Montant()
    montantApayerMin = Montant()
    montantApayerMax = Montant()
    periodeDateDepotDu = Date()
    periodeDateDepotAu = Date()
    periodeDateFactureDu = Date()
    periodeDateFactureAu = Date()
    periodeDateHeureEtatCourantDu = Texte()
    periodeDateHeureEtatCourantAu = Texte()
    factureTelechargeeParDestinataire = Booleen()
    paramRecherche = Pagination()


class ConsulterRecipiendaireRequete(Requete):
    identifiantFactureCPP = Entier(requis=True)


class TraiterRecueRequete(Requete):
    idFacture = Entier(requis=True)
    nouveauStatut = Texte(requis=True)
    motif = Texte()
    numeroDPMandat = Texte()


class IdFacture(Requete):
    idFacture = Entier(requis=True)


class TelechargerGroupeRequete(Requete):
    listeFacture = ListeObjets(IdFacture)
    format = Texte()
    avecPiecesJointesComplementaires = Texte()


# --- rechercher/recipiendaire ----------------------------------------------------------------------------------


def _moment(corps, cle: str):
    """``periodeDateHeureEtatCourantDu/Au``: RFC 3339 (a day alone is its first instant, in the portal's time
    zone)."""
    texte = corps.texte(cle)
    if not texte:
        return None
    try:
        if len(texte) == 10:
            moment = datetime.combine(date.fromisoformat(texte), time.min)
        else:
            moment = parse_datetime(texte.replace(" ", "T", 1))
    except ValueError:
        moment = None
    if moment is None:
        raise requete_invalide(f"Le champ « {cle} » doit être une date et heure (RFC 3339) : « {texte} ».")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _filtrer(corps, qs):
    qs = fq.filtrer(criteres_formulaire(corps, cadre=corps.texte("cadreFacturation")), qs)
    if type_dp := corps.texte("typeDemandePaiement"):
        valeur_connue(type_dp, Facture.TypeDemandePaiement.values, "typeDemandePaiement")
        qs = qs.filter(type_demande_paiement=type_dp)
    if types := corps.textes("listeTypeFacture"):
        qs = qs.filter(type_facture__in=types)
    egalites = {
        "destinataire_id": corps.entier("idDestinataire"),
        "service_destinataire_id": corps.entier("idServiceExecutant"),
        "numero_engagement": corps.texte("numeroBonCommande"),
        "numero_marche": corps.texte("numeroMarche"),
    }
    qs = qs.filter(**envoyes(egalites), **bornes_montants(corps))
    fournisseurs = [f.entier("idFournisseur") for f in corps.objets("listeFournisseurs")]
    if fournisseurs := [f for f in fournisseurs if f]:
        qs = qs.filter(fournisseur_id__in=fournisseurs)
    services_fournisseurs = [s for f in corps.objets("listeFournisseurs") for s in f.entiers("listeIdService")]
    if services_fournisseurs:
        qs = qs.filter(service_fournisseur_id__in=services_fournisseurs)
    if "factureTelechargeeParDestinataire" in corps.donnees:
        qs = qs.filter(telechargee_le__isnull=not corps.booleen("factureTelechargeeParDestinataire"))
    if (du := _moment(corps, "periodeDateHeureEtatCourantDu")) is not None:
        qs = qs.filter(etat_le__gte=du)
    if (au := _moment(corps, "periodeDateHeureEtatCourantAu")) is not None:
        qs = qs.filter(etat_le__lte=au)
    return qs


def _dernier_historique(champ: str):
    """The invoice's last history row's ``champ`` (its current status's date, motif, comment): one correlated
    subquery on the history's index, no query per row."""
    return Subquery(
        HistoriqueFacture.objects.filter(objet=OuterRef("pk")).order_by("-created_at", "-id").values(champ)[:1]
    )


def _ligne(f) -> dict:
    commentaire = " – ".join(t for t in (f.motif_courant, f.commentaire_courant) if t)
    return {
        **identite(f),
        "commentaireEtatCourant": commentaire,
        "dateHeureEtatCourant": rfc3339(f.etat_le or f.updated_at),
        "dateFacture": jour(f.date_facture),
        "dateDepot": jour(f.date_depot),
        **acteurs.fournisseur_et_destinataire(f),
        "numeroBonCommande": f.numero_engagement,
        "numeroMarche": f.numero_marche,
        "montantHT": nombre(f.montant_ht),
        "montantTTC": nombre(f.montant_ttc),
        "montantAPayer": nombre(f.montant_a_payer),
        "devise": f.devise,
        "factureTelechargeeParDestinataire": f.telechargee_le is not None,
    }


def rechercher_recipiendaire(corps, compte):
    qs = fq.factures_recues(compte.utilisateur).annotate(
        etat_le=_dernier_historique("created_at"),
        motif_courant=_dernier_historique("motif"),
        commentaire_courant=_dernier_historique("commentaire"),
    )
    qs = _filtrer(corps, qs).select_related(
        "fournisseur", "destinataire", "service_destinataire", "service_fournisseur"
    )
    lignes, retour = page_triee(corps, "paramRecherche", qs, COLONNES_FACTURES, par_defaut="pk", departage="-pk")
    # As Chorus Pro's: the pagination at the top level (``pageCourante``, ``pages``…) and ``listeFactures`` a list
    # (the Go client's struct of api-fields.md reads one object there, but the reference and the other clients
    # iterate a list of invoices).
    return succes(listeFactures=[_ligne(f) for f in lignes], **retour)


RechercherRecipiendaire = service_cpro(
    "Rechercher les factures reçues", RechercherRecipiendaireRequete, rechercher_recipiendaire
)


# --- consulter/recipiendaire -----------------------------------------------------------------------------------


def consulter_recipiendaire(corps, compte):
    return reponse_consulter(acces.facture_recue(compte, corps.entier("identifiantFactureCPP", requis=True)))


ConsulterRecipiendaire = service_cpro(
    "Consulter une facture reçue", ConsulterRecipiendaireRequete, consulter_recipiendaire
)


# --- traiter/recue ---------------------------------------------------------------------------------------------


def _code_motif(statut: str, motif: str) -> str:
    """The portal's rule (``services.traiter_facture_recue``): Suspendue, A recycler and Rejetée take a motif of
    their coded list, the other statuses none. A client may send the code (``MONTANT_ERRONE``) or its label
    (« Montant de la facture erroné »); anything else is refused with the list of codes."""
    motifs = MOTIFS_DESTINATAIRE.get(statut)
    if motifs is None:
        if motif:
            raise requete_invalide(f"Le statut « {statut} » ne prend pas de motif : n'envoyez pas « motif ».")
        return ""
    codes = ", ".join(motifs.values)
    if not motif:
        raise requete_invalide(f"Le champ « motif » est obligatoire pour le statut « {statut} » (codes : {codes}).")
    for code, libelle in motifs.choices:
        if motif.upper() == code or motif.casefold() == libelle.casefold():
            return code
    raise requete_invalide(f"Motif inconnu pour le statut « {statut} » : « {motif} » (codes : {codes}).")


def traiter_recue(corps, compte):
    id_facture = corps.entier("idFacture", requis=True)
    statut = corps.texte("nouveauStatut", requis=True)
    valeur_connue(statut, ACTIONS_DESTINATAIRE, "nouveauStatut")
    motif = _code_motif(statut, corps.texte("motif"))
    facture = acces.facture_recue(compte, id_facture)
    try:
        services.traiter_facture_recue(
            acting_user=compte.utilisateur,
            facture=facture,
            statut=statut,
            motif=motif,
            numero_dp_mandat=corps.texte("numeroDPMandat") or "",
        )
    except PermissionDenied as exc:
        raise ErreurApi(str(exc), CODE_INTERDIT, 403) from None
    except ValidationError as exc:
        raise ErreurApi(" ".join(exc.messages), CODE_REGLE_METIER) from None
    return succes_traitement(idFacture=facture.pk, numeroFacture=facture.numero, nouveauStatut=facture.statut)


TraiterRecue = service_cpro("Traiter une facture reçue (changer son statut)", TraiterRecueRequete, traiter_recue)


# --- telecharger/groupe ----------------------------------------------------------------------------------------

MAX_FACTURES_GROUPE = 1000


def telecharger_groupe(corps, compte):
    ids = identifiants(
        corps,
        "listeFacture",
        "idFacture",
        maximum=MAX_FACTURES_GROUPE,
        si_vide="Le champ « listeFacture » doit contenir au moins une facture (« idFacture »).",
        si_trop=f"Au plus {MAX_FACTURES_GROUPE} factures par téléchargement.",
    )
    format_groupe = (corps.texte("format") or documents.FORMAT_PDF).upper()
    avec = (corps.texte("avecPiecesJointesComplementaires") or "NON").upper()
    valeur_connue(avec, ("OUI", "NON"), "avecPiecesJointesComplementaires")
    trouvees = {
        f.pk: f
        for f in fq.factures_recues(compte.utilisateur)
        .filter(pk__in=ids)
        .prefetch_related(Prefetch("pieces_jointes", queryset=PieceJointe.objects.order_by("id")))
    }
    if manquantes := [str(pk) for pk in ids if pk not in trouvees]:
        raise introuvable(
            f"Facture(s) inexistante(s) ou non accessible(s) : {', '.join(manquantes)}. Aucun fichier n'est produit."
        )
    try:
        contenu = documents.groupe_factures(
            [trouvees[pk] for pk in ids], format_groupe=format_groupe, avec_pieces=avec == "OUI"
        )
    except documents.GroupeRefuse as exc:
        if exc.trop_lourd:
            raise ErreurApi(str(exc), CODE_TROP_VOLUMINEUX, 413) from None
        raise requete_invalide(str(exc)) from None
    services.marquer_telechargees(acting_user=compte.utilisateur, factures=list(trouvees.values()))
    return succes(fichierResultat=base64.b64encode(contenu).decode("ascii"))


TelechargerGroupe = service_cpro(
    "Télécharger un groupe de factures reçues (PDF ou ZIP, en base64)", TelechargerGroupeRequete, telecharger_groupe
)
