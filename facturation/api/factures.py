"""``/cpro/factures/v1/…`` of the supplier side. Every read goes through ``facturation.queries.factures_emises``
of the technical account's user; ``soumettre`` runs ``services.enregistrer``, the portal's checks
(``verifier_avant_envoi``, EN 16931) and ``valider_et_envoyer`` as the saisie's « Valider et envoyer »."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery

from chorus.api.champs import Booleen, Date, Entier, ListeObjets, Montant, Pagination, Requete, Texte, Textes
from chorus.api.choix import choix
from chorus.api.kit import (
    CODE_DOUBLON,
    CODE_REGLE_METIER,
    ErreurApi,
    envoyes,
    introuvable,
    jour,
    jour_heure,
    nombre,
    page_triee,
    requete_invalide,
    rfc3339,
    succes,
)
from chorus.api.protocole import service_cpro
from chorus.workflow import SYSTEME
from facturation import montants, services
from facturation import queries as fq
from facturation.api import acces, acteurs, historique
from facturation.api.pieces import PieceJointeComplementaire, piece_televersee, pieces_complementaires
from facturation.api.recherche import COLONNES_TRI, bornes_montants, filtrer_formulaire
from facturation.enums import CADRES_FACTURE, Cadre, ModeDepot, ModePaiement, StatutFacture, TypeFacture, TypeTva
from facturation.models import FluxDepot
from facturation.services import envoi
from facturation.services.pieces_jointes import contenu_televerse
from organisation import queries as org_queries
from organisation.enums import Application, Niveau
from organisation.models import Service, Structure

# --- Request serializers (validation with Chorus Pro's field names and JSON types; OpenAPI) ------------------------


class Destinataire(Requete):
    codeDestinataire = Texte(requis=True)
    codeServiceExecutant = Texte()


class Fournisseur(Requete):
    idFournisseur = Entier()
    idServiceFournisseur = Entier()
    codeCoordonneesBancairesFournisseur = Entier()


class CadreDeFacturation(Requete):
    codeCadreFacturation = Texte()
    codeStructureValideur = Texte()
    codeServiceValideur = Texte()


class References(Requete):
    deviseFacture = Texte()
    typeFacture = Texte()
    typeTva = Texte()
    modePaiement = Texte()
    motifExonerationTva = Texte()
    numeroBonCommande = Texte()
    numeroFactureOrigine = Texte()
    numeroMarche = Texte()


class LignePoste(Requete):
    lignePosteNumero = Entier()
    lignePosteReference = Texte()
    lignePosteDenomination = Texte(requis=True)
    lignePosteQuantite = Montant(requis=True)
    lignePosteUnite = Texte()
    lignePosteMontantUnitaireHT = Montant(requis=True)
    lignePosteMontantRemiseHT = Montant()
    lignePosteTauxTva = Texte()
    lignePosteTauxTvaManuel = Montant()


class MontantTotal(Requete):
    montantHtTotal = Montant()
    montantTVA = Montant()
    montantTtcTotal = Montant()
    montantRemiseGlobaleTTC = Montant()
    motifRemiseGlobaleTTC = Texte()
    montantAPayer = Montant()


class PieceJointePrincipale(Requete):
    pieceJointePrincipaleId = Entier(requis=True)
    pieceJointePrincipaleDesignation = Texte()


class SoumettreRequete(Requete):
    modeDepot = Texte()
    numeroFactureSaisi = Texte(requis=True)
    dateFacture = Date(requis=True)
    destinataire = Destinataire(requis=True)
    fournisseur = Fournisseur()
    cadreDeFacturation = CadreDeFacturation()
    references = References()
    lignePoste = ListeObjets(LignePoste)
    montantTotal = MontantTotal()
    pieceJointePrincipale = ListeObjets(PieceJointePrincipale)
    pieceJointeComplementaire = ListeObjets(PieceJointeComplementaire)
    commentaire = Texte()
    idUtilisateurCourant = Entier()


class CadreFacturationCritere(Requete):
    codeCadreFacturation = Texte()


# The first criteria of ``rechercher/fournisseur`` and ``rechercher/valideur``, in Chorus Pro's order (no docstring:
# the OpenAPI document describes each request with the docstring of ``Requete``, as before).
class CriteresFacture(Requete):
    numeroFacture = Texte()
    statutCourant = Textes()
    periodeDateFactureDu = Date()
    periodeDateFactureAu = Date()
    periodeDateDepotDu = Date()
    periodeDateDepotAu = Date()
    montantTTCMin = Montant()
    montantTTCMax = Montant()
    montantHTMin = Montant()
    montantHTMax = Montant()


class IdDestinataire(Requete):
    idDestinataire = Entier()


class RechercherFournisseurRequete(CriteresFacture):
    montantApayerMin = Montant()
    montantApayerMax = Montant()
    cadreFacturation = CadreFacturationCritere()
    typeFacture = Texte()
    idFournisseur = Entier()
    idServiceFournisseur = Entier()
    numeroMarche = Texte()
    numeroBonCommande = Texte()
    numeroFactureOrigine = Texte()
    modeDepot = Texte()
    rejetTraite = Booleen()
    listeDestinataire = ListeObjets(IdDestinataire)
    numeroFluxDepot = Texte()
    rechercheFactureParFournisseur = Pagination()


class ConsulterFournisseurRequete(Requete):
    identifiantFactureCPP = Entier(requis=True)
    codeLangue = Texte()


class PaginationHistorique(Requete):
    nbResultatsParPageListeHistoStatut = Entier()
    pageResultatDemandeeListeHistoStatut = Entier()
    triSensListeHistoStatut = Texte()


class PaginationHistoActions(Requete):
    nbResultatsParPageListeHistoAction = Entier()
    pageResultatDemandeeListeHistoAction = Entier()
    triSensListeHistoAction = Texte()


class PaginationHistoEvenements(Requete):
    nbResultatsParPageListeHistoEvenement = Entier()
    pageResultatDemandeeListeHistoEvenement = Entier()
    triSensListeHistoEvenement = Texte()


class ConsulterHistoriqueRequete(Requete):
    idFacture = Entier(requis=True)
    idEspace = Entier()
    paramRechercheHistoStatuts = PaginationHistorique()
    paramRechercheHistoActionsUtilisateurs = PaginationHistoActions()
    paramRechercheHistoEvenementsComplementaires = PaginationHistoEvenements()


def _taux(ligne) -> Decimal:
    """``lignePosteTauxTvaManuel`` (a number) or ``lignePosteTauxTva`` (« TVA20 », « 20 », « 5,5 »…)."""
    manuel = ligne.montant("lignePosteTauxTvaManuel")
    if manuel is not None:
        return manuel
    code = ligne.texte("lignePosteTauxTva")
    trouve = re.search(r"\d+(?:[.,]\d+)?", code)
    if not trouve:
        raise requete_invalide(f"Le taux de TVA de la ligne « {ligne.chemin} » est obligatoire.")
    return Decimal(trouve.group().replace(",", "."))


def _lignes(corps) -> list[dict]:
    lignes = []
    for ligne in corps.objets("lignePoste"):
        lignes.append(
            {
                "reference": ligne.texte("lignePosteReference")[:50],
                "denomination": ligne.texte("lignePosteDenomination", requis=True)[:250],
                "quantite": ligne.montant("lignePosteQuantite", requis=True),
                "unite": ligne.texte("lignePosteUnite")[:20] or "C62",
                "prix_unitaire_ht": ligne.montant("lignePosteMontantUnitaireHT", requis=True),
                "remise_ht": ligne.montant("lignePosteMontantRemiseHT") or 0,
                "taux_tva": _taux(ligne),
            }
        )
    if not lignes:
        raise requete_invalide("La facture doit comporter au moins une ligne (« lignePoste »).")
    return lignes


def _verifier_totaux(corps, calcul) -> None:
    """The client's totals, when it sends them, must be those the portal computes from the lines (one rule, in
    ``facturation.montants``)."""
    totaux = corps.objet("montantTotal")
    erreurs = montants.ecarts_totaux(
        calcul,
        {
            "montant_ht": totaux.montant("montantHtTotal"),
            "montant_tva": totaux.montant("montantTVA"),
            "montant_ttc": totaux.montant("montantTtcTotal"),
            "net_a_payer": totaux.montant("montantAPayer"),
        },
    )
    if erreurs:
        raise ErreurApi(" ".join(erreurs))


def _fournisseur(corps, compte) -> tuple[Structure, Service | None]:
    f = corps.objet("fournisseur")
    id_fournisseur = f.entier("idFournisseur") or compte.structure_id
    structure = (
        org_queries.structures_de(compte.utilisateur, Application.FACTURES_EMISES, Niveau.MODIFICATION)
        .filter(pk=id_fournisseur)
        .first()
    )
    if structure is None:
        raise ErreurApi(
            f"Le compte technique ne peut pas émettre de factures pour la structure {id_fournisseur}.", 403, 403
        )
    service_fournisseur = None
    if id_service := f.entier("idServiceFournisseur"):
        service_fournisseur = Service.objects.filter(pk=id_service, structure=structure, actif=True).first()
        if service_fournisseur is None:
            raise introuvable(f"Le service fournisseur {id_service} n'existe pas dans votre structure.")
    return structure, service_fournisseur


def _coordonnees(corps, fournisseur):
    code = corps.objet("fournisseur").entier("codeCoordonneesBancairesFournisseur")
    actives = org_queries.coordonnees_bancaires_actives(fournisseur)
    if code:
        coord = actives.filter(pk=code).first()
        if coord is None:
            raise introuvable(f"Les coordonnées bancaires {code} ne sont pas des coordonnées actives de la structure.")
        return coord
    return actives.first()


def _destinataire(corps):
    d = corps.objet("destinataire", requis=True)
    identifiant = d.texte("codeDestinataire", requis=True).replace(" ", "")
    return acteurs.destinataire_annuaire(identifiant, d.texte("codeServiceExecutant"))


def _valideur(corps):
    code = corps.objet("cadreDeFacturation").texte("codeStructureValideur").replace(" ", "")
    if not code:
        return None
    valideur = Structure.objects.filter(identifiant=code).order_by("pk").first()
    if valideur is None:
        raise introuvable(f"La structure valideur {code} n'existe pas.")
    return valideur


def _pieces_jointes(corps, compte) -> tuple[list[dict], tuple[bytes, str] | None]:
    """The files sent ahead that ``soumettre`` names: its attachments, and in ``DEPOT_PDF_API`` mode the PDF of
    ``deposer/pdf`` that is the invoice's original."""
    pieces = [
        {"type_piece": t, "designation": d or p.nom, "nom": p.nom, "contenu": contenu_televerse(p)}
        for p, t, d in pieces_complementaires(corps, compte)
    ]
    principales = corps.objets("pieceJointePrincipale")
    if corps.texte("modeDepot") != ModeDepot.DEPOT_PDF_API:
        if principales:
            raise requete_invalide(
                "« pieceJointePrincipale » s'emploie avec « modeDepot » DEPOT_PDF_API : le PDF déposé par "
                "« deposer/pdf » est alors l'original de la facture."
            )
        return pieces, None
    if len(principales) != 1:
        raise requete_invalide(
            "En mode DEPOT_PDF_API, « pieceJointePrincipale » désigne le PDF déposé par « deposer/pdf » (un seul)."
        )
    piece = piece_televersee(
        compte, principales[0].entier("pieceJointePrincipaleId", requis=True), "pieceJointePrincipaleId"
    )
    return pieces, (contenu_televerse(piece), piece.nom)


