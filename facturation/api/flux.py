"""Processing a deposited flux: one invoice file or a ``.tar.gz`` of files of one syntax (read by
``facturation.lots``), each sent through the portal's one deposit pipeline (``facturation.services.envoi``: the
document's own rules, seller, routing, duplicates, its own amounts, certificate and sending). Each invoice stands
alone: an error, whatever it is, is reported against its number (BT-1, ``numeroDP``) and the flux is integrated,
partially or not at all.

A flux never hangs and never lies: a worker takes it under a row lock (two workers never process one flux), shows it
is alive after each file, links each invoice to the flux as soon as it is created and records the file it came from
(``membres_traites``); a flux left unfinished (worker killed, database gone) is taken up again by a beat task and
resumes where it stopped, and after ``MAX_TENTATIVES`` attempts it ends with a technical error. Its final state is
always IN_INTEGRE, IN_INTEGRE_PARTIEL or IN_REJETE."""

import hashlib
import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from facturation import depot, lots
from facturation.models import FluxDepot
from facturation.services import envoi

logger = logging.getLogger(__name__)

SYNTAXES = {
    "IN_DP_E1_UBL_INVOICE": {"UBL_INVOICE", "UBL_CREDITNOTE"},
    "IN_DP_E1_CII_16B": {"CII"},
    "IN_DP_E2_CII_FACTURX": {"FACTURX"},
}
# A worker shows it is alive after each file (one file takes seconds): silent this long, it is taken for dead.
DELAI_BLOCAGE = timedelta(minutes=10)
MAX_TENTATIVES = 3
Etat = FluxDepot.Etat
FINAUX = (Etat.INTEGRE, Etat.INTEGRE_PARTIEL, Etat.REJETE)
ERREUR_TECHNIQUE_FICHIER = (
    "Erreur technique lors du traitement de ce fichier : il n'a pas été intégré. Vérifiez-le puis déposez-le à "
    "nouveau ; si l'erreur persiste, contactez le support de Chorus Pro."
)


class TraitementRepris(Exception):
    """This worker was taken for dead and another one took the flux over: it stops without writing anything."""


def _integrer(flux: FluxDepot, nom: str, contenu: bytes):
    """One invoice file through the portal's deposit pipeline; returns (number, invoice sent) or raises
    ValidationError (French) carrying the document's number when it was read."""
    facture = envoi.deposer_et_envoyer(
        canal=envoi.Canal.FLUX,
        acting_user=flux.deposant,
        fournisseur=flux.structure,
        contenu=contenu,
        nom_fichier=nom,
        formats=SYNTAXES[flux.syntaxe],
    )
    return facture.numero, facture


def traiter(flux: FluxDepot) -> FluxDepot:
    """Process the flux if it is waiting (or was left unfinished); a flux already final, or being processed by a
    live worker, is returned as it is."""
    tentative = _prendre(flux)
    if tentative is None:
        flux.refresh_from_db()
        return flux
    flux.refresh_from_db(fields=["etat", "etat_le", "tentatives", "traitement_vu_le", "membres_traites"])
    try:
        integrees, erreurs, erreurs_techniques = _traiter_fichiers(flux, tentative)
        _conclure(flux, tentative, integrees, erreurs, erreurs_techniques)
    except TraitementRepris:
        logger.warning("Flux %s : repris par un autre worker (tentative %s abandonnée)", flux.numero, tentative)
    except Exception:
        # The flux stays « en cours »: the beat task takes it up again after DELAI_BLOCAGE, and the last attempt
        # closes it here at once.
        logger.exception("Flux %s : échec de la tentative %s", flux.numero, tentative)
        if tentative >= MAX_TENTATIVES:
            with transaction.atomic():
                courant = FluxDepot.objects.select_for_update().get(pk=flux.pk)
                if courant.etat == Etat.EN_COURS and courant.tentatives == tentative:
                    _abandonner(courant)
    flux.refresh_from_db()
    return flux


