"""Money helpers: exact Decimal parsing, half-up rounding to the centime, VAT and French display."""

from decimal import Decimal

import pytest

from chorus.money import (
    MONTANT_MAX,
    ZERO,
    MontantInvalide,
    arrondir,
    formater_montant,
    montant_ttc,
    montant_tva,
    somme,
    to_decimal,
)

NNBSP = "\u202f"  # espace fine insécable (séparateur de milliers)
NBSP = "\u00a0"  # espace insécable (avant le symbole monétaire)


# --- to_decimal ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1234.5", Decimal("1234.5")),
        ("-12", Decimal("-12")),
        ("  42,00  ", Decimal("42.00")),
        ("1\u00a0234,50", Decimal("1234.50")),
        ("1\u202f234,50 €", Decimal("1234.50")),
        ("12,5€", Decimal("12.5")),
        ("0", Decimal("0")),
    ],
)
def test_to_decimal_comprend_les_saisies_francaises_et_anglaises(saisie, attendu):
    resultat = to_decimal(saisie)
    assert isinstance(resultat, Decimal)
    assert resultat == attendu


def test_to_decimal_conserve_les_decimales_saisies():
    assert str(to_decimal("1 234,50")) == "1234.50"


def test_to_decimal_accepte_entiers_et_decimaux():
    assert to_decimal(15) == Decimal("15")
    assert isinstance(to_decimal(15), Decimal)
    valeur = Decimal("3.14")
    assert to_decimal(valeur) is valeur


@pytest.mark.parametrize("flottant", [0.1, 1234.5, 0.0, -2.5])
def test_to_decimal_refuse_les_flottants(flottant):
    with pytest.raises(MontantInvalide, match="forme décimale exacte"):
        to_decimal(flottant)


@pytest.mark.parametrize("booleen", [True, False])
def test_to_decimal_refuse_les_booleens(booleen):
    with pytest.raises(MontantInvalide):
        to_decimal(booleen)


def test_montant_invalide_est_une_value_error():
    # Les formulaires et services qui attrapent ValueError attrapent aussi MontantInvalide.
    assert issubclass(MontantInvalide, ValueError)


@pytest.mark.parametrize("saisie", ["abc", "", "   ", "12,34,56", "1.234,50", "1,234.50", "12 euros", "--1"])
def test_to_decimal_refuse_les_chaines_invalides_avec_un_message_qui_les_cite(saisie):
    with pytest.raises(MontantInvalide) as exc_info:
        to_decimal(saisie)
    assert str(exc_info.value) == f"« {saisie} » n'est pas un montant valide."


@pytest.mark.parametrize("valeur", [None, [1], {"montant": 1}, b"12"])
def test_to_decimal_refuse_les_types_inattendus(valeur):
    with pytest.raises(MontantInvalide, match="n'est pas un montant valide"):
        to_decimal(valeur)


@pytest.mark.parametrize(
    "valeur",
    ["NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "-inf", Decimal("NaN"), Decimal("Infinity")],
)
def test_to_decimal_refuse_nan_et_infini(valeur):
    with pytest.raises(MontantInvalide, match="n'est pas un montant valide"):
        to_decimal(valeur)


def test_to_decimal_accepte_le_montant_maximal_dans_les_deux_sens():
    assert to_decimal("9 999 999 999 999,99") == MONTANT_MAX
    assert to_decimal("-9999999999999.99") == -MONTANT_MAX


@pytest.mark.parametrize(
    "valeur",
    ["10000000000000", "9999999999999.991", "-10000000000000.00", "1e20", MONTANT_MAX + Decimal("0.01")],
)
def test_to_decimal_refuse_les_montants_au_dela_du_maximum(valeur):
    with pytest.raises(MontantInvalide, match="dépasse la valeur maximale autorisée"):
        to_decimal(valeur)


def test_le_maximum_correspond_a_numeric_15_2():
    assert MONTANT_MAX == Decimal("9999999999999.99")
    assert len(MONTANT_MAX.as_tuple().digits) == 15
    assert MONTANT_MAX.as_tuple().exponent == -2


# --- arrondir ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        ("0.005", "0.01"),
        ("-0.005", "-0.01"),
        ("0.004", "0.00"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # pas d'arrondi bancaire (qui donnerait 0.02)
        ("-0.025", "-0.03"),
        ("2.675", "2.68"),  # en flottant, 2.675 s'arrondit à 2.67
        ("1.0049999", "1.00"),
        ("10", "10.00"),
        ("1 234,565", "1234.57"),
    ],
)
def test_arrondir_au_centime_au_plus_proche_en_s_eloignant_de_zero(valeur, attendu):
    resultat = arrondir(valeur)
    assert resultat == Decimal(attendu)
    assert str(resultat) == attendu


