"""Drafts: « Enregistrer » (a saisie's amounts computed by ``montants``, a deposited document's kept as they are),
the cadre and bank details of a deposited draft, and the reminder of forgotten drafts."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chorus.messagerie import notifier
from facturation import montants
from facturation.donnees import Ajustement
from facturation.enums import ModeDepot, StatutFacture, TypeTva
from facturation.models import AjustementDocument, Facture, LignePoste, RecapitulatifTVA
from facturation.services.circuit import exiger_emission
from facturation.services.controles import erreur_numero


@dataclass
class Brouillon:
    """A draft's rows as they are written: the invoice and its lines, VAT breakdown and document allowances and
    charges (the lines and breakdowns name the invoice object, so they can be built before it has its id)."""

    facture: Facture
    lignes: list[LignePoste]
    recapitulatif_tva: list[RecapitulatifTVA]
    ajustements: list[AjustementDocument]


def enregistrer(
    *,
    acting_user,
    donnees: dict,
    lignes: list[dict],
    facture: Facture | None = None,
    calcul=None,
    ajustements: list | None = None,
    emetteur_verifie: bool = False,
    numero_verifie: bool = False,
) -> Facture:
    """« Enregistrer »: create or update a draft (nothing is checked but the amounts). A saisie's amounts are
    computed from its lines (``montants.calculer``); a deposited document's come as ``calcul`` with its document
    level allowances and charges (``ajustements``: ``facturation.donnees.Ajustement``), kept as written.
    ``numero_verifie``: the deposit checked the number's form a moment ago (``envoi.controler_doublons``)."""
    fournisseur = donnees["fournisseur"]
    if not emetteur_verifie:  # a payable works piece: the works chain checked its depositor (``envoi``)
        # Issuing is scoped to the user's services when they are attached at service level only: the draft as it
        # will be, and the draft as it is (a colleague's draft of another service is not theirs to take over).
        service = donnees["service_fournisseur"] if "service_fournisseur" in donnees else None
        if "service_fournisseur" not in donnees and facture is not None:
            service = facture.service_fournisseur
        exiger_emission(acting_user, fournisseur, service=service)
        if facture is not None:
            exiger_emission(acting_user, facture.fournisseur, service=facture.service_fournisseur)
    if facture is None:
        brouillon = nouveau_brouillon(
            acting_user=acting_user,
            donnees=donnees,
            lignes=lignes,
            calcul=calcul,
            ajustements=ajustements,
            numero_verifie=numero_verifie,
        )
        ecrire_nouveaux_brouillons([brouillon])
        return brouillon.facture
    calcul, ajustements = _montants(donnees, lignes, calcul, ajustements, numero_verifie=numero_verifie)
    with transaction.atomic():
        # Under the row's lock: a draft sent meanwhile (another tab, a parallel request) is never re-opened.
        facture = Facture.objects.select_for_update(of=("self",)).get(pk=facture.pk)
        if facture.statut != StatutFacture.BROUILLON:
            raise ValidationError("Seul un brouillon peut être modifié.")
        brouillon = _construire(facture, donnees, lignes, calcul, ajustements)
        # The status stays the locked row's (checked above): only the transition engine writes it.
        facture.save(update_fields=[f.name for f in Facture._meta.concrete_fields if f.name not in ("id", "statut")])
        # A draft saved again: its lines, VAT breakdown and allowances are replaced.
        for relation, objets in (
            (facture.lignes, brouillon.lignes),
            (facture.recapitulatif_tva, brouillon.recapitulatif_tva),
            (facture.ajustements, brouillon.ajustements),
        ):
            relation.all().delete()
            relation.model.objects.bulk_create(objets)
    return facture


def nouveau_brouillon(
    *,
    acting_user,
    donnees: dict,
    lignes: list[dict],
    calcul=None,
    ajustements: list | None = None,
    numero_verifie: bool = False,
) -> Brouillon:
    """A new draft's rows, built and not written (``ecrire_nouveaux_brouillons`` writes them): what « Enregistrer »
    creates, and what a flux's chunk creates for each of its invoices before writing them all at once."""
    calcul, ajustements = _montants(donnees, lignes, calcul, ajustements, numero_verifie=numero_verifie)
    facture = Facture(created_by=acting_user, mode_depot=donnees.get("mode_depot", ModeDepot.SAISIE))
    return _construire(facture, donnees, lignes, calcul, ajustements)


# A statement carries at most 65,535 parameters (PostgreSQL's protocol): rows are inserted by batches under that.
PARAMETRES_PAR_INSERTION = 30_000


