"""The one deposit pipeline of the portal: every channel that turns something into a sent invoice comes here.

Channels (``Canal``): the portal's saisie, the portal's « Déposer facture », the API's ``soumettre`` and the API's
``deposer/flux`` (and the demo loader, which uses the saisie's path). Steps, in this order, each in its own
function so that a reader finds each rule once:

1. ``lire``: read the document (format sniffed from the content; PDF, signed PDF, Factur-X, UBL, CII);
2. ``controler_regles``: the format and profile checks (the official XSD and schematron of the document's own
   profile, ``facturation.en16931``) and the coherence of its totals (``facturation.montants``);
3. ``controler_vendeur``: the seller (BT-29 / BT-30) is the depositing structure;
4. ``acheminer_document``: Chorus Pro routing read from the document: buyer by SIRET or SIREN, code service
   (BT-10), engagement (BT-13), cadre (BT-23), bank details (BT-84);
5. ``controler_doublons``: the same file, or the same number for the supplier, was already deposited;
6. saving (``services.enregistrer`` with the document's own amounts, or the saisie's computed ones);
7. ``envoyer``: the portal's checks before sending, the certificate and the sending (``services.valider_et_envoyer``).

A flux's chunk of files (``deposer_et_envoyer_lot``) goes through the same steps and builds the same rows, file by
file; only the writing differs: its good invoices are written together, in one transaction.

A structured document (XML, Factur-X) keeps its own amounts: nothing here recomputes them, and a document the
rules refuse never becomes an invoice. A plain PDF is a document whose data the user types (saisie rules).
"""

import enum
import hashlib
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.fichiers import effaces_en_cas_d_echec, noter_ecriture
from chorus.workflow import SYSTEME, TransitionInterdite
from facturation import depot, en16931, montants
from facturation.certificat import empreinte_depot
from facturation.conversion import ajustement_en_json, donnees_de, partie_en_json
from facturation.enums import (
    CADRES_AVEC_VALIDEUR,
    CADRES_FACTURE,
    CODE_MOYEN_PAIEMENT,
    Cadre,
    ModeDepot,
    ModePaiement,
    StatutFacture,
    TypeFacture,
)
from facturation.facturx import generer_cii, generer_pdf_facturx
from facturation.models import CertificatRemplace, Facture
from facturation.services import controles
from facturation.services.brouillons import Brouillon, ecrire_nouveaux_brouillons, enregistrer, nouveau_brouillon
from facturation.services.circuit import CIRCUIT, exiger_emission
from facturation.services.controles import DoublonDepot, doublon_fichier, erreur_numero, verifier_avant_envoi
from facturation.services.pieces_jointes import ajouter_piece_jointe
from facturation.statuts import FOURNISSEUR
from organisation import queries as org_queries
from organisation.models import Structure

logger = logging.getLogger(__name__)


class Canal(enum.StrEnum):
    SAISIE = "SAISIE"  # the portal's « Saisir facture »
    DEPOT = "DEPOT"  # the portal's « Déposer facture »
    SOUMETTRE = "SOUMETTRE"  # API factures/v1/soumettre
    FLUX = "FLUX"  # API factures/v1/deposer/flux
    TRAVAUX = "TRAVAUX"  # a payable works piece (A19, A16, A8…) sent by « Factures de travaux »


MODE_DEPOT = {Canal.SAISIE: ModeDepot.SAISIE, Canal.SOUMETTRE: ModeDepot.SAISIE_API, Canal.FLUX: ModeDepot.FLUX}
FORMATS_STRUCTURES = {"FACTURX", "UBL_INVOICE", "UBL_CREDITNOTE", "CII"}
# BT-23 as Chorus Pro reads it: « A1 », « A2 »… (other values, e.g. a PEPPOL process URN, mean the default A1).
CADRES_BT23 = {c.code: c for c in CADRES_FACTURE}
# BT-81 (UNTDID 4461) → Chorus Pro's mode de règlement; 58/59 are the SEPA variants of 30/49.
MODES_PAIEMENT = {
    **{code: mode for mode, code in CODE_MOYEN_PAIEMENT.items()},
    "31": ModePaiement.VIREMENT,
    "42": ModePaiement.VIREMENT,
    "58": ModePaiement.VIREMENT,
    "59": ModePaiement.PRELEVEMENT,
    "48": ModePaiement.AUTRE,
    "57": ModePaiement.VIREMENT,
}
# BT-3 codes of a credit note (UNTDID 1001); every other accepted code is an invoice.
TYPES_AVOIR = {"381", "261", "262", "296", "308", "396", "420", "458", "532"}


class DepotRefuse(ValidationError):
    """A deposit refused at one step; French messages. ``numero`` is the document's BT-1 when known (flux compte
    rendu), ``facture`` the existing invoice for a duplicate."""

    FORMAT, REGLES, VENDEUR, ACHEMINEMENT, DOUBLON = "FORMAT", "REGLES", "VENDEUR", "ACHEMINEMENT", "DOUBLON"

    def __init__(self, message, *, code: str = REGLES, numero: str = "", facture: Facture | None = None):
        super().__init__(message)
        self.code_refus = code
        self.numero = numero
        self.facture = facture


@dataclass
class ContexteLot:
    """What the invoices of one lot (a flux) share, read once for the lot instead of once per invoice: the
    depositor's right to emit for the supplier (checked when the lot starts) and the routing lookups (buyer,
    service, bank details), which are the same few rows for a whole ERP lot. The rules themselves are not shared:
    each invoice is read and checked on its own."""

    emetteur_verifie: bool = False
    acheteurs: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)
    coordonnees: dict = field(default_factory=dict)
    # Step 5 for a whole chunk (``lire_doublons``): the sent invoices that have one of the chunk's files
    # {SHA-256: invoice} or numbers {number: invoice}, read in two queries; then the chunk's own documents accepted
    # so far, which the next files of the chunk must not repeat (they are written together, after the analysis).
    fichiers_deposes: dict | None = None
    numeros_deposes: dict | None = None
    fichiers_retenus: dict = field(default_factory=dict)
    numeros_retenus: set = field(default_factory=set)

    def lire_doublons(self, fournisseur: Structure, documents: list["Document"]) -> None:
        shas = [d.sha256 for d in documents]
        # Only numbers of an accepted form reach the query (a NUL byte…); the others are refused at step 5 anyway.
        numeros = [d.numero for d in documents if d.numero and d.erreur_de_numero is None]
        envoyees = Facture.objects.exclude(statut__in=[StatutFacture.BROUILLON, StatutFacture.ABANDONNEE]).order_by(
            "created_at", "id"
        )  # the newest invoice last, so it stays in the dicts, as ``.first()`` gives it one file at a time
        self.fichiers_deposes = {f.fichier_sha256: f for f in envoyees.filter(fichier_sha256__in=shas)}
        self.numeros_deposes = {f.numero: f for f in envoyees.filter(fournisseur=fournisseur, numero__in=numeros)}

    def retenir(self, document: "Document") -> None:
        self.fichiers_retenus[document.sha256] = document.numero
        self.numeros_retenus.add(document.numero)


