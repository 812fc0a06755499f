"""Every operation that changes a works dossier: depositing a piece (initial, or from the previous one), sending a
draft, the actions of the actor a piece waits for (prendre en compte, refuser, suspendre, valider) and of its
depositor (compléter, corriger l'acheminement). The chain's rules are ``travaux.statuts`` (one table); statuses
change only through ``CIRCUIT.transition``; amounts are checked by ``facturation.montants``; a payable piece is
sent as an invoice by the one deposit pipeline (``facturation.services.deposer_et_envoyer``)."""

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from chorus.messagerie import notifier
from chorus.pieces_stockees import enregistrer_piece
from chorus.workflow import SYSTEME, TransitionInterdite, Workflow
from facturation import montants, pdf
from facturation.depot import TAILLE_MAX
from facturation.enums import Cadre, TypePieceJointe
from facturation.services.envoi import Canal, DepotRefuse, deposer_et_envoyer
from facturation.services.pieces_jointes import controler_fichier_joint, type_contenu
from organisation import queries as org_queries
from organisation.enums import Application, Niveau, OptionMoa, StatutStructure
from organisation.models import Service, Structure
from travaux import statuts
from travaux.models import DossierFacturation, HistoriquePiece, PieceJointeTravaux, PieceTravaux
from travaux.statuts import CADRES, MISE_A_DISPOSITION, Role, StatutPiece, codes

S = StatutPiece


class DepotTravauxRefuse(ValidationError):
    """A works deposit or action refused; its messages are French, keyed by form field where there is one."""


def _refuser(champ: str, *morceaux: str):
    raise DepotTravauxRefuse({champ: "".join(morceaux)})


def _notifier(*, objet, entree):
    """The actor a piece reaches is e-mailed (users holding « Factures de travaux » on its structure); the depositor
    learns of a refusal or a suspension."""
    piece = objet
    libelle = statuts.libelle(entree.statut)
    if entree.statut in (*MISE_A_DISPOSITION.values(), S.A_VALIDER_1, S.A_VALIDER_2) and piece.recevant_id:
        sujet = f"Chorus Pro - Factures de travaux : pièce {piece.numero} mise à votre disposition"
        corps = (
            f"Bonjour,\n\nLa pièce {piece.numero} ({Cadre(piece.cadre).label}) du dossier de facturation "
            f"n° {piece.dossier.numero} est au statut « {libelle} » dans l'application « Factures de travaux ».\n\n"
            "Cordialement,\nL'équipe Chorus Pro"
        )
        destinataires = org_queries.utilisateurs_avec_profil(piece.recevant, Application.FACTURES_TRAVAUX)
        if entree.statut == S.MISE_A_DISPOSITION:
            # The invoice's own circuit tells the service financier's « Factures reçues » users; those who hold only
            # « Factures de travaux » there learn it here (one e-mail each).
            destinataires = destinataires.exclude(
                pk__in=org_queries.utilisateurs_avec_profil(piece.recevant, Application.FACTURES_RECUES).values("pk")
            )
        notifier(destinataires, evenement="TRAVAUX_A_TRAITER", sujet=sujet, corps=corps)
    elif entree.statut in (*statuts.STATUTS_REFUSES, S.SUSPENDUE):
        sujet = f"Chorus Pro - Factures de travaux : pièce {piece.numero} {libelle.lower()}"
        corps = f"Bonjour,\n\nLa pièce {piece.numero} du dossier n° {piece.dossier.numero} est « {libelle} »."
        if entree.motif:
            corps += f"\n\nMotif : {entree.motif}"
        deposants = org_queries.utilisateurs_avec_profil(piece.deposant, Application.FACTURES_TRAVAUX)
        notifier(deposants, evenement="TRAVAUX_REFUS", sujet=sujet, corps=corps + "\n\nL'équipe Chorus Pro")


CIRCUIT = Workflow(
    transitions=statuts.TRANSITIONS, historique=HistoriquePiece, libelles=StatutPiece, notifications=[_notifier]
)


# --- Who the user is on a dossier -------------------------------------------------------------------------------


def structures_travaux(user, niveau: str = Niveau.MODIFICATION):
    return org_queries.structures_de(user, Application.FACTURES_TRAVAUX, niveau)


def acteur(dossier: DossierFacturation, role: str) -> Structure | None:
    """The dossier's structure in ``role``."""
    return {
        Role.FOURNISSEUR: dossier.fournisseur,
        Role.MOE: dossier.moe,
        Role.MOA: dossier.moa,
        Role.VALIDATEUR: dossier.validateur,
        Role.DESTINATAIRE: dossier.destinataire,
    }[role]


def roles_sur_piece(user, piece: PieceTravaux, niveau: str = Niveau.MODIFICATION) -> set[str]:
    """« recevant » when one of the user's structures is the actor the piece waits for, « deposant » when it is
    its depositor (``niveau``: modification for the actions; consultation shows none)."""
    ids = set(structures_travaux(user, niveau).values_list("pk", flat=True))
    roles = set()
    if piece.recevant_id in ids:
        roles.add("recevant")
    if piece.deposant_id in ids:
        roles.add("deposant")
    return roles


