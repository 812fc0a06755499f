"""Every operation of the invoicing domain that changes state: drafts, sending with the routing rules, the
status machine of a simple invoice (``CIRCUIT``, running the table of ``facturation.statuts``; reference sections
2.1–2.6), the supplier's actions on « A recycler », « Suspendue » and « Rejetée »."""

import hashlib
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.identifiers import valider_siret
from chorus.mail import envoyer_email
from chorus.workflow import SYSTEME, TransitionInterdite, Workflow
from facturation import montants, queries, statuts
from facturation.certificat import empreinte_depot
from facturation.donnees import Ajustement
from facturation.enums import (
    CADRES_AVEC_VALIDEUR,
    DELAI_VALIDATION_TACITE,
    MOTIFS_DESTINATAIRE,
    ModeDepot,
    ModePaiement,
    MotifRefusValidation,
    StatutFacture,
    TypeFacture,
    TypeTva,
)
from facturation.models import (
    AjustementDocument,
    Facture,
    HistoriqueFacture,
    LignePoste,
    PieceJointe,
    RecapitulatifTVA,
)
from facturation.statuts import (
    ACTIONS_DESTINATAIRE,
    DESTINATAIRE,
    FOURNISSEUR,
    VALIDEUR,
)
from organisation import queries as org_queries
from organisation.enums import Application, Niveau, StatutStructure
from organisation.models import Structure

S = StatutFacture


def _notifier(*, objet, entree):
    """Each status change is e-mailed to the supplier's users; the recipient's users learn of a new invoice; the
    valideur's users (« Factures à valider » profile) of an invoice to validate, and of a tacit validation."""
    if entree.statut in (S.BROUILLON, S.ABANDONNEE):
        return
    libelle = S(entree.statut).label
    texte = f"La facture {objet.numero} est au statut « {libelle} »."
    if entree.motif:
        texte += f"\n\nMotif : {entree.motif}"
    if entree.commentaire and entree.role == VALIDEUR:
        texte += f"\n\nCommentaire du valideur : {entree.commentaire}"
    if entree.commentaire and entree.role == DESTINATAIRE:
        texte += f"\n\nCommentaire du destinataire : {entree.commentaire}"
    for user in org_queries.utilisateurs_avec_profil(objet.fournisseur, Application.FACTURES_EMISES):
        envoyer_email(destinataires=[user.email], sujet=f"Chorus Pro - Facture {objet.numero} : {libelle}", corps=texte)
    if entree.statut == S.MISE_A_DISPOSITION and objet.destinataire_id:
        for user in org_queries.utilisateurs_avec_profil(objet.destinataire, Application.FACTURES_RECUES):
            envoyer_email(
                destinataires=[user.email],
                sujet=f"Chorus Pro - Nouvelle facture {objet.numero}",
                corps=f"La facture {objet.numero} de {objet.fournisseur.raison_sociale} est mise à votre disposition.",
            )
    if entree.statut in (S.A_VALIDER_1, S.ABSENCE_VALIDATION_1_HORS_DELAI) and objet.valideur_id:
        _notifier_valideur(objet=objet, entree=entree)


def _notifier_valideur(*, objet, entree):
    if entree.statut == S.A_VALIDER_1:
        echeance = timezone.localtime(entree.created_at + DELAI_VALIDATION_TACITE)
        sujet = f"Chorus Pro - Facture {objet.numero} à valider"
        corps = (
            f"Bonjour,\n\nLa facture {objet.numero} de {objet.fournisseur.raison_sociale} "
            f"({objet.get_cadre_display()}), d'un montant TTC de {objet.montant_ttc} {objet.devise}, attend la "
            f"validation de {objet.valideur.raison_sociale} dans l'application « Factures à valider ».\n\n"
            f"Sans décision de votre part avant le {echeance:%d/%m/%Y à %H:%M}, elle sera validée tacitement et "
            "transmise à son destinataire.\n\nCordialement,\nL'équipe Chorus Pro"
        )
    else:
        sujet = f"Chorus Pro - Facture {objet.numero} validée tacitement"
        corps = (
            f"Bonjour,\n\nLa facture {objet.numero} de {objet.fournisseur.raison_sociale} n'a pas été validée ni "
            f"refusée dans le délai de {DELAI_VALIDATION_TACITE.days} jours : elle est validée tacitement et "
            "transmise à son destinataire.\n\nCordialement,\nL'équipe Chorus Pro"
        )
    for user in org_queries.utilisateurs_avec_profil(objet.valideur, Application.FACTURES_A_VALIDER):
        envoyer_email(destinataires=[user.email], sujet=sujet, corps=corps)