@dataclass
class Document:
    """A deposited file as read (step 1)."""

    contenu: bytes
    nom: str
    analyse: depot.Analyse
    calcul: montants.Calcul | None = None  # a structured document's own amounts (step 2)
    valeurs: dict = field(default_factory=dict)  # routing read from the document (step 4)
    profil: en16931.Profil | None = None  # BT-24 of a structured document

    @property
    def donnees(self):
        return self.analyse.donnees

    @property
    def structure(self) -> bool:
        """XML or Factur-X: the data are the document's; a plain PDF's are typed by the user."""
        return self.analyse.format in FORMATS_STRUCTURES

    @property
    def numero(self) -> str:
        return self.donnees.numero or ""

    @cached_property
    def sha256(self) -> str:
        """The file's digest, computed once: the chunk's duplicates read, step 5, the chunk's accepted files and
        the draft's ``fichier_sha256`` all use it (the certificate, ``certifier``, hashes the bytes it certifies)."""
        return hashlib.sha256(self.contenu).hexdigest()

    @cached_property
    def erreur_de_numero(self) -> str | None:
        """The form of the document's number (BT-1), checked once for the whole pipeline: the duplicates of a
        chunk, step 5, step 4 and the checks before sending all read this (issue 15: nothing validated twice)."""
        return erreur_numero(self.numero, libelle="Le numéro de facture (BT-1)")


def est_document_structure(facture: Facture) -> bool:
    """A draft (or invoice) made of a deposited XML or Factur-X: its data and amounts are the document's."""
    return (facture.analyse_depot or {}).get("format") in FORMATS_STRUCTURES and bool(facture.fichier)


# --- 1. Reading --------------------------------------------------------------------------------------------------


def lire(contenu: bytes, nom: str = "", formats=None) -> Document:
    """The file read then checked against its rules; ``formats``: the formats the channel accepts (a flux declares
    its syntax), a file of another one refused before its rules run (a worker of one syntax's queue never compiles
    another syntax's rules: issue 15, a worker's memory)."""
    try:
        analyse = depot.lire_document(contenu)
    except ValidationError as exc:
        raise DepotRefuse(exc.messages, code=DepotRefuse.FORMAT) from exc
    if formats is not None and analyse.format not in formats:
        raise DepotRefuse(
            f"Le fichier est au format {depot.LIBELLES_FORMAT.get(analyse.format, analyse.format)}, "
            "pas celui que le flux déclare.",
            code=DepotRefuse.FORMAT,
            numero=analyse.donnees.numero or "",
        )
    analyse = depot.verifier_regles(analyse)
    document = Document(contenu=contenu, nom=nom, analyse=analyse)
    if document.structure:
        # Factur-X MINIMUM and BASIC WL carry no lines: their PDF is the invoice (BT-24, read once with the rules).
        # An unknown BT-24 is already one of the analysis's errors.
        document.profil = analyse.profil
        document.donnees.avec_lignes = document.profil.avec_lignes if document.profil else True
    return document


# --- 2. Rules of the document's own profile, and its totals ----------------------------------------------------


def controler_regles(document: Document) -> None:
    if not document.structure:
        return
    if document.analyse.erreurs:
        raise DepotRefuse(
            ["La facture ne respecte pas la norme EN 16931 :", *(e["message"] for e in document.analyse.erreurs)],
            code=DepotRefuse.REGLES,
            numero=document.numero,
        )
    if document.donnees.avec_lignes and not document.donnees.lignes:
        raise DepotRefuse("La facture ne comporte aucune ligne (BG-25).", numero=document.numero)
    try:
        document.calcul = montants.montants_du_document(
            document.donnees, minimum=document.profil is not None and document.profil.code == en16931.MINIMUM
        )
    except montants.MontantsInvalides as exc:
        raise DepotRefuse(str(exc), code=DepotRefuse.REGLES, numero=document.numero) from exc


# --- 3. The seller --------------------------------------------------------------------------------------------------


def controler_vendeur(document: Document, fournisseur: Structure) -> None:
    """The seller named by a structured document is the depositing structure: by SIRET (BT-30, scheme 0009), else
    SIREN (scheme 0002), else the SIREN inside a French VAT number (BT-31)."""
    if not document.structure:
        return
    vendeur = document.donnees.fournisseur
    siret = fournisseur.identifiant
    if vendeur.siret:
        if vendeur.siret != siret:
            raise DepotRefuse(
                f"Le vendeur du document (SIRET {vendeur.siret}, BT-30) n'est pas la structure qui dépose "
                f"({fournisseur.raison_sociale}, SIRET {siret}) : déposez la facture depuis la structure émettrice.",
                code=DepotRefuse.VENDEUR,
                numero=document.numero,
            )
        return
    siren = vendeur.siren or _siren_de_tva(vendeur.numero_tva)
    if not siren:
        raise DepotRefuse(
            "Le document n'identifie pas le vendeur par son SIRET (BT-30 avec le schéma 0009) : Chorus Pro ne peut "
            "pas vérifier qu'il s'agit de votre structure.",
            code=DepotRefuse.VENDEUR,
            numero=document.numero,
        )
    if siren != siret[:9]:
        raise DepotRefuse(
            f"Le vendeur du document (SIREN {siren}) n'est pas la structure qui dépose ({fournisseur.raison_sociale}, "
            f"SIRET {siret}).",
            code=DepotRefuse.VENDEUR,
            numero=document.numero,
        )


def _siren_de_tva(numero_tva: str) -> str:
    compact = (numero_tva or "").replace(" ", "").upper()
    return compact[4:] if re.fullmatch(r"FR[0-9A-Z]{2}\d{9}", compact) else ""


# --- 4. Routing read from the document --------------------------------------------------------------------------