def actions_possibles(user, piece: PieceTravaux) -> list[str]:
    """The actions a page offers on ``piece`` to ``user`` (modification profile on the right structure), read from
    the chain's rules and the transition table."""
    roles = roles_sur_piece(user, piece)
    actions = []
    regle = CADRES[piece.cadre]
    if "recevant" in roles:
        cibles = statuts.cibles(piece.statut, piece.role_recevant)
        if piece.role_recevant in statuts.PRISE_EN_COMPTE and statuts.PRISE_EN_COMPTE[piece.role_recevant] in cibles:
            actions.append("prendre_en_compte")
        if piece.statut in (S.A_VALIDER_1, S.A_VALIDER_2):
            actions += ["valider", "refuser"]
        elif any(c in statuts.STATUTS_REFUSES for c in cibles):
            actions.append("refuser")
        if S.SUSPENDUE in cibles:
            actions.append("suspendre")
        if regle.suivantes and S.ASSOCIEE in cibles:
            actions.append("deposer_suivante")
    if "deposant" in roles:
        if piece.statut == S.BROUILLON:
            actions += ["envoyer", "supprimer"]
        if piece.statut == S.SUSPENDUE:
            actions.append("completer")
        if piece.statut in statuts.ERREURS_ACHEMINEMENT:
            actions.append("corriger")
        if piece.statut in statuts.EN_ATTENTE[Role.MOE] and any(CADRES[c].remplace for c in regle.suivantes):
            actions.append("deposer_suivante")  # procédure tacite: the fournisseur replaces its unanswered piece
    if piece.statut in statuts.EN_ATTENTE[Role.MOA] and regle.suivantes and "deposer_suivante" not in actions:
        # After an A22 left unanswered, the fournisseur (A23) or the MOE (A24) deposits the tacit DGD.
        mes = set(structures_travaux(user).values_list("pk", flat=True))
        if any(
            acteur(piece.dossier, CADRES[c].deposant) and acteur(piece.dossier, CADRES[c].deposant).pk in mes
            for c in regle.suivantes
        ):
            actions.append("deposer_suivante")
    return actions


def cadres_deposables(precedente: PieceTravaux, structures) -> list[str]:
    """The cadres that may follow ``precedente`` and that one of ``structures`` deposits (itself, or playing the role
    of an actor of the dossier without an account), read from the chain's table and the MOA option (« avec MOA » /
    « sans MOA »: the other branch of the chain is left out)."""
    dossier = precedente.dossier
    mes = set(structures.values_list("pk", flat=True))
    acteurs = {s.pk for s in (acteur(dossier, r) for r in Role) if s is not None}
    option = dossier.moa.option_moa if dossier.moa else None
    deposables = []
    for cadre in CADRES[precedente.cadre].suivantes:
        regle = CADRES[cadre]
        if regle.moa is not None and regle.moa == statuts.sans_moa(option):
            continue
        titulaire = acteur(dossier, regle.deposant)
        if titulaire is None:
            continue
        sans_compte = not org_queries.utilisateurs_avec_profil(titulaire, Application.FACTURES_TRAVAUX).exists()
        if titulaire.pk in mes or (mes & acteurs and sans_compte):
            deposables.append(cadre)
    return deposables


# --- Reading the deposited file ---------------------------------------------------------------------------------

FORMAT_PDF_NON_SIGNE = "PDF_NON_SIGNE"
FORMAT_PDF_SIGNE = "PDF_SIGNE"
LIBELLES_FORMAT = {FORMAT_PDF_NON_SIGNE: "PDF non signé", FORMAT_PDF_SIGNE: "PDF signé PAdES"}


@dataclass
class Fichier:
    contenu: bytes
    nom: str
    format: str
    signatures: list[dict]

    @cached_property
    def sha256(self) -> str:
        """The content's SHA-256, computed once: the check of a file already deposited and the piece's own."""
        return hashlib.sha256(self.contenu).hexdigest()


def lire_fichier(contenu: bytes, nom: str, *, format_annonce: str = FORMAT_PDF_NON_SIGNE) -> Fichier:
    """Seed 000: « Formats de dépôt possibles : PDF non signés, PDF signé PAdES ». The type is read from the
    content; a PDF announced as signed must carry a whole, intact signature (pyhanko), whose signer is kept."""
    if not contenu:
        raise DepotTravauxRefuse({"fichier": "Le fichier est vide."})
    if len(contenu) > TAILLE_MAX:
        raise DepotTravauxRefuse({"fichier": "Le fichier dépasse la taille maximale de 10 Mo."})
    if pdf.sniffer(contenu) != "PDF":
        raise DepotTravauxRefuse({"fichier": "Une pièce de facturation de travaux se dépose au format PDF."})
    try:
        analyse = pdf.analyser_pdf(contenu)
    except pdf.PdfInvalide as exc:
        raise DepotTravauxRefuse({"fichier": str(exc)}) from exc
    signatures = [
        {
            "intacte": s.intacte,
            "signataire": s.signataire,
            "couvre_tout_le_document": s.couvre_tout_le_document,
            "date_signature": s.date_signature.isoformat() if s.date_signature else "",
        }
        for s in analyse.signatures
    ]
    valides = [s for s in signatures if s["intacte"] and s["couvre_tout_le_document"]]
    if format_annonce == FORMAT_PDF_SIGNE and not valides:
        raise DepotTravauxRefuse(
            {
                "fichier": "Ce PDF ne porte pas de signature PAdES valide couvrant tout le document : "
                "choisissez le format « PDF non signé » ou déposez le PDF signé."
            }
        )
    if signatures and not valides:
        raise DepotTravauxRefuse(
            {"fichier": "La signature de ce PDF n'est pas valide (document modifié après signature)."}
        )
    return Fichier(
        contenu, nom[-200:] or "piece.pdf", FORMAT_PDF_SIGNE if valides else FORMAT_PDF_NON_SIGNE, signatures
    )