CIRCUIT = Workflow(transitions=statuts.TRANSITIONS, historique=HistoriqueFacture, libelles=StatutFacture,
                   notifications=[_notifier])  # fmt: skip


# --- Drafts --------------------------------------------------------------------------------------------------


def exiger_emission(user, structure):
    if (
        not org_queries.structures_de(user, Application.FACTURES_EMISES, Niveau.MODIFICATION)
        .filter(pk=structure.pk)
        .exists()
    ):
        raise PermissionDenied("Vous n'avez pas le profil « Factures émises » en modification sur cette structure.")


def enregistrer(
    *, acting_user, donnees: dict, lignes: list[dict], facture: Facture | None = None, calcul=None,
    ajustements: list | None = None,
) -> Facture:  # fmt: skip
    """« Enregistrer »: create or update a draft (nothing is checked but the amounts). A saisie's amounts are
    computed from its lines (``montants.calculer``); a deposited document's come as ``calcul`` with its document
    level allowances and charges (``ajustements``: ``facturation.donnees.Ajustement``), kept as written."""
    fournisseur = donnees["fournisseur"]
    exiger_emission(acting_user, fournisseur)
    if calcul is None:
        calcul = montants.calculer(lignes, remise_globale_ttc=donnees.get("remise_globale_ttc") or 0)
        ajustements = _remises_de_la_saisie(donnees, calcul)
    with transaction.atomic():
        if facture is None:
            facture = Facture(created_by=acting_user, mode_depot=donnees.get("mode_depot", ModeDepot.SAISIE))
        else:
            # Under the row's lock: a draft sent meanwhile (another tab, a parallel request) is never re-opened.
            facture = Facture.objects.select_for_update(of=("self",)).get(pk=facture.pk)
            if facture.statut != S.BROUILLON:
                raise ValidationError("Seul un brouillon peut être modifié.")
        for champ, valeur in donnees.items():
            if champ not in ("mode_depot", "statut"):
                setattr(facture, champ, valeur)
        _appliquer_calcul(facture, calcul)
        facture.relance_brouillon_le = None
        facture.save()
        facture.lignes.all().delete()
        LignePoste.objects.bulk_create(
            LignePoste(
                facture=facture, ordre=i, reference=(ligne.get("reference") or "")[:50],
                denomination=(ligne.get("denomination") or "Ligne")[:250], unite=(ligne.get("unite") or "C62")[:20],
                quantite=c.quantite, prix_unitaire_ht=c.prix_unitaire_ht, remise_ht=c.remise_ht, taux_tva=c.taux_tva,
                montant_ht=c.montant_ht, montant_ttc=c.montant_ttc, charges_ht=c.charges_ht,
                quantite_base=c.quantite_base, categorie_tva=c.categorie_tva,
                ajustements=ligne.get("ajustements") or [],
            )
            for i, (ligne, c) in enumerate(zip(lignes, calcul.lignes, strict=True), start=1)
        )  # fmt: skip
        facture.recapitulatif_tva.all().delete()
        RecapitulatifTVA.objects.bulk_create(
            RecapitulatifTVA(
                facture=facture, taux=t.taux, base_ht=t.base_ht, remise_globale_ht=t.remise_globale_ht,
                montant_tva=t.montant_tva, categorie=t.categorie, motif_exoneration=t.motif_exoneration[:250],
                code_motif_exoneration=t.code_motif_exoneration[:30],
            )
            for t in calcul.tva
        )  # fmt: skip
        facture.ajustements.all().delete()
        AjustementDocument.objects.bulk_create(
            AjustementDocument(
                facture=facture, ordre=i, charge=a.charge, montant=a.montant, base=a.base, pourcentage=a.pourcentage,
                motif=(a.motif or "")[:250], code_motif=(a.code_motif or "")[:10], categorie_tva=a.categorie_tva,
                taux_tva=a.taux_tva,
            )
            for i, a in enumerate(ajustements or [], start=1)
        )  # fmt: skip
    return facture