def acheminer_document(
    document: Document, fournisseur: Structure, *, cadre: str | None = None, lot: ContexteLot | None = None
) -> dict:
    """The invoice's fields read from a structured document (routing included), or the pre-fill of a plain PDF.
    For a structured document every routing error refuses the deposit with a French message; ``cadre`` (the
    portal's form) is used when the document says none."""
    d = document.donnees
    if not document.structure:
        valeurs, _lignes = depot.valeurs_facture(document.analyse, fournisseur=fournisseur)
        valeurs["cadre"] = cadre or Cadre.A1
        document.valeurs = valeurs
        return valeurs
    erreurs: list[str] = []
    lot = lot or ContexteLot()
    destinataire = _acheteur(d, erreurs, lot)
    service = _service(d, destinataire, erreurs, lot)
    if erreur := document.erreur_de_numero:
        erreurs.append(erreur)
    if len(d.numero_engagement) > 50:
        erreurs.append(f"Le numéro d'engagement « {d.numero_engagement} » (BT-13) dépasse 50 caractères.")
    cadre_document = _cadre(d.cadre, erreurs)
    coordonnees = _coordonnees(d, fournisseur, erreurs, lot)
    if erreurs:
        raise DepotRefuse(erreurs, code=DepotRefuse.ACHEMINEMENT, numero=document.numero)
    document.valeurs = {
        "fournisseur": fournisseur,
        "destinataire": destinataire,
        "service_destinataire": service,
        "coordonnees_bancaires": coordonnees,
        "cadre": cadre_document or cadre or Cadre.A1,
        "numero": d.numero,
        "date_facture": d.date_emission,
        "date_echeance": d.date_echeance,
        "devise": (d.devise or "EUR")[:3],
        "type_facture": TypeFacture.AVOIR if d.type_document in TYPES_AVOIR else TypeFacture.FACTURE,
        "type_tva": depot.type_tva_du_document(d),
        "motif_exoneration": (d.motif_exoneration or "")[:250],
        "numero_marche": d.numero_marche[:50],
        "numero_engagement": d.numero_engagement,
        "numero_facture_origine": d.facture_origine[:20],
        "mode_paiement": MODES_PAIEMENT.get(d.mode_paiement, ModePaiement.AUTRE if d.mode_paiement else "VIREMENT"),
        "commentaire": d.commentaire,
        "profil": d.profil[:200],
        "conditions_paiement": d.conditions_paiement,
        "date_livraison": d.date_livraison,
        "periode_debut": d.periode_debut,
        "periode_fin": d.periode_fin,
        "factures_precedentes": [
            {"numero": numero, "date": date.isoformat() if date else None} for numero, date in d.factures_precedentes
        ],
        "parties_document": {
            "fournisseur": partie_en_json(d.fournisseur),
            "destinataire": partie_en_json(d.destinataire),
            "livraison": partie_en_json(d.livraison),
        },
        "remise_globale_ttc": 0,
    }
    return document.valeurs


def _acheteur(d, erreurs: list[str], lot: ContexteLot) -> Structure | None:
    cle = (d.destinataire.siret, d.destinataire.siren)
    if cle not in lot.acheteurs:
        trouvees: list[str] = []
        lot.acheteurs[cle] = (_chercher_acheteur(d, trouvees), trouvees)
    destinataire, messages = lot.acheteurs[cle]
    erreurs.extend(messages)
    return destinataire


def _chercher_acheteur(d, erreurs: list[str]) -> Structure | None:
    acheteur = d.destinataire
    annuaire = org_queries.annuaire()
    if acheteur.siret:
        destinataire = annuaire.filter(identifiant=acheteur.siret).first()
        if destinataire is None:
            erreurs.append(
                f"Le destinataire (SIRET {acheteur.siret}, BT-47) n'est pas une structure publique de Chorus Pro."
            )
        return destinataire
    if acheteur.siren:
        candidats = list(annuaire.filter(identifiant__startswith=acheteur.siren).order_by("identifiant")[:20])
        actifs = [s for s in candidats if s.statut == "ACTIVE"] or candidats
        if len(actifs) == 1:
            return actifs[0]
        if not actifs:
            erreurs.append(
                f"Aucune structure publique de Chorus Pro n'a le SIREN {acheteur.siren} (BT-47) du destinataire."
            )
        else:
            choix = " ; ".join(f"{s.identifiant} – {s.raison_sociale}" for s in actifs)
            erreurs.append(
                f"Le SIREN {acheteur.siren} (BT-47) désigne plusieurs structures publiques : indiquez le SIRET de "
                f"l'une d'elles (schéma 0009) : {choix}."
            )
        return None
    erreurs.append("Le document n'identifie pas le destinataire par son SIRET (BT-47 avec le schéma 0009).")
    return None


def _service(d, destinataire: Structure | None, erreurs: list[str], lot: ContexteLot):
    code = (d.reference_acheteur or "").strip()
    if destinataire is None or not code:
        return None
    cle = (destinataire.pk, code.upper())
    if cle not in lot.services:
        lot.services[cle] = destinataire.services.filter(code__iexact=code, actif=True).first()
    service = lot.services[cle]
    if service is None:
        actifs = list(destinataire.services.filter(actif=True).order_by("code").values_list("code", flat=True)[:50])
        liste = ", ".join(actifs) if actifs else "aucun service actif"
        erreurs.append(
            f"Le code service « {code} » (BT-10) n'existe pas ou n'est pas actif chez {destinataire.raison_sociale} "
            f"(services actifs : {liste})."
        )
    return service


def _cadre(valeur: str, erreurs: list[str]) -> str | None:
    code = (valeur or "").strip().upper()
    if not re.fullmatch(r"A\d{1,2}", code):
        return None  # not a Chorus Pro cadre (absent, or another specification's process identifier)
    if code not in CADRES_BT23:
        erreurs.append(
            f"Le cadre de facturation « {code} » (BT-23) n'est pas accepté pour une facture : cadres acceptés "
            f"{', '.join(CADRES_BT23)}."
        )
        return None
    return CADRES_BT23[code]


def _coordonnees(d, fournisseur: Structure, erreurs: list[str], lot: ContexteLot):
    iban = "".join((d.iban or "").split()).upper()
    cle = (fournisseur.pk, iban)
    if cle not in lot.coordonnees:
        actives = org_queries.coordonnees_bancaires_actives(fournisseur)
        lot.coordonnees[cle] = actives.filter(iban=iban).first() if iban else actives.first()
    coordonnees = lot.coordonnees[cle]
    if not iban:
        return coordonnees
    if coordonnees is None and MODES_PAIEMENT.get(d.mode_paiement, ModePaiement.VIREMENT) == ModePaiement.VIREMENT:
        erreurs.append(
            f"L'IBAN du document ({iban}, BT-84) n'est pas parmi les coordonnées bancaires actives de "
            f"{fournisseur.raison_sociale} : ajoutez-le dans « Gérer une structure »."
        )
    return coordonnees


# --- 5. Duplicates -----------------------------------------------------------------------------------------------


