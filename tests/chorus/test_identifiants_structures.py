"""The identifier types of a structure other than SIRET (UE, hors UE, RIDET, Tahiti) and the French VAT number:
what each accepts, compacts and refuses, with a French message."""

import pytest
from django.core.exceptions import ValidationError

from chorus.identifiers import (
    cle_tva_fr,
    valider_hors_ue,
    valider_identifiant,
    valider_ridet,
    valider_tahiti,
    valider_tva_fr,
    valider_tva_ue,
)

SIREN_ENTREPRISE = "732829320"  # SIRET 73282932000074
TVA_ENTREPRISE = "FR44732829320"


def _message(fonction, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc_info:
        fonction(*args, **kwargs)
    return exc_info.value.messages[0]


@pytest.mark.parametrize(
    ("saisi", "attendu"),
    [
        ("DE136695976", "DE136695976"),
        ("be 0403.170.701", "BE0403170701"),
        ("ESA28015865", "ESA28015865"),
        ("NL004495445B01", "NL004495445B01"),
    ],
)
def test_tva_ue_valide_compactee(saisi, attendu):
    assert valider_tva_ue(saisi) == attendu


@pytest.mark.parametrize(
    ("saisi", "message"),
    [
        ("", "Le numéro de TVA intracommunautaire est obligatoire."),
        ("DE136695977", "Le numéro de TVA intracommunautaire DE136695977 n'est pas valide pour ce pays."),
        ("US123456789", "commence par le code du pays de l'Union européenne"),
        ("123456789", "commence par le code du pays de l'Union européenne"),
        (TVA_ENTREPRISE, "Une structure française est identifiée par son SIRET"),
    ],
)
def test_tva_ue_invalide_message_en_francais(saisi, message):
    assert message in _message(valider_tva_ue, saisi)


def test_hors_ue_lettres_et_chiffres_de_1_a_18():
    assert valider_hors_ue("ch-123.456 789") == "CH123456789"
    assert valider_hors_ue("A") == "A"
    assert "de 1 à 18 lettres ou chiffres" in _message(valider_hors_ue, "A" * 19)
    assert "de 1 à 18 lettres ou chiffres" in _message(valider_hors_ue, "ÉTÉ#1")
    assert _message(valider_hors_ue, " ") == "L'identifiant de la structure est obligatoire."


def test_ridet_sept_chiffres_puis_trois_chiffres_d_etablissement():
    assert valider_ridet("1234567.001") == "1234567001"
    assert valider_ridet("1234567 001") == "1234567001"
    for invalide in ("123456.001", "1234567.01", "12345678001", "A234567001"):
        assert "Le numéro RIDET comporte 10 chiffres" in _message(valider_ridet, invalide), invalide
    assert _message(valider_ridet, "") == "Le numéro RIDET est obligatoire."


def test_tahiti_six_caracteres_puis_trois_chiffres():
    assert valider_tahiti("a12345 001") == "A12345001"
    assert valider_tahiti("123456789") == "123456789"
    for invalide in ("A1234500", "A12345A01", "A123450011", "A1234-5001x"):
        assert "Le numéro Tahiti comporte 9 caractères" in _message(valider_tahiti, invalide), invalide
    assert _message(valider_tahiti, "") == "Le numéro Tahiti est obligatoire."


def test_valider_identifiant_selon_le_type():
    assert valider_identifiant("SIRET", "732 829 320 00074") == "73282932000074"
    assert valider_identifiant("RIDET", "1234567.001") == "1234567001"
    assert "sa clé de contrôle est incorrecte" in _message(valider_identifiant, "SIRET", "73282932000075")
    assert "Le numéro Tahiti comporte" in _message(valider_identifiant, "TAHITI", "1234567.001")
    # A particulier's identifier is given by the portal, « En cours d'immatriculation » is not offered.
    assert _message(valider_identifiant, "PARTICULIER", "x") == "Ce type d'identifiant ne se saisit pas."
    assert _message(valider_identifiant, "AUTRE", "x") == "Ce type d'identifiant ne se saisit pas."


def test_tva_fr_cle_et_siren():
    assert cle_tva_fr(SIREN_ENTREPRISE) == "44"
    assert valider_tva_fr("fr 44 732 829 320") == TVA_ENTREPRISE
    assert valider_tva_fr(TVA_ENTREPRISE, siren=SIREN_ENTREPRISE) == TVA_ENTREPRISE
    assert "sa clé ne correspond pas au SIREN" in _message(valider_tva_fr, "FR45732829320")
    assert "doit reprendre le SIREN de la structure (303265045)" in _message(
        valider_tva_fr, TVA_ENTREPRISE, siren="303265045"
    )
    assert "FR suivi de 2 chiffres de clé et des 9 chiffres du SIREN" in _message(valider_tva_fr, "FR4473282932")
    assert "FR suivi de 2 chiffres" in _message(valider_tva_fr, "DE136695976")
    # The SIREN inside is checked too (Luhn).
    assert "Le SIREN 732829321 n'est pas valide" in _message(valider_tva_fr, f"FR{cle_tva_fr('732829321')}732829321")
