"""Processing a deposited flux: one invoice file or a ``.tar.gz`` of files of one syntax, each read by the
portal's deposit analysis (``facturation.depot``: UBL, CII, Factur-X), saved as a draft (``services.enregistrer`` +
``rattacher_depot``) then checked and sent as the saisie's « Valider et envoyer ». Each invoice stands alone: an
error is reported against its number (BT-1, ``numeroDP``) and the flux is integrated, partially or not at all."""

import io
import tarfile

from django.core.exceptions import ValidationError
from django.utils import timezone

from chorus.api.models import FluxDepot
from facturation import depot
from facturation.services import envoi

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
    """One invoice file through the portal's deposit pipeline; returns (number, invoice sent) or raises
    ValidationError (French) carrying the document's number when it was read."""
    facture = envoi.deposer_et_envoyer(
        canal=envoi.Canal.FLUX, acting_user=flux.compte.utilisateur, fournisseur=flux.structure, contenu=contenu,
        nom_fichier=nom, formats=SYNTAXES[flux.syntaxe],
    )  # fmt: skip
    return facture.numero, facture


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