def completer_brouillon_depose(
    *, acting_user, facture: Facture, cadre: str, valideur, coordonnees_bancaires
) -> Facture:
    """A draft made of a structured document: only the cadre, the valideur and the bank details change (the rest
    is the document's)."""
    exiger_emission(acting_user, facture.fournisseur)
    if coordonnees_bancaires is not None and coordonnees_bancaires.structure_id != facture.fournisseur_id:
        raise ValidationError({"coordonnees_bancaires": "Ces coordonnées bancaires ne sont pas celles du fournisseur."})
    with transaction.atomic():
        verrouillee = Facture.objects.select_for_update(of=("self",)).get(pk=facture.pk)
        if verrouillee.statut != S.BROUILLON:
            raise ValidationError("Seul un brouillon peut être modifié.")
        verrouillee.cadre, verrouillee.valideur, verrouillee.coordonnees_bancaires = (
            cadre,
            valideur,
            coordonnees_bancaires,
        )
        verrouillee.relance_brouillon_le = None
        verrouillee.save(
            update_fields=["cadre", "valideur", "coordonnees_bancaires", "relance_brouillon_le", "updated_at"]
        )
    return verrouillee


def _remises_de_la_saisie(donnees: dict, calcul: montants.Calcul) -> list:
    """The saisie's « remise globale TTC » as EN 16931 knows it: one document allowance per VAT rate (its HT share,
    computed by ``montants``), stored like a deposited document's."""
    categorie = {TypeTva.EXONERATION: "E", TypeTva.SANS_TVA: "O"}.get(donnees.get("type_tva"))
    return [
        Ajustement(
            charge=False, montant=t.remise_globale_ht, motif=(donnees.get("motif_remise_globale") or "Remise globale"),
            categorie_tva=categorie or ("S" if t.taux > 0 else "Z"), taux_tva=t.taux,
        )
        for t in calcul.tva
        if t.remise_globale_ht
    ]  # fmt: skip


def _appliquer_calcul(facture: Facture, calcul: montants.Calcul) -> None:
    facture.montant_lignes_ht = calcul.total_lignes_ht
    facture.montant_remises_ht = calcul.remise_globale_ht
    facture.montant_charges_ht = calcul.charges_ht
    facture.montant_ht = calcul.total_ht
    facture.montant_tva = calcul.total_tva
    facture.montant_ttc_avant_remise = calcul.total_ttc_avant_remise
    facture.remise_globale_ttc = calcul.remise_globale_ttc
    facture.montant_ttc = calcul.total_ttc
    facture.montant_deja_paye = calcul.deja_paye
    facture.montant_arrondi = calcul.arrondi
    facture.montant_a_payer = calcul.net_a_payer


# --- Routing rules and sending -------------------------------------------------------------------------------


def verifier_acheminement(facture: Facture) -> dict[str, str]:
    """The rules a recipient's parameters impose, each refusal a French message keyed by the form field."""
    erreurs: dict[str, str] = {}
    dest = facture.destinataire
    if dest is None:
        return {"destinataire": "Le destinataire est obligatoire."}
    if not dest.est_publique or dest.statut != StatutStructure.ACTIVE:
        erreurs["destinataire"] = "La structure destinataire n'existe pas ou n'est pas active sur Chorus Pro."
        return erreurs
    service = facture.service_destinataire
    if service is not None and (service.structure_id != dest.pk or not service.actif):
        erreurs["service_destinataire"] = "Ce service n'existe pas ou n'est pas actif chez le destinataire."
    elif service is None and dest.code_service_obligatoire:
        erreurs["service_destinataire"] = "Le code service est obligatoire pour ce destinataire."
    engagement_requis = dest.engagement_obligatoire or (service is not None and service.engagement_obligatoire)
    if engagement_requis and not facture.numero_engagement.strip():
        erreurs["numero_engagement"] = "Le numéro d'engagement est obligatoire pour ce destinataire."
    if dest.service_ou_engagement_obligatoire and service is None and not facture.numero_engagement.strip():
        erreurs["numero_engagement"] = "Ce destinataire exige un code service ou un numéro d'engagement."
    return erreurs