def flux_bloques():
    """Flux whose processing never started or stopped without a word for DELAI_BLOCAGE (the beat task's list)."""
    limite = timezone.now() - DELAI_BLOCAGE
    en_cours_muet = Q(traitement_vu_le__lt=limite) | Q(traitement_vu_le__isnull=True, etat_le__lt=limite)
    return FluxDepot.objects.filter(Q(etat=Etat.RECU, etat_le__lt=limite) | (Q(etat=Etat.EN_COURS) & en_cours_muet))


def _prendre(flux: FluxDepot) -> int | None:
    """Take the flux for one attempt under its row lock; the attempt's number then proves this worker still owns it.
    A flux that has used up its attempts is closed instead."""
    maintenant = timezone.now()
    with transaction.atomic():
        courant = FluxDepot.objects.select_for_update().get(pk=flux.pk)
        if courant.etat == Etat.RECU:
            courant.etat_le = maintenant
        elif courant.etat != Etat.EN_COURS or not _muet(courant, maintenant):
            return None  # final, or a live worker has it
        if courant.tentatives >= MAX_TENTATIVES:
            _abandonner(courant)
            return None
        courant.etat, courant.traitement_vu_le = Etat.EN_COURS, maintenant
        courant.tentatives += 1
        courant.save(update_fields=["etat", "etat_le", "traitement_vu_le", "tentatives"])
    return courant.tentatives


def _muet(flux: FluxDepot, maintenant) -> bool:
    return (flux.traitement_vu_le or flux.etat_le) < maintenant - DELAI_BLOCAGE


def _traiter_fichiers(flux: FluxDepot, tentative: int) -> tuple[int, list, list]:
    with flux.fichier.open("rb") as f:
        brut = f.read()
    try:
        membres = lots.lire_lot(brut, flux.nom_fichier)
    except ValidationError as exc:
        erreur = {"codeErreur": "FLUX_ILLISIBLE", "libelleErreur": " ".join(exc.messages), "natureErreur": "FLUX"}
        return 0, [], [erreur]
    del brut
    # Files integrated by an earlier attempt count as integrated (their invoice is still linked to the flux).
    liees = set(flux.factures.values_list("pk", flat=True))
    deja = {sha: pk for sha, pk in flux.membres_traites.items() if pk in liees}
    vus: dict[str, str] = {}
    integrees, erreurs = 0, []
    for membre in membres:
        if membre.erreur:
            erreurs.append(_erreur_dp(flux, membre.nom, membre.erreur))
            _signe_de_vie(flux, tentative)
            continue
        sha = hashlib.sha256(membre.contenu).hexdigest()
        if sha in vus:
            message = f"Ce fichier figure deux fois dans le lot (même contenu que « {vus[sha]} ») : il est ignoré."
            erreurs.append(_erreur_dp(flux, membre.nom, message, membre.contenu))
            _signe_de_vie(flux, tentative)
            continue
        vus[sha] = membre.nom
        if sha in deja:
            integrees += 1
            continue
        try:
            # The invoice and its link to the flux commit together: a crash never leaves an invoice that the next
            # attempt would take for a duplicate.
            with transaction.atomic():
                _, facture = _integrer(flux, membre.nom, membre.contenu)
                vivant = _lier(flux, tentative, sha, facture)
        except ValidationError as exc:
            erreurs.append(_erreur_dp(flux, membre.nom, " ".join(exc.messages), membre.contenu))
        except Exception:
            # Whatever broke (a parser, a bug), only this file fails; the details stay in the logs.
            logger.exception("Flux %s : le fichier %s a fait échouer son intégration", flux.numero, membre.nom)
            erreurs.append(_erreur_dp(flux, membre.nom, ERREUR_TECHNIQUE_FICHIER, membre.contenu))
        else:
            if not vivant:
                raise TraitementRepris
            integrees += 1
            continue
        _signe_de_vie(flux, tentative)
    return integrees, erreurs, []


