"""SIRET and SIREN, the other identifier types of a structure and the French VAT number: normalisation and
validation with French error messages (python-stdnum does the maths, including La Poste's
establishments, whose SIRET follow a different checksum)."""

import re

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_exceptions
from stdnum.eu import vat as stdnum_vat
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret


def normaliser(value: str) -> str:
    """Remove the spaces, dots and dashes people type into identifiers."""
    return "".join(ch for ch in str(value or "") if ch not in " .-\u00a0\u202f\t")


def _compact(value: str, obligatoire: str) -> str:
    """The identifier as typed, compacted and upper-cased; ``obligatoire`` is the message when nothing was typed."""
    compact = normaliser(value).upper()
    if not compact:
        raise ValidationError(obligatoire, code="required")
    return compact


def _verifier_cle(module, compact: str, message: str) -> None:
    """python-stdnum's ``module`` checks ``compact`` (check digits, country rules); ``message`` when it fails."""
    try:
        module.validate(compact)
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(message, code="checksum") from exc


def _valider(value: str, *, module, nom: str, longueur: int) -> str:
    compact = _compact(value, f"Le {nom} est obligatoire.")
    if not (compact.isascii() and compact.isdigit()):
        raise ValidationError(f"Le {nom} ne doit contenir que des chiffres.", code="invalid")
    if len(compact) != longueur:
        raise ValidationError(
            f"Le {nom} doit comporter {longueur} chiffres (vous en avez saisi {len(compact)}).",
            code="invalid",
        )
    _verifier_cle(module, compact, f"Le {nom} {compact} n'est pas valide : sa clé de contrôle est incorrecte.")
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


# --- Identifiers other than SIRET (« Type d'identifiant » of a structure) ---------------------------------------
#
# The seeds name the types (SIRET, UE, hors UE, Particulier, RIDET, Tahiti) but not their formats. Where they are
# silent, the formats below are those Chorus Pro's own help pages give, as we know them:
# - UE (« Structure européenne hors France »): the intra-community VAT number of another member state, with its
#   country prefix (DE123456789...), checked with each state's own rule (python-stdnum);
# - hors UE: the registration number of the structure's country, 1 to 18 letters or digits, free format;
# - RIDET (Nouvelle-Calédonie): 7 digits of the RID (the company) then 3 digits of the establishment (10 digits,
#   often written « 1234567.001 »);
# - numéro Tahiti (Polynésie française): 6 letters or digits (the company) then 3 digits of the establishment;
# - particulier: a person has no registration number, the portal gives one (« P » then 12 digits, see
#   ``organisation``), so nothing typed is checked.
# The codes are Chorus Pro's ``typeIdentifiantStructure`` values (the domain's ``TypeIdentifiant`` enum holds them
# with their labels); this module only knows the strings, as the kit imports no domain app.


def valider_tva_ue(value: str) -> str:
    """An EU VAT number of a member state other than France, compacted with its country prefix."""
    compact = _compact(value, "Le numéro de TVA intracommunautaire est obligatoire.")
    pays = compact[:2]
    if pays == "FR":
        raise ValidationError(
            "Une structure française est identifiée par son SIRET : choisissez le type d'identifiant « SIRET ».",
            code="france",
        )
    if not pays.isalpha() or pays.lower() not in stdnum_vat.MEMBER_STATES:
        raise ValidationError(
            "Le numéro de TVA intracommunautaire commence par le code du pays de l'Union européenne "
            "(par exemple DE, BE, ES).",
            code="invalid",
        )
    _verifier_cle(stdnum_vat, compact, f"Le numéro de TVA intracommunautaire {compact} n'est pas valide pour ce pays.")
    return compact


def _au_format(motif: str, *, obligatoire: str, format_attendu: str):
    """The validator of an identifier that has a format but no check digit: compacted, upper-cased, matched against
    ``motif``; ``obligatoire`` and ``format_attendu`` are its two messages."""
    motif = re.compile(motif)

    def valider(value: str) -> str:
        compact = _compact(value, obligatoire)
        if not motif.match(compact):
            raise ValidationError(format_attendu, code="invalid")
        return compact

    return valider


valider_hors_ue = _au_format(
    r"^[A-Z0-9]{1,18}$",
    obligatoire="L'identifiant de la structure est obligatoire.",
    format_attendu="L'identifiant d'une structure hors UE comporte de 1 à 18 lettres ou chiffres.",
)
valider_ridet = _au_format(
    r"^\d{7}\d{3}$",
    obligatoire="Le numéro RIDET est obligatoire.",
    format_attendu="Le numéro RIDET comporte 10 chiffres : les 7 chiffres du RID puis les 3 chiffres de "
    "l'établissement (par exemple 1234567.001).",
)
valider_tahiti = _au_format(
    r"^[A-Z0-9]{6}\d{3}$",
    obligatoire="Le numéro Tahiti est obligatoire.",
    format_attendu="Le numéro Tahiti comporte 9 caractères : les 6 lettres ou chiffres de l'entreprise puis les "
    "3 chiffres de l'établissement (par exemple A12345001).",
)


VALIDATEURS = {
    "SIRET": valider_siret,
    "UE_HORS_FRANCE": valider_tva_ue,
    "HORS_UE": valider_hors_ue,
    "RIDET": valider_ridet,
    "TAHITI": valider_tahiti,
}


def valider_identifiant(type_identifiant: str, value: str) -> str:
    """The identifier compacted, checked by its type's rule; a ValidationError in French otherwise. A particulier's
    identifier is given by the portal, not typed: it is not checked here."""
    validateur = VALIDATEURS.get(type_identifiant)
    if validateur is None:
        raise ValidationError("Ce type d'identifiant ne se saisit pas.", code="invalid")
    return validateur(value)


def cle_tva_fr(siren: str) -> str:
    """The two-digit key of the French VAT number of a SIREN: (12 + 3 × (SIREN mod 97)) mod 97."""
    return f"{(12 + 3 * (int(siren) % 97)) % 97:02d}"


def valider_tva_fr(value: str, *, siren: str | None = None) -> str:
    """« FR » + key + SIREN; when ``siren`` is given the number must be the one of that SIREN."""
    compact = _compact(value, "Le numéro de TVA intracommunautaire est obligatoire.")
    if not re.fullmatch(r"FR\d{11}", compact):
        raise ValidationError(
            "Le numéro de TVA intracommunautaire français s'écrit FR suivi de 2 chiffres de clé et des 9 chiffres "
            "du SIREN (13 caractères).",
            code="invalid",
        )
    numero_siren = compact[4:]
    valider_siren(numero_siren)
    if compact[2:4] != cle_tva_fr(numero_siren):
        raise ValidationError(
            f"Le numéro de TVA intracommunautaire {compact} n'est pas valide : sa clé ne correspond pas au SIREN.",
            code="checksum",
        )
    if siren is not None and numero_siren != siren:
        raise ValidationError(
            f"Le numéro de TVA intracommunautaire doit reprendre le SIREN de la structure ({siren}).",
            code="siren",
        )
    return compact