# --- Depositing -----------------------------------------------------------------------------------------------


@dataclass
class Acteurs:
    """The actors named on an initial deposit (found by the structure search of the form)."""

    fournisseur: Structure | None = None
    validateur: Structure | None = None
    moe: Structure | None = None
    moa: Structure | None = None
    destinataire: Structure | None = None
    service_destinataire: Service | None = None


@dataclass
class Saisie:
    """What the depositor types: references, totals, optional VAT detail."""

    numero: str
    date_piece: object
    montant_ht: object
    montant_tva: object
    montant_ttc: object = None
    montant_a_payer: object = None
    detail_tva: tuple = ()
    numero_marche: str = ""
    numero_engagement: str = ""
    type_tva: str = "TVA_SUR_DEBIT"
    devise: str = "EUR"
    commentaire: str = ""


def _texte_cadres(cadres) -> str:
    return ", ".join(Cadre(c).label for c in cadres) or "aucun"


# The totals a piece is typed with, under the same names in ``Saisie``, ``PieceTravaux`` and ``montants_piece``.
CHAMPS_MONTANTS = ("montant_ht", "montant_tva", "montant_ttc", "montant_a_payer", "detail_tva")


def _montants(source: Saisie | PieceTravaux) -> montants.MontantsPiece:
    """The totals of a saisie, or of a piece deposited from one, checked by ``montants_piece``."""
    return montants.montants_piece(**{champ: getattr(source, champ) for champ in CHAMPS_MONTANTS})


def _controler_saisie(saisie: Saisie) -> montants.MontantsPiece:
    erreurs = {}
    if not (saisie.numero or "").strip():
        erreurs["numero"] = "Le numéro de la pièce est obligatoire."
    elif len(saisie.numero.strip()) > 20:
        erreurs["numero"] = "Le numéro de la pièce a au plus 20 caractères."
    if saisie.date_piece is None:
        erreurs["date_piece"] = "La date de la pièce est obligatoire."
    elif saisie.date_piece > timezone.localdate():
        erreurs["date_piece"] = "La date de la pièce ne peut pas être postérieure à la date du jour."
    try:
        calcul = _montants(saisie)
    except (montants.MontantsInvalides, ValueError) as exc:
        detail = exc.args[0] if exc.args else str(exc)
        erreurs.update(detail if isinstance(detail, dict) else {"montant_ht": str(detail)})
        calcul = None
    if erreurs:
        raise DepotTravauxRefuse(erreurs)
    return calcul


def _active(structure: Structure | None, libelle: str, erreurs: dict, champ: str, *, publique: bool = False):
    if structure is None:
        return
    if structure.statut != StatutStructure.ACTIVE:
        erreurs[champ] = f"La structure {libelle} ({structure}) n'est pas active sur Chorus Pro."
    elif publique and not structure.est_publique:
        erreurs[champ] = f"La structure {libelle} doit être une structure publique."


def _controler_acteurs(acteurs: Acteurs, regle: statuts.RegleCadre) -> None:
    erreurs: dict[str, str] = {}
    if acteurs.fournisseur is None:
        erreurs["fournisseur"] = "Le fournisseur est obligatoire."
    if regle.validateur and acteurs.validateur is None:
        qui = "le titulaire" if regle.validateur == S.A_VALIDER_1 else "le mandataire"
        erreurs["validateur"] = f"Le cadre {regle.code} est validé par {qui} du marché : indiquez sa structure."
    if regle.recevant == Role.MOE and acteurs.moe is None:
        erreurs["moe"] = f"Le cadre {regle.code} est transmis à la maîtrise d'œuvre : indiquez sa structure."
    if regle.recevant == Role.MOA and acteurs.moa is None:
        erreurs["moa"] = f"Le cadre {regle.code} est transmis à la maîtrise d'ouvrage : indiquez sa structure."
    if regle.payable and acteurs.destinataire is None:
        erreurs["destinataire"] = "Le service financier destinataire est obligatoire."
    _active(acteurs.fournisseur, "fournisseur", erreurs, "fournisseur")
    _active(acteurs.validateur, "du titulaire ou mandataire", erreurs, "validateur")
    _active(acteurs.moe, "de maîtrise d'œuvre", erreurs, "moe")
    _active(acteurs.moa, "de maîtrise d'ouvrage", erreurs, "moa", publique=True)
    _active(acteurs.destinataire, "destinataire", erreurs, "destinataire", publique=True)
    service = acteurs.service_destinataire
    if service is not None and (acteurs.destinataire is None or service.structure_id != acteurs.destinataire.pk):
        erreurs["service_destinataire"] = "Ce service n'appartient pas au service financier indiqué."
    if erreurs:
        raise DepotTravauxRefuse(erreurs)


