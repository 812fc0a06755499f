"""Processing a deposited flux: one invoice file or a ``.tar.gz`` of files of one syntax (read by
``facturation.lots``), each sent through the portal's one deposit pipeline (``facturation.services.envoi``: the
document's own rules, seller, routing, duplicates, its own amounts, certificate and sending), a chunk at a time
(``envoi.deposer_et_envoyer_lot``: every file of the chunk analysed, then the good ones written together). Each
invoice stands alone: an error, whatever it is, is reported against its number (BT-1, ``numeroDP``) and the flux is
integrated, partially or not at all.

A lot is split into chunks (``TAILLE_TRANCHE`` files) that Celery workers run in parallel (``traiter_tranche``); the
flux row counts the chunks that ended (``tranches_finies``, updated under its row lock, a redelivered chunk counted
once) and the chunk that ends last sets the flux's final state, in the same transaction as the lot's grouped
notifications (``circuit.notifier_lot``: one message per user per lot), so both happen exactly once.

A flux never hangs and never lies: a worker takes it under a row lock (two workers never process one flux), chunks
show it is alive as they go, a chunk's invoices are linked to the flux in the transaction that writes them (a file
whose invoice is linked is never integrated again); a flux left unfinished (worker killed, database gone) is taken
up again by a beat task and resumes where it stopped (a new attempt: chunks of the old one stop at once), and after
``MAX_TENTATIVES`` attempts it ends with a technical error. Its final state is always IN_INTEGRE, IN_INTEGRE_PARTIEL
or IN_REJETE."""

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from facturation import depot, lots
from facturation.models import Facture, FluxDepot
from facturation.services import circuit, envoi

logger = logging.getLogger(__name__)

SYNTAXES = {
    "IN_DP_E1_UBL_INVOICE": {"UBL_INVOICE", "UBL_CREDITNOTE"},
    "IN_DP_E1_CII_16B": {"CII"},
    "IN_DP_E2_CII_FACTURX": {"FACTURX"},
}
# A worker shows it is alive as it goes (at least every SIGNE_DE_VIE): silent this long, it is taken for dead.
DELAI_BLOCAGE = timedelta(minutes=10)
SIGNE_DE_VIE = 20.0  # seconds
MAX_TENTATIVES = 3
# Files per chunk: at least TAILLE_TRANCHE, so that a chunk's fixed costs (reading the lot, one message, the
# counter) stay small against its invoices, and at most MAX_TRANCHES chunks, since each chunk decompresses the lot
# up to its own last file (keeping only its own files) — a 10,000-file lot: 20 chunks of 500, not 100.
TAILLE_TRANCHE = 100
MAX_TRANCHES = 20
Etat = FluxDepot.Etat
FINAUX = (Etat.INTEGRE, Etat.INTEGRE_PARTIEL, Etat.REJETE)
ERREUR_TECHNIQUE_FICHIER = (
    "Erreur technique lors du traitement de ce fichier : il n'a pas été intégré. Vérifiez-le puis déposez-le à "
    "nouveau ; si l'erreur persiste, contactez le support de Chorus Pro."
)
Planifier = Callable[[int, int, int, list[int]], object]


class TraitementRepris(envoi.LotInterrompu):
    """This worker was taken for dead and another one took the flux over: it stops without writing anything."""