def ecrire_nouveaux_brouillons(brouillons: list[Brouillon]) -> None:
    """Insert new drafts with their lines, VAT breakdowns and allowances: one INSERT per table (by batches for a
    big chunk), whether one draft or a flux's chunk: all or nothing."""
    with transaction.atomic():
        for modele, objets in (
            (Facture, [b.facture for b in brouillons]),
            # Inserted after the invoices, whose ids they take then (``bulk_create`` reads each row's invoice).
            (LignePoste, [ligne for b in brouillons for ligne in b.lignes]),
            (RecapitulatifTVA, [tva for b in brouillons for tva in b.recapitulatif_tva]),
            (AjustementDocument, [a for b in brouillons for a in b.ajustements]),
        ):
            if objets:
                par_lot = max(1, PARAMETRES_PAR_INSERTION // len(modele._meta.concrete_fields))
                modele.objects.bulk_create(objets, batch_size=par_lot)


def _montants(donnees: dict, lignes: list[dict], calcul, ajustements, *, numero_verifie: bool = False) -> tuple:
    """The draft's amounts: a deposited document's own (``calcul``), or the saisie's computed from its lines."""
    numero = "" if numero_verifie else donnees.get("numero") or ""
    if numero and (erreur := erreur_numero(numero)):
        raise ValidationError({"numero": erreur})  # a draft never holds a number Chorus Pro refuses
    if calcul is None:
        calcul = montants.calculer(lignes, remise_globale_ttc=donnees.get("remise_globale_ttc") or 0)
        ajustements = _remises_de_la_saisie(donnees, calcul)
    return calcul, ajustements


def _construire(facture: Facture, donnees: dict, lignes: list[dict], calcul, ajustements) -> Brouillon:
    """The one place a draft's fields and rows are built from its data and amounts, for one draft or many."""
    for champ, valeur in donnees.items():
        if champ not in ("mode_depot", "statut"):
            setattr(facture, champ, valeur)
    _appliquer_calcul(facture, calcul)
    facture.relance_brouillon_le = None
    return Brouillon(
        facture=facture,
        lignes=[
            LignePoste(
                facture=facture,
                ordre=i,
                reference=(ligne.get("reference") or "")[:50],
                denomination=(ligne.get("denomination") or "Ligne")[:250],
                unite=(ligne.get("unite") or "C62")[:20],
                quantite=c.quantite,
                prix_unitaire_ht=c.prix_unitaire_ht,
                remise_ht=c.remise_ht,
                taux_tva=c.taux_tva,
                montant_ht=c.montant_ht,
                montant_ttc=c.montant_ttc,
                charges_ht=c.charges_ht,
                quantite_base=c.quantite_base,
                categorie_tva=c.categorie_tva,
                ajustements=ligne.get("ajustements") or [],
            )
            for i, (ligne, c) in enumerate(zip(lignes, calcul.lignes, strict=True), start=1)
        ],
        recapitulatif_tva=[
            RecapitulatifTVA(
                facture=facture,
                **{champ: getattr(t, champ) for champ in _RECAPITULATIF_TVA},
                motif_exoneration=t.motif_exoneration[:250],
                code_motif_exoneration=t.code_motif_exoneration[:30],
            )
            for t in calcul.tva
        ],
        ajustements=[
            AjustementDocument(
                facture=facture,
                ordre=i,
                charge=a.charge,
                montant=a.montant,
                base=a.base,
                pourcentage=a.pourcentage,
                motif=(a.motif or "")[:250],
                code_motif=(a.code_motif or "")[:10],
                categorie_tva=a.categorie_tva,
                taux_tva=a.taux_tva,
            )
            for i, a in enumerate(ajustements or [], start=1)
        ],
    )


# What the VAT recap keeps of each computed VAT line (``montants``) as it is; the reasons are cut to their columns.
_RECAPITULATIF_TVA = ("taux", "base_ht", "remise_globale_ht", "montant_tva", "categorie")


def completer_brouillon_depose(
    *, acting_user, facture: Facture, cadre: str, valideur, coordonnees_bancaires
) -> Facture:
    """A draft made of a structured document: only the cadre, the valideur and the bank details change (the rest
    is the document's)."""
    exiger_emission(acting_user, facture.fournisseur, service=facture.service_fournisseur)
    if coordonnees_bancaires is not None and coordonnees_bancaires.structure_id != facture.fournisseur_id:
        raise ValidationError({"coordonnees_bancaires": "Ces coordonnées bancaires ne sont pas celles du fournisseur."})
    with transaction.atomic():
        verrouillee = Facture.objects.select_for_update(of=("self",)).get(pk=facture.pk)
        if verrouillee.statut != StatutFacture.BROUILLON:
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
            charge=False,
            montant=t.remise_globale_ht,
            motif=(donnees.get("motif_remise_globale") or "Remise globale"),
            categorie_tva=categorie or ("S" if t.taux > 0 else "Z"),
            taux_tva=t.taux,
        )
        for t in calcul.tva
        if t.remise_globale_ht
    ]


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


# --- Drafts not forgotten --------------------------------------------------------------------------------------

DELAI_RELANCE_BROUILLON = timezone.timedelta(days=3)


def relancer_brouillons(*, maintenant=None) -> int:
    """One reminder e-mail for each draft untouched for 3 days; the Synthèse then flags it."""
    maintenant = maintenant or timezone.now()
    relances = 0
    brouillons = Facture.objects.filter(
        statut=StatutFacture.BROUILLON,
        relance_brouillon_le__isnull=True,
        updated_at__lte=maintenant - DELAI_RELANCE_BROUILLON,
    ).select_related("created_by")
    for facture in brouillons.iterator():
        with transaction.atomic():
            # update() keeps updated_at: the draft stays « untouched » for the user.
            if not Facture.objects.filter(pk=facture.pk, relance_brouillon_le__isnull=True).update(
                relance_brouillon_le=maintenant
            ):
                continue
            notifier(
                [facture.created_by],
                evenement="FACTURE_BROUILLON",
                sujet="Chorus Pro - Brouillon de facture non envoyé",
                corps=(
                    f"Bonjour,\n\nLe brouillon de facture {facture.numero or '(sans numéro)'} n'a pas été modifié "
                    "depuis 3 jours et n'est pas envoyé. Retrouvez-le dans la Synthèse de l'espace Factures émises."
                ),
            )
            relances += 1
    return relances