def soumettre(corps, compte):
    fournisseur, service_fournisseur = _fournisseur(corps, compte)
    destinataire, service_destinataire = _destinataire(corps)
    references = corps.objet("references")
    lignes = _lignes(corps)
    remise = corps.objet("montantTotal").montant("montantRemiseGlobaleTTC") or 0
    try:
        calcul = montants.calculer(lignes, remise_globale_ttc=remise)
    except montants.MontantsInvalides as exc:
        raise ErreurApi(str(exc)) from None
    _verifier_totaux(corps, calcul)
    date_facture = corps.date("dateFacture", requis=True)
    donnees = {
        "fournisseur": fournisseur,
        "service_fournisseur": service_fournisseur,
        "destinataire": destinataire,
        "service_destinataire": service_destinataire,
        "valideur": _valideur(corps),
        "coordonnees_bancaires": _coordonnees(corps, fournisseur),
        "cadre": choix(
            corps.objet("cadreDeFacturation").texte("codeCadreFacturation"),
            CADRES_FACTURE,
            "codeCadreFacturation",
            Cadre.A1,
        ),
        "type_facture": choix(references.texte("typeFacture"), TypeFacture, "typeFacture", TypeFacture.FACTURE),
        "numero": corps.texte("numeroFactureSaisi", requis=True)[:20],
        "date_facture": date_facture,
        "devise": references.texte("deviseFacture") or "EUR",
        "type_tva": choix(references.texte("typeTva"), TypeTva, "typeTva", TypeTva.TVA_SUR_DEBIT),
        "motif_exoneration": references.texte("motifExonerationTva")[:250],
        "numero_marche": references.texte("numeroMarche")[:50],
        "numero_engagement": references.texte("numeroBonCommande")[:50],
        "numero_facture_origine": references.texte("numeroFactureOrigine")[:20],
        "mode_paiement": choix(references.texte("modePaiement"), ModePaiement, "modePaiement", ModePaiement.VIREMENT),
        "remise_globale_ttc": remise,
        "motif_remise_globale": corps.objet("montantTotal").texte("motifRemiseGlobaleTTC")[:250],
        "commentaire": corps.texte("commentaire"),
        "mode_depot": ModeDepot.SAISIE_API,
    }
    if donnees["devise"] != "EUR":
        raise requete_invalide(f"Devise non prise en charge : {donnees['devise']} (seul EUR est accepté).")
    pieces, pdf_principal = _pieces_jointes(corps, compte)
    try:
        facture = envoi.deposer_et_envoyer(
            canal=envoi.Canal.SOUMETTRE,
            acting_user=compte.utilisateur,
            saisie=(donnees, lignes),
            pieces_jointes=pieces,
            pdf_principal=pdf_principal,
        )
    except envoi.DepotRefuse as exc:
        if exc.code_refus == envoi.DepotRefuse.DOUBLON:
            raise ErreurApi(" ".join(exc.messages), CODE_DOUBLON) from None
        prefixe = "La facture ne respecte pas la norme EN 16931 : " if exc.code_refus == exc.REGLES else ""
        raise ErreurApi(prefixe + " ".join(exc.messages), CODE_REGLE_METIER) from None
    except services.DoublonDepot as exc:
        raise ErreurApi(f"{exc.message} Facture existante : n° {exc.facture.numero}.", CODE_DOUBLON) from None
    except ValidationError as exc:
        raise ErreurApi(" ".join(exc.messages), CODE_REGLE_METIER) from None
    facture.refresh_from_db()
    return succes(
        "GCU_MSG_01_000",
        identifiantFactureCPP=facture.pk,
        numeroFacture=facture.numero,
        statutFacture=facture.statut,
        dateDepot=jour(facture.date_depot),
        empreinteCertificatDepot=facture.empreinte_certificat,
        identifiantStructure=fournisseur.identifiant,
    )