def traiter(flux: FluxDepot, planifier: Planifier | None = None) -> FluxDepot:
    """Process the flux if it is waiting (or was left unfinished); a flux already final, or being processed by a
    live worker, is returned as it is. The lot is read and split into chunks; ``planifier(flux_id, tentative,
    index, indices)`` queues each chunk (a Celery task), or, without it or for a single chunk, they run here."""
    tentative = _prendre(flux)
    if tentative is None:
        flux.refresh_from_db()
        return flux
    flux.refresh_from_db(fields=["etat", "etat_le", "tentatives", "traitement_vu_le", "membres_traites"])
    try:
        tranches = _decouper(flux, tentative)
        if planifier is not None and len(tranches) > 1:
            for index, indices in enumerate(tranches):
                planifier(flux.pk, tentative, index, indices)
        else:
            for index, indices in enumerate(tranches):
                _traiter_tranche(flux, tentative, index, indices)
    except TraitementRepris:
        logger.warning("Flux %s : repris par un autre worker (tentative %s abandonnée)", flux.numero, tentative)
    except Exception:
        logger.exception("Flux %s : échec de la tentative %s", flux.numero, tentative)
        _echec(flux, tentative)
    flux.refresh_from_db()
    return flux


def traiter_tranche(flux: FluxDepot, tentative: int, index: int, indices: list[int]) -> None:
    """One chunk of the lot (a Celery task of its own): a chunk of an attempt that is no longer the flux's, or one
    already counted (a task delivered twice), does nothing."""
    try:
        _traiter_tranche(flux, tentative, index, indices)
    except TraitementRepris:
        logger.info("Flux %s : tranche %s de la tentative %s sans objet", flux.numero, index, tentative)
    except Exception:
        logger.exception("Flux %s : échec de la tranche %s de la tentative %s", flux.numero, index, tentative)
        _echec(flux, tentative)


def _echec(flux: FluxDepot, tentative: int) -> None:
    # The flux stays « en cours »: the beat task takes it up again after DELAI_BLOCAGE, and the last attempt
    # closes it here at once.
    if tentative >= MAX_TENTATIVES:
        with transaction.atomic():
            courant = FluxDepot.objects.select_for_update().get(pk=flux.pk)
            if courant.etat == Etat.EN_COURS and courant.tentatives == tentative:
                _abandonner(courant)


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


def _lire(flux: FluxDepot, indices: list[int] | None = None):
    """The lot's files as ``(position, Membre)``, one at a time (``lots.parcourir_lot``): only ``indices`` when
    given. The compressed lot is read from storage once; its files are never all held together."""
    with flux.fichier.open("rb") as f:
        contenu = f.read()
    return lots.parcourir_lot(contenu, flux.nom_fichier, indices)