def verifier_avant_envoi(facture: Facture) -> dict[str, str]:
    erreurs = verifier_acheminement(facture)
    if not facture.numero.strip():
        erreurs["numero"] = "Le numéro de facture est obligatoire."
    elif (
        Facture.objects.filter(fournisseur=facture.fournisseur, numero=facture.numero)
        .exclude(statut__in=[S.BROUILLON, S.ABANDONNEE])
        .exclude(pk=facture.pk)
        .exists()
    ):
        erreurs["numero"] = "Ce numéro de facture est déjà utilisé par votre structure pour une autre facture."
    if facture.date_facture is None:
        erreurs["date_facture"] = "La date de facture est obligatoire."
    elif facture.date_facture > timezone.localdate():
        erreurs["date_facture"] = "La date de facture ne peut pas être postérieure à la date du jour."
    # The portal's forms ask for the invoice an avoir corrects; a deposited document follows EN 16931, where the
    # preceding invoice reference (BG-3) is optional, and is taken as written.
    saisie = facture.mode_depot in (ModeDepot.SAISIE, ModeDepot.SAISIE_API)
    if saisie and facture.type_facture == TypeFacture.AVOIR and not facture.numero_facture_origine.strip():
        erreurs["numero_facture_origine"] = "Un avoir doit indiquer le numéro de la facture d'origine."
    if facture.type_tva == TypeTva.EXONERATION and not facture.motif_exoneration.strip():
        erreurs["motif_exoneration"] = "Le motif d'exonération de TVA est obligatoire."
    if facture.cadre in CADRES_AVEC_VALIDEUR and facture.valideur_id is None:
        erreurs["valideur"] = "Le valideur (titulaire ou mandataire) est obligatoire pour ce cadre de facturation."
    if facture.mode_paiement == ModePaiement.VIREMENT and facture.type_facture == TypeFacture.FACTURE:
        coord = facture.coordonnees_bancaires
        if coord is None or coord.structure_id != facture.fournisseur_id or not coord.active:
            erreurs["coordonnees_bancaires"] = "Choisissez les coordonnées bancaires actives de votre structure."
    if facture.mode_depot == ModeDepot.SAISIE and not org_queries.mandat_facturation_actif(facture.fournisseur):
        erreurs["fournisseur"] = "La saisie de factures exige le mandat de facturation de votre structure."
    sans_lignes = (facture.analyse_depot or {}).get("avec_lignes") is False  # Factur-X MINIMUM / BASIC WL
    if not sans_lignes and not facture.lignes.exists():
        erreurs["lignes"] = "La facture doit comporter au moins une ligne."
    return erreurs


def empreinte(contenu: bytes, facture: Facture) -> str:
    """The certificat de dépôt (see ``facturation.certificat``)."""
    return empreinte_depot(
        contenu,
        numero=facture.numero,
        siret_fournisseur=facture.fournisseur.identifiant,
        siret_destinataire=facture.destinataire.identifiant,
        date_depot=facture.date_depot,
    )


def valider_et_envoyer(*, acting_user, facture: Facture, contenu: bytes, nom_fichier: str) -> Facture:
    """« Valider et envoyer »: check everything, store the document, certify the deposit, route the invoice."""
    exiger_emission(acting_user, facture.fournisseur)
    erreurs = verifier_avant_envoi(facture)
    if erreurs:
        raise ValidationError(erreurs)
    existante = doublon_fichier(contenu)
    if existante is not None and existante.pk != facture.pk:
        raise DoublonDepot("Ce fichier a déjà été déposé.", existante)
    with transaction.atomic():
        facture.date_depot = timezone.now()
        facture.fichier.save(nom_fichier, ContentFile(contenu), save=False)
        facture.fichier_sha256 = hashlib.sha256(contenu).hexdigest()
        facture.empreinte_certificat = empreinte(contenu, facture)
        try:
            with transaction.atomic():
                facture.save()
        except IntegrityError as exc:
            raise ValidationError({"numero": "Ce numéro de facture est déjà utilisé par votre structure."}) from exc
        CIRCUIT.transition(facture, to=S.DEPOSEE, acting_user=acting_user, role=FOURNISSEUR)
        acheminer(facture)
    return facture


def acheminer(facture: Facture) -> None:
    """Déposée → À valider (A9/A12) or Mise à disposition du destinataire."""
    cible = S.A_VALIDER_1 if facture.cadre in CADRES_AVEC_VALIDEUR else S.MISE_A_DISPOSITION
    CIRCUIT.transition(facture, to=cible, acting_user=None, role=SYSTEME)


# --- Recipient and validator decisions (the « Factures reçues / à valider » issues build their pages on these) --


def traiter(*, acting_user, facture: Facture, statut: str, motif: str = "", commentaire: str = "") -> Facture:
    """The recipient sets a processing status; Suspendue, A recycler and Rejetée need a motif (free text here, as
    the API's ``traiter/recue``; the portal's pages go through ``traiter_facture_recue`` and its coded lists).
    Needs « Factures reçues » in modification where the invoice is addressed: on its structure, or on its
    service for a user attached at service level (``queries.peut_traiter``)."""
    if facture.destinataire_id is None or not queries.peut_traiter(acting_user, facture):
        raise PermissionDenied("Vous n'avez pas le profil « Factures reçues » en modification sur ce destinataire.")
    CIRCUIT.transition(
        facture, to=statut, acting_user=acting_user, role=DESTINATAIRE, motif=motif, commentaire=commentaire
    )
    return facture


