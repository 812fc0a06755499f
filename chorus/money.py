"""Money on ``Decimal`` only: parsing what users type, two-digit half-up rounding as invoices require, VAT.

Every amount of the portal is computed with these helpers (in the apps' service layers), never with floats.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENTIME = Decimal("0.01")
ZERO = Decimal("0.00")
# Amounts are stored as NUMERIC(15, 2): up to 9 999 999 999 999,99.
MONTANT_MAX = Decimal("9999999999999.99")


class MontantInvalide(ValueError):
    """A value that is not an amount; the message is in French, ready to show next to the field."""


def to_decimal(value) -> Decimal:
    """Parse an amount as a user or a file writes it: ``1234.5``, ``1 234,50``, ``-12``; floats are refused
    because their binary value is not the amount the user meant."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or isinstance(value, float):
        raise MontantInvalide("Le montant doit être fourni sous forme décimale exacte.")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = "".join(ch for ch in value.strip() if ch not in " \u00a0\u202f€")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise MontantInvalide(f"« {value} » n'est pas un montant valide.") from exc
    else:
        raise MontantInvalide(f"« {value} » n'est pas un montant valide.")
    if not result.is_finite():
        raise MontantInvalide(f"« {value} » n'est pas un montant valide.")
    if abs(result) > MONTANT_MAX:
        raise MontantInvalide("Le montant dépasse la valeur maximale autorisée (9 999 999 999 999,99).")
    return result


def arrondir(value) -> Decimal:
    """Round to the centime, half away from zero (0,005 → 0,01; -0,005 → -0,01)."""
    return to_decimal(value).quantize(CENTIME, rounding=ROUND_HALF_UP)


def montant_tva(base_ht, taux) -> Decimal:
    """VAT on a base at a rate given in percent (``20``, ``5.5``), rounded to the centime."""
    return arrondir(to_decimal(base_ht) * to_decimal(taux) / Decimal(100))


def montant_ttc(base_ht, taux) -> Decimal:
    return arrondir(to_decimal(base_ht)) + montant_tva(base_ht, taux)


def somme(values) -> Decimal:
    return sum((to_decimal(v) for v in values), ZERO)


def formater_montant(value, devise: str = "EUR") -> str:
    """French display: ``1 234,56 €`` (narrow no-break space between thousands)."""
    amount = arrondir(value)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    symbol = "€" if devise == "EUR" else devise
    thousands = "\u202f".join(groups)
    return f"{sign}{thousands},{cents}\u00a0{symbol}"