def _decouper(flux: FluxDepot, tentative: int) -> list[list[int]]:
    """Read the lot once, report the files that cannot be integrated whatever happens (unreadable, twice in the
    lot), and split the others into chunks (lists of the files' positions in the lot). Only each file's digest is
    kept, never its content, so that the lot's size does not weigh on memory. An unreadable lot ends the flux at
    once."""
    vus: dict[str, str] = {}
    erreurs, a_traiter = [], []
    try:
        for i, membre in _lire(flux):
            if membre.erreur:
                erreurs.append([i, _erreur_dp(flux, membre.nom, membre.erreur)])
                continue
            sha = hashlib.sha256(membre.contenu).hexdigest()
            if sha in vus:
                message = f"Ce fichier figure deux fois dans le lot (même contenu que « {vus[sha]} ») : il est ignoré."
                erreurs.append([i, _erreur_dp(flux, membre.nom, message, membre.contenu)])
                continue
            vus[sha] = membre.nom
            a_traiter.append(i)
    except ValidationError as exc:
        erreur = {"codeErreur": "FLUX_ILLISIBLE", "libelleErreur": " ".join(exc.messages), "natureErreur": "FLUX"}
        _enregistrer_decoupage(flux, tentative, [], [], erreurs_techniques=[erreur])
        return []
    taille = max(TAILLE_TRANCHE, -(-len(a_traiter) // MAX_TRANCHES))
    tranches = [a_traiter[k : k + taille] for k in range(0, len(a_traiter), taille)]
    _enregistrer_decoupage(flux, tentative, tranches, erreurs)
    return tranches


def _enregistrer_decoupage(flux, tentative, tranches, erreurs, erreurs_techniques=()) -> None:
    with transaction.atomic():
        courant = _verrouiller(flux, tentative)
        courant.tranches, courant.tranches_finies, courant.erreurs_lot = len(tranches), [], erreurs
        courant.erreurs_techniques = list(erreurs_techniques)
        courant.traitement_vu_le = timezone.now()
        champs = ["tranches", "tranches_finies", "erreurs_lot", "erreurs_techniques", "traitement_vu_le"]
        if not tranches:
            champs += _conclure(courant)
        courant.save(update_fields=champs)


def _verrouiller(flux: FluxDepot, tentative: int) -> FluxDepot:
    courant = FluxDepot.objects.select_for_update().get(pk=flux.pk)
    if courant.etat != Etat.EN_COURS or courant.tentatives != tentative:
        raise TraitementRepris
    return courant


def _traiter_tranche(flux: FluxDepot, tentative: int, index: int, indices: list[int]) -> None:
    courant = FluxDepot.objects.get(pk=flux.pk)
    if courant.etat != Etat.EN_COURS or courant.tentatives != tentative:
        raise TraitementRepris
    if index in courant.tranches_finies:
        return
    # Only this chunk's files are extracted from the lot (and reading stops after the last of them).
    membres = dict(_lire(flux, indices))
    shas = {i: hashlib.sha256(m.contenu).hexdigest() for i, m in membres.items()}
    # Files integrated by an earlier attempt (or an earlier run of this chunk) count as integrated: their invoice is
    # linked to the flux, in the transaction that created it.
    deja = set(
        Facture.objects.filter(pk__in=_liees(flux), fichier_sha256__in=list(shas.values())).values_list(
            "fichier_sha256", flat=True
        )
    )
    fichiers = [
        envoi.FichierDuLot(cle=i, nom=membre.nom, contenu=membre.contenu)
        for i, membre in membres.items()
        if shas[i] not in deja
    ]
    vu_le = time.monotonic()

    def signe_de_vie() -> None:
        nonlocal vu_le
        if time.monotonic() - vu_le > SIGNE_DE_VIE:
            _signe_de_vie(flux, tentative)
            vu_le = time.monotonic()

    with circuit.notifications_du_lot():
        # Every file analysed, then the good ones written in one transaction with their links to the flux: a crash
        # leaves the whole chunk for the next attempt, never an invoice it would take for a duplicate.
        resultats = envoi.deposer_et_envoyer_lot(
            acting_user=flux.deposant,
            fournisseur=flux.structure,
            fichiers=fichiers,
            formats=SYNTAXES[flux.syntaxe],
            lier=lambda factures: _lier(flux, tentative, factures),
            signe_de_vie=signe_de_vie,
        )
    integrees, erreurs = {}, []
    for i, resultat in resultats.items():
        membre = membres[i]
        if isinstance(resultat, Facture):
            integrees[shas[i]] = resultat.pk
        elif isinstance(resultat, ValidationError):
            erreurs.append([i, _erreur_dp(flux, membre.nom, " ".join(resultat.messages), membre.contenu)])
        else:
            # Whatever broke (a parser, a bug), only this file fails; the details stay in the logs.
            logger.error(
                "Flux %s : le fichier %s a fait échouer son intégration", flux.numero, membre.nom, exc_info=resultat
            )
            erreurs.append([i, _erreur_dp(flux, membre.nom, ERREUR_TECHNIQUE_FICHIER, membre.contenu)])
    _finir_tranche(flux, tentative, index, erreurs, integrees)


def _lier(flux: FluxDepot, tentative: int, factures: list[Facture]) -> None:
    """Link the chunk's invoices to the flux, in the transaction that writes them. A worker taken for dead writes
    nothing: the check takes the flux row's lock and keeps it until this transaction commits, so a worker taking
    the flux over (``_prendre``) waits for the commit, then finds these invoices linked and does not write them
    again. (Chunks of one attempt queue on that lock only for their commits.)"""
    FluxDepot.factures.through.objects.bulk_create(
        [FluxDepot.factures.through(fluxdepot_id=flux.pk, facture_id=facture.pk) for facture in factures]
    )
    vivant = FluxDepot.objects.select_for_update(no_key=True).filter(
        pk=flux.pk, etat=Etat.EN_COURS, tentatives=tentative
    )
    if not list(vivant.values_list("pk", flat=True)):
        raise TraitementRepris


def _liees(flux: FluxDepot):
    return FluxDepot.factures.through.objects.filter(fluxdepot_id=flux.pk).values("facture_id")


def _finir_tranche(flux: FluxDepot, tentative: int, index: int, erreurs: list, integrees: dict) -> None:
    """Count the chunk on the flux row (under its lock, once even if the chunk ran twice); the last one concludes."""
    with transaction.atomic():
        courant = _verrouiller(flux, tentative)
        champs = ["tranches_finies", "erreurs_lot", "membres_traites", "traitement_vu_le"]
        if index not in courant.tranches_finies:
            courant.tranches_finies.append(index)
            courant.erreurs_lot.extend(erreurs)
            courant.membres_traites.update(integrees)
        courant.traitement_vu_le = timezone.now()
        if len(courant.tranches_finies) >= courant.tranches:
            champs += _conclure(courant)
        courant.save(update_fields=champs)
    flux.membres_traites = courant.membres_traites


def _signe_de_vie(flux: FluxDepot, tentative: int) -> None:
    vivant = FluxDepot.objects.filter(pk=flux.pk, etat=Etat.EN_COURS, tentatives=tentative).update(
        traitement_vu_le=timezone.now()
    )
    if not vivant:
        raise TraitementRepris


def _conclure(courant: FluxDepot) -> list[str]:
    """The flux's final state (called under its row lock, by whoever ends the last chunk), its errors in the lot's
    order, and the lot's notifications; returns the fields to save."""
    integrees = _notifier(courant)
    erreurs = [erreur for _, erreur in sorted(courant.erreurs_lot, key=lambda paire: paire[0])]
    if integrees and (erreurs or courant.erreurs_techniques):
        courant.etat = Etat.INTEGRE_PARTIEL
    elif integrees:
        courant.etat = Etat.INTEGRE
    else:
        courant.etat = Etat.REJETE
    courant.erreurs_dp, courant.erreurs_lot = erreurs, []
    courant.etat_le = courant.traitement_vu_le = timezone.now()
    return ["etat", "erreurs_dp", "erreurs_lot", "erreurs_techniques", "etat_le", "traitement_vu_le"]


def _notifier(courant: FluxDepot) -> int:
    """The lot's grouped notifications; returns how many invoices the flux integrated."""
    factures = list(
        Facture.objects.filter(pk__in=_liees(courant))
        .select_related("fournisseur", "destinataire")
        .only(
            "numero",
            "statut",
            "fournisseur",
            "destinataire",
            "fournisseur__raison_sociale",
            "fournisseur__emetteur_edi",
            "destinataire__recepteur_edi",
        )
        .order_by("numero", "pk")
    )
    circuit.notifier_lot(factures, numero_flux=courant.numero)
    return len(factures)


def _abandonner(courant: FluxDepot) -> None:
    """Close a flux whose attempts all failed (called under its row lock). Invoices already integrated stay (and are
    notified): the flux is then partially integrated, never « rejeté » with invoices sent."""
    integrees = _notifier(courant)
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
    """The invoice's number and buyer as far as the file can be read (its rules are not run: the file is refused
    already); an unreadable file has neither."""
    try:
        donnees = depot.lire_document(contenu).donnees
        return (donnees.numero or "")[:20], donnees.destinataire.siret or ""
    except Exception:
        logger.info("Numéro de facture illisible dans un fichier de flux", exc_info=True)
        return "", ""