Soumettre = service_cpro("Saisir et envoyer une facture", SoumettreRequete, soumettre)


# --- Search and consultation ---------------------------------------------------------------------------------

COLONNES_FACTURES = {"IdentifiantFactureCPP": "pk", **COLONNES_TRI}


def _filtrer(corps, qs):
    qs = filtrer_formulaire(corps, qs, type_facture=corps.texte("typeFacture"))
    egalites = {
        "fournisseur_id": corps.entier("idFournisseur"),
        "service_fournisseur_id": corps.entier("idServiceFournisseur"),
        "numero_marche": corps.texte("numeroMarche"),
        "numero_engagement": corps.texte("numeroBonCommande"),
        "numero_facture_origine": corps.texte("numeroFactureOrigine"),
        "mode_depot": corps.texte("modeDepot"),
    }
    qs = qs.filter(**envoyes(egalites), **bornes_montants(corps))
    if "rejetTraite" in corps.donnees:
        qs = qs.filter(rejet_traite=corps.booleen("rejetTraite"))
    destinataires = [d.entier("idDestinataire") for d in corps.objets("listeDestinataire")]
    if destinataires := [d for d in destinataires if d]:
        qs = qs.filter(destinataire_id__in=destinataires)
    if numero_flux := corps.texte("numeroFluxDepot"):
        qs = qs.filter(
            pk__in=FluxDepot.factures.through.objects.filter(fluxdepot__numero=numero_flux).values("facture_id")
        )
    return qs.exclude(statut=StatutFacture.BROUILLON)