def controler_doublons(
    *,
    contenu: bytes | None,
    fournisseur: Structure,
    numero: str,
    facture: Facture | None = None,
    lot: ContexteLot | None = None,
    document: Document | None = None,
):
    """The same file, or the same number for the supplier, was already sent. ``lot``: a chunk whose duplicates were
    read at once (``ContexteLot.lire_doublons``), and whose documents accepted so far count as sent; ``document``:
    the file as read (``contenu`` and ``numero`` are its own), which holds its number's form once checked."""
    # Checked before the number reaches a query (a NUL byte, a newline…); a document's number is its BT-1.
    if numero:
        if document is not None:
            erreur = document.erreur_de_numero
        else:
            erreur = erreur_numero(
                numero, libelle="Le numéro de facture" if contenu is None else "Le numéro de facture (BT-1)"
            )
        if erreur:
            raise DepotRefuse(erreur, code=DepotRefuse.REGLES)
    en_lot = lot is not None and lot.fichiers_deposes is not None
    if contenu is not None:
        if en_lot:
            sha = document.sha256 if document is not None else hashlib.sha256(contenu).hexdigest()
            existante = lot.fichiers_deposes.get(sha)
            numero_existant = existante.numero if existante is not None else lot.fichiers_retenus.get(sha)
        else:
            existante = doublon_fichier(contenu)
            numero_existant = existante.numero if existante is not None else None
        if numero_existant is not None and (facture is None or existante is None or existante.pk != facture.pk):
            raise DepotRefuse(
                f"Ce fichier a déjà été déposé (facture n° {numero_existant}).",
                code=DepotRefuse.DOUBLON,
                numero=numero,
                facture=existante,
            )
    if numero:
        if en_lot:
            meme_numero = lot.numeros_deposes.get(numero)
            deja = meme_numero is not None or numero in lot.numeros_retenus
        else:
            meme_numero = (
                Facture.objects.filter(fournisseur=fournisseur, numero=numero)
                .exclude(statut__in=[StatutFacture.BROUILLON, StatutFacture.ABANDONNEE])
                .exclude(pk=getattr(facture, "pk", None))
                .first()
            )
            deja = meme_numero is not None
        if deja:
            raise DepotRefuse(
                f"Ce numéro de facture est déjà utilisé par votre structure : la facture n° {numero} a déjà été "
                "déposée.",
                code=DepotRefuse.DOUBLON,
                numero=numero,
                facture=meme_numero,
            )


# --- 6. Saving ---------------------------------------------------------------------------------------------------


def lignes_du_document(document: Document) -> list[dict]:
    """The lines of a structured document for ``services.enregistrer`` (descriptions; amounts are in the calcul)."""
    return [
        {
            "reference": ligne.reference[:50],
            "denomination": (ligne.denomination or "Ligne")[:250],
            "unite": (ligne.unite or "C62")[:20],
            "ajustements": [ajustement_en_json(a) for a in ligne.ajustements],
        }
        for ligne in document.donnees.lignes
    ]


def donnees_du_document(document: Document, valeurs: dict, mode_depot: str | None = None) -> dict:
    """The draft's fields of a structured document: its routing and data (``valeurs``), its deposit mode, the
    file's digest and analysis."""
    mode = mode_depot or (ModeDepot.DEPOT_XML if document.analyse.format != "FACTURX" else ModeDepot.DEPOT_PDF)
    return {
        **valeurs,
        "mode_depot": mode,
        "fichier_sha256": document.sha256,
        "analyse_depot": {**document.analyse.resume(), "avec_lignes": document.donnees.avec_lignes},
    }


def enregistrer_document(
    *,
    acting_user,
    document: Document,
    valeurs: dict,
    facture: Facture | None = None,
    mode_depot: str | None = None,
    emetteur_verifie: bool = False,
    envoi_immediat: bool = False,
) -> Facture:
    """A draft made of a structured document: its own amounts, lines, VAT breakdown, allowances and charges; the
    file is kept unchanged as the legal original. ``emetteur_verifie``: a flux, whose depositor's right to emit was
    checked once for the lot; ``envoi_immediat``: the draft is sent in the same transaction, which stores the file
    (under the sent invoice's name): it is not stored twice."""
    donnees = donnees_du_document(document, valeurs, mode_depot)
    mode = donnees["mode_depot"]
    creation = facture is None
    facture = enregistrer(
        acting_user=acting_user,
        donnees=donnees,
        lignes=lignes_du_document(document),
        facture=facture,
        calcul=document.calcul,
        ajustements=document.donnees.ajustements,
        emetteur_verifie=emetteur_verifie,
        # The number is the document's, whose form step 4 checked (``acheminer_document``).
        numero_verifie=valeurs.get("numero") == document.numero and document.erreur_de_numero is None,
    )
    if creation and envoi_immediat:
        return facture  # created with its mode, digest and analysis; ``valider_et_envoyer`` stores the file
    facture.mode_depot = mode
    facture.fichier.save(document.nom[-100:] or "facture", ContentFile(document.contenu), save=False)
    noter_ecriture(facture.fichier)
    facture.save(update_fields=["mode_depot", "fichier", "fichier_sha256", "analyse_depot", "updated_at"])
    return facture


# --- 7. Sending ----------------------------------------------------------------------------------------------------


def document_a_envoyer(facture: Facture) -> tuple[bytes, str]:
    """The document the certificate covers: a deposited file stands as the legal original (a structured one was
    accepted by its rules with its own amounts; a plain PDF is the invoice itself); a saisie's is the Factur-X the
    portal generates from the stored invoice."""
    if facture.mode_depot != ModeDepot.SAISIE and facture.mode_depot != ModeDepot.SAISIE_API and facture.fichier:
        with facture.fichier.open("rb") as fichier:
            contenu = fichier.read()
        return contenu, _nom_envoye(facture, contenu)
    return generer_pdf_facturx(donnees_de(facture)), f"facture_{facture.numero}.pdf"


def _nom_envoye(facture: Facture, contenu: bytes) -> str:
    return f"facture_{facture.numero}.{'pdf' if contenu.startswith(b'%PDF') else 'xml'}"


def erreurs_norme(facture: Facture) -> list:
    """The official rules on the invoice as the portal writes it (its generated CII), for a saisie."""
    return en16931.verifier(generer_cii(donnees_de(facture)))


