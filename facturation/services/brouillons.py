"""Drafts: « Enregistrer » (a saisie's amounts computed by ``montants``, a deposited document's kept as they are),
the cadre and bank details of a deposited draft, and the reminder of forgotten drafts."""

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


def enregistrer(
    *,
    acting_user,
    donnees: dict,
    lignes: list[dict],
    facture: Facture | None = None,
    calcul=None,
    ajustements: list | None = None,
    emetteur_verifie: bool = False,
) -> Facture:
    """« Enregistrer »: create or update a draft (nothing is checked but the amounts). A saisie's amounts are
    computed from its lines (``montants.calculer``); a deposited document's come as ``calcul`` with its document
    level allowances and charges (``ajustements``: ``facturation.donnees.Ajustement``), kept as written."""
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
    if (numero := donnees.get("numero") or "") and (erreur := erreur_numero(numero)):
        raise ValidationError({"numero": erreur})  # a draft never holds a number Chorus Pro refuses
    if calcul is None:
        calcul = montants.calculer(lignes, remise_globale_ttc=donnees.get("remise_globale_ttc") or 0)
        ajustements = _remises_de_la_saisie(donnees, calcul)
    creation = facture is None  # a new draft has no lines, VAT breakdown nor allowances to replace
    with transaction.atomic():
        if facture is None:
            facture = Facture(created_by=acting_user, mode_depot=donnees.get("mode_depot", ModeDepot.SAISIE))
        else:
            # Under the row's lock: a draft sent meanwhile (another tab, a parallel request) is never re-opened.
            facture = Facture.objects.select_for_update(of=("self",)).get(pk=facture.pk)
            if facture.statut != StatutFacture.BROUILLON:
                raise ValidationError("Seul un brouillon peut être modifié.")
        for champ, valeur in donnees.items():
            if champ not in ("mode_depot", "statut"):
                setattr(facture, champ, valeur)
        _appliquer_calcul(facture, calcul)
        facture.relance_brouillon_le = None
        if facture.pk is None:
            facture.save()
        else:  # the status stays the locked row's (checked above): only the transition engine writes it
            facture.save(
                update_fields=[f.name for f in Facture._meta.concrete_fields if f.name not in ("id", "statut")]
            )
        _remplacer(
            facture.lignes,
            [
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
            creation=creation,
        )
        _remplacer(
            facture.recapitulatif_tva,
            [
                RecapitulatifTVA(
                    facture=facture,
                    **{champ: getattr(t, champ) for champ in _RECAPITULATIF_TVA},
                    motif_exoneration=t.motif_exoneration[:250],
                    code_motif_exoneration=t.code_motif_exoneration[:30],
                )
                for t in calcul.tva
            ],
            creation=creation,
        )
        _remplacer(
            facture.ajustements,
            [
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
            creation=creation,
        )
    return facture


# What the VAT recap keeps of each computed VAT line (``montants``) as it is; the reasons are cut to their columns.
_RECAPITULATIF_TVA = ("taux", "base_ht", "remise_globale_ht", "montant_tva", "categorie")


def _remplacer(relation, objets: list, *, creation: bool) -> None:
    """The invoice's rows of ``relation`` (its lines, VAT recap, document allowances and charges) become ``objets``:
    a draft saved again replaces them all, a new one has none yet."""
    if not creation:
        relation.all().delete()
    relation.model.objects.bulk_create(objets)


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
