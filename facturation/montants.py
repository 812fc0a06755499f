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
from decimal import ROUND_FLOOR, Decimal

from chorus.money import MONTANT_MAX, ZERO, arrondir, formater_montant, montant_tva, to_decimal
from facturation.donnees import DonneesFacture, Ligne, LigneTva, Totaux

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
    charges_ht: Decimal = ZERO  # Σ BT-141 (line charges, deposited documents)
    quantite_base: Decimal = Decimal(1)  # BT-149
    categorie_tva: str = ""  # BT-151 ("" = from the invoice's type de TVA)


@dataclass
class TvaCalculee:
    taux: Decimal
    base_ht_avant_remise: Decimal
    remise_globale_ht: Decimal
    base_ht: Decimal
    montant_tva: Decimal
    categorie: str = ""  # BT-118 ("" = from the invoice's type de TVA)
    motif_exoneration: str = ""  # BT-120
    code_motif_exoneration: str = ""  # BT-121


@dataclass
class Calcul:
    lignes: list[LigneCalculee] = field(default_factory=list)
    tva: list[TvaCalculee] = field(default_factory=list)
    total_lignes_ht: Decimal = ZERO  # BT-106
    remise_globale_ht: Decimal = ZERO  # BT-107 (Σ document allowances)
    charges_ht: Decimal = ZERO  # BT-108 (Σ document charges)
    total_ht: Decimal = ZERO  # BT-109
    total_tva: Decimal = ZERO  # BT-110
    total_ttc_avant_remise: Decimal = ZERO
    remise_globale_ttc: Decimal = ZERO  # as entered
    remise_globale_ttc_effective: Decimal = ZERO
    total_ttc: Decimal = ZERO  # BT-112, « TTC après remise »
    deja_paye: Decimal = ZERO  # BT-113
    arrondi: Decimal = ZERO  # BT-114
    net_a_payer: Decimal = ZERO  # BT-115
    avec_lignes: bool = True  # False: a Factur-X MINIMUM / BASIC WL, whose totals stand without lines


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
    """Share a TTC discount between VAT rates in proportion of their TTC, as HT amounts. The centimes are shared by
    largest remainder: each rate gets its proportional share rounded down, and the centimes left go to the rates
    whose share lost the most to that rounding. The shares add up to the discount and none is negative (giving the
    rounding remainder to one fixed rate could make its share negative, raising its base)."""
    result = dict.fromkeys(bases, ZERO)
    total = sum(ttc_par_taux.values(), ZERO)
    if remise_ttc == 0 or total <= 0:
        return result
    exactes = {taux: remise_ttc * CENT * max(ttc_par_taux[taux], ZERO) / total for taux in bases}
    centimes = {taux: int(exacte.to_integral_value(rounding=ROUND_FLOOR)) for taux, exacte in exactes.items()}
    restants = int(remise_ttc * CENT) - sum(centimes.values())
    for taux in sorted(bases, key=lambda t: (centimes[t] - exactes[t], t))[: max(restants, 0)]:
        centimes[taux] += 1
    for taux in bases:
        part_ttc = Decimal(centimes[taux]) / CENT
        result[taux] = min(arrondir(part_ttc / (1 + taux / CENT)), bases[taux])
    return result


# --- A deposited document's own amounts ------------------------------------------------------------------------
# A document written by other software is never recomputed: its amounts are taken as written, provided they agree
# with each other as EN 16931 requires (BR-CO-10 to BR-CO-16). The official rules of its profile are checked
# too (``facturation.en16931``); these checks stand on their own so that no profile, however light, lets an
# inconsistent total through.


def _fr(valeur: Decimal) -> str:
    return formater_montant(valeur).replace("\u00a0€", "")


def _ecart(erreurs: list, regle: str, libelle: str, trouve: Decimal, attendu: Decimal) -> None:
    if trouve != attendu:
        erreurs.append(
            f"{libelle} vaut {_fr(trouve)} alors que les montants du document donnent {_fr(attendu)} ({regle})."
        )