def envoyer(
    *,
    acting_user,
    facture: Facture,
    document: tuple[bytes, str] | None = None,
    emetteur_verifie: bool = False,
    numero_verifie: bool = False,
) -> Facture:
    """« Valider et envoyer » of a draft, whatever made it: the portal's checks (routing, number, dates, bank
    details…), the official rules on what the portal generates for a saisie, then the certificate and sending.
    ``document``: the deposited file just checked for duplicates, (content, name), when the caller holds it;
    ``numero_verifie``: the number's form was checked a moment ago by the deposit (``controler_doublons``)."""
    erreurs = verifier_avant_envoi(facture, numero_verifie=numero_verifie)
    if erreurs:
        raise ValidationError(erreurs)
    analyse = facture.analyse_depot or {}
    if facture.mode_depot in (ModeDepot.SAISIE, ModeDepot.SAISIE_API) or analyse.get("format") not in (
        FORMATS_STRUCTURES
    ):
        erreurs_en16931 = erreurs_norme(facture)
        if erreurs_en16931:
            raise DepotRefuse([e.message for e in erreurs_en16931], code=DepotRefuse.REGLES, numero=facture.numero)
    contenu, nom = document or document_a_envoyer(facture)
    # The checks above are those of sending: ``valider_et_envoyer`` does not run them a second time.
    return valider_et_envoyer(
        acting_user=acting_user,
        facture=facture,
        contenu=contenu,
        nom_fichier=nom,
        emetteur_verifie=emetteur_verifie,
        deja_verifiee=True,
        doublon_controle=document is not None,
    )


# --- The pipeline --------------------------------------------------------------------------------------------


def analyser_depot(
    *,
    fournisseur: Structure,
    contenu: bytes,
    nom_fichier: str,
    cadre: str | None = None,
    formats=None,
    lot: ContexteLot | None = None,
) -> Document:
    """Steps 1 to 5 of a deposited file, nothing written: what the portal's « Déposer facture » shows. ``formats``:
    the formats a channel accepts (a flux declares its syntax)."""
    document = lire_et_controler(fournisseur=fournisseur, contenu=contenu, nom_fichier=nom_fichier, formats=formats)
    return doublons_et_acheminement(document, fournisseur, cadre=cadre, lot=lot)


def lire_et_controler(*, fournisseur: Structure, contenu: bytes, nom_fichier: str, formats=None) -> Document:
    """Steps 1 to 3: the file read, the rules of its own profile, its seller."""
    document = lire(contenu, nom_fichier, formats)
    controler_regles(document)
    controler_vendeur(document, fournisseur)
    return document


def doublons_et_acheminement(
    document: Document, fournisseur: Structure, *, cadre: str | None = None, lot: ContexteLot | None = None
) -> Document:
    """Steps 5 then 4, in the order the pipeline has always run them: a file already sent is answered as such,
    whatever its routing."""
    controler_doublons(
        contenu=document.contenu, fournisseur=fournisseur, numero=document.numero, lot=lot, document=document
    )
    acheminer_document(document, fournisseur, cadre=cadre, lot=lot)
    return document


def _exiger_structure(document: Document) -> None:
    if not document.structure:
        raise DepotRefuse(
            "Ce PDF ne contient pas de facture structurée (Factur-X) : déposez-le sur le portail pour en saisir les "
            "données.",
            code=DepotRefuse.FORMAT,
        )


@effaces_en_cas_d_echec()
def deposer_et_envoyer(
    *,
    canal: Canal,
    acting_user,
    fournisseur: Structure | None = None,
    contenu: bytes | None = None,
    nom_fichier: str = "",
    saisie: tuple[dict, list[dict]] | None = None,
    facture: Facture | None = None,
    cadre: str | None = None,
    formats=None,
    travaux: tuple[dict, montants.Calcul] | None = None,
    pieces_jointes=(),
    pdf_principal: tuple[bytes, str] | None = None,
) -> Facture:
    """Every channel's « Valider et envoyer ».

    - a file (``FLUX``; ``DEPOT`` of a structured document): ``contenu`` is read, checked, routed and sent as the
      legal original, in one transaction;
    - a draft (``SAISIE``, ``DEPOT``): ``facture`` is sent (its deposited file, if any, is checked again);
    - typed data (``SOUMETTRE``, ``SAISIE``): ``saisie`` = (fields, lines) is saved then sent in one transaction,
      with its ``pieces_jointes`` (keyword arguments of ``ajouter_piece_jointe``) and, for ``SOUMETTRE`` in
      ``DEPOT_PDF_API`` mode, ``pdf_principal`` = (content, name): the plain PDF that is the invoice's original;
    - a payable works piece (``TRAVAUX``): ``travaux`` = (fields, typed totals) and ``contenu`` its PDF.
    A flux's files go by chunks through ``deposer_et_envoyer_lot``, which shares these steps.
    Raises DepotRefuse / ValidationError with French messages; nothing is kept of a refused deposit, nor of one the
    database failed under (its files are deleted: ``effaces_en_cas_d_echec``)."""
    if canal == Canal.TRAVAUX:
        donnees, calcul = travaux
        return _envoyer_piece_travaux(
            acting_user=acting_user, donnees=donnees, calcul=calcul, contenu=contenu, nom_fichier=nom_fichier
        )
    if facture is not None:
        return _envoyer_brouillon(acting_user=acting_user, facture=facture)
    if saisie is not None:
        donnees, lignes = saisie
        with transaction.atomic():
            # Checks the number's form (a non-empty one) before its duplicates: saving and sending do not again.
            controler_doublons(contenu=None, fournisseur=donnees["fournisseur"], numero=donnees.get("numero", ""))
            mode = ModeDepot.DEPOT_PDF_API if pdf_principal is not None else MODE_DEPOT[canal]
            brouillon = enregistrer(
                acting_user=acting_user, donnees={**donnees, "mode_depot": mode}, lignes=lignes, numero_verifie=True
            )
            for piece in pieces_jointes:
                ajouter_piece_jointe(acting_user=acting_user, facture=brouillon, **piece)
            if pdf_principal is not None:
                _rattacher_pdf(brouillon, *pdf_principal)
            return envoyer(acting_user=acting_user, facture=brouillon, numero_verifie=True)
    document = analyser_depot(
        fournisseur=fournisseur, contenu=contenu, nom_fichier=nom_fichier, cadre=cadre, formats=formats
    )
    _exiger_structure(document)
    return _enregistrer_et_envoyer(acting_user=acting_user, document=document, canal=canal)