def _ligne_facture(f) -> dict:
    createur = f.created_by
    return {
        "identifiantFactureCPP": f.pk,
        "typeDemandePaiement": f.type_demande_paiement,
        **acteurs.fournisseur_et_destinataire(f),
        "typeFacture": f.type_facture,
        "numeroFacture": f.numero,
        "numeroFactureOrigine": f.numero_facture_origine,
        "numeroBonCommande": f.numero_engagement,
        "numeroMarche": f.numero_marche,
        "dateFacture": jour(f.date_facture),
        "dateDepot": jour(f.date_depot),
        "montantHT": nombre(f.montant_ht),
        "montantTTC": nombre(f.montant_ttc),
        "montantAPayer": nombre(f.montant_a_payer),
        "devise": f.devise,
        "statut": f.statut,
        "dateHeureEtatCourant": rfc3339(f.updated_at),
        "modeDepot": f.mode_depot,
        "numeroFluxDepot": getattr(f, "numero_flux", None) or "",
        "nomPrenomUtilisateurCreateur": f"{createur.prenom} {createur.nom}".strip(),
        "rejetTraite": f.rejet_traite,
    }


def rechercher_fournisseur(corps, compte):
    qs = _filtrer(corps, fq.factures_emises(compte.utilisateur))
    flux = FluxDepot.factures.through.objects.filter(facture_id=OuterRef("pk")).values("fluxdepot__numero")[:1]
    qs = qs.select_related(
        "fournisseur", "destinataire", "service_destinataire", "service_fournisseur", "created_by"
    ).annotate(numero_flux=Subquery(flux))
    lignes, retour = page_triee(
        corps, "rechercheFactureParFournisseur", qs, COLONNES_FACTURES, par_defaut="pk", departage="-pk"
    )
    return succes(listeFactures=[_ligne_facture(f) for f in lignes], parametresRetour=retour)