MOTIF_REQUIS = "Choisissez le motif dans la liste : il est obligatoire pour cette action."


def traiter_facture_recue(*, acting_user, facture: Facture, statut: str, motif: str = "", commentaire: str = "",
                          statut_vu: str = "") -> Facture:  # fmt: skip
    """« Traiter la facture » in Factures reçues: ``motif`` is a code of the outcome's coded list
    (``MOTIFS_DESTINATAIRE``: Suspendre, Mettre à recycler, Rejeter), required there and refused elsewhere; the
    history and the supplier's e-mail carry its label and the optional comment.

    ``statut_vu`` is the status the agent saw when choosing the action: if the invoice has changed since (another
    agent acted first), nothing is done and the French message says so; an action the transition table does not
    allow from the current status is refused the same way. Both are checked under the row's lock."""
    motifs = MOTIFS_DESTINATAIRE.get(statut)
    libelle_action = ACTIONS_DESTINATAIRE.get(statut)
    if libelle_action is None:
        raise ValidationError("Cette action n'existe pas dans « Factures reçues ».")
    if motifs is not None:
        if not motif:
            raise ValidationError({"motif": MOTIF_REQUIS})
        if motif not in motifs.values:
            raise ValidationError({"motif": "Choisissez le motif dans la liste."})
        motif = motifs(motif).label
    elif motif:
        raise ValidationError({"motif": "Cette action ne prend pas de motif."})

    def refus(actuel):
        facture.statut = actuel
        return ValidationError(
            f"L'action « {libelle_action} » n'est pas possible : la facture {facture.numero} est au statut "
            f"« {S(actuel).label} »."
        )

    with transaction.atomic():
        actuel = Facture.objects.select_for_update().filter(pk=facture.pk).values_list("statut", flat=True).get()
        if statut_vu and actuel != statut_vu:
            raise refus(actuel)
        try:
            return traiter(
                acting_user=acting_user, facture=facture, statut=statut, motif=motif,
                commentaire=(commentaire or "").strip(),
            )  # fmt: skip
        except TransitionInterdite as exc:
            raise refus(actuel) from exc


def traiter_en_masse(*, acting_user, factures: list[tuple[Facture, str]], statut: str) -> tuple[list, list]:
    """« Traiter la sélection » of Factures à traiter: one action without motif (``ACTIONS_DESTINATAIRE`` but
    Suspendre, Mettre à recycler, Rejeter) on each (invoice, status the agent saw), each decided on its own by
    ``traiter_facture_recue`` in its own transaction. Returns (the invoices processed, [(invoice, French reason)]
    for those refused); one refusal never undoes the others."""
    if statut not in ACTIONS_DESTINATAIRE or statut in MOTIFS_DESTINATAIRE:
        raise ValidationError(
            "Choisissez une action sans motif : suspendre, mettre à recycler ou rejeter se fait facture par facture."
        )
    traitees, refusees = [], []
    for facture, statut_vu in factures:
        try:
            traiter_facture_recue(acting_user=acting_user, facture=facture, statut=statut, statut_vu=statut_vu)
        except (ValidationError, PermissionDenied) as exc:
            refusees.append((facture, " ".join(getattr(exc, "messages", None) or [str(exc)])))
        else:
            traitees.append(facture)
    return traitees, refusees


def _exiger_validation(user, facture: Facture) -> None:
    if (
        facture.valideur_id is None
        or not org_queries.structures_de(user, Application.FACTURES_A_VALIDER, Niveau.MODIFICATION)
        .filter(pk=facture.valideur_id)
        .exists()
    ):
        raise PermissionDenied("Vous n'avez pas le profil « Factures à valider » en modification sur le valideur.")