def _enregistrer_et_envoyer(*, acting_user, document: Document, canal: Canal, emetteur_verifie: bool = False):
    """One analysed structured document saved and sent, in one transaction. ``emetteur_verifie``: a flux's file,
    whose depositor's right was checked once for its chunk."""
    with transaction.atomic():
        brouillon = enregistrer_document(
            acting_user=acting_user,
            document=document,
            valeurs=document.valeurs,
            mode_depot=MODE_DEPOT.get(canal) if canal == Canal.FLUX else None,
            emetteur_verifie=emetteur_verifie,
            envoi_immediat=True,
        )
        # The file was checked for duplicates a moment ago (``analyser_depot``) and is in memory: sending neither
        # checks it again nor reads it back from storage.
        return envoyer(
            acting_user=acting_user,
            facture=brouillon,
            document=(document.contenu, _nom_envoye(brouillon, document.contenu)),
            emetteur_verifie=emetteur_verifie,
            numero_verifie=document.erreur_de_numero is None,
        )


# --- A flux's chunk: every file analysed, then the good ones written together ------------------------------------


class LotInterrompu(Exception):
    """Raised by the caller of ``deposer_et_envoyer_lot`` (its ``lier`` or ``signe_de_vie``) to stop the chunk:
    nothing of it is written, and the exception goes up to the caller."""


@dataclass(frozen=True)
class FichierDuLot:
    cle: object  # the caller's name for the file (a flux: its position in the lot)
    nom: str
    contenu: bytes


def deposer_et_envoyer_lot(
    *,
    acting_user,
    fournisseur: Structure,
    fichiers: list[FichierDuLot],
    formats=None,
    lier: Callable[[list[Facture]], None] | None = None,
    signe_de_vie: Callable[[], None] | None = None,
) -> dict:
    """``deposer/flux``'s chunk of files. Each file is analysed as ``deposer_et_envoyer`` analyses one — steps 1 to
    5 and the checks before sending, by the same functions, the depositor's right once for the chunk and the
    duplicates read in two queries for it — and its rows are built by the same code as one draft's
    (``nouveau_brouillon``, ``certifier``); then the good ones are written together in one transaction: one INSERT
    per table, each status by one UPDATE, the history rows hashed by the same function as one at a time
    (``Workflow.transition_en_masse``). Returns {file's key: its invoice, or the exception that refused it}, in the
    files' order: a refused file never holds the others back.

    ``lier(factures)`` runs inside the writing's transaction (a flux links its invoices there); ``signe_de_vie()``
    after each file read. Should the writing fail as a whole (two chunks sending one number at the same moment meet
    on the unique index), each invoice is then written on its own, exactly as ``deposer_et_envoyer`` writes one, so
    that only the faulty one is refused."""
    resultats: dict = {}
    try:
        exiger_emission(acting_user, fournisseur)
    except PermissionDenied as exc:
        return {f.cle: exc for f in fichiers}
    lot = ContexteLot(emetteur_verifie=True)
    lus: dict = {}
    for f in fichiers:
        try:
            lus[f.cle] = lire_et_controler(
                fournisseur=fournisseur, contenu=f.contenu, nom_fichier=f.nom, formats=formats
            )
        except Exception as exc:  # noqa: BLE001 - whatever broke (a parser, a bug), this file only; the caller reports it
            resultats[f.cle] = exc
        if signe_de_vie is not None:
            signe_de_vie()
    lot.lire_doublons(fournisseur, list(lus.values()))
    prets: dict = {}
    for cle, document in lus.items():
        try:
            doublons_et_acheminement(document, fournisseur, lot=lot)
            _exiger_structure(document)
            brouillon = nouveau_brouillon(
                acting_user=acting_user,
                donnees=donnees_du_document(document, document.valeurs, MODE_DEPOT[Canal.FLUX]),
                lignes=lignes_du_document(document),
                calcul=document.calcul,
                ajustements=document.donnees.ajustements,
                numero_verifie=document.erreur_de_numero is None,
            )
            _controler_envoi(brouillon, acting_user)
        except Exception as exc:  # noqa: BLE001 - as above: this file only, reported by the caller
            resultats[cle] = exc
        else:
            lot.retenir(document)  # the next files of the chunk must not repeat its number (nor its file)
            prets[cle] = (document, brouillon)
    if prets:
        resultats.update(_ecrire_lot(acting_user, fournisseur, prets, lier))
    return {f.cle: resultats[f.cle] for f in fichiers}


def _controler_envoi(brouillon: Brouillon, acting_user) -> None:
    """The checks ``envoyer`` then ``valider_et_envoyer`` make before sending a structured document, in their
    order, on a draft not written yet (its number, form and use, was just checked by ``controler_doublons``)."""
    erreurs = verifier_avant_envoi(
        brouillon.facture, lignes=len(brouillon.lignes), numero_verifie=True, numero_controle=True
    )
    if erreurs:
        raise ValidationError(erreurs)
    erreurs = controles.verifier_valideur(brouillon.facture, acting_user)
    if erreurs:
        raise ValidationError(erreurs)


def _ecrire_lot(acting_user, fournisseur: Structure, prets: dict, lier) -> dict:
    try:
        with effaces_en_cas_d_echec(), transaction.atomic():
            factures = _ecrire_en_masse(acting_user, list(prets.values()))
            if lier is not None:
                lier(factures)
        return dict(zip(prets, factures, strict=True))
    except LotInterrompu:
        raise
    except Exception:
        logger.warning("Écriture groupée d'une tranche refusée : ses factures sont écrites une à une", exc_info=True)
    resultats = {}
    for cle, (document, _brouillon) in prets.items():
        try:
            with effaces_en_cas_d_echec(), transaction.atomic():
                # Another chunk may have sent one of these numbers (or files) meanwhile: the usual answer.
                controler_doublons(
                    contenu=document.contenu, fournisseur=fournisseur, numero=document.numero, document=document
                )
                facture = _enregistrer_et_envoyer(
                    acting_user=acting_user, document=document, canal=Canal.FLUX, emetteur_verifie=True
                )
                if lier is not None:
                    lier([facture])
        except LotInterrompu:
            raise
        except Exception as exc:  # noqa: BLE001 - this invoice only, as in the writing of one; reported by the caller
            resultats[cle] = exc
        else:
            resultats[cle] = facture
    return resultats


