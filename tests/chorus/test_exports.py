"""``chorus.exports``: CSV and XLSX as French spreadsheets read them, never a formula from a user's text."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl

from chorus import exports


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
    feuille = openpyxl.load_workbook(io.BytesIO(response.content)).active
    ligne = [c for c in next(feuille.iter_rows(min_row=2, max_row=2))]
    assert ligne[0].data_type == "s" and ligne[0].value == '=HYPERLINK("http://x")'
    assert ligne[2].value == datetime(2026, 3, 5) and ligne[2].number_format == "DD/MM/YYYY"
    assert ligne[3].value == datetime(2026, 3, 6, 0, 30) and ligne[3].number_format == "DD/MM/YYYY HH:MM"
    assert ligne[4].value == 1234.5 and ligne[4].number_format == "#,##0.00"


def test_xlsx_borne(monkeypatch):
    monkeypatch.setattr(exports, "MAX_LIGNES_XLSX", 3)
    response = exports.reponse_xlsx("x.xlsx", "F", ["n"], ([i] for i in range(10)))
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active.max_row == 4  # header + 3
