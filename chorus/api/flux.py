"""Processing a deposited flux: one invoice file or a ``.tar.gz`` of files of one syntax, each read by the
portal's deposit analysis (``facturation.depot``: UBL, CII, Factur-X), saved as a draft (``services.enregistrer`` +
``rattacher_depot``) then checked and sent as the saisie's « Valider et envoyer ». Each invoice stands alone: an
error is reported against its number (BT-1, ``numeroDP``) and the flux is integrated, partially or not at all."""

import hashlib
import io
import tarfile
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from chorus.api.models import FluxDepot
from facturation import depot, services
from facturation.enums import Cadre

SYNTAXES = {
    "IN_DP_E1_UBL_INVOICE": {"UBL_INVOICE", "UBL_CREDITNOTE"},
    "IN_DP_E1_CII_16B": {"CII"},
    "IN_DP_E2_CII_FACTURX": {"FACTURX"},
}
MAX_FICHIERS = 1000


def fichiers_du_flux(contenu: bytes, nom: str) -> list[tuple[str, bytes]]:
    """The files of a ``.tar.gz`` lot, or the file itself."""
    if contenu[:2] != b"\x1f\x8b" and not tarfile.is_tarfile(io.BytesIO(contenu)):
        return [(nom, contenu)]
    fichiers = []
    with tarfile.open(fileobj=io.BytesIO(contenu), mode="r:*") as archive:
        for membre in archive:
            if not membre.isfile():
                continue
            if len(fichiers) >= MAX_FICHIERS:
                raise ValidationError(f"Le lot dépasse {MAX_FICHIERS} fichiers.")
            if membre.size > depot.TAILLE_MAX:
                raise ValidationError(f"Le fichier {membre.name} dépasse la taille maximale de 10 Mo.")
            fichiers.append((membre.name.rsplit("/", 1)[-1], archive.extractfile(membre).read()))
    return fichiers


def _integrer(flux: FluxDepot, nom: str, contenu: bytes):
    """One invoice file; returns the invoice sent or raises ValidationError (French) with its number."""
    utilisateur, fournisseur = flux.compte.utilisateur, flux.structure
    analyse = depot.analyser(contenu)
    numero = (analyse.donnees.numero or "")[:20]
    if analyse.format not in SYNTAXES[flux.syntaxe]:
        raise ValidationError(f"Le fichier est au format {analyse.format}, pas celui du flux ({flux.syntaxe}).")
    if analyse.erreurs:
        raise ValidationError(
            "La facture ne respecte pas la norme EN 16931 : " + " ".join(e["message"] for e in analyse.erreurs[:10])
        )
    valeurs, lignes = depot.valeurs_facture(analyse, fournisseur=fournisseur)
    if not analyse.donnees.destinataire.siret or valeurs["destinataire"] is None:
        raise ValidationError("Le destinataire (SIRET de l'acheteur) est absent ou inconnu de Chorus Pro.")
    valeurs["cadre"] = Cadre.A1
    # Where the portal's deposits wait (an abandoned file there is purged by facturation's beat task).
    chemin = default_storage.save(f"depots/attente/{uuid.uuid4().hex}-{nom[-80:]}", ContentFile(contenu))
    with transaction.atomic():
        existante = services.doublon_fichier(contenu)
        if existante is not None:
            raise ValidationError(f"Ce fichier a déjà été déposé (facture n° {existante.numero}).")
        facture = services.enregistrer(acting_user=utilisateur, donnees=valeurs, lignes=lignes)
        declare = analyse.donnees.totaux.total_ttc
        if declare and declare != facture.montant_ttc:
            raise ValidationError(
                f"Le montant TTC recalculé à partir des lignes ({facture.montant_ttc}) diffère du montant TTC du "
                f"document ({declare})."
            )
        erreurs = services.verifier_avant_envoi(facture)  # before the file is stored with the draft
        if erreurs:
            raise ValidationError(erreurs)
        services.rattacher_depot(
            facture=facture,
            preparation={
                "fichier": chemin, "nom_fichier": nom, "sha256": hashlib.sha256(contenu).hexdigest(),
                "analyse": analyse.resume(), "valeurs": {"mode_depot": analyse.mode_depot},
            },
        )  # fmt: skip
        document, nom_document = services.document_a_envoyer(facture)
        services.valider_et_envoyer(
            acting_user=utilisateur, facture=facture, contenu=document, nom_fichier=nom_document
        )
    return numero, facture


def traiter(flux: FluxDepot) -> FluxDepot:
    flux.etat, flux.etat_le = FluxDepot.Etat.EN_COURS, timezone.now()
    flux.save(update_fields=["etat", "etat_le"])
    erreurs, erreurs_techniques, factures = [], [], []
    try:
        with flux.fichier.open("rb") as f:
            fichiers = fichiers_du_flux(f.read(), flux.nom_fichier)
    except (ValidationError, tarfile.TarError, OSError) as exc:
        fichiers = []
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else "Archive illisible."
        erreurs_techniques.append({"codeErreur": "FLUX_ILLISIBLE", "libelleErreur": message, "natureErreur": "FLUX"})
    for nom, contenu in fichiers:
        try:
            _, facture = _integrer(flux, nom, contenu)
            factures.append(facture)
        except ValidationError as exc:
            numero = _numero_de(contenu) or nom
            erreurs.append({
                "numeroDP": numero, "libelleErreurDP": " ".join(exc.messages),
                "identifiantFournisseur": flux.structure.identifiant, "identifiantDestinataire": _acheteur(contenu),
            })  # fmt: skip
    flux.factures.add(*factures)
    if factures and (erreurs or erreurs_techniques):
        flux.etat = FluxDepot.Etat.INTEGRE_PARTIEL
    elif factures:
        flux.etat = FluxDepot.Etat.INTEGRE
    else:
        flux.etat = FluxDepot.Etat.REJETE
    flux.erreurs_dp, flux.erreurs_techniques, flux.etat_le = erreurs, erreurs_techniques, timezone.now()
    flux.save(update_fields=["etat", "erreurs_dp", "erreurs_techniques", "etat_le"])
    return flux


def _lire(contenu: bytes):
    try:
        return depot.analyser(contenu).donnees
    except ValidationError:
        return None


def _numero_de(contenu: bytes) -> str:
    donnees = _lire(contenu)
    return (donnees.numero or "")[:20] if donnees else ""


def _acheteur(contenu: bytes) -> str:
    donnees = _lire(contenu)
    return donnees.destinataire.siret if donnees else ""
