"""The valideur's side of ``/cpro/factures/v1/…`` (« Factures à valider »: A9 sous-traitant, A12 cotraitant):
``rechercher/valideur``, ``consulter/valideur`` and ``traiter/factureAValider``. Every read goes through
``facturation.queries.factures_a_valider`` of the technical account's user (who needs the « Factures à valider »
profile on the valideur structure), every decision through ``services.valider_facture`` / ``refuser_facture``,
as the portal's « Valider » / « Refuser »."""

from django.db import transaction

from chorus.api.champs import Entier, Montant, Pagination, Requete, Texte
from chorus.api.kit import envoyes, jour, nombre, page_triee, requete_invalide, succes, succes_traitement
from chorus.api.protocole import liste_de_reference, service_cpro
from facturation import queries as fq
from facturation import services, statuts
from facturation.api import acces
from facturation.api.acteurs import acteur
from facturation.api.factures import CadreFacturationCritere, CriteresFacture, reponse_consulter
from facturation.api.fournisseur import refus_metier
from facturation.api.recherche import COLONNES_TRI, filtrer_formulaire, identite
from facturation.enums import CADRES_AVEC_VALIDEUR, MotifRefusValidation, StatutFacture


class RechercherValideurRequete(CriteresFacture):
    montantAPayerMin = Montant()
    montantAPayerMax = Montant()
    cadreFacturation = CadreFacturationCritere()
    idFournisseur = Entier()
    idDestinataire = Entier()
    idServiceExecutant = Entier()
    idStructureValideur = Entier()
    numeroEngagement = Texte()
    numeroMarche = Texte()
    pagination = Pagination()
    idUtilisateurCourant = Entier()


COLONNES = {"IdFacture": "pk", **COLONNES_TRI}


def _filtrer(corps, qs):
    qs = filtrer_formulaire(corps, qs, numero_engagement=corps.texte("numeroEngagement"))
    egalites = {
        "fournisseur_id": corps.entier("idFournisseur"),
        "destinataire_id": corps.entier("idDestinataire"),
        "service_destinataire_id": corps.entier("idServiceExecutant"),
        "valideur_id": corps.entier("idStructureValideur"),
        "numero_marche": corps.texte("numeroMarche"),
        "montant_ht__gte": corps.montant("montantHTMin"),
        "montant_ht__lte": corps.montant("montantHTMax"),
        "montant_a_payer__gte": corps.montant("montantAPayerMin"),
        "montant_a_payer__lte": corps.montant("montantAPayerMax"),
    }
    # Here a bound of 0 filters nothing, as an absent one.
    return qs.filter(**envoyes(egalites))


def _ligne(f) -> dict:
    sf, sd = f.service_fournisseur, f.service_destinataire
    return {
        **identite(f),
        "devise": f.devise,
        "dateFacture": jour(f.date_facture),
        "dateDepot": jour(f.date_depot),
        "montantHT": nombre(f.montant_ht),
        "montantTTC": nombre(f.montant_ttc),
        "montantAPayer": nombre(f.montant_a_payer),
        "numeroEngagement": f.numero_engagement,
        "numeroMarche": f.numero_marche,
        **acteur(f.fournisseur, "Fournisseur", nom="designation"),
        "codeServiceFournisseur": sf.code if sf else "",
        "nomServiceFournisseur": sf.libelle if sf else "",
        **acteur(f.destinataire, "Destinataire", nom="designation"),
        "idServiceExecutant": f.service_destinataire_id or 0,
        "codeServiceExecutant": sd.code if sd else "",
        "nomServiceExecutant": sd.libelle if sd else "",
        **acteur(f.valideur, "Valideur", nom="designation"),
    }


def rechercher_valideur(corps, compte):
    qs = _filtrer(corps, fq.factures_a_valider(compte.utilisateur)).select_related(
        "fournisseur", "destinataire", "valideur", "service_fournisseur", "service_destinataire"
    )
    lignes, retour = page_triee(corps, "pagination", qs, COLONNES, par_defaut="pk", departage="-pk")
    return succes(listeFactures=[_ligne(f) for f in lignes], parametresRetour=retour)


RechercherValideur = service_cpro("Rechercher les factures à valider", RechercherValideurRequete, rechercher_valideur)


class ConsulterValideurRequete(Requete):
    identifiantFactureCPP = Entier(requis=True)
    codeLangue = Texte()
    idUtilisateurCourant = Entier()