RechercherFournisseur = service_cpro(
    "Rechercher les factures émises", RechercherFournisseurRequete, rechercher_fournisseur
)


def _page(total: int, par_page: int, page: int, suffixe: str) -> dict:
    return {
        f"nbResultatsParPage{suffixe}": par_page,
        f"pageCourante{suffixe}": page,
        f"pages{suffixe}": (total + par_page - 1) // par_page,
        f"total{suffixe}": total,
    }


def consulter_fournisseur(corps, compte):
    return reponse_consulter(acces.facture_emise(compte, corps.entier("identifiantFactureCPP", requis=True)))


ConsulterFournisseur = service_cpro("Consulter une facture émise", ConsulterFournisseurRequete, consulter_fournisseur)


def reponse_consulter(f):
    """The answer of ``consulter/fournisseur``, ``consulter/recipiendaire`` and ``consulter/valideur`` (one shape,
    reference 3.3) for an invoice the caller reached through its own scoped query."""
    return succes(facture=facture_json(f))


def facture_json(f) -> dict:
    """The ``facture`` of ``consulter/fournisseur``, ``consulter/recipiendaire`` and ``consulter/valideur`` (one
    shape, as Chorus Pro)."""
    lignes = list(f.lignes.order_by("ordre"))
    tva = list(f.recapitulatif_tva.order_by("taux"))
    coord = f.coordonnees_bancaires
    return {
        "identifiantFactureCPP": f.pk,
        "numeroFacture": f.numero,
        "statutFacture": f.statut,
        "modeDepot": f.mode_depot,
        "commentaire": f.commentaire,
        "cadreDeFacturation": {
            "codeCadreFacturation": f.cadre,
            "codeValideur1": f.valideur.identifiant if f.valideur else "",
            "idValideur1": f.valideur_id or 0,
            "raisonSocialeValideur1": f.valideur.raison_sociale if f.valideur else "",
        },
        "destinataire": acteurs.destinataire_et_service(f.destinataire, f.service_destinataire),
        "fournisseur": {
            "idFournisseur": f.fournisseur_id,
            "codeFournisseur": f.fournisseur.identifiant,
            "typeIdentifiantFournisseur": f.fournisseur.type_identifiant,
            "designationFournisseur": f.fournisseur.raison_sociale,
            "idServiceFournisseur": f.service_fournisseur_id or 0,
            "codeServiceFournisseur": f.service_fournisseur.code if f.service_fournisseur else "",
            "coordBancairesFournisseurId": coord.pk if coord else 0,
            "coordBancairesFournisseurCompteBancaire": coord.iban if coord else "",
            "coordBancairesBicSwift": coord.bic if coord else "",
        },
        "references": {
            "codeDeviseFacture": f.devise,
            "typeFacture": f.type_facture,
            "typeTva": f.type_tva,
            "dateFacture": jour(f.date_facture),
            "dateDepot": jour(f.date_depot),
            "dateEcheancePaiement": jour(f.date_echeance),
            "dateCreationFacture": jour_heure(f.created_at),
            "modePaiement": f.mode_paiement,
            "motifExonerationTva": f.motif_exoneration,
            "numeroBonCommande": f.numero_engagement,
            "numeroMarche": f.numero_marche,
            "numeroFactureOrigine": f.numero_facture_origine,
        },
        "montantTotal": {
            "montantHtTotal": nombre(f.montant_ht),
            "montantTVA": nombre(f.montant_tva),
            "montantTtcAvantRemiseGlobalTTC": nombre(f.montant_ttc_avant_remise),
            "montantRemiseGlobaleTTC": nombre(f.remise_globale_ttc),
            "motifRemiseGlobaleTTC": f.motif_remise_globale,
            "montantTtcTotal": nombre(f.montant_ttc),
            "montantAPayer": nombre(f.montant_a_payer),
        },
        "lignesDePoste": {
            "lignePoste": [
                {
                    "lignePosteNumero": lg.ordre,
                    "lignePosteReference": lg.reference,
                    "lignePosteDenomination": lg.denomination,
                    "lignePosteQuantite": nombre(lg.quantite),
                    "lignePosteUniteLibelle": lg.unite,
                    "lignePosteMontantUnitaireHT": nombre(lg.prix_unitaire_ht),
                    "lignePosteMontantRemiseHT": nombre(lg.remise_ht),
                    "lignePosteMontantHtApresRemise": nombre(lg.montant_ht),
                    "lignePosteMontantTtcApresRemise": nombre(lg.montant_ttc),
                    "lignePosteMontantTva": nombre(lg.montant_ttc - lg.montant_ht),
                    "lignePosteTauxTva": f"TVA{lg.taux_tva.normalize():f}",
                    "lignePosteTauxTvaManuel": nombre(lg.taux_tva),
                }
                for lg in lignes
            ],
            **_page(len(lignes), max(len(lignes), 1), 1, "LignesPoste"),
        },
        "recapitulatifDeTva": {
            "ligneTva": [
                {
                    "ligneTvaTauxRefValeur": nombre(t.taux),
                    "ligneTvaTauxManuel": nombre(t.taux),
                    "ligneTvaMontantBaseHtParTaux": nombre(t.base_ht - t.remise_globale_ht),
                    "ligneTvaMontantTvaParTaux": nombre(t.montant_tva),
                }
                for t in tva
            ],
            **_page(len(tva), max(len(tva), 1), 1, "LignesRecapitulativesTVA"),
        },
    }