def regle_acheminement(regle: statuts.RegleCadre, dossier: DossierFacturation) -> str:
    """The MOA option read at routing time (seed 001: « structure avec MOA », « exclusivement MOA », « sans MOA »):
    refuses what it forbids, and says, for the dossier, which rule routed the piece."""
    moa = dossier.moa
    option = moa.option_moa if moa is not None else None
    libelle_option = OptionMoa(option).label if option else "Aucune maîtrise d'ouvrage"
    if regle.moa is True and statuts.sans_moa(option):
        suivants = [c for c, r in CADRES.items() if r.moa is False and r.deposant == regle.deposant]
        _refuser(
            "cadre",
            f"La maîtrise d'ouvrage {moa or ''} est paramétrée « {libelle_option} » : elle ne reçoit pas de pièce de "
            f"travaux. Cadres à utiliser : {_texte_cadres(suivants) if suivants else 'aucun pour ce déposant'}.",
        )
    if regle.moa is False and not statuts.sans_moa(option):
        suivants = [c for c, r in CADRES.items() if r.moa is True and r.deposant == regle.deposant]
        _refuser(
            "cadre",
            f"La maîtrise d'ouvrage {moa} est paramétrée « {libelle_option} » : le cadre {regle.code} est réservé "
            f"aux structures sans MOA. Cadres à utiliser : {_texte_cadres(suivants)}.",
        )
    if regle.payable:
        dest = dossier.destinataire
        if dest is not None and dest.option_moa == OptionMoa.MOA_UNIQUEMENT:
            _refuser(
                "destinataire",
                f"La structure {dest} est « Structure exclusivement MOA » : elle ne reçoit pas de demande de "
                "paiement. Indiquez le service financier qui paie la pièce.",
            )
        if moa is not None and option == OptionMoa.MOA_UNIQUEMENT:
            return f"MOA « {libelle_option} » : demande de paiement transmise au service financier désigné, {dest}."
        if statuts.sans_moa(option):
            return f"{libelle_option} : demande de paiement transmise au service financier, {dest}, après la MOE."
        return f"MOA « {libelle_option} » : demande de paiement transmise au service financier, {dest}."
    qui = {Role.MOE: "la maîtrise d'œuvre", Role.MOA: "la maîtrise d'ouvrage", Role.FOURNISSEUR: "le fournisseur"}
    texte = f"Pièce mise à disposition de {qui[regle.recevant]} {acteur(dossier, regle.recevant)}"
    if regle.validateur:
        texte += f" après validation par {dossier.validateur}"
    if regle.moa is not None:
        texte = f"MOA « {libelle_option} » : " + texte[0].lower() + texte[1:]
    return texte + "."


def _pour_le_compte_de(
    *,
    role: str,
    titulaire_du_role: Structure | None,
    deposant: Structure,
    acteurs_du_dossier,
    regle: statuts.RegleCadre,
) -> Structure | None:
    """The depositor holds the cadre's role, or plays the role of an actor without an account (seed 000: « un
    acteur peut être amené à jouer le rôle d'un autre acteur »): then it must be another actor of the dossier and
    the actor it replaces must have no user habilitated on « Factures de travaux »."""
    if titulaire_du_role is not None and titulaire_du_role.pk == deposant.pk:
        return None
    qui = {Role.FOURNISSEUR: "le fournisseur", Role.MOE: "la maîtrise d'œuvre", Role.MOA: "la maîtrise d'ouvrage"}
    if titulaire_du_role is None:
        raise DepotTravauxRefuse(
            {"cadre": f"Le cadre {regle.libelle} est déposé par {qui[role]}, que ce dossier n'a pas."}
        )
    if deposant.pk not in {s.pk for s in acteurs_du_dossier if s is not None}:
        _refuser(
            "cadre",
            f"Le cadre {regle.libelle} est déposé par {qui[role]} du dossier ({titulaire_du_role}) : votre structure "
            f"{deposant} n'est pas un acteur de ce dossier.",
        )
    if org_queries.utilisateurs_avec_profil(titulaire_du_role, Application.FACTURES_TRAVAUX).exists():
        _refuser(
            "cadre",
            f"Le cadre {regle.libelle} est déposé par {qui[role]} du dossier ({titulaire_du_role}), qui a un compte "
            f"« Factures de travaux » : votre structure ne peut pas jouer son rôle.",
        )
    return titulaire_du_role


def controler_pour_le_compte_de(dossier: DossierFacturation, regle: statuts.RegleCadre, structure: Structure) -> None:
    """The structure named in « Déposer pour le compte de » on a following piece must be the actor of the dossier
    who deposits this cadre (``_pour_le_compte_de`` then checks it has no account)."""
    titulaire = acteur(dossier, regle.deposant)
    if titulaire is not None and titulaire.pk != structure.pk:
        _refuser(
            "pour_le_compte_de",
            f"Le cadre {regle.libelle} est déposé par l'acteur {titulaire} de ce dossier : {structure} n'a pas ce "
            "rôle.",
        )


@contextmanager
def _fichiers_retires_si_refus():
    """A refused deposit leaves nothing: the database rolls back, and the files already written (the piece's, its
    attachments') are removed from the storage."""
    ecrits = []
    try:
        yield ecrits
    except BaseException:
        for champ in ecrits:
            champ.storage.delete(champ.name)
        raise


def _numeroter(dossier: DossierFacturation) -> None:
    dossier.numero = f"{timezone.localdate().year}{dossier.pk:04d}"
    dossier.save(update_fields=["numero"])


def _exiger_profil(user, structure: Structure) -> None:
    if not structures_travaux(user).filter(pk=structure.pk).exists():
        raise PermissionDenied("Vous n'avez pas le profil « Factures de travaux » en modification sur cette structure.")