def consulter_valideur(corps, compte):
    return reponse_consulter(acces.facture_a_valider(compte, corps.entier("identifiantFactureCPP", requis=True)))


ConsulterValideur = service_cpro("Consulter une facture à valider", ConsulterValideurRequete, consulter_valideur)


ACTIONS = ("VALIDATION", "REFUS")


class TraiterFactureAValiderRequete(Requete):
    idFacture = Entier(requis=True)
    action = Texte(requis=True)
    motifRefus = Texte()
    complementInfo = Texte()


def traiter_facture_a_valider(corps, compte):
    """``action`` VALIDATION (the invoice goes on to its recipient) or REFUS with ``motifRefus`` (a code of
    ``recuperer/motifs/refus/Facture/AValider``: ``ERREUR_VALIDEUR`` sends it back to the supplier to correct
    its valideur); ``complementInfo`` is the comment. The other actions of Chorus Pro's enumeration are the
    recipient's (``traiter/recue``) and are refused here."""
    action = corps.texte("action", requis=True).upper()
    if action not in ACTIONS:
        raise requete_invalide(
            f"Action inconnue pour une facture à valider : {action} (attendu : {', '.join(ACTIONS)})."
        )
    motif = corps.texte("motifRefus")
    if action == "REFUS" and motif not in MotifRefusValidation.values:
        raise requete_invalide(
            f"Le champ « motifRefus » doit être l'un des motifs de refus : {', '.join(MotifRefusValidation.values)}."
        )
    facture = acces.facture_a_valider(compte, corps.entier("idFacture", requis=True))
    commentaire = corps.texte("complementInfo")
    with refus_metier(), transaction.atomic():
        if action == "VALIDATION":
            services.valider_facture(
                acting_user=compte.utilisateur, facture=facture, accepter=True, commentaire=commentaire
            )
        else:
            services.refuser_facture(
                acting_user=compte.utilisateur, facture=facture, motif=motif, commentaire=commentaire
            )
    facture.refresh_from_db(fields=["statut"])
    return succes_traitement(idFacture=facture.pk, numeroFacture=facture.numero, statutFacture=facture.statut)


TraiterFactureAValider = service_cpro(
    "Valider ou refuser une facture à valider", TraiterFactureAValiderRequete, traiter_facture_a_valider
)


class MotifsRefusRequete(Requete):
    codeCadreFacturationAValider = Texte()


def motifs_refus(corps, compte):
    """The coded motifs ``traiter/factureAValider`` accepts in ``motifRefus`` (``MotifRefusValidation``, the list
    the portal's « Refuser » offers); ``idMotif`` is the motif's rank in that list. ``codeCadreFacturationAValider``,
    when sent, must be a cadre with a valideur (A9, A12, by code or value)."""
    cadre = corps.texte("codeCadreFacturationAValider")
    acceptes = {c.value for c in CADRES_AVEC_VALIDEUR} | {c.value.split("_")[0] for c in CADRES_AVEC_VALIDEUR}
    if cadre and cadre not in acceptes:
        raise requete_invalide(
            f"Le cadre de facturation « {cadre} » n'a pas de valideur (attendu : "
            f"{', '.join(sorted(c.value for c in CADRES_AVEC_VALIDEUR))})."
        )
    return succes(
        listeMotifRefusFactureAValider=[
            {"idMotif": rang, "codeMotif": motif.value, "libelleMotif": motif.label}
            for rang, motif in enumerate(MotifRefusValidation, start=1)
        ]
    )


RecupererMotifsRefus = service_cpro("Motifs de refus d'une facture à valider", MotifsRefusRequete, motifs_refus)


def statuts_visibles() -> list[str]:
    """The statuses an invoice of « Factures à valider » can take: « À valider » and every status the transition
    table (``facturation.statuts.TRANSITIONS``) reaches from it, in the enumeration's order."""
    atteints, a_voir = {StatutFacture.A_VALIDER_1}, [StatutFacture.A_VALIDER_1]
    while a_voir:
        source = a_voir.pop()
        for transition in statuts.TRANSITIONS:
            if transition.source == source and transition.cible not in atteints:
                atteints.add(transition.cible)
                a_voir.append(transition.cible)
    return [s for s in StatutFacture.values if s in atteints]


class StatutsVisiblesRequete(Requete):
    idUtilisateurCourant = Entier()


RecupererStatutsVisibles = liste_de_reference(
    "Statuts des factures à valider",
    "listeStatutFacture",
    "codeStatutFacture",
    statuts_visibles(),
    requete=StatutsVisiblesRequete,
)
