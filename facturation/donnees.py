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
    siren: str = ""  # BT-30 / BT-47 with scheme 0002, when no SIRET is given
    # Every identifier of the party as written, (value, scheme): BT-29/BT-30/BT-46/BT-47, GLN 0088, DUNS 0060...
    identifiants: list[tuple[str, str]] = field(default_factory=list)
    nom_commercial: str = ""  # BT-28 / BT-45
    adresse_complement: str = ""  # BT-36 / BT-51 (and BT-162 / BT-163 folded in)


@dataclass
class Ajustement:
    """An allowance or a charge: of the document (BG-20 / BG-21) or of a line (BG-27 / BG-28)."""

    charge: bool  # False: allowance (remise), True: charge (frais)
    montant: Decimal  # BT-92 / BT-99 / BT-136 / BT-141
    base: Decimal | None = None  # BT-93 / BT-100 / BT-137 / BT-142
    pourcentage: Decimal | None = None  # BT-94 / BT-101 / BT-138 / BT-143
    motif: str = ""  # BT-97 / BT-104 / BT-139 / BT-144
    code_motif: str = ""  # BT-98 / BT-105 / BT-140 / BT-145
    categorie_tva: str = ""  # BT-95 / BT-102 (document level only)
    taux_tva: Decimal | None = None  # BT-96 / BT-103 (document level only)


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
    quantite_base: Decimal = Decimal("1")  # BT-149: the unit price applies to this quantity
    charges_ht: Decimal = Decimal("0")  # Σ BT-141 line charges
    ajustements: list[Ajustement] = field(default_factory=list)  # BG-27 / BG-28 as written


@dataclass
class LigneTva:
    """One line of the VAT breakdown (BG-23)."""

    categorie: str  # BT-118
    taux: Decimal  # BT-119
    base_ht: Decimal  # BT-116
    montant_tva: Decimal  # BT-117
    motif_exoneration: str = ""  # BT-120
    code_motif_exoneration: str = ""  # BT-121


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
    arrondi: Decimal = Decimal("0")  # BT-114
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
    cadre: str = ""  # BT-23 business process (Chorus Pro: the cadre de facturation, A1, A2, A9...)
    profil: str = ""  # BT-24 specification identifier, as written
    conditions_paiement: str = ""  # BT-20
    date_livraison: date | None = None  # BT-72
    livraison: Partie = field(default_factory=lambda: Partie(code_pays=""))  # BG-13 / BG-15: deliver-to party
    periode_debut: date | None = None  # BT-73
    periode_fin: date | None = None  # BT-74
    factures_precedentes: list[tuple[str, date | None]] = field(default_factory=list)  # BG-3 (BT-25, BT-26)
    ajustements: list[Ajustement] = field(default_factory=list)  # BG-20 / BG-21 as written
    avec_lignes: bool = True  # False for the Factur-X profiles without lines (MINIMUM, BASIC WL)
    fournisseur: Partie = field(default_factory=Partie)
    destinataire: Partie = field(default_factory=Partie)
    lignes: list[Ligne] = field(default_factory=list)
    tva: list[LigneTva] = field(default_factory=list)
    totaux: Totaux = field(default_factory=Totaux)
    champs_a_verifier: set[str] = field(default_factory=set)