def montants_du_document(donnees, *, minimum: bool = False) -> Calcul:
    """The ``Calcul`` of a deposited document (``facturation.donnees.DonneesFacture``), made of its own amounts.
    Raises MontantsInvalides (French, one sentence per rule broken, naming the business term) when they do not
    agree with each other. ``minimum``: a Factur-X MINIMUM, which has neither BT-113 nor BT-114, so that BR-CO-16
    cannot be checked (its own rules do not either): its amount due stands as written."""
    t = donnees.totaux
    erreurs: list[str] = []
    lignes = []
    for ligne in donnees.lignes:
        if ligne.montant_ht is None:
            raise MontantsInvalides(f"Le montant net de la ligne {ligne.numero or len(lignes) + 1} (BT-131) manque.")
        taux = to_decimal(ligne.taux_tva or 0)
        lignes.append(
            LigneCalculee(
                quantite=to_decimal(ligne.quantite),
                prix_unitaire_ht=to_decimal(ligne.prix_unitaire_ht),
                remise_ht=to_decimal(ligne.remise_ht or 0),
                taux_tva=taux,
                montant_ht_avant_remise=to_decimal(ligne.montant_ht)
                + to_decimal(ligne.remise_ht or 0)
                - to_decimal(ligne.charges_ht or 0),
                montant_ht=to_decimal(ligne.montant_ht),
                montant_ttc=to_decimal(ligne.montant_ht) + montant_tva(ligne.montant_ht, taux),
                charges_ht=to_decimal(ligne.charges_ht or 0),
                quantite_base=to_decimal(ligne.quantite_base or 1),
                categorie_tva=ligne.categorie_tva,
            )
        )
    remises = [a for a in donnees.ajustements if not a.charge]
    charges = [a for a in donnees.ajustements if a.charge]
    if donnees.avec_lignes and lignes:
        _ecart(
            erreurs,
            "BR-CO-10",
            "Le total HT des lignes (BT-106)",
            t.total_lignes_ht,
            sum((ligne.montant_ht for ligne in lignes), ZERO),
        )
    _ecart(
        erreurs,
        "BR-CO-11",
        "Le total des remises du document (BT-107)",
        t.remises_document_ht,
        sum((to_decimal(a.montant) for a in remises), ZERO),
    )
    _ecart(
        erreurs,
        "BR-CO-12",
        "Le total des frais du document (BT-108)",
        t.charges_document_ht,
        sum((to_decimal(a.montant) for a in charges), ZERO),
    )
    if t.total_lignes_ht or t.remises_document_ht or t.charges_document_ht:
        _ecart(
            erreurs,
            "BR-CO-13",
            "Le total HT (BT-109)",
            t.total_ht,
            t.total_lignes_ht - t.remises_document_ht + t.charges_document_ht,
        )
    if donnees.tva:
        _ecart(
            erreurs,
            "BR-CO-14",
            "Le total de la TVA (BT-110)",
            t.total_tva,
            sum((to_decimal(v.montant_tva) for v in donnees.tva), ZERO),
        )
    _ecart(erreurs, "BR-CO-15", "Le montant TTC (BT-112)", t.total_ttc, t.total_ht + t.total_tva)
    if not minimum:
        _ecart(erreurs, "BR-CO-16", "Le montant à payer (BT-115)", t.net_a_payer, t.total_ttc - t.deja_paye + t.arrondi)
    for nom, valeur in (("BT-109", t.total_ht), ("BT-112", t.total_ttc), ("BT-115", t.net_a_payer)):
        if abs(valeur) > MONTANT_MAX:
            erreurs.append(f"Le montant {nom} ({valeur}) dépasse la valeur maximale autorisée.")
    if erreurs:
        raise MontantsInvalides(" ".join(erreurs))
    return Calcul(
        lignes=lignes,
        tva=[
            TvaCalculee(
                taux=to_decimal(v.taux or 0),
                base_ht_avant_remise=to_decimal(v.base_ht),
                remise_globale_ht=ZERO,
                base_ht=to_decimal(v.base_ht),
                montant_tva=to_decimal(v.montant_tva),
                categorie=v.categorie,
                motif_exoneration=v.motif_exoneration,
                code_motif_exoneration=v.code_motif_exoneration,
            )
            for v in donnees.tva
        ],
        total_lignes_ht=t.total_lignes_ht,
        remise_globale_ht=t.remises_document_ht,
        charges_ht=t.charges_document_ht,
        total_ht=t.total_ht,
        total_tva=t.total_tva,
        total_ttc_avant_remise=t.total_ttc,
        total_ttc=t.total_ttc,
        deja_paye=t.deja_paye,
        arrondi=t.arrondi,
        net_a_payer=t.net_a_payer,
        avec_lignes=donnees.avec_lignes,
    )