def deposer(
    *,
    acting_user,
    cadre: str,
    deposant: Structure,
    fichier: Fichier,
    saisie: Saisie,
    service_deposant: Service | None = None,
    acteurs: Acteurs | None = None,
    precedente: PieceTravaux | None = None,
    brouillon: bool = False,
    pieces_jointes=(),
    pour_le_compte_de: Structure | None = None,
) -> PieceTravaux:
    """« Déposer »: a « Dépôt initial » (``acteurs`` named, a new dossier) or « À partir d'une pièce existante »
    (``precedente``, which becomes « Associée » once this one is sent). Saved as a draft (« Enregistrer en mode
    brouillon ») or sent at once (« Valider et envoyer »). ``pour_le_compte_de``: the actor without an account the
    depositor says it plays (« Déposer pour le compte de »), checked against the dossier. Raises
    DepotTravauxRefuse (French, by field) or PermissionDenied; nothing is kept of a refused deposit."""
    _exiger_profil(acting_user, deposant)
    regle = CADRES.get(cadre)
    if regle is None:
        raise DepotTravauxRefuse({"cadre": "Ce cadre de facturation n'est pas un cadre de factures de travaux."})
    if service_deposant is not None and service_deposant.structure_id != deposant.pk:
        raise DepotTravauxRefuse({"service_deposant": "Ce service n'appartient pas à la structure déposante."})
    calcul = _controler_saisie(saisie)
    if precedente is None and pour_le_compte_de is not None:
        fournisseur = acteurs.fournisseur if acteurs is not None else None
        if fournisseur is not None and fournisseur.pk != pour_le_compte_de.pk:
            _refuser(
                "pour_le_compte_de",
                "Dans un dépôt initial, vous déposez pour le compte du fournisseur : indiquez la même structure "
                "dans « Fournisseur » ou laissez ce champ vide.",
            )
    with transaction.atomic(), _fichiers_retires_si_refus() as ecrits:
        if precedente is None:
            dossier = _ouvrir_dossier(
                acting_user=acting_user, regle=regle, deposant=deposant, acteurs=acteurs, saisie=saisie
            )
        else:
            precedente = (
                PieceTravaux.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=precedente.pk)
            )
            dossier = DossierFacturation.objects.select_for_update().get(pk=precedente.dossier_id)
            if pour_le_compte_de is not None:
                controler_pour_le_compte_de(dossier, regle, pour_le_compte_de)
            _controler_suite(regle=regle, precedente=precedente)
            if acteurs is not None and regle.payable and acteurs.destinataire is not None:
                # Seed 001 (9/9): the MOA names the service financier that pays (« Modifier le SIRET en indiquant
                # le service financier de l'État »).
                _controler_acteurs(
                    Acteurs(
                        fournisseur=dossier.fournisseur,
                        destinataire=acteurs.destinataire,
                        service_destinataire=acteurs.service_destinataire,
                    ),
                    regle,
                )
                dossier.destinataire = acteurs.destinataire
                dossier.service_destinataire = acteurs.service_destinataire
                dossier.save(update_fields=["destinataire", "service_destinataire"])
            elif regle.payable and dossier.destinataire is None and dossier.moa is not None:
                # « Structure avec MOA »: the MOA's structure pays; « sans MOA »: the public structure receives the
                # invoice. Either way, the dossier's MOA.
                dossier.destinataire = dossier.moa
                dossier.save(update_fields=["destinataire"])
            if regle.payable and dossier.destinataire is None:
                raise DepotTravauxRefuse({"destinataire": "Le service financier destinataire est obligatoire."})
        pour = _pour_le_compte_de(
            role=regle.deposant,
            titulaire_du_role=acteur(dossier, regle.deposant),
            deposant=deposant,
            acteurs_du_dossier=[acteur(dossier, r) for r in Role],
            regle=regle,
        )
        regle_texte = regle_acheminement(regle, dossier)
        if PieceTravaux.objects.filter(fichier_sha256=fichier.sha256).exclude(statut=S.BROUILLON).exists():
            raise DepotTravauxRefuse({"fichier": "Ce fichier a déjà été déposé dans Chorus Pro."})
        piece = PieceTravaux(
            dossier=dossier,
            piece_precedente=precedente,
            cadre=cadre,
            deposant=deposant,
            service_deposant=service_deposant,
            role_deposant=regle.deposant,
            pour_le_compte_de=pour,
            type_depot=PieceTravaux.TypeDepot.SUITE if precedente else PieceTravaux.TypeDepot.INITIAL,
            role_recevant=Role.VALIDATEUR if regle.validateur else regle.recevant,
            recevant=dossier.validateur if regle.validateur else acteur(dossier, regle.recevant),
            regle_acheminement=regle_texte,
            numero=saisie.numero.strip(),
            date_piece=saisie.date_piece,
            numero_marche=saisie.numero_marche or dossier.numero_marche,
            numero_engagement=saisie.numero_engagement,
            type_tva=saisie.type_tva,
            devise=saisie.devise,
            commentaire=saisie.commentaire,
            montant_ht=calcul.montant_ht,
            montant_tva=calcul.montant_tva,
            montant_ttc=calcul.montant_ttc,
            montant_a_payer=calcul.montant_a_payer,
            detail_tva=calcul.detail_tva,
            nom_fichier=fichier.nom,
            fichier_sha256=fichier.sha256,
            format_depot=fichier.format,
            signatures=fichier.signatures,
            created_by=acting_user,
        )
        piece.fichier.save(fichier.nom, ContentFile(fichier.contenu), save=False)
        ecrits.append(piece.fichier)
        piece.save()
        for pj in pieces_jointes:
            ecrits.append(ajouter_piece_jointe(piece=piece, fichier=pj).fichier)
        HistoriquePiece.ajouter_creation(objet=piece, acting_user=acting_user, role=regle.deposant, statut=S.BROUILLON)
        if not brouillon:
            _envoyer(acting_user=acting_user, piece=piece, contenu=fichier.contenu)
    return piece