def _ecrire_en_masse(acting_user, prets: list[tuple[Document, Brouillon]]) -> list[Facture]:
    """The chunk's drafts inserted already certified, then Déposée and routed: two UPDATEs (one per target status)
    and two INSERTs of history rows for the whole chunk."""
    date_depot = timezone.now()
    for document, brouillon in prets:
        facture = brouillon.facture
        certifier(facture, document.contenu, _nom_envoye(facture, document.contenu), date_depot=date_depot)
    ecrire_nouveaux_brouillons([brouillon for _, brouillon in prets])
    factures = [brouillon.facture for _, brouillon in prets]
    # A new invoice's chain starts empty; routing continues each chain from the row « Déposée » just hashed.
    deposees = CIRCUIT.transition_en_masse(
        factures,
        to=StatutFacture.DEPOSEE,
        acting_user=acting_user,
        role=FOURNISSEUR,
        queues={f.pk: "" for f in factures},
    )
    queues = {entree.objet_id: entree.empreinte for entree in deposees}
    par_cible = defaultdict(list)
    for facture in factures:
        par_cible[cible_acheminement(facture)].append(facture)
    for cible, groupe in par_cible.items():
        CIRCUIT.transition_en_masse(groupe, to=cible, acting_user=None, role=SYSTEME, queues=queues)
    return factures


def _rattacher_pdf(facture: Facture, contenu: bytes, nom: str) -> None:
    """The plain PDF typed data describe (API ``deposer/pdf`` then ``soumettre``): it is the legal original that
    ``envoyer`` certifies. A structured document is refused: its own data, not typed ones, make the invoice."""
    document = lire(contenu, nom)
    if document.analyse.format not in ("PDF_NON_SIGNE", "PDF_SIGNE"):
        raise DepotRefuse(
            f"La pièce jointe principale est au format {depot.LIBELLES_FORMAT.get(document.analyse.format)} : "
            "déposez un document structuré par « deposer/flux », ses données font la facture.",
            code=DepotRefuse.FORMAT,
        )
    facture.fichier.save(nom[-100:], ContentFile(contenu), save=False)
    noter_ecriture(facture.fichier)
    facture.fichier_sha256 = hashlib.sha256(contenu).hexdigest()
    facture.analyse_depot = document.analyse.resume()
    facture.save(update_fields=["fichier", "fichier_sha256", "analyse_depot", "updated_at"])


def _envoyer_piece_travaux(
    *, acting_user, donnees: dict, calcul: montants.Calcul, contenu: bytes, nom_fichier: str
) -> Facture:
    """A payable works piece continues as an invoice in the service financier's « Factures reçues » (one path:
    the recipient processes it like any invoice). « Factures de travaux » checked who deposits it and for whom
    (``travaux.services``: the depositor is the MOA or the MOE, not the supplier, hence ``emetteur_verifie``);
    here it is saved with its typed totals, without lines (``donnees["analyse_depot"]`` says ``avec_lignes: False``),
    and sent with the piece's PDF as the legal original."""
    with transaction.atomic():
        controler_doublons(contenu=contenu, fournisseur=donnees["fournisseur"], numero=donnees.get("numero", ""))
        brouillon = enregistrer(
            acting_user=acting_user,
            lignes=[],
            calcul=calcul,
            emetteur_verifie=True,
            donnees={
                **donnees,
                "mode_depot": ModeDepot.DEPOT_PDF,
                "type_demande_paiement": Facture.TypeDemandePaiement.FACTURE_TRAVAUX,
            },
        )
        return valider_et_envoyer(
            acting_user=acting_user,
            facture=brouillon,
            contenu=contenu,
            nom_fichier=nom_fichier,
            emetteur_verifie=True,
        )


def _envoyer_brouillon(*, acting_user, facture: Facture) -> Facture:
    analyse = facture.analyse_depot or {}
    if analyse.get("format") in FORMATS_STRUCTURES and facture.fichier:
        # The original was read and checked by its rules when deposited, and its draft's amounts cannot be edited
        # (``completer_brouillon_depose``): sending only makes sure the stored file is still that one, without
        # running the rules a second time.
        with facture.fichier.open("rb") as fichier:
            intact = hashlib.sha256(fichier.read()).hexdigest() == facture.fichier_sha256
        if not intact:
            raise DepotRefuse(
                "Le fichier déposé n'est plus celui qui a été contrôlé : déposez-le à nouveau.", numero=facture.numero
            )
    controler_doublons(contenu=None, fournisseur=facture.fournisseur, numero=facture.numero, facture=facture)
    with transaction.atomic():
        return envoyer(acting_user=acting_user, facture=facture, numero_verifie=True)


# --- The portal's « Déposer facture » ---------------------------------------------------------------------------


def preparer_depot(
    *, acting_user, fournisseur, cadre: str, contenu: bytes, nom_fichier: str, service_fournisseur=None
) -> dict:
    """« Déposer facture »: the deposit pipeline's reading, rules, seller, duplicates and routing
    (``analyser_depot``). A structured document (XML, Factur-X) accepted by its rules becomes a draft at once,
    with its own amounts: ``{"facture": pk}``. A plain PDF pre-fills the saisie form: the file waits in temporary
    storage and the returned JSON-able dict (kept in the user's session) pre-fills the form; the draft exists only
    once the user saves it (``rattacher_depot``). A file already deposited raises DoublonDepot; any other refusal
    a ValidationError (French). ``service_fournisseur``: the supplier's service the invoice is issued for
    (required of a user attached at service level only: ``exiger_emission``)."""
    exiger_emission(acting_user, fournisseur, service=service_fournisseur)
    try:
        document = analyser_depot(fournisseur=fournisseur, contenu=contenu, nom_fichier=nom_fichier, cadre=cadre)
    except DepotRefuse as exc:
        if exc.code_refus == DepotRefuse.DOUBLON:
            raise DoublonDepot(exc.messages[0], exc.facture) from exc
        raise
    if document.structure:
        facture = enregistrer_document(
            acting_user=acting_user,
            document=document,
            valeurs={**document.valeurs, "service_fournisseur": service_fournisseur},
        )
        return {"facture": facture.pk, "analyse": facture.analyse_depot}
    valeurs, lignes = depot.valeurs_facture(document.analyse, fournisseur=fournisseur)
    valeurs["service_fournisseur"] = service_fournisseur
    resume = document.analyse.resume()
    chemin = default_storage.save(f"depots/attente/{uuid.uuid4().hex}-{nom_fichier[-80:]}", ContentFile(contenu))
    return {
        "valeurs": {k: (v.pk if hasattr(v, "pk") else (str(v) if v is not None else None)) for k, v in valeurs.items()},
        "cadre": cadre,
        "lignes": [{k: str(v) for k, v in ligne.items()} for ligne in lignes],
        "analyse": resume,
        "fichier": chemin,
        "nom_fichier": nom_fichier,
        "sha256": hashlib.sha256(contenu).hexdigest(),
    }