def tva_sur_base(base, taux) -> Decimal:
    """The VAT of a base at a rate, rounded to the centime (one rate's VAT of a breakdown)."""
    return montant_tva(base, taux)


def taux_normalise(taux) -> Decimal:
    """« 20,00 » and « 20 » are the same rate: one value, two decimals at most, no trailing zeros nor exponent."""
    return Decimal(format(arrondir(taux).normalize(), "f"))


def base_de_la_tva(tva, taux) -> Decimal:
    """The base HT that a VAT amount at a rate implies (a PDF's text gives the VAT, not its base)."""
    return arrondir(to_decimal(tva) * CENT / to_decimal(taux))


def ecarts_totaux(calcul: Calcul, declares: dict) -> list[str]:
    """The totals a client declares (``{"montant_ht": …, "montant_tva": …, "montant_ttc": …, "net_a_payer": …}``,
    ``None`` when not given) compared with the computed ones, exactly: a French sentence per difference."""
    libelles = {
        "montant_ht": ("Le montant HT", calcul.total_ht),
        "montant_tva": ("Le montant de TVA", calcul.total_tva),
        "montant_ttc": ("Le montant TTC", calcul.total_ttc),
        "net_a_payer": ("Le montant à payer", calcul.net_a_payer),
    }
    erreurs = []
    for cle, declare in declares.items():
        if declare is None:
            continue
        libelle, calcule = libelles[cle]
        if arrondir(declare) != calcule:
            erreurs.append(
                f"{libelle} déclaré ({_fr(arrondir(declare))}) ne correspond pas au montant calculé des lignes "
                f"({_fr(calcule)})."
            )
    return erreurs


# --- The totals typed for a works piece (« Factures de travaux »: montants totaux and optional VAT detail) -------


@dataclass
class MontantsPiece:
    montant_ht: Decimal
    montant_tva: Decimal
    montant_ttc: Decimal
    montant_a_payer: Decimal
    detail_tva: list[dict]  # [{"taux", "base_ht", "montant_tva"}] as strings (JSON)

    def calcul(self) -> Calcul:
        """The invoice's totals (a payable piece becomes an invoice without lines): the typed ones, unchanged."""
        tva = [
            TvaCalculee(
                taux=Decimal(d["taux"]),
                base_ht_avant_remise=Decimal(d["base_ht"]),
                remise_globale_ht=ZERO,
                base_ht=Decimal(d["base_ht"]),
                montant_tva=Decimal(d["montant_tva"]),
            )
            for d in self.detail_tva
        ]
        return Calcul(
            tva=tva,
            total_lignes_ht=self.montant_ht,
            total_ht=self.montant_ht,
            total_tva=self.montant_tva,
            total_ttc_avant_remise=self.montant_ttc,
            total_ttc=self.montant_ttc,
            deja_paye=self.montant_ttc - self.montant_a_payer,
            net_a_payer=self.montant_a_payer,
            avec_lignes=False,
        )


def _montant_saisi(valeur, libelle: str, erreurs: dict, cle: str, *, requis: bool = True) -> Decimal | None:
    if valeur in (None, ""):
        if requis:
            erreurs[cle] = f"{libelle} est obligatoire."
        return None
    try:
        montant = to_decimal(valeur)
    except (ValueError, ArithmeticError):
        erreurs[cle] = f"{libelle} n'est pas un montant valide."
        return None
    if montant != arrondir(montant):
        erreurs[cle] = f"{libelle} a au plus deux décimales."
    elif abs(montant) > MONTANT_MAX:
        erreurs[cle] = f"{libelle} dépasse le montant maximal autorisé."
    return montant