def _tranche(entrees: list, corps, cle: str, liste: str, suffixe: str, *, lignes: str, ligne) -> dict:
    """One of the history's lists, newest first (``triSens…`` Ascendant: oldest first), paginated by its own
    parameters (``nbResultatsParPageListe<liste>``, ``pageResultatDemandeeListe<liste>``): ``{lignes: [ligne(entrée)
    …], nbResultatsParPage<suffixe>…}``."""
    p = corps.objet(cle)
    par_page = max(p.entier(f"nbResultatsParPageListe{liste}") or 100, 1)
    page = max(p.entier(f"pageResultatDemandeeListe{liste}") or 1, 1)
    if (p.texte(f"triSensListe{liste}") or "").lower().startswith("asc"):
        entrees = entrees[::-1]
    tranche = entrees[(page - 1) * par_page : page * par_page]
    return {lignes: [ligne(e) for e in tranche], **_page(len(entrees), par_page, page, suffixe)}


def _utilisateur(e, prefixe: str) -> dict:
    u = e.acting_user
    return {
        f"{prefixe}UtilisateurNom": u.nom if u else "",
        f"{prefixe}UtilisateurPrenom": u.prenom if u else "",
        f"{prefixe}UtilisateurEmail": u.email if u else "",
        f"{prefixe}UtilisateurTelephone": u.telephone if u else "",
    }