def _lier(flux: FluxDepot, tentative: int, sha: str, facture) -> bool:
    """Link the invoice just created to the flux and record its file, inside the invoice's own transaction.
    Returns whether this worker still owns the flux."""
    with transaction.atomic():
        courant = FluxDepot.objects.select_for_update().get(pk=flux.pk)
        flux.factures.add(facture)
        courant.membres_traites[sha] = facture.pk
        # The invoice is this flux's even if another worker took over: only the proof of life depends on it.
        vivant = courant.etat == Etat.EN_COURS and courant.tentatives == tentative
        if vivant:
            courant.traitement_vu_le = timezone.now()
        courant.save(update_fields=["membres_traites", "traitement_vu_le"])
    flux.membres_traites = courant.membres_traites
    return vivant


def _signe_de_vie(flux: FluxDepot, tentative: int) -> None:
    vivant = FluxDepot.objects.filter(pk=flux.pk, etat=Etat.EN_COURS, tentatives=tentative).update(
        traitement_vu_le=timezone.now()
    )
    if not vivant:
        raise TraitementRepris


def _conclure(flux: FluxDepot, tentative: int, integrees: int, erreurs: list, erreurs_techniques: list) -> None:
    if integrees and (erreurs or erreurs_techniques):
        etat = Etat.INTEGRE_PARTIEL
    elif integrees:
        etat = Etat.INTEGRE
    else:
        etat = Etat.REJETE
    maintenant = timezone.now()
    fini = FluxDepot.objects.filter(pk=flux.pk, etat=Etat.EN_COURS, tentatives=tentative).update(
        etat=etat,
        erreurs_dp=erreurs,
        erreurs_techniques=erreurs_techniques,
        etat_le=maintenant,
        traitement_vu_le=maintenant,
    )
    if not fini:
        raise TraitementRepris


def _abandonner(courant: FluxDepot) -> None:
    """Close a flux whose attempts all failed (called under its row lock). Invoices already integrated stay: the
    flux is then partially integrated, never « rejeté » with invoices sent."""
    integrees = courant.factures.count()
    if integrees:
        courant.etat = Etat.INTEGRE_PARTIEL
        message = (
            f"Le traitement du flux a échoué {courant.tentatives} fois (erreur technique) : {integrees} facture(s) "
            "intégrée(s), les autres fichiers n'ont pas été traités. Déposez-les à nouveau dans un nouveau flux."
        )
    else:
        courant.etat = Etat.REJETE
        message = (
            f"Le traitement du flux a échoué {courant.tentatives} fois (erreur technique) : aucune facture n'a été "
            "intégrée. Déposez le flux à nouveau ; si l'erreur persiste, contactez le support de Chorus Pro."
        )
    courant.erreurs_techniques = [
        {"codeErreur": "FLUX_ECHEC_TECHNIQUE", "libelleErreur": message, "natureErreur": "FLUX"}
    ]
    courant.etat_le = courant.traitement_vu_le = timezone.now()
    courant.save(update_fields=["etat", "erreurs_techniques", "etat_le", "traitement_vu_le"])


def _erreur_dp(flux: FluxDepot, nom: str, message: str, contenu: bytes = b"") -> dict:
    numero, acheteur = _identite(contenu) if contenu else ("", "")
    return {
        "numeroDP": numero or nom[:255],
        "libelleErreurDP": message,
        "identifiantFournisseur": flux.structure.identifiant,
        "identifiantDestinataire": acheteur,
    }


def _identite(contenu: bytes) -> tuple[str, str]:
    """The invoice's number and buyer as far as the file can be read; an unreadable file has neither."""
    try:
        donnees = depot.analyser(contenu).donnees
        return (donnees.numero or "")[:20], donnees.destinataire.siret or ""
    except Exception:
        logger.info("Numéro de facture illisible dans un fichier de flux", exc_info=True)
        return "", ""