def montants_piece(*, montant_ht, montant_tva, montant_ttc=None, montant_a_payer=None, detail_tva=()) -> MontantsPiece:
    """Check the totals typed for a works piece and return them; raises MontantsInvalides with one French message
    per field (``args[0]`` is a dict field → message). TTC = HT + TVA (computed when not typed), the amount to pay
    is at most the TTC (an advance already paid comes off it) and not negative; when a VAT detail is given, its
    bases add up to the HT and its VAT amounts to the TVA."""
    erreurs: dict[str, str] = {}
    ht = _montant_saisi(montant_ht, "Le montant HT", erreurs, "montant_ht")
    tva = _montant_saisi(montant_tva, "Le montant TVA", erreurs, "montant_tva")
    ttc = _montant_saisi(montant_ttc, "Le montant TTC", erreurs, "montant_ttc", requis=False)
    a_payer = _montant_saisi(montant_a_payer, "Le montant à payer", erreurs, "montant_a_payer", requis=False)
    if erreurs:
        raise MontantsInvalides(erreurs)
    if ht < 0 or tva < 0:
        erreurs["montant_ht" if ht < 0 else "montant_tva"] = "Les montants d'une pièce de travaux sont positifs."
    attendu = arrondir(ht + tva)
    if ttc is None:
        ttc = attendu
    elif arrondir(ttc) != attendu:
        erreurs["montant_ttc"] = (
            f"Le montant TTC ({_fr(ttc)}) doit être égal au montant HT plus la TVA ({_fr(attendu)})."
        )
    if a_payer is None:
        a_payer = ttc
    elif a_payer < 0 or a_payer > ttc:
        erreurs["montant_a_payer"] = f"Le montant à payer doit être compris entre 0 et le montant TTC ({_fr(ttc)})."
    detail = []
    for i, ligne in enumerate(detail_tva, start=1):
        taux = _montant_saisi(ligne.get("taux"), f"Le taux de la ligne de TVA {i}", erreurs, "detail_tva")
        base = _montant_saisi(ligne.get("base_ht"), f"La base HT de la ligne de TVA {i}", erreurs, "detail_tva")
        montant = _montant_saisi(ligne.get("montant_tva"), f"La TVA de la ligne {i}", erreurs, "detail_tva")
        if None not in (taux, base, montant):
            detail.append(
                {
                    "taux": str(taux_normalise(taux)),
                    "base_ht": str(arrondir(base)),
                    "montant_tva": str(arrondir(montant)),
                }
            )
    if detail and "detail_tva" not in erreurs:
        bases = sum((Decimal(d["base_ht"]) for d in detail), ZERO)
        tvas = sum((Decimal(d["montant_tva"]) for d in detail), ZERO)
        if bases != ht:
            erreurs["detail_tva"] = (
                f"La somme des bases HT du détail de TVA ({_fr(bases)}) doit égaler le montant HT ({_fr(ht)})."
            )
        elif tvas != tva:
            erreurs["detail_tva"] = f"La somme des TVA du détail ({_fr(tvas)}) doit égaler le montant TVA ({_fr(tva)})."
    if erreurs:
        raise MontantsInvalides(erreurs)
    return MontantsPiece(arrondir(ht), arrondir(tva), arrondir(ttc), arrondir(a_payer), detail)


# --- The amounts written into a generated Factur-X -------------------------------------------------------------
# ``facturation.facturx`` writes what the data carry; where they only carry totals (data built by hand, a
# document's totals without its breakdown), the missing amounts are derived here, never in the writer.

# Categories for which EN 16931 requires an exemption reason (BT-120 or BT-121), with a default French text used
# when the invoice gives none.
MOTIFS_EXONERATION_PAR_DEFAUT = {
    "E": "Exonération de TVA",
    "AE": "Autoliquidation",
    "K": "Livraison intracommunautaire exonérée",
    "G": "Exportation hors Union européenne exonérée",
    "O": "Hors champ d'application de la TVA",
}
# Categories whose VAT rate must not be written (BR-O-05, BR-O-09...).
CATEGORIES_SANS_TAUX = {"O"}


def montant_ligne(ligne: Ligne) -> Decimal:
    """BT-131: as read from a document when known, else quantité × PU HT / quantité de base − remises + frais,
    rounded to the centime."""
    if ligne.montant_ht is not None:
        return arrondir(ligne.montant_ht)
    base = ligne.quantite_base or 1
    return arrondir(ligne.quantite * ligne.prix_unitaire_ht / base - ligne.remise_ht + ligne.charges_ht)


def _cle_tva(categorie: str, taux) -> tuple[str, Decimal]:
    return categorie, Decimal(taux).quantize(Decimal("0.01"))


def _totaux_lignes_par_categorie(donnees: DonneesFacture) -> dict[tuple[str, Decimal], Decimal]:
    totaux: dict[tuple[str, Decimal], Decimal] = {}
    for ligne in donnees.lignes:
        cle = _cle_tva(ligne.categorie_tva, ligne.taux_tva)
        totaux[cle] = totaux.get(cle, ZERO) + montant_ligne(ligne)
    for ligne_tva in donnees.tva:
        totaux.setdefault(_cle_tva(ligne_tva.categorie, ligne_tva.taux), ZERO)
    return totaux


