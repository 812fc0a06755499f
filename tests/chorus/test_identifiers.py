"""SIRET / SIREN: normalisation, validation by python-stdnum and French error messages."""

import pytest
from django.core.exceptions import ValidationError
from stdnum import luhn
from stdnum.fr import siret as stdnum_siret

from chorus.identifiers import normaliser, siren_de, siret_valide, valider_siren, valider_siret

SIRET_ETAT = "11000201100044"  # l'État français
SIRET_ENTREPRISE = "73282932000074"
SIRET_LA_POSTE_SIEGE = "35600000000048"  # siège de La Poste : clé de Luhn classique
# Établissement de La Poste : clé de Luhn fausse, mais la somme des chiffres est un multiple de 5 (règle propre à
# La Poste, appliquée par python-stdnum).
SIRET_LA_POSTE_ETABLISSEMENT = "35600000049837"


def message(exc_info) -> str:
    return exc_info.value.messages[0]


# --- Données de test vérifiées -------------------------------------------------------------------------------


def test_les_siret_de_reference_sont_valides_pour_stdnum():
    for siret in (SIRET_ETAT, SIRET_ENTREPRISE, SIRET_LA_POSTE_SIEGE, SIRET_LA_POSTE_ETABLISSEMENT):
        assert stdnum_siret.is_valid(siret), siret
    # L'établissement de La Poste n'est valide que par la règle spéciale : il exerce bien ce chemin.
    assert not luhn.is_valid(SIRET_LA_POSTE_ETABLISSEMENT)
    assert sum(map(int, SIRET_LA_POSTE_ETABLISSEMENT)) % 5 == 0


# --- normaliser ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        ("110 002 011 00044", SIRET_ETAT),
        ("110.002.011.00044", SIRET_ETAT),
        ("110-002-011-00044", SIRET_ETAT),
        ("110\u00a0002\u202f011\t00044", SIRET_ETAT),
        ("", ""),
        (None, ""),
    ],
)
def test_normaliser_retire_espaces_points_et_tirets(saisie, attendu):
    assert normaliser(saisie) == attendu


# --- valider_siret -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("siret", [SIRET_ETAT, SIRET_ENTREPRISE, SIRET_LA_POSTE_SIEGE, SIRET_LA_POSTE_ETABLISSEMENT])
def test_valider_siret_accepte_des_siret_reels(siret):
    assert valider_siret(siret) == siret
    assert siret_valide(siret) is True


@pytest.mark.parametrize(
    "saisie",
    ["110 002 011 00044", " 11000201100044 ", "110.002.011.00044", "110-002-011-000-44", "110\u00a0002\u00a0011 00044"],
)
def test_valider_siret_renvoie_la_forme_compacte_sans_espaces(saisie):
    assert valider_siret(saisie) == SIRET_ETAT


@pytest.mark.parametrize("saisie", ["", "   ", " . - ", None])
def test_valider_siret_vide_est_obligatoire(saisie):
    with pytest.raises(ValidationError) as exc_info:
        valider_siret(saisie)
    assert message(exc_info) == "Le SIRET est obligatoire."
    assert exc_info.value.code == "required"


@pytest.mark.parametrize(
    ("saisie", "nombre"),
    [("1100020110004", 13), ("110002011000441", 15), ("110002011", 9), ("1", 1)],
)
def test_valider_siret_longueur_incorrecte_annonce_14_chiffres(saisie, nombre):
    with pytest.raises(ValidationError) as exc_info:
        valider_siret(saisie)
    assert message(exc_info) == f"Le SIRET doit comporter 14 chiffres (vous en avez saisi {nombre})."
    assert "14 chiffres" in message(exc_info)
    assert exc_info.value.code == "invalid"


@pytest.mark.parametrize(
    "saisie",
    [
        "1100020110004A",
        "ABCDEFGHIJKLMN",
        "11000201100O44",  # la lettre O au lieu d'un zéro
        "110002011/0044",
        "1100020110004²",
        "１１０００２０１１０００４４",  # chiffres pleine chasse
        "١١٠٠٠٢٠١١٠٠٠٤٤",  # chiffres arabes-indiens
    ],
)
def test_valider_siret_refuse_ce_qui_n_est_pas_des_chiffres_ascii(saisie):
    with pytest.raises(ValidationError) as exc_info:
        valider_siret(saisie)
    assert message(exc_info) == "Le SIRET ne doit contenir que des chiffres."
    assert exc_info.value.code == "invalid"
    assert siret_valide(saisie) is False


@pytest.mark.parametrize(
    "siret",
    [
        "11000201100045",
        "73282932000075",
        "35600000049838",  # établissement de La Poste : somme des chiffres non multiple de 5
        "12345678901234",
    ],
)
def test_valider_siret_cle_de_controle_fausse(siret):
    with pytest.raises(ValidationError) as exc_info:
        valider_siret(siret)
    assert message(exc_info) == f"Le SIRET {siret} n'est pas valide : sa clé de contrôle est incorrecte."
    assert "clé de contrôle" in message(exc_info)
    assert exc_info.value.code == "checksum"
    assert siret_valide(siret) is False


def test_valider_siret_message_de_cle_cite_la_forme_compacte():
    with pytest.raises(ValidationError) as exc_info:
        valider_siret("110 002 011 00045")
    assert "11000201100045" in message(exc_info)


def test_valider_siret_refuse_un_siret_dont_le_siren_est_faux():
    # Clé de Luhn du SIRET correcte, mais SIREN (9 premiers chiffres) invalide : stdnum le refuse aussi.
    siret = "00000000100008"
    assert luhn.is_valid(siret)
    assert not luhn.is_valid(siret[:9])
    with pytest.raises(ValidationError, match="clé de contrôle"):
        valider_siret(siret)


def test_l_erreur_de_non_chiffres_passe_avant_l_erreur_de_longueur():
    with pytest.raises(ValidationError) as exc_info:
        valider_siret("12A")
    assert message(exc_info) == "Le SIRET ne doit contenir que des chiffres."


# --- valider_siren -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("saisie", "attendu"), [("110002011", "110002011"), ("732 829 320", "732829320")])
def test_valider_siren_accepte_et_compacte(saisie, attendu):
    assert valider_siren(saisie) == attendu


def test_valider_siren_longueur_incorrecte_annonce_9_chiffres():
    with pytest.raises(ValidationError) as exc_info:
        valider_siren(SIRET_ETAT)
    assert message(exc_info) == "Le SIREN doit comporter 9 chiffres (vous en avez saisi 14)."


def test_valider_siren_cle_de_controle_fausse():
    with pytest.raises(ValidationError) as exc_info:
        valider_siren("110002012")
    assert message(exc_info) == "Le SIREN 110002012 n'est pas valide : sa clé de contrôle est incorrecte."
    assert exc_info.value.code == "checksum"


def test_valider_siren_vide_est_obligatoire():
    with pytest.raises(ValidationError, match="Le SIREN est obligatoire."):
        valider_siren("")


# --- siren_de ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("siret", "siren"),
    [
        (SIRET_ETAT, "110002011"),
        ("110 002 011 00044", "110002011"),
        (SIRET_ENTREPRISE, "732829320"),
        (SIRET_LA_POSTE_ETABLISSEMENT, "356000000"),
    ],
)
def test_siren_de_renvoie_les_9_premiers_chiffres(siret, siren):
    assert siren_de(siret) == siren
    assert valider_siren(siren_de(siret)) == siren


def test_siren_de_refuse_un_siret_invalide():
    with pytest.raises(ValidationError, match="clé de contrôle"):
        siren_de("11000201100045")
