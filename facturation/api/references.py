"""The invoicing domain's reference lists, ``/cpro/transverses/v1/recuperer/…``: each answers the values the portal
itself uses, read from the one place that declares them (``facturation.enums``, ``facturation.statuts``, the flux
syntaxes of ``facturation.api.flux``), so that what a client is offered is what ``soumettre`` and
``deposer/flux`` accept. No domain object is read: these lists are the same for every technical account.

``motifs/exonerationtva`` is left out: the portal has no coded list of exemption motives (free text, BT-120)."""

from decimal import Decimal

from chorus.api.champs import CodeLangue, Requete, Texte
from chorus.api.choix import valeur_connue
from chorus.api.kit import succes
from chorus.api.protocole import liste_de_reference, service_cpro
from facturation import statuts
from facturation.api.flux import SYNTAXES
from facturation.enums import TAUX_TVA, Cadre, ModeDepot, ModePaiement, StatutFacture, TypePieceJointe
from facturation.models import Facture

TypeDemandePaiement = Facture.TypeDemandePaiement

# The attachment types of an invoice (``typeObjet`` FACTURE); the other objects of Chorus Pro's list have no typed
# attachments on the portal. Known objects are answered (an empty list), an unknown one refused.
TYPES_OBJET = [
    "STRUCTURE",
    "UTILISATEUR",
    "CB",
    "MANDAT",
    "FICHE_RACCORDEMENT",
    "EJ",
    "MEMOIRE",
    "DMD_RBST",
    "TRANSVERSE",
    "FACTURE_TRAVAUX",
    "FACTURE",
    "DMDE_CPTE_DEV_SI_EXT",
    "SOLLICITATION",
    "CERTIFICAT",
    "PJ_REJET_EDI",
]
TYPE_OBJET_FACTURE = "FACTURE"


def code_taux_tva(taux: str) -> str:
    """« TVA20 », « TVA5.5 »: the code ``soumettre`` reads back in ``lignePosteTauxTva``."""
    return f"TVA{taux}"


class TypeDpRequete(Requete):
    typeDemandePaiement = Texte()


class EtatsTraitementRequete(Requete):
    statutCourant = Texte(requis=True)


class TypesPjRequete(Requete):
    codeLangue = Texte()
    typeObjet = Texte()


RecupererTauxTva = liste_de_reference(
    "Taux de TVA",
    "listeTauxTva",
    ("codeTauxTva", "libelleTauxTva", "valeurTauxTva"),
    [(code_taux_tva(taux), f"{taux.replace('.', ',')} %", float(Decimal(taux))) for taux in TAUX_TVA],
    requete=CodeLangue,
)


RecupererModesReglement = liste_de_reference(
    "Modes de règlement", "listeModePaiement", "modePaiement", ModePaiement.values
)
RecupererModesDepot = liste_de_reference("Modes de dépôt", "listeModeDepot", "modeDepot", ModeDepot.values)
RecupererFormatsFlux = liste_de_reference(
    "Formats de flux acceptés par deposer/flux", "listeFormatFlux", "formatFlux", SYNTAXES
)
# Every cadre the portal handles (``Cadre``): the invoices' first (A1, A2, A9, A12: ``soumettre``, ``deposer/flux``),
# then the works pieces' (A4…A25, deposited in « Factures de travaux »).
RecupererCadresFacturation = liste_de_reference(
    "Cadres de facturation", "listeCadreFacturation", "codeCadreFacturation", Cadre.values
)
RecupererTypesDp = liste_de_reference(
    "Types de demande de paiement", "listeTypeDemandePaiement", "typeDemandePaiement", TypeDemandePaiement.values
)


def etats_type_dp(corps, compte):
    """Both types of payment request follow the one lifecycle of ``facturation.statuts`` (a payable works piece
    continues as an invoice): the statuses of its table, in the enum's order."""
    type_dp = corps.texte("typeDemandePaiement")
    if type_dp:
        valeur_connue(type_dp, TypeDemandePaiement.values, "typeDemandePaiement")
    return succes(listeEtatDemandePaiement=[{"etatDemandePaiement": s} for s in StatutFacture.values])


RecupererEtatsTypeDp = service_cpro("Statuts d'un type de demande de paiement", TypeDpRequete, etats_type_dp)


def etats_traitement(corps, compte):
    """What « Traiter la facture » offers the recipient from ``statutCourant``: the transition table's targets."""
    statut = valeur_connue(corps.texte("statutCourant", requis=True), StatutFacture.values, "statutCourant")
    return succes(
        listeStatutsPossiblesPourTraitement=[
            {"statutPossiblePourTraitement": cible} for cible in statuts.cibles(statut, statuts.DESTINATAIRE)
        ]
    )


RecupererEtatsTraitement = service_cpro(
    "Statuts qu'un destinataire peut donner depuis le statut courant", EtatsTraitementRequete, etats_traitement
)


def types_pj(corps, compte):
    """``idTypePieceJointe``: the type's rank in ``TypePieceJointe`` (stable: new types are added at the end)."""
    type_objet = corps.texte("typeObjet") or TYPE_OBJET_FACTURE
    valeur_connue(type_objet, TYPES_OBJET, "typeObjet")
    types = list(TypePieceJointe) if type_objet == TYPE_OBJET_FACTURE else []
    return succes(
        listeTypePieceJointe=[
            {
                "idTypePieceJointe": rang,
                "codeTypePieceJointe": type_pj.value,
                "libelleTypePieceJointe": type_pj.label,
                "typeObjet": TYPE_OBJET_FACTURE,
            }
            for rang, type_pj in enumerate(types, start=1)
        ]
    )


RecupererTypesPj = service_cpro("Types de pièce jointe", TypesPjRequete, types_pj)
