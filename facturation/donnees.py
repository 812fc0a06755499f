"""The invoice data exchanged between the deposit parsers (Factur-X, UBL, CII, PDF text), the saisie form, the
EN 16931 checker and the Factur-X generator. Plain dataclasses of ``str``/``Decimal``/``date``: no Django model,
so each of those modules can be read and tested on its own.

Amounts are ``Decimal``; a field read from a document but not yet confirmed by the user is listed in
``champs_a_verifier`` (the deposit form marks it « à vérifier »).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass
class Partie:
    """Seller (fournisseur, BG-4) or buyer (destinataire, BG-7)."""

    raison_sociale: str = ""  # BT-27 / BT-44
    siret: str = ""  # BT-29/BT-30 (scheme 0009) / BT-46/BT-47
    numero_tva: str = ""  # BT-31 / BT-48
    adresse: str = ""  # BT-35 / BT-50
    code_postal: str = ""  # BT-38 / BT-53
    ville: str = ""  # BT-37 / BT-52
    code_pays: str = "FR"  # BT-40 / BT-55
    code_service: str = ""  # buyer only: Chorus Pro code service (BT-10 buyer reference in Chorus' usage)


@dataclass
class Ligne:
    numero: str = ""  # BT-126
    reference: str = ""  # BT-155 seller's item identifier
    denomination: str = ""  # BT-153
    quantite: Decimal = Decimal("1")  # BT-129
    unite: str = "C62"  # BT-130 (UN/ECE rec 20; C62 = unité)
    prix_unitaire_ht: Decimal = Decimal("0")  # BT-146
    remise_ht: Decimal = Decimal("0")  # BT-136 line allowance amount
    taux_tva: Decimal = Decimal("20")  # BT-152
    categorie_tva: str = "S"  # BT-151 (S standard, E exonéré, Z zéro, O hors champ, AE autoliquidation...)
    montant_ht: Decimal | None = None  # BT-131 as read from a document (None when computed)


@dataclass
class LigneTva:
    """One line of the VAT breakdown (BG-23)."""

    categorie: str  # BT-118
    taux: Decimal  # BT-119
    base_ht: Decimal  # BT-116
    montant_tva: Decimal  # BT-117
    motif_exoneration: str = ""  # BT-120


@dataclass
class Totaux:
    """Document totals (BG-22)."""

    total_lignes_ht: Decimal = Decimal("0")  # BT-106
    remises_document_ht: Decimal = Decimal("0")  # BT-107
    charges_document_ht: Decimal = Decimal("0")  # BT-108
    total_ht: Decimal = Decimal("0")  # BT-109
    total_tva: Decimal = Decimal("0")  # BT-110
    total_ttc: Decimal = Decimal("0")  # BT-112
    deja_paye: Decimal = Decimal("0")  # BT-113
    net_a_payer: Decimal = Decimal("0")  # BT-115


@dataclass
class DonneesFacture:
    numero: str = ""  # BT-1
    date_emission: date | None = None  # BT-2
    type_document: str = "380"  # BT-3: 380 facture, 381 avoir, 386 acompte
    devise: str = "EUR"  # BT-5
    date_echeance: date | None = None  # BT-9
    reference_acheteur: str = ""  # BT-10
    numero_engagement: str = ""  # BT-13 purchase order reference (numéro d'engagement / bon de commande)
    numero_marche: str = ""  # BT-12 contract reference
    facture_origine: str = ""  # BT-25 preceding invoice (for an avoir)
    mode_paiement: str = ""  # BT-81 payment means code (30 virement, 49 prélèvement, 20 chèque...)
    iban: str = ""  # BT-84
    bic: str = ""  # BT-86
    commentaire: str = ""  # BT-22
    motif_exoneration: str = ""  # BT-120
    fournisseur: Partie = field(default_factory=Partie)
    destinataire: Partie = field(default_factory=Partie)
    lignes: list[Ligne] = field(default_factory=list)
    tva: list[LigneTva] = field(default_factory=list)
    totaux: Totaux = field(default_factory=Totaux)
    champs_a_verifier: set[str] = field(default_factory=set)
