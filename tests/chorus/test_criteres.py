from decimal import Decimal

from chorus.criteres import conditions, donne


def test_critere_vide_ne_filtre_pas_mais_montant_zero_filtre():
    assert [donne(v) for v in (None, False, "", [], ())] == [False] * 5
    assert [donne(v) for v in (Decimal("0"), 0, True, "F-1", ["A"])] == [True] * 5


def test_conditions_selon_la_table_avec_conversion():
    table = {"numero": ("numero__icontains", str.strip), "montant_min": "montant_ttc__gte", "statut": "statut"}
    criteres = {"numero": " F-1 ", "montant_min": Decimal("0"), "statut": ""}
    assert conditions(criteres, table) == {"numero__icontains": "F-1", "montant_ttc__gte": Decimal("0")}