def test_arrondir_renvoie_toujours_deux_decimales():
    assert arrondir(7).as_tuple().exponent == -2
    assert arrondir(Decimal("7.1")).as_tuple().exponent == -2


def test_arrondir_refuse_les_flottants():
    with pytest.raises(MontantInvalide):
        arrondir(0.005)


# --- TVA -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "taux", "attendu"),
    [
        ("100", "20", "20.00"),
        ("123.45", 20, "24.69"),  # 24,690
        ("10.03", "20", "2.01"),  # 2,006
        ("10.025", "20", "2.01"),  # 2,005 → demi vers le haut
        ("-10.025", "20", "-2.01"),
        ("100", "5.5", "5.50"),
        ("100", "5,5", "5.50"),
        ("19.99", "5.5", "1.10"),  # 1,09945
        ("0.10", "5.5", "0.01"),  # 0,0055
        ("0.09", "5.5", "0.00"),  # 0,00495
        ("1 000,00", "0", "0.00"),
    ],
)
def test_montant_tva_arrondi_au_centime(base, taux, attendu):
    resultat = montant_tva(base, taux)
    assert resultat == Decimal(attendu)
    assert resultat.as_tuple().exponent == -2


def test_montant_tva_refuse_un_taux_flottant():
    with pytest.raises(MontantInvalide):
        montant_tva("100", 5.5)


def test_montant_ttc_additionne_la_base_arrondie_et_la_tva_arrondie():
    assert montant_ttc("100", "20") == Decimal("120.00")
    assert montant_ttc("19.99", "5.5") == Decimal("21.09")
    # Base 100,005 → 100,01 ; TVA 20,001 → 20,00 ; TTC 120,01 (chaque terme arrondi séparément).
    assert montant_ttc("100.005", "20") == Decimal("120.01")


def test_montant_ttc_egal_base_plus_tva_sur_de_nombreuses_bases():
    for centimes in range(0, 2000, 7):
        base = Decimal(centimes) / 100
        assert montant_ttc(base, "5.5") == arrondir(base) + montant_tva(base, "5.5")


# --- somme ---------------------------------------------------------------------------------------------------


def test_somme_additionne_des_saisies_mixtes_sans_erreur_de_flottant():
    assert somme(["0.10", "0,20", Decimal("0.30"), 1]) == Decimal("1.60")
    assert somme(["0.1"] * 10) == Decimal("1.0")


def test_somme_vide_vaut_zero_avec_deux_decimales():
    resultat = somme([])
    assert resultat == ZERO
    assert str(resultat) == "0.00"


def test_somme_refuse_un_flottant_parmi_les_valeurs():
    with pytest.raises(MontantInvalide):
        somme(["1", 2.5])


# --- formater_montant ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (Decimal("1234.56"), f"1{NNBSP}234,56{NBSP}€"),
        ("1 234,5", f"1{NNBSP}234,50{NBSP}€"),
        (0, f"0,00{NBSP}€"),
        ("0.005", f"0,01{NBSP}€"),
        ("999.999", f"1{NNBSP}000,00{NBSP}€"),
        (100, f"100,00{NBSP}€"),
        (1000, f"1{NNBSP}000,00{NBSP}€"),
        ("1234567.891", f"1{NNBSP}234{NNBSP}567,89{NBSP}€"),
        ("-1234567.891", f"-1{NNBSP}234{NNBSP}567,89{NBSP}€"),
        ("-0.5", f"-0,50{NBSP}€"),
        (MONTANT_MAX, f"9{NNBSP}999{NNBSP}999{NNBSP}999{NNBSP}999,99{NBSP}€"),
    ],
)
def test_formater_montant_a_la_francaise(valeur, attendu):
    assert formater_montant(valeur) == attendu


def test_formater_montant_n_affiche_pas_de_moins_zero():
    # -0,004 s'arrondit à -0,00 : il ne faut pas afficher « -0,00 € ».
    assert formater_montant("-0.004") == f"0,00{NBSP}€"


def test_formater_montant_utilise_les_espaces_insecables_et_pas_d_espace_ordinaire():
    texte = formater_montant("1234567.89")
    assert " " not in texte
    assert texte.count(NNBSP) == 2
    assert texte.endswith(f"{NBSP}€")


def test_formater_montant_affiche_le_code_d_une_autre_devise():
    assert formater_montant("1234.5", devise="USD") == f"1{NNBSP}234,50{NBSP}USD"


def test_formater_montant_refuse_un_flottant():
    with pytest.raises(MontantInvalide):
        formater_montant(12.5)