def _proratiser(montant: Decimal, poids: dict[tuple[str, Decimal], Decimal]) -> dict:
    cles = [cle for cle, valeur in poids.items() if valeur != 0] or list(poids)
    if not cles:
        return {}
    total = sum((poids[cle] for cle in cles), ZERO)
    parts = {}
    reste = montant
    for cle in cles[:-1]:
        part = arrondir(montant * poids[cle] / total) if total else ZERO
        parts[cle] = part
        reste -= part
    parts[cles[-1]] = reste
    return parts


def repartition_remises_charges(donnees: DonneesFacture) -> tuple[dict, dict]:
    """Split the document-level allowance (BT-107) and charge (BT-108) per VAT category (see the module
    docstring). Returns two dicts ``{(categorie, taux): montant}`` with only non-zero shares."""
    remises = arrondir(donnees.totaux.remises_document_ht)
    charges = arrondir(donnees.totaux.charges_document_ht)
    if not remises and not charges:
        return {}, {}
    lignes = _totaux_lignes_par_categorie(donnees)
    if donnees.tva:
        ecarts = {
            _cle_tva(t.categorie, t.taux): lignes.get(_cle_tva(t.categorie, t.taux), ZERO) - arrondir(t.base_ht)
            for t in donnees.tva
        }
        if sum(ecarts.values(), ZERO) == remises - charges:
            if not charges and all(e >= 0 for e in ecarts.values()):
                return {k: v for k, v in ecarts.items() if v}, {}
            if not remises and all(e <= 0 for e in ecarts.values()):
                return {}, {k: -v for k, v in ecarts.items() if v}
    parts_remises = {k: v for k, v in _proratiser(remises, lignes).items() if v} if remises else {}
    parts_charges = {k: v for k, v in _proratiser(charges, lignes).items() if v} if charges else {}
    return parts_remises, parts_charges


def _motif(categorie: str, motif: str, donnees: DonneesFacture) -> str:
    if categorie not in MOTIFS_EXONERATION_PAR_DEFAUT:
        return ""
    return motif or donnees.motif_exoneration or MOTIFS_EXONERATION_PAR_DEFAUT[categorie]


def ventilation_tva(donnees: DonneesFacture) -> list[LigneTva]:
    """The VAT breakdown (BG-23): the invoice's own when it has one, else computed from the lines and the
    document-level allowances and charges."""
    if donnees.tva:
        return [
            LigneTva(
                categorie=t.categorie,
                taux=t.taux,
                base_ht=arrondir(t.base_ht),
                montant_tva=arrondir(t.montant_tva),
                motif_exoneration=_motif(t.categorie, t.motif_exoneration, donnees),
            )
            for t in donnees.tva
        ]
    remises, charges = repartition_remises_charges(donnees)
    resultat = []
    for (categorie, taux), total in _totaux_lignes_par_categorie(donnees).items():
        base = total - remises.get((categorie, taux), ZERO) + charges.get((categorie, taux), ZERO)
        resultat.append(
            LigneTva(
                categorie=categorie,
                taux=taux,
                base_ht=base,
                montant_tva=montant_tva(base, taux) if categorie not in CATEGORIES_SANS_TAUX else ZERO,
                motif_exoneration=_motif(categorie, "", donnees),
            )
        )
    return resultat


def totaux_effectifs(donnees: DonneesFacture) -> Totaux:
    """The invoice's totals when it has some, else computed from the lines, allowances, charges and VAT."""
    t = donnees.totaux
    if t.total_ht or t.total_ttc or t.total_lignes_ht or t.net_a_payer or not donnees.lignes:
        return t
    lignes = sum((montant_ligne(ligne) for ligne in donnees.lignes), ZERO)
    total_ht = lignes - arrondir(t.remises_document_ht) + arrondir(t.charges_document_ht)
    total_tva = sum((v.montant_tva for v in ventilation_tva(donnees)), ZERO)
    total_ttc = total_ht + total_tva
    return Totaux(
        total_lignes_ht=lignes,
        remises_document_ht=arrondir(t.remises_document_ht),
        charges_document_ht=arrondir(t.charges_document_ht),
        total_ht=total_ht,
        total_tva=total_tva,
        total_ttc=total_ttc,
        deja_paye=arrondir(t.deja_paye),
        net_a_payer=total_ttc - arrondir(t.deja_paye),
    )