def _statut(e) -> dict:
    return {
        "histoStatutId": e.pk,
        "histoStatutCode": e.statut,
        "histoStatutCommentaire": e.commentaire,
        "histoStatutDatePassage": jour_heure(e.created_at),
        **_utilisateur(e, "histoStatut"),
    }


def _action(e) -> dict:
    return {
        "histoActionId": e.pk,
        "histoActionCode": historique.code_action(e),
        "histoActionDateHeure": jour_heure(e.created_at),
        **_utilisateur(e, "histoAction"),
    }


def _evenement(e) -> dict:
    return {
        "evenementId": e.pk,
        "evenementLibelle": historique.libelle_evenement(e),
        "evenementQui": "Chorus Pro",
        "evenementDateHeure": jour_heure(e.created_at),
    }


def consulter_historique(corps, compte):
    """The invoice's append-only history (``queries.historique``, one query) in Chorus Pro's three lists: every
    entry as a status (``histoStatut``), the users' own actions with their code (``histoAction``,
    ``historique.code_action``: every entry of a supplier, recipient or valideur) and what the portal did by
    itself (role ``SYSTEME``: routing, tacit validation) as events (``evenement``)."""
    id_facture = corps.entier("idFacture", requis=True)
    f = acces.facture_emise(compte, id_facture)
    entrees = fq.historique(f)
    actions = [e for e in entrees if e.role != SYSTEME]
    evenements = [e for e in entrees if e.role == SYSTEME]
    derniere = actions[0] if actions else None
    return succes(
        idFacture=id_facture,
        numeroFacture=f.numero,
        statutCourantCode=f.statut,
        modeDepot=f.mode_depot,
        historiquesDesStatuts=_tranche(
            entrees,
            corps,
            "paramRechercheHistoStatuts",
            "HistoStatut",
            "HistoStatut",
            lignes="histoStatut",
            ligne=_statut,
        ),
        historiquesDesActionsUtilisateurs=_tranche(
            actions,
            corps,
            "paramRechercheHistoActionsUtilisateurs",
            "HistoAction",
            "HistoAction",
            lignes="histoAction",
            ligne=_action,
        ),
        historiquesDesEvenementsComplementaires=_tranche(
            evenements,
            corps,
            "paramRechercheHistoEvenementsComplementaires",
            "HistoEvenement",
            "Evenement",
            lignes="evenement",
            ligne=_evenement,
        ),
        derniereAction={
            "derniereActionCode": historique.code_action(derniere) if derniere else "",
            "derniereActionId": derniere.pk if derniere else 0,
        },
    )


ConsulterHistorique = service_cpro(
    "Historique des statuts d'une facture", ConsulterHistoriqueRequete, consulter_historique
)
