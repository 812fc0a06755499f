"""Amounts of an invoice: lines, VAT breakdown and totals, computed on ``Decimal`` with two-digit half-up
rounding. The one place where an invoice's amounts are computed (saisie form, deposit, API, PDF).

Rules (EN 16931 compatible, so that the generated CII passes BR-CO-10..16 and BR-S-08/09):
- line net amount (BT-131) = round(quantity × unit price) − line discount;
- the VAT of a rate is computed once on the sum of its lines' bases (BT-117 = round(BT-116 × rate)), never
  as a sum of rounded line VATs; the TTC shown on a line is indicative;
- Chorus Pro's « remise globale TTC » has no EN 16931 equivalent: it is turned into one document allowance
  (BT-92, HT) per VAT rate, shared in proportion of each rate's TTC, and VAT is recomputed on the reduced
  bases. « TTC après remise » is then the exact EN 16931 total; it may differ from « TTC avant remise −
  remise » by a centime of rounding, which the recap shows as the effective discount.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from chorus.money import ZERO, arrondir, montant_tva, to_decimal

CENT = Decimal(100)


class MontantsInvalides(ValueError):
    """A line or a discount that cannot be computed; the message is French, for the field concerned."""


@dataclass
class LigneCalculee:
    quantite: Decimal
    prix_unitaire_ht: Decimal
    remise_ht: Decimal
    taux_tva: Decimal
    montant_ht_avant_remise: Decimal
    montant_ht: Decimal  # après remise (BT-131)
    montant_ttc: Decimal  # indicatif


@dataclass
class TvaCalculee:
    taux: Decimal
    base_ht_avant_remise: Decimal
    remise_globale_ht: Decimal
    base_ht: Decimal
    montant_tva: Decimal


@dataclass
class Calcul:
    lignes: list[LigneCalculee] = field(default_factory=list)
    tva: list[TvaCalculee] = field(default_factory=list)
    total_lignes_ht: Decimal = ZERO  # BT-106
    remise_globale_ht: Decimal = ZERO  # BT-107
    total_ht: Decimal = ZERO  # BT-109
    total_tva: Decimal = ZERO  # BT-110
    total_ttc_avant_remise: Decimal = ZERO
    remise_globale_ttc: Decimal = ZERO  # as entered
    remise_globale_ttc_effective: Decimal = ZERO
    total_ttc: Decimal = ZERO  # BT-112, « TTC après remise »
    deja_paye: Decimal = ZERO  # BT-113
    net_a_payer: Decimal = ZERO  # BT-115


def calculer_ligne(*, quantite, prix_unitaire_ht, remise_ht=ZERO, taux_tva) -> LigneCalculee:
    if quantite is None or prix_unitaire_ht is None or taux_tva is None:
        raise MontantsInvalides("Quantité, prix unitaire HT et taux de TVA sont obligatoires sur chaque ligne.")
    quantite = to_decimal(quantite)
    prix = to_decimal(prix_unitaire_ht)
    remise = arrondir(remise_ht or ZERO)
    taux = to_decimal(taux_tva)
    if quantite == 0:
        raise MontantsInvalides("La quantité ne peut pas être nulle.")
    if prix < 0:
        raise MontantsInvalides("Le prix unitaire HT ne peut pas être négatif (utilisez un avoir).")
    if remise < 0:
        raise MontantsInvalides("La remise HT ne peut pas être négative.")
    if not (ZERO <= taux <= CENT):
        raise MontantsInvalides("Le taux de TVA doit être compris entre 0 et 100 %.")
    brut = arrondir(quantite * prix)
    if remise > abs(brut):
        raise MontantsInvalides("La remise HT ne peut pas dépasser le montant HT de la ligne.")
    net = brut - remise if brut >= 0 else brut + remise
    return LigneCalculee(
        quantite=quantite,
        prix_unitaire_ht=prix,
        remise_ht=remise,
        taux_tva=taux,
        montant_ht_avant_remise=brut,
        montant_ht=net,
        montant_ttc=net + montant_tva(net, taux),
    )


def calculer(lignes: list[dict], *, remise_globale_ttc=ZERO, deja_paye=ZERO) -> Calcul:
    """``lignes``: dicts with quantite, prix_unitaire_ht, remise_ht, taux_tva. Raises MontantsInvalides."""
    if not lignes:
        raise MontantsInvalides("La facture doit comporter au moins une ligne.")
    champs = ("quantite", "prix_unitaire_ht", "remise_ht", "taux_tva")
    calcul = Calcul(lignes=[calculer_ligne(**{k: ligne.get(k) for k in champs}) for ligne in lignes])
    bases: dict[Decimal, Decimal] = {}
    for ligne in calcul.lignes:
        taux = ligne.taux_tva.normalize()
        bases[taux] = bases.get(taux, ZERO) + ligne.montant_ht
    calcul.total_lignes_ht = sum((ligne.montant_ht for ligne in calcul.lignes), ZERO)
    ttc_par_taux = {taux: base + montant_tva(base, taux) for taux, base in bases.items()}
    calcul.total_ttc_avant_remise = sum(ttc_par_taux.values(), ZERO)

    remise = arrondir(remise_globale_ttc or ZERO)
    if remise < 0:
        raise MontantsInvalides("La remise globale TTC ne peut pas être négative.")
    if remise > calcul.total_ttc_avant_remise:
        raise MontantsInvalides("La remise globale TTC ne peut pas dépasser le montant TTC de la facture.")
    calcul.remise_globale_ttc = remise

    remises_ht = _repartir_remise(remise, ttc_par_taux, bases)
    for taux in sorted(bases):
        base = bases[taux] - remises_ht[taux]
        calcul.tva.append(
            TvaCalculee(
                taux=taux,
                base_ht_avant_remise=bases[taux],
                remise_globale_ht=remises_ht[taux],
                base_ht=base,
                montant_tva=montant_tva(base, taux),
            )
        )
    calcul.remise_globale_ht = sum(remises_ht.values(), ZERO)
    calcul.total_ht = calcul.total_lignes_ht - calcul.remise_globale_ht
    calcul.total_tva = sum((t.montant_tva for t in calcul.tva), ZERO)
    calcul.total_ttc = calcul.total_ht + calcul.total_tva
    calcul.remise_globale_ttc_effective = calcul.total_ttc_avant_remise - calcul.total_ttc
    calcul.deja_paye = arrondir(deja_paye or ZERO)
    calcul.net_a_payer = calcul.total_ttc - calcul.deja_paye
    return calcul


def _repartir_remise(remise_ttc: Decimal, ttc_par_taux: dict, bases: dict) -> dict[Decimal, Decimal]:
    """Share a TTC discount between VAT rates in proportion of their TTC, as HT amounts; the last rate takes
    the rounding remainder of the TTC shares so that the shares add up to the discount."""
    result = dict.fromkeys(bases, ZERO)
    total = sum(ttc_par_taux.values(), ZERO)
    if remise_ttc == 0 or total == 0:
        return result
    taux_tries = sorted(bases)
    reste = remise_ttc
    for i, taux in enumerate(taux_tries):
        part_ttc = reste if i == len(taux_tries) - 1 else arrondir(remise_ttc * ttc_par_taux[taux] / total)
        reste -= part_ttc
        result[taux] = min(arrondir(part_ttc / (1 + taux / CENT)), bases[taux])
    return result