def _ouvrir_dossier(*, acting_user, regle, deposant, acteurs: Acteurs | None, saisie: Saisie) -> DossierFacturation:
    if not regle.initial:
        _refuser(
            "cadre",
            f"Le cadre {regle.libelle} ne peut pas ouvrir un dossier de facturation : déposez-le « à partir d'une "
            f"pièce existante ». Cadres d'un dépôt initial : {codes(statuts.CADRES_INITIAUX)}.",
        )
    acteurs = acteurs or Acteurs()
    _controler_acteurs(acteurs, regle)
    dossier = DossierFacturation.objects.create(
        numero=f"tmp-{timezone.now().timestamp()}"[:20],
        **vars(acteurs),  # the dossier's actor fields bear the names of ``Acteurs``'
        numero_marche=saisie.numero_marche,
        delai_paiement_jours=settings.CHORUS_DELAI_PAIEMENT_TRAVAUX,
        created_by=acting_user,
    )
    _numeroter(dossier)
    return dossier


def _controler_suite(*, regle: statuts.RegleCadre, precedente: PieceTravaux) -> None:
    """The chain's table: the previous piece's cadre allows this one, and the previous piece still waits for an
    actor (mise à disposition, prise en compte)."""
    regle_prec = CADRES[precedente.cadre]
    if regle.cadre not in regle_prec.suivantes:
        _refuser(
            "cadre",
            f"Le cadre {regle.libelle} ne peut pas suivre une pièce {regle_prec.libelle}. Cadres possibles après "
            f"{regle_prec.code} : {_texte_cadres(regle_prec.suivantes)}.",
        )
    if precedente.statut not in statuts.STATUTS_EN_ATTENTE:
        _refuser(
            "cadre",
            f"La pièce n° {precedente.numero} est au statut « {statuts.libelle(precedente.statut)} » : seule une "
            "pièce mise à disposition ou prise en compte peut être suivie d'une nouvelle pièce.",
        )


def _router(*, piece: PieceTravaux) -> None:
    """Déposée → to the validateur, or to the actor the cadre goes to; the payment clock starts at the first piece
    mise à disposition (seed 000: from the demande de paiement's mise à disposition of the MOE)."""
    regle = CADRES[piece.cadre]
    cible = regle.validateur or MISE_A_DISPOSITION[regle.recevant]
    _transition(piece, to=cible, acting_user=None, role=SYSTEME)
    if cible != regle.validateur:
        _demarrer_horloge(piece.dossier)


def _demarrer_horloge(dossier: DossierFacturation) -> None:
    DossierFacturation.objects.filter(pk=dossier.pk, demande_paiement_recue_le__isnull=True).update(
        demande_paiement_recue_le=timezone.now()
    )


def _transition(
    piece: PieceTravaux,
    *,
    to: str,
    acting_user,
    role: str,
    motif: str = "",
    commentaire: str = "",
    extra: dict | None = None,
):
    try:
        return CIRCUIT.transition(
            piece,
            to=to,
            acting_user=acting_user,
            role=role,
            motif=motif,
            commentaire=commentaire,
            extra_updates={"statut_le": timezone.now(), **(extra or {})},
        )
    except TransitionInterdite as exc:
        raise DepotTravauxRefuse(exc.message) from exc


def _envoyer(*, acting_user, piece: PieceTravaux, contenu: bytes) -> None:
    regle = CADRES[piece.cadre]
    _transition(piece, to=S.DEPOSEE, acting_user=acting_user, role=regle.deposant)
    precedente = piece.piece_precedente
    if precedente is not None:
        # The previous piece becomes « Associée » (or « Remplacée » by an A22), in the role of the actor depositing.
        cible = S.REMPLACEE_PAR_A22 if regle.remplace else S.ASSOCIEE
        _transition(
            precedente,
            to=cible,
            acting_user=acting_user,
            role=regle.deposant,
            commentaire=f"Pièce suivante : {regle.code} n° {piece.numero}",
        )
    if regle.payable:
        _envoyer_demande_de_paiement(acting_user=acting_user, piece=piece, contenu=contenu)
    else:
        _router(piece=piece)


def beneficiaire(dossier: DossierFacturation) -> Structure:
    """Who the payable piece pays: the dossier's fournisseur; for a sous-traitant's dossier (A10), its titulaire
    (seed 003: « afin que le sous-traitant soit payé, le titulaire du marché doit […] ajouter la demande de paiement
    en pièce jointe »)."""
    premiere = dossier.pieces.order_by("id").values_list("cadre", flat=True).first()
    if premiere == Cadre.A10 and dossier.validateur is not None:
        return dossier.validateur
    return dossier.fournisseur


