"""SIRET and SIREN: normalisation and validation with French error messages (python-stdnum does the maths,
including La Poste's establishments, whose SIRET follow a different checksum)."""

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret


def normaliser(value: str) -> str:
    """Remove the spaces, dots and dashes people type into identifiers."""
    return "".join(ch for ch in str(value or "") if ch not in " .-\u00a0\u202f\t")


def _valider(value: str, *, module, nom: str, longueur: int) -> str:
    compact = normaliser(value)
    if not compact:
        raise ValidationError(f"Le {nom} est obligatoire.", code="required")
    if not (compact.isascii() and compact.isdigit()):
        raise ValidationError(f"Le {nom} ne doit contenir que des chiffres.", code="invalid")
    if len(compact) != longueur:
        raise ValidationError(
            f"Le {nom} doit comporter {longueur} chiffres (vous en avez saisi {len(compact)}).",
            code="invalid",
        )
    try:
        module.validate(compact)
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(
            f"Le {nom} {compact} n'est pas valide : sa clé de contrôle est incorrecte.", code="checksum"
        ) from exc
    return compact


def valider_siret(value: str) -> str:
    """Return the 14-digit SIRET or raise a ValidationError whose message says what is wrong."""
    return _valider(value, module=stdnum_siret, nom="SIRET", longueur=14)


def valider_siren(value: str) -> str:
    return _valider(value, module=stdnum_siren, nom="SIREN", longueur=9)


def siren_de(siret: str) -> str:
    return valider_siret(siret)[:9]


def siret_valide(value: str) -> bool:
    try:
        valider_siret(value)
    except ValidationError:
        return False
    return True
