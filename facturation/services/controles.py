"""The checks before sending: the recipient's routing rules, the portal's rules on a draft, duplicates."""

import hashlib
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone

from facturation.enums import CADRES_AVEC_VALIDEUR, ModeDepot, ModePaiement, StatutFacture, TypeFacture, TypeTva
from facturation.models import Facture
from organisation import queries as org_queries
from organisation.enums import StatutStructure


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


NUMERO_MAX = 20  # Chorus Pro: an invoice number has 20 characters at most
# Characters an invoice number may not hold: line breaks and other control or invisible characters (they break
# the e-mails and the download headers that carry the number), and the quotes, angle brackets and backslash.
_INTERDITS_NUMERO = set('"<>\\')


def erreur_numero(numero: str, *, libelle: str = "Le numéro de facture") -> str | None:
    """The one check of an invoice number's form (saisie, dépôt, API): a French message, or ``None``."""
    if not numero.strip():
        return f"{libelle} est obligatoire."
    if len(numero) > NUMERO_MAX:
        return f"{libelle} dépasse {NUMERO_MAX} caractères."
    if any(unicodedata.category(c).startswith(("C", "Z")) and c != " " or c in _INTERDITS_NUMERO for c in numero):
        return (
            f"{libelle} contient un caractère non autorisé : ni retour à la ligne, ni caractère de "
            'contrôle, ni « " », « < », « > » ou « \\ ».'
        )
    return None


def verifier_avant_envoi(
    facture: Facture, *, lignes: int | None = None, numero_verifie: bool = False, numero_controle: bool = False
) -> dict[str, str]:
    """The portal's checks before sending, each refusal a French message keyed by the form field. A draft that is
    not written yet (a flux's chunk checks all its invoices, then writes them at once) comes with its number of
    ``lignes``; ``numero_verifie``: the deposit checked the form of a non-empty number a moment ago
    (``envoi.controler_doublons``; an empty number is still refused here); ``numero_controle``: the number was just
    checked unused by that duplicate check, which the database's unique index backs."""
    erreurs = verifier_acheminement(facture)
    if not (numero_verifie and facture.numero) and (erreur := erreur_numero(facture.numero)):
        erreurs["numero"] = erreur
    elif not numero_controle and (
        Facture.objects.filter(fournisseur=facture.fournisseur, numero=facture.numero)
        .exclude(statut__in=[StatutFacture.BROUILLON, StatutFacture.ABANDONNEE])
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
    # A works piece is deposited by the MOA or the MOE, who do not hold the titulaire's bank details (seed 001 shows
    # « Références bancaires : » empty on an A19): the contract's are used by the service financier.
    travaux = facture.type_demande_paiement == Facture.TypeDemandePaiement.FACTURE_TRAVAUX
    if facture.mode_paiement == ModePaiement.VIREMENT and facture.type_facture == TypeFacture.FACTURE and not travaux:
        coord = facture.coordonnees_bancaires
        if coord is None or coord.structure_id != facture.fournisseur_id or not coord.active:
            erreurs["coordonnees_bancaires"] = "Choisissez les coordonnées bancaires actives de votre structure."
    if facture.mode_depot == ModeDepot.SAISIE and not org_queries.mandat_facturation_actif(facture.fournisseur):
        erreurs["fournisseur"] = "La saisie de factures exige le mandat de facturation de votre structure."
    sans_lignes = (facture.analyse_depot or {}).get("avec_lignes") is False  # Factur-X MINIMUM / BASIC WL
    if not sans_lignes and not (facture.lignes.exists() if lignes is None else lignes):
        erreurs["lignes"] = "La facture doit comporter au moins une ligne."
    return erreurs


MESSAGE_VALIDEUR_FOURNISSEUR = "Le valideur ne peut pas être votre propre structure."
MESSAGE_VALIDEUR_RATTACHE = (
    "Le valideur ne peut pas être une structure à laquelle vous êtes rattaché : "
    "une facture ne peut pas être validée par son propre émetteur."
)


def verifier_valideur(facture: Facture, acting_user) -> dict[str, str]:
    """A9/A12: the valideur (titulaire or mandataire) checks someone else's invoice. Self-approval is refused here,
    in the services, whatever the channel (saisie, deposit, API, flux): the valideur may be neither the supplier
    nor a structure the depositor is attached to."""
    if facture.valideur_id is None:
        return {}
    if facture.valideur_id == facture.fournisseur_id:
        return {"valideur": MESSAGE_VALIDEUR_FOURNISSEUR}
    if acting_user is not None and org_queries.structures_de(acting_user).filter(pk=facture.valideur_id).exists():
        return {"valideur": MESSAGE_VALIDEUR_RATTACHE}
    return {}


# --- Deposits ------------------------------------------------------------------------------------------------


class DoublonDepot(ValidationError):
    """The same file (or the same supplier and number) was already deposited: answered with that invoice."""

    def __init__(self, message: str, facture: Facture):
        super().__init__(message)
        self.facture = facture


def doublon_fichier(contenu: bytes) -> Facture | None:
    return (
        Facture.objects.filter(fichier_sha256=hashlib.sha256(contenu).hexdigest())
        .exclude(statut__in=[StatutFacture.BROUILLON, StatutFacture.ABANDONNEE])
        .first()
    )