def _envoyer_demande_de_paiement(*, acting_user, piece: PieceTravaux, contenu: bytes) -> None:
    dossier = piece.dossier
    donnees = {
        "fournisseur": beneficiaire(dossier),
        "destinataire": dossier.destinataire,
        "service_destinataire": dossier.service_destinataire,
        "cadre": piece.cadre,
        "numero": piece.numero,
        "date_facture": piece.date_piece,
        "numero_marche": piece.numero_marche,
        "numero_engagement": piece.numero_engagement,
        "type_tva": piece.type_tva,
        "devise": piece.devise,
        "commentaire": piece.commentaire,
        "analyse_depot": {"format": piece.format_depot, "signatures": piece.signatures, "avec_lignes": False},
    }
    calcul = _montants(piece).calcul()
    try:
        facture = deposer_et_envoyer(
            canal=Canal.TRAVAUX,
            acting_user=acting_user,
            travaux=(donnees, calcul),
            contenu=contenu,
            nom_fichier=piece.nom_fichier,
        )
    except DepotRefuse as exc:
        raise DepotTravauxRefuse(exc.messages) from exc
    except ValidationError as exc:
        # The invoice's checks (routing of the service financier, number already used…) name its fields.
        raise DepotTravauxRefuse(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
    for pj in piece.pieces_jointes.all():
        with pj.fichier.open("rb") as f:
            facture.pieces_jointes.create(
                type_piece=pj.type_piece,
                designation=pj.designation,
                taille=pj.taille,
                sha256=pj.sha256,
                type_contenu=pj.type_contenu,
                fichier=ContentFile(f.read(), name=pj.nom_fichier),
            )
    _transition(piece, to=S.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME, extra={"facture": facture})
    _demarrer_horloge(piece.dossier)


def envoyer_brouillon(*, acting_user, piece: PieceTravaux) -> PieceTravaux:
    """« Valider et envoyer » of a draft: the chain's rules are checked again (the previous piece may have moved)."""
    _exiger_profil(acting_user, piece.deposant)
    with transaction.atomic():
        piece = PieceTravaux.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=piece.pk)
        if piece.statut != S.BROUILLON:
            raise DepotTravauxRefuse("Seul un brouillon peut être envoyé.")
        regle = CADRES[piece.cadre]
        if piece.piece_precedente_id:
            _controler_suite(regle=regle, precedente=piece.piece_precedente)
        regle_acheminement(regle, piece.dossier)
        with piece.fichier.open("rb") as f:
            contenu = f.read()
        if hashlib.sha256(contenu).hexdigest() != piece.fichier_sha256:
            raise DepotTravauxRefuse("Le fichier déposé n'est plus celui qui a été contrôlé : déposez-le à nouveau.")
        _envoyer(acting_user=acting_user, piece=piece, contenu=contenu)
    return piece


def supprimer_brouillon(*, acting_user, piece: PieceTravaux) -> PieceTravaux:
    """« Supprimer » a draft: it becomes « Abandonnée » (the history is append-only; it no longer shows anywhere but
    in its depositor's search)."""
    _exiger_profil(acting_user, piece.deposant)
    _transition(piece, to=S.ABANDONNEE, acting_user=acting_user, role=piece.role_deposant)
    return piece


# --- The actions of the actor a piece waits for ----------------------------------------------------------------


def _exiger_recevant(user, piece: PieceTravaux) -> None:
    if "recevant" not in roles_sur_piece(user, piece):
        raise PermissionDenied("Cette pièce n'attend pas d'action de votre structure.")


def _exiger_deposant(user, piece: PieceTravaux) -> None:
    if "deposant" not in roles_sur_piece(user, piece):
        raise PermissionDenied("Seule la structure qui a déposé la pièce peut faire cette action.")


def prendre_en_compte(*, acting_user, piece: PieceTravaux) -> PieceTravaux:
    _exiger_recevant(acting_user, piece)
    cible = statuts.PRISE_EN_COMPTE.get(piece.role_recevant)
    if cible is None:
        raise DepotTravauxRefuse("Cette pièce ne se prend pas en compte.")
    _transition(piece, to=cible, acting_user=acting_user, role=piece.role_recevant)
    return piece


MOTIF_ACHEMINEMENT = "ACHEMINEMENT"
MOTIF_AUTRE = "AUTRE"
MOTIFS_REFUS = {
    MOTIF_ACHEMINEMENT: "Erreur dans les données d'acheminement",
    MOTIF_AUTRE: "Autre motif",
}


def motifs_refus(piece: PieceTravaux) -> dict[str, str]:
    """Seed 000: a MOE or a MOA refuses only for an error in the routing data; the fournisseur may refuse a
    décompte général for another motive (seed 001 annex); a titulaire / mandataire refuses a piece it validates."""
    if piece.role_recevant in (Role.FOURNISSEUR, Role.VALIDATEUR):
        return MOTIFS_REFUS
    return {MOTIF_ACHEMINEMENT: MOTIFS_REFUS[MOTIF_ACHEMINEMENT]}


def refuser(*, acting_user, piece: PieceTravaux, motif: str, commentaire: str) -> PieceTravaux:
    _exiger_recevant(acting_user, piece)
    if motif not in motifs_refus(piece):
        raise DepotTravauxRefuse({"motif": f"Motifs possibles : {', '.join(motifs_refus(piece).values())}."})
    if not (commentaire or "").strip():
        raise DepotTravauxRefuse({"commentaire": "Précisez le motif du refus."})
    if piece.statut == S.A_VALIDER_1:
        cible = S.REFUSEE_1
    elif piece.statut == S.A_VALIDER_2:
        cible = S.REFUSEE_2
    elif motif == MOTIF_AUTRE:
        cible = S.REFUSEE_FOURNISSEUR
    else:
        cible = statuts.erreur_acheminement(piece.role_deposant, piece.role_recevant)
    _transition(
        piece,
        to=cible,
        acting_user=acting_user,
        role=piece.role_recevant,
        motif=MOTIFS_REFUS[motif],
        commentaire=commentaire.strip(),
    )
    return piece