def rattacher_depot(*, facture: Facture, preparation: dict) -> Facture:
    """Give the draft saved from a pre-filled deposit its file, its analysis and its deposit mode."""
    with default_storage.open(preparation["fichier"], "rb") as fichier:
        contenu = fichier.read()
    facture.fichier.save(preparation["nom_fichier"], ContentFile(contenu), save=False)
    noter_ecriture(facture.fichier)
    facture.fichier_sha256 = preparation["sha256"]
    facture.analyse_depot = preparation["analyse"]
    facture.mode_depot = preparation["valeurs"].get("mode_depot") or ModeDepot.DEPOT_PDF
    facture.save(update_fields=["fichier", "fichier_sha256", "analyse_depot", "mode_depot", "updated_at"])
    default_storage.delete(preparation["fichier"])
    return facture


# --- Certificate and sending ------------------------------------------------------------------------------------


def empreinte(contenu: bytes, facture: Facture) -> str:
    """The certificat de dépôt (see ``facturation.certificat``)."""
    return empreinte_depot(
        contenu,
        numero=facture.numero,
        siret_fournisseur=facture.fournisseur.identifiant,
        siret_destinataire=facture.destinataire.identifiant,
        date_depot=facture.date_depot,
    )


def renouveler_certificat(*, facture: Facture, ancienne_empreinte: str, ancien_destinataire, acting_user) -> None:
    """« Recycler » changed the recipient, which the certificate's digest covers: issue the certificate of the same
    document, number and deposit time for the new recipient, and keep the replaced one (``CertificatRemplace``,
    append-only). Towards another service of the same structure the digest is unchanged: nothing to replace.
    The deposit time stays the original one: the invoice was deposited then, only its routing changed."""
    if not ancienne_empreinte or not facture.fichier:
        return  # never certified (a sent invoice always is, with its document stored): nothing to replace
    with facture.fichier.open("rb") as fichier:
        contenu = fichier.read()
    nouvelle = empreinte(contenu, facture)
    if nouvelle == ancienne_empreinte:
        return
    CertificatRemplace.objects.create(
        facture=facture,
        empreinte=ancienne_empreinte,
        destinataire=ancien_destinataire,
        identifiant_destinataire=ancien_destinataire.identifiant,
        remplace_par=nouvelle,
        acting_user=acting_user,
    )
    Facture.objects.filter(pk=facture.pk).update(empreinte_certificat=nouvelle)
    facture.empreinte_certificat = nouvelle


CONTRAINTE_NUMERO_UNIQUE = "facture_numero_unique_par_fournisseur"


def valider_et_envoyer(
    *,
    acting_user,
    facture: Facture,
    contenu: bytes,
    nom_fichier: str,
    emetteur_verifie: bool = False,
    deja_verifiee: bool = False,
    doublon_controle: bool = False,
) -> Facture:
    """« Valider et envoyer »: check everything, store the document, certify the deposit, route the invoice.
    ``emetteur_verifie``: a works piece, whose depositor's rights the works chain checked, or a flux's invoice (the
    lot checked them once); ``deja_verifiee``: ``envoyer`` ran the portal's checks a moment ago;
    ``doublon_controle``: ``contenu`` is the deposited file ``controler_doublons`` just checked."""
    if not emetteur_verifie:
        exiger_emission(acting_user, facture.fournisseur, service=facture.service_fournisseur)
    erreurs = controles.verifier_valideur(facture, acting_user)
    if not deja_verifiee:
        erreurs = verifier_avant_envoi(facture) | erreurs
    if erreurs:
        raise ValidationError(erreurs)
    existante = None if doublon_controle else doublon_fichier(contenu)
    if existante is not None and existante.pk != facture.pk:
        raise DoublonDepot("Ce fichier a déjà été déposé.", existante)
    with transaction.atomic():
        # Under the row's lock, re-checked: a parallel « Confirmer l'envoi » (double click, two tabs) finds the
        # invoice sent and stops here; a draft changed meanwhile (« Enregistrer » in another tab) is not sent as
        # it was read before the change.
        verrouillee = Facture.objects.select_for_update(of=("self",)).get(pk=facture.pk)
        if verrouillee.statut != StatutFacture.BROUILLON:
            raise TransitionInterdite(f"Action déjà effectuée : la facture n° {facture.numero} a déjà été envoyée.")
        if verrouillee.updated_at != facture.updated_at:
            raise ValidationError("La facture a été modifiée pendant l'envoi : vérifiez-la, puis envoyez-la à nouveau.")
        certifier(facture, contenu, nom_fichier, date_depot=timezone.now())
        try:
            with transaction.atomic():
                # Everything but the status, which only the transition engine writes.
                facture.save(
                    update_fields=[f.name for f in Facture._meta.concrete_fields if f.name not in ("id", "statut")]
                )
                CIRCUIT.transition(facture, to=StatutFacture.DEPOSEE, acting_user=acting_user, role=FOURNISSEUR)
        except IntegrityError as exc:
            # Two deposits of one number at once both passed ``controler_doublons``; the database's unique index
            # refuses the second when it leaves the draft status: the usual duplicate answer.
            if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") != CONTRAINTE_NUMERO_UNIQUE:
                raise
            existante = (
                Facture.objects.filter(fournisseur=facture.fournisseur_id, numero=facture.numero)
                .exclude(pk=facture.pk)
                .exclude(statut__in=[StatutFacture.BROUILLON, StatutFacture.ABANDONNEE])
                .first()
            )
            raise DepotRefuse(
                f"Ce numéro de facture est déjà utilisé par votre structure : la facture n° {facture.numero} a déjà "
                "été déposée.",
                code=DepotRefuse.DOUBLON,
                numero=facture.numero,
                facture=existante,
            ) from exc
        acheminer(facture)
    return facture


def certifier(facture: Facture, contenu: bytes, nom_fichier: str, *, date_depot) -> None:
    """The sent invoice's legal original stored, its digest and its certificat de dépôt (the row is saved by the
    caller: one invoice's sending, or a flux's chunk written at once)."""
    facture.date_depot = date_depot
    facture.fichier.save(nom_fichier, ContentFile(contenu), save=False)
    noter_ecriture(facture.fichier)
    facture.fichier_sha256 = hashlib.sha256(contenu).hexdigest()
    facture.empreinte_certificat = empreinte(contenu, facture)


def cible_acheminement(facture: Facture) -> str:
    """Where a deposited invoice goes: À valider (A9/A12) or Mise à disposition du destinataire."""
    return StatutFacture.A_VALIDER_1 if facture.cadre in CADRES_AVEC_VALIDEUR else StatutFacture.MISE_A_DISPOSITION


def acheminer(facture: Facture) -> None:
    """Déposée → À valider (A9/A12) or Mise à disposition du destinataire."""
    CIRCUIT.transition(facture, to=cible_acheminement(facture), acting_user=None, role=SYSTEME)


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
