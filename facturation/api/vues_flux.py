"""``factures/v1/deposer/flux`` (answers at once; a Celery task processes the flux) and the compte rendu
services ``transverses/v1/consulterCR`` and ``consulterCRDetaille`` that clients poll."""

import base64
import binascii

from django.core.files.base import ContentFile
from django.db import transaction

from chorus import outbox
from chorus.api.champs import Booleen, Entier, Requete, Texte
from chorus.api.kit import introuvable, jour, requete_invalide, rfc3339, succes
from chorus.api.protocole import service_cpro
from facturation import compte_rendu
from facturation.api import tasks
from facturation.api.flux import SYNTAXES
from facturation.depot import TAILLE_MAX
from facturation.models import FluxDepot

TAILLE_MAX_FLUX = 5 * TAILLE_MAX


class DeposerFluxRequete(Requete):
    fichierFlux = Texte(requis=True)
    nomFichier = Texte(requis=True)
    syntaxeFlux = Texte(requis=True)
    avecSignature = Booleen()
    idUtilisateurCourant = Entier()


class NumeroFlux(Requete):
    numeroFluxDepot = Texte(requis=True)
    syntaxeFlux = Texte()


def _numero(flux: FluxDepot) -> str:
    return f"CPP{flux.pk:022d}"


def creer_flux(*, structure, syntaxe: str, nom_fichier: str, contenu: bytes, compte=None, depose_par=None):
    """Record a deposited flux (by the API's technical account ``compte``, or on the portal's « Suivi des flux » by
    ``depose_par``) and queue its processing once the transaction commits: the one entry of both."""
    with transaction.atomic():
        flux = FluxDepot(
            compte=compte,
            depose_par=depose_par,
            structure=structure,
            syntaxe=syntaxe,
            nom_fichier=nom_fichier[-255:],
            numero="",
        )
        flux.save()
        flux.numero = _numero(flux)
        flux.fichier.save(f"{flux.numero}-{nom_fichier[-80:]}", ContentFile(contenu), save=False)
        flux.save(update_fields=["numero", "fichier"])
        outbox.apres_commit(tasks.lancer_flux, flux.pk, flux.syntaxe)
    return flux


def deposer_flux(corps, compte):
    syntaxe = corps.texte("syntaxeFlux", requis=True)
    if syntaxe not in SYNTAXES:
        raise requete_invalide(f"Syntaxe de flux non prise en charge : {syntaxe} (attendu : {', '.join(SYNTAXES)}).")
    nom = corps.texte("nomFichier", requis=True)[-255:]
    try:
        contenu = base64.b64decode(corps.texte("fichierFlux", requis=True), validate=True)
    except (binascii.Error, ValueError):
        raise requete_invalide("Le champ « fichierFlux » doit être le fichier encodé en base64.") from None
    if not contenu:
        raise requete_invalide("Le fichier du flux est vide.")
    if len(contenu) > TAILLE_MAX_FLUX:
        raise requete_invalide("Le flux dépasse la taille maximale de 50 Mo.")
    corps.booleen("avecSignature")  # read for its type only
    flux = creer_flux(structure=compte.structure, compte=compte, syntaxe=syntaxe, nom_fichier=nom, contenu=contenu)
    return succes("GCU_MSG_01_000", numeroFluxDepot=flux.numero, dateDepot=jour(flux.created_at), syntaxeFlux=syntaxe)


DeposerFlux = service_cpro(
    "Déposer un flux (UBL, CII, Factur-X, lot .tar.gz), traité en différé", DeposerFluxRequete, deposer_flux
)


def _flux(corps, compte) -> FluxDepot:
    numero = corps.texte("numeroFluxDepot", requis=True)
    flux = FluxDepot.objects.filter(numero=numero, structure=compte.structure).first()
    if flux is None:
        raise introuvable(f"Le flux {numero} n'existe pas ou ne vous est pas accessible.")
    return flux


def consulter_cr_detaille(corps, compte):
    flux = _flux(corps, compte)
    return succes(
        nomFichier=flux.nom_fichier,
        dateDepotFlux=rfc3339(flux.created_at),
        codeInterfaceDepotFlux=flux.syntaxe,
        etatCourantDepotFlux=flux.etat,
        dateHeureEtatCourantFlux=rfc3339(flux.etat_le),
        listeErreurDP=flux.erreurs_dp,
        listeErreurTechnique=flux.erreurs_techniques,
    )


ConsulterCRDetaille = service_cpro("Compte rendu détaillé d'un flux", NumeroFlux, consulter_cr_detaille)


def consulter_cr(corps, compte):
    flux = _flux(corps, compte)
    return succes(
        numeroFluxDepot=flux.numero,
        nomFichierFlux=flux.nom_fichier,
        codeInterfaceFlux=flux.syntaxe,
        dateDepotFlux=rfc3339(flux.created_at),
        etatCourantFlux=flux.etat,
        dateHeureEtatCourantFlux=rfc3339(flux.etat_le),
        codeAppliPartenaire="",
        designationPartenaire="",
        fichierCR=base64.b64encode(compte_rendu.generer_cr_pdf(flux)).decode("ascii"),
    )


ConsulterCR = service_cpro("Compte rendu d'un flux", NumeroFlux, consulter_cr)
