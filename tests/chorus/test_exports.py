"""``chorus.exports``: CSV and XLSX as French spreadsheets read them, never a formula from a user's text."""

import csv
import io
import tracemalloc
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl

from chorus import exports
from tests.outils import contenu


def _csv(response) -> list[list[str]]:
    contenu = b"".join(response.streaming_content).decode("utf-8")
    assert contenu.startswith("\ufeff")  # Excel opens UTF-8 only with its BOM
    return list(csv.reader(io.StringIO(contenu[1:]), delimiter=";"))


LIGNE = [
    '=HYPERLINK("http://x")',
    "-2+3",
    date(2026, 3, 5),
    datetime(2026, 3, 5, 23, 30, tzinfo=UTC),
    Decimal("1234.50"),
    True,
    None,
    'ACME ; "SAS"',
]


def test_csv_francais_et_sans_formule():
    response = exports.reponse_csv("x.csv", ["A", "B", "C", "D", "E", "F", "G", "H"], [LIGNE])
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    entetes, ligne = _csv(response)
    assert entetes == ["A", "B", "C", "D", "E", "F", "G", "H"]
    # 23:30 UTC is 00:30 the next day in Paris (winter time)
    assert ligne == [
        '\'=HYPERLINK("http://x")',
        "'-2+3",
        "05/03/2026",
        "06/03/2026 00:30",
        "1234,50",
        "Oui",
        "",
        'ACME ; "SAS"',
    ]


def test_xlsx_types_reels_et_texte_jamais_formule():
    response = exports.reponse_xlsx("x.xlsx", "Feuille", ["A", "B", "C", "D", "E", "F", "G", "H"], [LIGNE])
    assert response["Content-Disposition"] == 'attachment; filename="x.xlsx"'
    classeur = openpyxl.load_workbook(io.BytesIO(contenu(response)))
    feuille = classeur.active
    assert feuille.title == "Feuille"
    assert [c.value for c in feuille[1]] == ["A", "B", "C", "D", "E", "F", "G", "H"]
    ligne = [c for c in next(feuille.iter_rows(min_row=2, max_row=2))]
    assert ligne[0].data_type == "s" and ligne[0].value == '=HYPERLINK("http://x")'
    assert ligne[1].data_type == "s" and ligne[1].value == "-2+3"
    assert ligne[2].value == datetime(2026, 3, 5) and ligne[2].number_format == "DD/MM/YYYY"
    # 23:30 UTC is 00:30 the next day in Paris (winter time)
    assert ligne[3].value == datetime(2026, 3, 6, 0, 30) and ligne[3].number_format == "DD/MM/YYYY HH:MM"
    assert ligne[4].value == 1234.5 and ligne[4].number_format == "#,##0.00"
    assert ligne[5].value is True and ligne[6].value is None and ligne[7].value == 'ACME ; "SAS"'


def test_xlsx_caracteres_interdits_retires_et_nom_de_feuille_accepte():
    response = exports.reponse_xlsx(
        "x.xlsx", "Factures [émises] / reçues : toutes les factures", ["n"], [["a\x00b\x1fc<d>&"]]
    )
    feuille = openpyxl.load_workbook(io.BytesIO(contenu(response))).active
    assert feuille.title == "Factures  émises    reçues   to"  # 31 characters, none Excel forbids
    assert feuille["A2"].value == "abc<d>&"


def test_xlsx_largeurs_de_colonnes():
    response = exports.reponse_xlsx("x.xlsx", "F", ["a", "b"], [[1, 2]], largeurs=(12, 40))
    feuille = openpyxl.load_workbook(io.BytesIO(contenu(response))).active
    assert feuille.column_dimensions["A"].width == 12 and feuille.column_dimensions["B"].width == 40


def test_xlsx_envoye_pendant_la_lecture_des_lignes_sans_plafond():
    """The first bytes leave before the rows are all read, and every row is there: no cap (was 100,000)."""
    lues = []

    def lignes():
        for i in range(120_000):
            lues.append(i)
            yield [i, f"ligne {i}"]

    response = exports.reponse_xlsx("x.xlsx", "F", ["n", "texte"], lignes())
    assert response.streaming
    morceaux = iter(response.streaming_content)
    premier = next(morceaux)
    assert premier.startswith(b"PK") and len(lues) < 120_000
    archive = premier + b"".join(morceaux)
    assert len(lues) == 120_000
    feuille = openpyxl.load_workbook(io.BytesIO(archive), read_only=True).active
    rangs = list(feuille.values)
    assert len(rangs) == 120_001 and rangs[-1] == (119_999, "ligne 119999")


def _pic_memoire(nombre: int) -> int:
    lignes = ([i, f"Structure {i}", Decimal("1234.56"), date(2026, 1, 1)] for i in range(nombre))
    tracemalloc.start()
    try:
        for _ in exports.reponse_xlsx("x.xlsx", "F", ["n", "s", "m", "d"], lignes).streaming_content:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_xlsx_memoire_plate_quel_que_soit_le_nombre_de_lignes():
    """Ten times more rows, about the same peak memory: nothing grows with the export (500,000 rows in BENCHMARKS)."""
    petit, grand = _pic_memoire(5_000), _pic_memoire(50_000)
    assert grand < petit * 1.5 + 256 * 1024, (petit, grand)
