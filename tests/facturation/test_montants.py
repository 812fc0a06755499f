from decimal import Decimal as D

import pytest

from facturation.montants import MontantsInvalides, calculer, calculer_ligne


def test_ligne_avec_remise():
    ligne = calculer_ligne(quantite="3", prix_unitaire_ht="19.99", remise_ht="5", taux_tva="20")
    assert ligne.montant_ht_avant_remise == D("59.97")
    assert ligne.montant_ht == D("54.97")
    assert ligne.montant_ttc == D("65.96")


def test_tva_calculee_par_taux_sur_la_somme_des_bases():
    # Three lines at 5.5 %: rounding line by line would give 0.06 × 3 = 0.18; per rate it is 0.17.
    calcul = calculer([{"quantite": 1, "prix_unitaire_ht": "1.05", "taux_tva": "5.5"}] * 3)
    assert calcul.tva[0].base_ht == D("3.15")
    assert calcul.tva[0].montant_tva == D("0.17")
    assert calcul.total_ttc == D("3.32")


def test_trois_lignes_deux_taux_et_remise_globale():
    calcul = calculer(
        [
            {"quantite": "10", "prix_unitaire_ht": "12.50", "remise_ht": "5.00", "taux_tva": "20"},
            {"quantite": "2", "prix_unitaire_ht": "100", "taux_tva": "20"},
            {"quantite": "4", "prix_unitaire_ht": "7.35", "taux_tva": "5.5"},
        ],
        remise_globale_ttc="30.00",
    )
    assert calcul.total_lignes_ht == D("349.40")
    assert calcul.total_ttc_avant_remise == D("415.02")  # 320 + 64 + 29.40 + 1.62 (1.617 rounded)
    assert [(t.taux, t.base_ht_avant_remise) for t in calcul.tva] == [(D("5.5"), D("29.40")), (D("20"), D("320.00"))]
    # The TTC discount is split by rate (as HT), VAT recomputed on the reduced bases.
    assert sum(t.remise_globale_ht for t in calcul.tva) == calcul.remise_globale_ht
    assert calcul.total_ht == calcul.total_lignes_ht - calcul.remise_globale_ht
    assert calcul.total_tva == sum(t.montant_tva for t in calcul.tva)
    assert calcul.total_ttc == calcul.total_ht + calcul.total_tva
    assert abs(calcul.remise_globale_ttc_effective - D("30.00")) <= D("0.02")
    assert calcul.net_a_payer == calcul.total_ttc
    for t in calcul.tva:
        assert t.montant_tva == (t.base_ht * t.taux / 100).quantize(D("0.01"), rounding="ROUND_HALF_UP")


def test_deja_paye_deduit_du_net():
    calcul = calculer([{"quantite": 1, "prix_unitaire_ht": "100", "taux_tva": "20"}], deja_paye="20")
    assert (calcul.total_ttc, calcul.net_a_payer) == (D("120.00"), D("100.00"))


@pytest.mark.parametrize(
    ("ligne", "message"),
    [
        ({"quantite": 0, "prix_unitaire_ht": "1", "taux_tva": "20"}, "quantité ne peut pas être nulle"),
        ({"quantite": 1, "prix_unitaire_ht": "-1", "taux_tva": "20"}, "ne peut pas être négatif"),
        ({"quantite": 1, "prix_unitaire_ht": "10", "remise_ht": "11", "taux_tva": "20"}, "ne peut pas dépasser"),
        ({"quantite": 1, "prix_unitaire_ht": "10", "taux_tva": "120"}, "entre 0 et 100"),
        ({"quantite": 1, "prix_unitaire_ht": "abc", "taux_tva": "20"}, "n'est pas un montant valide"),
    ],
)
def test_lignes_invalides(ligne, message):
    with pytest.raises(ValueError, match=message):
        calculer([ligne])


def test_remise_globale_superieure_au_ttc_refusee():
    with pytest.raises(MontantsInvalides, match="ne peut pas dépasser le montant TTC"):
        calculer([{"quantite": 1, "prix_unitaire_ht": "10", "taux_tva": "20"}], remise_globale_ttc="12.01")


def test_facture_sans_ligne_refusee():
    with pytest.raises(MontantsInvalides, match="au moins une ligne"):
        calculer([])