def valider_facture(
    *, acting_user, facture: Facture, accepter: bool, motif: str = "", commentaire: str = ""
) -> Facture:
    """A9/A12: the valideur (titulaire or mandataire) validates — the invoice goes on to the recipient — or
    refuses with a motif. Needs the « Factures à valider » profile in modification on the valideur structure.
    An invoice no longer « À valider » is refused with a French message (and, should a decision race this one,
    by the row lock of the transition)."""
    _exiger_validation(acting_user, facture)
    if facture.statut != S.A_VALIDER_1:
        raise ValidationError(
            f"La facture {facture.numero} n'est plus à valider : elle est au statut « {S(facture.statut).label} »."
        )
    with transaction.atomic():
        if not accepter:
            # « Erreur de valideur » is not a refusal of the invoice: the supplier designated the wrong valideur
            # and corrects it (``corriger_valideur``), the invoice goes on under the same number.
            cible = (
                S.ERREUR_FOURNISSEUR_SUR_VALIDEUR
                if motif == MotifRefusValidation.ERREUR_VALIDEUR.label
                else S.REFUSEE_1
            )
            CIRCUIT.transition(
                facture, to=cible, acting_user=acting_user, role=VALIDEUR, motif=motif, commentaire=commentaire
            )
            return facture
        CIRCUIT.transition(
            facture, to=S.VALIDEE_1, acting_user=acting_user, role=VALIDEUR, motif=motif, commentaire=commentaire
        )
        CIRCUIT.transition(facture, to=S.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    return facture


def refuser_facture(*, acting_user, facture: Facture, motif: str, commentaire: str = "") -> Facture:
    """« Refuser » in Factures à valider: the motif is one of the coded list (``MotifRefusValidation``), the comment
    is free and optional. The history and the supplier's e-mail carry the motif's label and the comment."""
    _exiger_validation(acting_user, facture)
    if motif not in MotifRefusValidation.values:
        raise ValidationError({"motif": "Choisissez le motif du refus dans la liste."})
    return valider_facture(
        acting_user=acting_user, facture=facture, accepter=False, motif=MotifRefusValidation(motif).label,
        commentaire=(commentaire or "").strip(),
    )  # fmt: skip


def corriger_valideur(*, acting_user, facture: Facture, siret: str) -> Facture:
    """« Corriger le valideur » (API ``factures/v1/corriger/valideur/facture``): after « Erreur fournisseur sur
    valideur », the supplier names the right titulaire or mandataire; the invoice is « À valider » again for it
    (its users are e-mailed, and the 15 days of tacit validation start again)."""
    exiger_emission(acting_user, facture.fournisseur)
    if facture.statut != S.ERREUR_FOURNISSEUR_SUR_VALIDEUR:
        raise ValidationError(
            "Seule une facture au statut « Erreur fournisseur sur valideur » peut changer de valideur."
        )
    try:
        siret = valider_siret(siret)
    except ValidationError as exc:
        raise ValidationError({"valideur_siret": exc.messages}) from exc
    valideur = Structure.objects.filter(identifiant=siret).first()
    if valideur is None or valideur.statut != StatutStructure.ACTIVE:
        raise ValidationError({"valideur_siret": "Aucune structure active n'existe avec ce SIRET sur Chorus Pro."})
    if valideur.pk == facture.fournisseur_id:
        raise ValidationError({"valideur_siret": "Le valideur ne peut pas être votre propre structure."})
    if valideur.pk == facture.valideur_id:
        raise ValidationError(
            {"valideur_siret": "Ce valideur a signalé qu'il n'est pas le bon : indiquez-en un autre."}
        )
    with transaction.atomic():
        Facture.objects.filter(pk=facture.pk).update(valideur=valideur)
        facture.valideur = valideur
        CIRCUIT.transition(
            facture, to=S.A_VALIDER_1, acting_user=acting_user, role=FOURNISSEUR,
            commentaire=f"Valideur corrigé : {valideur.raison_sociale} ({valideur.identifiant})",
        )  # fmt: skip
    return facture


def valider_tacitement() -> int:
    """Reference 2.6: the titulaire has 15 days; without a decision, validation is tacit. Every invoice « À
    valider » that reached that status (its last arrival, read from its history) more than 15 days ago goes to
    « Absence de validation dans les délais », then on to its recipient. The invoices are selected in one query;
    each then moves by its own transitions, whose row lock lets a decision taken meanwhile win (that invoice is
    skipped), so that two runs never move one invoice twice. Returns how many were validated tacitly."""
    dues = (
        queries.avec_delai_validation(Facture.objects.filter(statut=S.A_VALIDER_1, valideur__isnull=False))
        .filter(validation_tacite_le__lte=timezone.now())
        .order_by("id")
    )
    commentaire = f"Validation tacite : aucune décision du valideur en {DELAI_VALIDATION_TACITE.days} jours"
    nombre = 0
    for facture in dues:
        try:
            with transaction.atomic():
                CIRCUIT.transition(
                    facture, to=S.ABSENCE_VALIDATION_1_HORS_DELAI, acting_user=None, role=SYSTEME,
                    commentaire=commentaire,
                )  # fmt: skip
                CIRCUIT.transition(facture, to=S.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
        except TransitionInterdite:
            continue  # the valideur decided in the meantime
        nombre += 1
    return nombre


# --- Supplier actions ----------------------------------------------------------------------------------------


def recycler(*, acting_user, facture: Facture, destinataire, service_destinataire, numero_engagement: str) -> Facture:
    """« A recycler »: only the routing data change; the invoice is sent again under the same number."""
    exiger_emission(acting_user, facture.fournisseur)
    if facture.statut != S.A_RECYCLER:
        raise ValidationError("Seule une facture « A recycler » peut être recyclée.")
    facture.destinataire = destinataire
    facture.service_destinataire = service_destinataire
    facture.numero_engagement = numero_engagement or ""
    erreurs = verifier_acheminement(facture)
    if erreurs:
        raise ValidationError(erreurs)
    with transaction.atomic():
        Facture.objects.filter(pk=facture.pk).update(
            destinataire=destinataire, service_destinataire=service_destinataire,
            numero_engagement=facture.numero_engagement,
        )  # fmt: skip
        CIRCUIT.transition(facture, to=S.DEPOSEE, acting_user=acting_user, role=FOURNISSEUR, commentaire="Recyclage")
        acheminer(facture)
    return facture


def completer(*, acting_user, facture: Facture, commentaire: str = "") -> Facture:
    """« Suspendue »: the supplier adds attachments (since the suspension) and/or a comment → « Complétée »."""
    exiger_emission(acting_user, facture.fournisseur)
    suspension = (
        HistoriqueFacture.objects.filter(objet=facture, statut=S.SUSPENDUE).order_by("-created_at", "-id").first()
    )
    pieces = facture.pieces_jointes.filter(created_at__gte=suspension.created_at).exists() if suspension else False
    if not (commentaire or "").strip() and not pieces:
        raise ValidationError("Ajoutez un commentaire ou au moins une pièce jointe pour compléter la facture.")
    CIRCUIT.transition(facture, to=S.COMPLETEE, acting_user=acting_user, role=FOURNISSEUR, commentaire=commentaire)
    return facture


def traiter_rejet(*, acting_user, facture: Facture) -> Facture:
    """« Traiter le rejet »: the supplier acknowledges a rejected invoice; it leaves the Synthèse."""
    exiger_emission(acting_user, facture.fournisseur)
    with transaction.atomic():
        locked = Facture.objects.select_for_update(of=("self",)).get(pk=facture.pk)
        if locked.statut != S.REJETEE or locked.rejet_traite:
            raise ValidationError("Cette facture n'a pas de rejet à traiter.")
        locked.rejet_traite = True
        locked.save(update_fields=["rejet_traite", "updated_at"])
        HistoriqueFacture.ajouter(
            objet=locked, acting_user=acting_user, role=FOURNISSEUR, statut_precedent=S.REJETEE, statut=S.REJETEE,
            commentaire="Rejet traité",
        )  # fmt: skip
    facture.rejet_traite = True
    return facture


# --- Drafts not forgotten --------------------------------------------------------------------------------------

DELAI_RELANCE_BROUILLON = timezone.timedelta(days=3)


def relancer_brouillons(*, maintenant=None) -> int:
    """One reminder e-mail for each draft untouched for 3 days; the Synthèse then flags it."""
    maintenant = maintenant or timezone.now()
    relances = 0
    brouillons = Facture.objects.filter(
        statut=S.BROUILLON, relance_brouillon_le__isnull=True, updated_at__lte=maintenant - DELAI_RELANCE_BROUILLON
    ).select_related("created_by")
    for facture in brouillons.iterator():
        with transaction.atomic():
            # update() keeps updated_at: the draft stays « untouched » for the user.
            if not Facture.objects.filter(pk=facture.pk, relance_brouillon_le__isnull=True).update(
                relance_brouillon_le=maintenant
            ):
                continue
            envoyer_email(
                destinataires=[facture.created_by.email],
                sujet="Chorus Pro - Brouillon de facture non envoyé",
                corps=(
                    f"Bonjour,\n\nLe brouillon de facture {facture.numero or '(sans numéro)'} n'a pas été modifié "
                    "depuis 3 jours et n'est pas envoyé. Retrouvez-le dans la Synthèse de l'espace Factures émises."
                ),
            )
            relances += 1
    return relances


# --- Deposits ------------------------------------------------------------------------------------------------


class DoublonDepot(ValidationError):
    """The same file (or the same supplier and number) was already deposited: answered with that invoice."""

    def __init__(self, message: str, facture: Facture):
        super().__init__(message)
        self.facture = facture


def doublon_fichier(contenu: bytes) -> Facture | None:
    return (
        Facture.objects.filter(fichier_sha256=hashlib.sha256(contenu).hexdigest())
        .exclude(statut__in=[S.BROUILLON, S.ABANDONNEE])
        .first()
    )


# --- Attachments (limits as Chorus Pro) ----------------------------------------------------------------------

EXTENSIONS_PIECES = {
    ".pdf", ".xml", ".zip", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".csv",
    ".txt", ".p7s",
}  # fmt: skip
SIGNATURES_FICHIERS = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".zip": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
}
TAILLE_MAX_PIECE = 10 * 1024 * 1024
TAILLE_MAX_FACTURE = 120 * 1024 * 1024


def ajouter_piece_jointe(*, acting_user, facture: Facture, type_piece: str, designation: str, nom: str,
                         contenu: bytes):  # fmt: skip
    """An attachment on a draft or on a suspended invoice; the file's content must match its extension."""
    exiger_emission(acting_user, facture.fournisseur)
    if facture.statut not in (S.BROUILLON, S.SUSPENDUE):
        raise ValidationError(
            "Des pièces jointes ne peuvent être ajoutées qu'à un brouillon ou à une facture suspendue."
        )
    erreurs = {}
    extension = PurePath(nom).suffix.lower()
    if len(nom) > 50:
        erreurs["fichier"] = "Le nom du fichier ne doit pas dépasser 50 caractères, extension comprise."
    elif extension not in EXTENSIONS_PIECES:
        erreurs["fichier"] = (
            f"Extension non autorisée ({extension or 'aucune'}) : {', '.join(sorted(EXTENSIONS_PIECES))}."
        )
    elif not contenu:
        erreurs["fichier"] = "Le fichier est vide."
    elif len(contenu) > TAILLE_MAX_PIECE:
        erreurs["fichier"] = "Une pièce jointe ne doit pas dépasser 10 Mo."
    elif extension in SIGNATURES_FICHIERS and not contenu.startswith(SIGNATURES_FICHIERS[extension]):
        erreurs["fichier"] = f"Le contenu du fichier ne correspond pas à son extension {extension}."
    if not (designation or "").strip():
        erreurs["designation"] = "La désignation est obligatoire."
    elif len(designation) > 50:
        erreurs["designation"] = "La désignation ne doit pas dépasser 50 caractères."
    if not erreurs:
        deja = sum(facture.pieces_jointes.values_list("taille", flat=True)) + (
            facture.fichier.size if facture.fichier else 0
        )
        if deja + len(contenu) > TAILLE_MAX_FACTURE:
            erreurs["fichier"] = "La facture et ses pièces jointes ne doivent pas dépasser 120 Mo au total."
    if erreurs:
        raise ValidationError(erreurs)
    piece = PieceJointe(
        facture=facture, type_piece=type_piece, designation=designation.strip(), taille=len(contenu),
        sha256=hashlib.sha256(contenu).hexdigest(),
        type_contenu=SIGNATURES_TYPES.get(extension, "application/octet-stream"),
    )  # fmt: skip
    piece.fichier.save(nom, ContentFile(contenu), save=False)
    piece.save()
    return piece


SIGNATURES_TYPES = {
    ".pdf": "application/pdf", ".xml": "application/xml", ".zip": "application/zip", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".png": "image/png", ".csv": "text/csv", ".txt": "text/plain",
}  # fmt: skip


AGE_DEPOT_ABANDONNE = timezone.timedelta(days=1)


def purger_depots_abandonnes(*, age=AGE_DEPOT_ABANDONNE) -> int:
    """Delete the temporary files of deposits the user never saved (the session that held them has expired)."""
    try:
        _dossiers, fichiers = default_storage.listdir("depots/attente")
    except FileNotFoundError:
        return 0
    limite = timezone.now() - age
    supprimes = 0
    for nom in fichiers:
        chemin = f"depots/attente/{nom}"
        if default_storage.get_modified_time(chemin) < limite:
            default_storage.delete(chemin)
            supprimes += 1
    return supprimes