def suspendre(*, acting_user, piece: PieceTravaux, commentaire: str) -> PieceTravaux:
    """Seed 000: « Une pièce peut être suspendue si certaines informations sont manquantes »."""
    _exiger_recevant(acting_user, piece)
    if not (commentaire or "").strip():
        raise DepotTravauxRefuse({"commentaire": "Indiquez les informations manquantes."})
    _transition(
        piece,
        to=S.SUSPENDUE,
        acting_user=acting_user,
        role=piece.role_recevant,
        motif="Informations manquantes",
        commentaire=commentaire.strip(),
    )
    return piece


def valider(*, acting_user, piece: PieceTravaux, commentaire: str = "") -> PieceTravaux:
    """The titulaire (sous-traitance) or the mandataire (cotraitance) validates: the piece goes on to the MOE."""
    _exiger_recevant(acting_user, piece)
    validee = {S.A_VALIDER_1: S.VALIDEE_1, S.A_VALIDER_2: S.VALIDEE_2}.get(piece.statut)
    if validee is None:
        raise DepotTravauxRefuse("Cette pièce n'attend pas de validation.")
    with transaction.atomic():
        _transition(piece, to=validee, acting_user=acting_user, role=Role.VALIDATEUR, commentaire=commentaire)
        moe = piece.dossier.moe
        _transition(
            piece,
            to=S.MISE_A_DISPOSITION_MOE,
            acting_user=None,
            role=SYSTEME,
            extra={"recevant": moe, "role_recevant": Role.MOE},
        )
        _demarrer_horloge(piece.dossier)
    return piece


# --- The depositor's actions -------------------------------------------------------------------------------------


def completer(*, acting_user, piece: PieceTravaux, commentaire: str, pieces_jointes=()) -> PieceTravaux:
    """The depositor completes its suspended piece: it waits again for the same actor."""
    _exiger_deposant(acting_user, piece)
    if not (commentaire or "").strip() and not pieces_jointes:
        raise DepotTravauxRefuse({"commentaire": "Indiquez les informations ajoutées ou joignez une pièce."})
    with transaction.atomic():
        for pj in pieces_jointes:
            ajouter_piece_jointe(piece=piece, fichier=pj)
        _transition(
            piece,
            to=MISE_A_DISPOSITION[piece.role_recevant],
            acting_user=acting_user,
            role=piece.role_deposant,
            commentaire=(commentaire or "").strip(),
        )
    return piece


def corriger_acheminement(*, acting_user, piece: PieceTravaux, structure: Structure) -> PieceTravaux:
    """« Corriger et redéposer » a piece refused for an error in the routing data: the right actor replaces the
    wrong one on the dossier, and the piece is routed again."""
    _exiger_deposant(acting_user, piece)
    if piece.statut not in statuts.ERREURS_ACHEMINEMENT:
        raise DepotTravauxRefuse("Seule une pièce refusée pour erreur d'acheminement se corrige.")
    role = piece.role_recevant
    champ = {Role.MOE: "moe", Role.MOA: "moa", Role.FOURNISSEUR: "fournisseur"}[role]
    erreurs: dict[str, str] = {}
    _active(structure, "indiquée", erreurs, "structure", publique=role == Role.MOA)
    if structure.pk == piece.recevant_id:
        erreurs["structure"] = "Indiquez une autre structure que celle qui a refusé la pièce."
    if erreurs:
        raise DepotTravauxRefuse(erreurs)
    with transaction.atomic():
        dossier = DossierFacturation.objects.select_for_update().get(pk=piece.dossier_id)
        setattr(dossier, champ, structure)
        dossier.save(update_fields=[champ])
        piece.dossier = dossier
        regle_texte = regle_acheminement(CADRES[piece.cadre], dossier)
        _transition(
            piece,
            to=S.DEPOSEE,
            acting_user=acting_user,
            role=piece.role_deposant,
            commentaire=f"Acheminement corrigé : {structure}",
            extra={"recevant": structure, "regle_acheminement": regle_texte},
        )
        _router(piece=piece)
    return piece


def affecter_instructeur(*, acting_user, piece: PieceTravaux, instructeur: str) -> PieceTravaux:
    """The « Instructeur » column of the Synthèse: the agent of the receiving structure who handles the piece."""
    _exiger_recevant(acting_user, piece)
    PieceTravaux.objects.filter(pk=piece.pk).update(instructeur=(instructeur or "").strip()[:50])
    piece.refresh_from_db(fields=["instructeur"])
    return piece


def marquer_telechargee(*, user, piece: PieceTravaux) -> None:
    """« Masquer les factures téléchargées »: a piece downloaded by the actor it was sent to."""
    if "recevant" in roles_sur_piece(user, piece, Niveau.CONSULTATION) and piece.telechargee_le is None:
        PieceTravaux.objects.filter(pk=piece.pk, telechargee_le__isnull=True).update(telechargee_le=timezone.now())


def ajouter_piece_jointe(*, piece: PieceTravaux, fichier: tuple[str, bytes, str]) -> PieceJointeTravaux:
    """An attachment (« Gestion des pièces jointes »), ``fichier`` = (name, content, designation): the invoices'
    rules (``controler_fichier_joint``: extension, content sniffed, 10 Mo)."""
    nom, contenu, designation = fichier
    erreurs = controler_fichier_joint(nom=nom, contenu=contenu, designation=designation or nom[:50])
    if erreurs:
        raise DepotTravauxRefuse({"pieces_jointes": " ".join(erreurs.values())})
    return enregistrer_piece(
        PieceJointeTravaux,
        nom,
        contenu,
        type_contenu=type_contenu(nom),
        piece=piece,
        type_piece=TypePieceJointe.AUTRE,
        designation=(designation or nom)[:50],
        nom_fichier=nom,
    )
