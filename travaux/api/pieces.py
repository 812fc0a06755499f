"""``/cpro/facturesTravaux/v1/…``: deposit a works piece (``soumettre``: a « Dépôt initial » or the next piece of a
dossier, « à partir d'une pièce existante »), search (``rechercher``), consult (``consulter``) and process
(``traiter``: prendre en compte, refuser, suspendre, valider, compléter) the works pieces the technical account's
structure acts on. Every read starts from ``PieceTravaux.objects.visibles_par`` of the account's user; every change
is a ``travaux.services`` call, the same as the portal's pages (chain rules, routing, history, notifications)."""

import base64
import binascii

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from chorus.api.champs import Booleen, Date, Entier, ListeObjets, Montant, Pagination, Requete, Texte, Textes
from chorus.api.choix import choix
from chorus.api.kit import (
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
from chorus.identifiers import normaliser
from facturation.api.acteurs import acteur, destinataire_annuaire, destinataire_et_service
from facturation.enums import Cadre, TypeTva
from organisation.enums import Niveau
from organisation.models import Service, Structure
from travaux import queries, services, statuts
from travaux.models import DossierFacturation, HistoriquePiece, PieceTravaux
from travaux.statuts import CADRES, Role, StatutPiece

S = StatutPiece

# --- Request serializers (Chorus Pro's field names and JSON types; OpenAPI) ---------------------------------------


def _structure_acteur(suffixe: str) -> type[Requete]:
    """``structure<Acteur>{idStructure<Acteur>, identifiantStructure<Acteur>, typeIdentifiantStructure<Acteur>}``, the
    shape of ``factures/v1/rechercher/demandePaiement``'s ``structureMoa``, ``structureMoe``…"""
    champs = {
        f"idStructure{suffixe}": Entier(),
        f"identifiantStructure{suffixe}": Texte(),
        f"typeIdentifiantStructure{suffixe}": Texte(),
        "__module__": __name__,
    }
    return type(f"Structure{suffixe}", (Requete,), champs)


ACTEURS_DEPOT = {
    # request key → (suffix of its fields, field of ``services.Acteurs``)
    "structureFournisseur": ("Fournisseur", "fournisseur"),
    "structureValideur": ("Valideur", "validateur"),
    "structureMoe": ("Moe", "moe"),
    "structureMoa": ("Moa", "moa"),
}
StructureFournisseur = _structure_acteur("Fournisseur")
StructureValideur = _structure_acteur("Valideur")
StructureMoe = _structure_acteur("Moe")
StructureMoa = _structure_acteur("Moa")
StructurePourLeCompteDe = _structure_acteur("PourLeCompteDe")


class CadreDeFacturationTravaux(Requete):
    codeCadreFacturation = Texte(requis=True)


class PiecePrecedente(Requete):
    idPiecePrecedente = Entier()


class DestinataireTravaux(Requete):
    codeDestinataire = Texte()
    codeServiceExecutant = Texte()


class ReferencesTravaux(Requete):
    deviseFacture = Texte()
    typeTva = Texte()
    numeroMarche = Texte()
    numeroBonCommande = Texte()


class MontantTotalTravaux(Requete):
    montantHtTotal = Montant(requis=True)
    montantTVA = Montant(requis=True)
    montantTtcTotal = Montant()
    montantAPayer = Montant()


class LigneTva(Requete):
    ligneTvaTauxManuel = Montant(requis=True)
    ligneTvaMontantBaseHtParTaux = Montant(requis=True)
    ligneTvaMontantTvaParTaux = Montant(requis=True)


class SoumettrePieceRequete(Requete):
    cadreDeFacturation = CadreDeFacturationTravaux(requis=True)
    piecePrecedente = PiecePrecedente()
    numeroFactureSaisi = Texte(requis=True)
    dateFacture = Date(requis=True)
    fichierFacture = Texte(requis=True, help_text="le PDF de la pièce, encodé en base64")
    nomFichier = Texte()
    formatDepot = Texte(help_text="PDF_NON_SIGNE (par défaut) ou PDF_SIGNE (PAdES)")
    structureFournisseur = StructureFournisseur()
    structureValideur = StructureValideur()
    structureMoe = StructureMoe()
    structureMoa = StructureMoa()
    structurePourLeCompteDe = StructurePourLeCompteDe()
    destinataire = DestinataireTravaux()
    references = ReferencesTravaux()
    montantTotal = MontantTotalTravaux(requis=True)
    recapitulatifDeTva = ListeObjets(LigneTva)
    commentaire = Texte()


class RechercherPiecesRequete(Requete):
    roleUtilisateur = Texte()
    idDestinataire = Entier()
    idServiceExecutant = Entier()
    periodeDateHeureEtatCourantDu = Date()
    periodeDateHeureEtatCourantAu = Date()
    flagTelecharge = Booleen()
    numeroFacture = Texte()
    numeroDossierFacturation = Texte()
    numeroMarche = Texte()
    typeFactureTravaux = Texte()
    statutCourant = Textes()
    rechercheFactureTravaux = Pagination()


class ConsulterRequete(Requete):
    idFactureTravaux = Entier(requis=True)


class ConsulterDossierRequete(Requete):
    idDossierFacturation = Entier()
    numeroDossierFacturation = Texte()

    def validate(self, attrs):
        if not attrs.get("idDossierFacturation") and not attrs.get("numeroDossierFacturation"):
            raise requete_invalide(
                "Le champ « idDossierFacturation » (ou « numeroDossierFacturation ») est obligatoire."
            )
        return attrs


StructureCorrigee = _structure_acteur("Corrigee")


class TraiterRequete(Requete):
    idFactureTravaux = Entier(requis=True)
    action = Texte(
        requis=True, help_text="PRENDRE_EN_COMPTE, REFUSER, SUSPENDRE, VALIDER, COMPLETER ou CORRIGER_ACHEMINEMENT"
    )
    motifRefus = Texte(help_text="REFUSER : ACHEMINEMENT (par défaut) ou AUTRE (le fournisseur, un valideur)")
    commentaire = Texte()
    structureCorrigee = StructureCorrigee(
        help_text="CORRIGER_ACHEMINEMENT : la bonne structure, à la place de celle qui a refusé la pièce"
    )


# --- Shared reads -------------------------------------------------------------------------------------------------

LIENS = (
    *queries.ACTEURS_DU_DOSSIER,
    "deposant",
    "pour_le_compte_de",
    "recevant",
    "facture",
)


def _avec_date_depot(pieces):
    depot = HistoriquePiece.objects.filter(objet=OuterRef("pk"), statut=S.DEPOSEE).order_by("created_at", "id")
    return pieces.annotate(date_depot=Subquery(depot.values("created_at")[:1]))


def _pieces(compte):
    """The pieces the account's user sees (``PieceTravaux.objects.visibles_par``), an abandoned draft excepted."""
    return queries.avec_etat_courant(PieceTravaux.objects.visibles_par(compte.utilisateur).exclude(statut=S.ABANDONNEE))


def _piece(compte, pk: int) -> PieceTravaux:
    piece = _avec_date_depot(_pieces(compte)).select_related(*LIENS, "piece_precedente").filter(pk=pk).first()
    if piece is None:
        raise introuvable(f"La pièce de travaux {pk} n'existe pas ou ne vous est pas accessible.")
    return piece


def _cadre(code: str) -> str:
    """A works cadre by its value (« A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR ») or its code (« A4 »)."""
    for cadre in CADRES:
        if code in (cadre, Cadre(cadre).code):
            return cadre
    raise requete_invalide(
        f"Le cadre de facturation « {code} » n'est pas un cadre de factures de travaux (attendu : "
        f"{', '.join(Cadre(c).code for c in sorted(CADRES, key=lambda c: int(Cadre(c).code[1:])))})."
    )


def _ligne(p: PieceTravaux) -> dict:
    d = p.dossier
    service = d.service_destinataire
    return {
        "idFactureTravaux": p.pk,
        "numeroFacture": p.numero,
        "typeFactureTravaux": p.cadre,
        "statut": p.etat_courant,
        "dateHeureEtatCourant": rfc3339(p.date_etat_courant),
        "dateFacture": jour(p.date_piece),
        "dateDepot": jour(p.date_depot),
        "idDossierFacturation": d.pk,
        "numeroDossierFacturation": d.numero,
        "numeroMarche": p.numero_marche,
        "numeroBonCommande": p.numero_engagement,
        "montantHT": nombre(p.montant_ht),
        "montantTTC": nombre(p.montant_ttc),
        "montantAPayer": nombre(p.montant_a_payer),
        "devise": p.devise,
        "roleDeposant": p.role_deposant,
        "roleDestinatairePiece": p.role_recevant,
        **acteur(p.deposant, "Deposant"),
        **acteur(d.fournisseur, "Fournisseur"),
        **acteur(d.moe, "Moe"),
        **acteur(d.moa, "Moa"),
        **acteur(d.destinataire, "Destinataire"),
        "idServiceExecutant": service.pk if service else 0,
        "codeServiceExecutant": service.code if service else "",
        "factureTelechargeeParDestinataire": p.telechargee_le is not None,
        "identifiantFactureCPP": p.facture_id or 0,
    }


# --- soumettre ------------------------------------------------------------------------------------------------


def _structure(corps, cle: str, suffixe: str) -> Structure | None:
    """The structure a deposit names (by id or SIRET), found as the portal's form finds it."""
    o = corps.objet(cle)
    pk = o.entier(f"idStructure{suffixe}")
    identifiant = normaliser(o.texte(f"identifiantStructure{suffixe}"))
    if not pk and not identifiant:
        return None
    qs = Structure.objects.order_by("pk")
    structure = qs.filter(pk=pk).first() if pk else qs.filter(identifiant=identifiant).first()
    if structure is None:
        raise introuvable(f"La structure indiquée dans « {cle} » ({pk or identifiant}) n'existe pas sur Chorus Pro.")
    return structure


def _destinataire(corps) -> tuple[Structure | None, Service | None]:
    d = corps.objet("destinataire")
    identifiant = normaliser(d.texte("codeDestinataire"))
    code = d.texte("codeServiceExecutant")
    if not identifiant:
        if code:
            raise requete_invalide("Indiquez le « codeDestinataire » du service financier avec son code service.")
        return None, None
    return destinataire_annuaire(identifiant, code)


def _fichier(corps) -> services.Fichier:
    try:
        # Some clients wrap their base64 text in lines (MIME style): white space is not part of the content.
        contenu = base64.b64decode("".join(corps.texte("fichierFacture", requis=True).split()), validate=True)
    except (binascii.Error, ValueError):
        raise requete_invalide("Le champ « fichierFacture » doit être le fichier PDF encodé en base64.") from None
    format_depot = choix(
        corps.texte("formatDepot"), services.LIBELLES_FORMAT, "formatDepot", services.FORMAT_PDF_NON_SIGNE
    )
    return services.lire_fichier(contenu, corps.texte("nomFichier") or "piece.pdf", format_annonce=format_depot)


def _saisie(corps) -> services.Saisie:
    references, totaux = corps.objet("references"), corps.objet("montantTotal", requis=True)
    devise = references.texte("deviseFacture") or "EUR"
    if devise != "EUR":
        raise requete_invalide(f"Devise non prise en charge : {devise} (seul EUR est accepté).")
    return services.Saisie(
        numero=corps.texte("numeroFactureSaisi", requis=True),
        date_piece=corps.date("dateFacture", requis=True),
        montant_ht=totaux.montant("montantHtTotal", requis=True),
        montant_tva=totaux.montant("montantTVA", requis=True),
        montant_ttc=totaux.montant("montantTtcTotal"),
        montant_a_payer=totaux.montant("montantAPayer"),
        detail_tva=tuple(
            {
                "taux": ligne.montant("ligneTvaTauxManuel", requis=True),
                "base_ht": ligne.montant("ligneTvaMontantBaseHtParTaux", requis=True),
                "montant_tva": ligne.montant("ligneTvaMontantTvaParTaux", requis=True),
            }
            for ligne in corps.objets("recapitulatifDeTva")
        ),
        numero_marche=references.texte("numeroMarche")[:50],
        numero_engagement=references.texte("numeroBonCommande")[:50],
        type_tva=choix(references.texte("typeTva"), TypeTva.values, "typeTva", TypeTva.TVA_SUR_DEBIT),
        devise=devise,
        commentaire=corps.texte("commentaire")[:2000],
    )


def soumettre(corps, compte):
    cadre = _cadre(corps.objet("cadreDeFacturation", requis=True).texte("codeCadreFacturation", requis=True))
    id_precedente = corps.objet("piecePrecedente").entier("idPiecePrecedente")
    precedente = _piece(compte, id_precedente) if id_precedente else None
    pour_le_compte_de = _structure(corps, "structurePourLeCompteDe", "PourLeCompteDe")
    destinataire, service_destinataire = _destinataire(corps)
    saisie = _saisie(corps)
    if precedente is None:
        nommes = {champ: _structure(corps, cle, suffixe) for cle, (suffixe, champ) in ACTEURS_DEPOT.items()}
        # As the portal's form: the fournisseur is the depositor unless another one is named, for whose account
        # it deposits.
        nommes["fournisseur"] = nommes["fournisseur"] or pour_le_compte_de or compte.structure
        acteurs = services.Acteurs(**nommes, destinataire=destinataire, service_destinataire=service_destinataire)
    else:
        acteurs = (
            services.Acteurs(destinataire=destinataire, service_destinataire=service_destinataire)
            if destinataire
            else None
        )
    piece = services.deposer(
        acting_user=compte.utilisateur,
        cadre=cadre,
        deposant=compte.structure,
        fichier=_fichier(corps),
        saisie=saisie,
        acteurs=acteurs,
        precedente=precedente,
        pour_le_compte_de=pour_le_compte_de,
    )
    piece = _piece(compte, piece.pk)
    return succes(
        "GFT_MSG_01_000",
        idFactureTravaux=piece.pk,
        numeroFacture=piece.numero,
        typeFactureTravaux=piece.cadre,
        statut=piece.etat_courant,
        dateDepot=jour(piece.date_depot),
        idDossierFacturation=piece.dossier_id,
        numeroDossierFacturation=piece.dossier.numero,
        roleDeposant=piece.role_deposant,
        identifiantFactureCPP=piece.facture_id or 0,
    )


Soumettre = service_cpro(
    "Déposer une pièce de facturation de travaux (dépôt initial ou pièce suivante d'un dossier)",
    SoumettrePieceRequete,
    soumettre,
)


# --- rechercher -----------------------------------------------------------------------------------------------

ROLES = {
    Role.FOURNISSEUR: "dossier__fournisseur",
    Role.MOE: "dossier__moe",
    Role.MOA: "dossier__moa",
    Role.VALIDATEUR: "dossier__validateur",
    Role.DESTINATAIRE: "dossier__destinataire",
}
COLONNES = {
    "IdFactureTravaux": "pk",
    "NumeroFacture": "numero",
    "DateFacture": "date_piece",
    "DateHeureEtatCourant": "date_etat_courant",
    "MontantHT": "montant_ht",
    "MontantTTC": "montant_ttc",
    "Statut": "etat_courant",
    "NumeroDossierFacturation": "dossier__numero",
}


def rechercher(corps, compte):
    qs = _pieces(compte)
    if role := corps.texte("roleUtilisateur"):
        role = choix(role.upper(), ROLES, "roleUtilisateur", "")
        mes = services.structures_travaux(compte.utilisateur, Niveau.CONSULTATION).values("pk")
        qs = qs.filter(**{f"{ROLES[role]}__in": mes})
    criteres = {
        "dossier__destinataire_id": corps.entier("idDestinataire"),
        "dossier__service_destinataire_id": corps.entier("idServiceExecutant"),
        "date_etat_courant__date__gte": corps.date("periodeDateHeureEtatCourantDu"),
        "date_etat_courant__date__lte": corps.date("periodeDateHeureEtatCourantAu"),
        "numero": corps.texte("numeroFacture"),
        "dossier__numero": corps.texte("numeroDossierFacturation"),
        "numero_marche": corps.texte("numeroMarche"),
    }
    qs = qs.filter(**envoyes(criteres))
    if "flagTelecharge" in corps.donnees and corps.donnees["flagTelecharge"] is not None:
        qs = qs.filter(telechargee_le__isnull=not corps.booleen("flagTelecharge"))
    if type_piece := corps.texte("typeFactureTravaux"):
        qs = qs.filter(cadre=_cadre(type_piece))
    if statuts_courants := corps.textes("statutCourant"):
        qs = qs.filter(etat_courant__in=statuts_courants)
    qs = _avec_date_depot(qs).select_related(*LIENS)
    lignes, retour = page_triee(corps, "rechercheFactureTravaux", qs, COLONNES, par_defaut="pk", departage="-pk")
    return succes(listeFacturesTravaux=[_ligne(p) for p in lignes], parametresRetour=retour)


Rechercher = service_cpro("Rechercher des pièces de facturation de travaux", RechercherPiecesRequete, rechercher)


# --- consulter ------------------------------------------------------------------------------------------------

ACTIONS_API = {
    "prendre_en_compte": "PRENDRE_EN_COMPTE",
    "refuser": "REFUSER",
    "suspendre": "SUSPENDRE",
    "valider": "VALIDER",
    "completer": "COMPLETER",
    "corriger": "CORRIGER_ACHEMINEMENT",
    "deposer_suivante": "DEPOSER_PIECE_SUIVANTE",
}


def _historique(piece: PieceTravaux) -> list:
    """The piece's dated statuses, then, once payable, its invoice's processing (as the dossier page shows)."""
    entrees = list(piece.historique.select_related("acting_user").order_by("created_at", "id"))
    if piece.facture_id:
        facture = piece.facture.historique.select_related("acting_user").order_by("created_at", "id")
        entrees += queries.historique_facture_apres_envoi(facture)
    return entrees


def consulter(corps, compte):
    p = _piece(compte, corps.entier("idFactureTravaux", requis=True))
    d = p.dossier
    precedente = p.piece_precedente
    suivante = p.suivantes.exclude(statut__in=[S.BROUILLON, S.ABANDONNEE]).order_by("-id").first()
    regle = CADRES[p.cadre]
    service = d.service_destinataire
    # The cadres this account's structure may deposit from the piece, while the piece still waits for an actor.
    cadres_suivants = (
        services.cadres_deposables(p, services.structures_travaux(compte.utilisateur))
        if p.statut in statuts.STATUTS_EN_ATTENTE
        else []
    )
    return succes(
        factureTravaux={
            **_ligne(p),
            "libelleStatut": statuts.libelle(p.etat_courant),
            "typeDepot": p.type_depot,
            "formatDepot": p.format_depot,
            "nomFichier": p.nom_fichier,
            "commentaire": p.commentaire,
            "regleAcheminement": p.regle_acheminement,
            "pourLeCompteDe": acteur(p.pour_le_compte_de, "PourLeCompteDe"),
            "destinatairePiece": acteur(p.recevant, "DestinatairePiece"),
            "cadreDeFacturation": {
                "codeCadreFacturation": p.cadre,
                "libelleCadreFacturation": regle.libelle,
                **acteur(d.moe, "Moe"),
                **acteur(d.moa, "Moa"),
                **acteur(d.validateur, "Valideur1"),
            },
            "destinataire": destinataire_et_service(d.destinataire, service),
            "references": {
                "codeDeviseFacture": p.devise,
                "typeTva": p.type_tva,
                "dateFacture": jour(p.date_piece),
                "dateDepot": jour(p.date_depot),
                "dateCreationFacture": jour_heure(p.created_at),
                "numeroMarche": p.numero_marche,
                "numeroBonCommande": p.numero_engagement,
                "typeFactureTravaux": p.cadre,
            },
            "montantTotal": {
                "montantHtTotal": nombre(p.montant_ht),
                "montantTVA": nombre(p.montant_tva),
                "montantTtcTotal": nombre(p.montant_ttc),
                "montantAPayer": nombre(p.montant_a_payer),
            },
            "recapitulatifDeTva": {
                "ligneTva": [
                    {
                        "ligneTvaTauxManuel": nombre(t["taux"]),
                        "ligneTvaMontantBaseHtParTaux": nombre(t["base_ht"]),
                        "ligneTvaMontantTvaParTaux": nombre(t["montant_tva"]),
                    }
                    for t in p.detail_tva
                ]
            },
            "piecePrecedente": {
                "idPiecePrecedente": precedente.pk if precedente else 0,
                "numeroPiecePrecedente": precedente.numero if precedente else "",
                "cadreFacturationPiecePrecedente": precedente.cadre if precedente else "",
            },
            "pieceSuivante": {
                "idPieceSuivante": suivante.pk if suivante else 0,
                "numeroPieceSuivante": suivante.numero if suivante else "",
                "cadreFacturationPieceSuivante": suivante.cadre if suivante else "",
            },
            "cadresSuivantsPossibles": cadres_suivants,
            "actionsPossibles": [
                ACTIONS_API[a] for a in services.actions_possibles(compte.utilisateur, p) if a in ACTIONS_API
            ],
            "historiquesDesStatuts": {
                "histoStatut": [
                    {
                        "histoStatutId": h.pk,
                        "histoStatutCode": h.statut,
                        "histoStatutLibelle": statuts.libelle(h.statut),
                        "histoStatutDatePassage": jour_heure(h.created_at),
                        "histoStatutRole": h.role,
                        "histoStatutMotif": h.motif,
                        "histoStatutCommentaire": h.commentaire,
                        "histoStatutUtilisateurNom": h.acting_user.nom if h.acting_user else "",
                        "histoStatutUtilisateurPrenom": h.acting_user.prenom if h.acting_user else "",
                    }
                    for h in _historique(p)
                ]
            },
        }
    )


Consulter = service_cpro("Consulter une pièce de facturation de travaux", ConsulterRequete, consulter)


# --- consulter/dossierfacturation ---------------------------------------------------------------------------


def consulter_dossier(corps, compte):
    """« Consultation d'un dossier de facturation » (seed 001): its actors, its payment clock and the pieces the
    account sees (``DossierFacturation.objects.visibles_par`` then ``PieceTravaux.objects.visibles_par``)."""
    id_dossier = corps.entier("idDossierFacturation")
    numero = corps.texte("numeroDossierFacturation")
    dossiers = DossierFacturation.objects.visibles_par(compte.utilisateur).select_related(
        "fournisseur", "validateur", "moe", "moa", "destinataire", "service_destinataire"
    )
    dossier = (dossiers.filter(pk=id_dossier) if id_dossier else dossiers.filter(numero=numero)).first()
    if dossier is None:
        raise introuvable(
            f"Le dossier de facturation {id_dossier or numero} n'existe pas ou ne vous est pas accessible."
        )
    pieces = _avec_date_depot(_pieces(compte).filter(dossier=dossier)).select_related(*LIENS).order_by("id")
    h = queries.horloge(dossier)
    service = dossier.service_destinataire
    return succes(
        dossierFacturation={
            "idDossierFacturation": dossier.pk,
            "numeroDossierFacturation": dossier.numero,
            "numeroMarche": dossier.numero_marche,
            **acteur(dossier.fournisseur, "Fournisseur"),
            **acteur(dossier.validateur, "Valideur"),
            **acteur(dossier.moe, "Moe"),
            **acteur(dossier.moa, "Moa"),
            **acteur(dossier.destinataire, "Destinataire"),
            "idServiceExecutant": service.pk if service else 0,
            "codeServiceExecutant": service.code if service else "",
            "delaiPaiementJours": h.delai_jours,
            "dateDebutDelaiPaiement": rfc3339(h.debut),
            "dateEcheancePaiement": jour(h.echeance),
            "dateEcheanceTraitementMoe": jour(h.echeance_moe),
            "dateMiseEnPaiement": rfc3339(h.mise_en_paiement_le),
            "enRetard": h.en_retard,
        },
        listeFacturesTravaux=[_ligne(p) for p in pieces],
    )


ConsulterDossier = service_cpro(
    "Consulter un dossier de facturation de travaux et ses pièces", ConsulterDossierRequete, consulter_dossier
)


# --- telecharger ---------------------------------------------------------------------------------------------


def telecharger(corps, compte):
    """« Télécharger » (as the piece page): the deposited PDF in base64; for the actor the piece was sent to, it
    becomes « téléchargée » (``flagTelecharge`` of ``rechercher``)."""
    piece = _piece(compte, corps.entier("idFactureTravaux", requis=True))
    try:
        with piece.fichier.open("rb") as f:
            contenu = f.read()
    except (FileNotFoundError, ValueError):
        raise introuvable(f"Le document de la pièce {piece.pk} n'est plus disponible.") from None
    services.marquer_telechargee(user=compte.utilisateur, piece=piece)
    return succes(
        idFactureTravaux=piece.pk,
        nomFichier=piece.nom_fichier or f"piece_{piece.numero}.pdf",
        formatDepot=piece.format_depot,
        fichierResultat=base64.b64encode(contenu).decode("ascii"),
    )


Telecharger = service_cpro(
    "Télécharger le PDF déposé d'une pièce de facturation de travaux", ConsulterRequete, telecharger
)


# --- traiter --------------------------------------------------------------------------------------------------

ACTIONS = ("PRENDRE_EN_COMPTE", "REFUSER", "SUSPENDRE", "VALIDER", "COMPLETER", "CORRIGER_ACHEMINEMENT")


def traiter(corps, compte):
    action = choix(corps.texte("action", requis=True).upper(), ACTIONS, "action", "")
    piece = _piece(compte, corps.entier("idFactureTravaux", requis=True))
    commentaire = corps.texte("commentaire")
    user = compte.utilisateur
    if action == "PRENDRE_EN_COMPTE":
        services.prendre_en_compte(acting_user=user, piece=piece)
    elif action == "REFUSER":
        motif = choix(
            corps.texte("motifRefus").upper(), services.MOTIFS_REFUS, "motifRefus", services.MOTIF_ACHEMINEMENT
        )
        services.refuser(acting_user=user, piece=piece, motif=motif, commentaire=commentaire)
    elif action == "SUSPENDRE":
        services.suspendre(acting_user=user, piece=piece, commentaire=commentaire)
    elif action == "VALIDER":
        services.valider(acting_user=user, piece=piece, commentaire=commentaire)
    elif action == "COMPLETER":
        services.completer(acting_user=user, piece=piece, commentaire=commentaire)
    else:
        structure = _structure(corps, "structureCorrigee", "Corrigee")
        if structure is None:
            raise requete_invalide("Indiquez la structure corrigée (« structureCorrigee »).")
        services.corriger_acheminement(acting_user=user, piece=piece, structure=structure)
    piece = _piece(compte, piece.pk)
    return succes(
        idFactureTravaux=piece.pk,
        numeroFacture=piece.numero,
        nouveauStatut=piece.etat_courant,
        dateTraitement=jour(timezone.now()),
    )


Traiter = service_cpro(
    "Traiter une pièce de facturation de travaux (MOE, MOA, valideur, déposant)", TraiterRequete, traiter
)
