"""Code lists for print shops doing variable-data printing: CSV and XLSX."""

import csv
import io
from starqr.errors import N_, Invalid

EXPORT_COLUMNS = ("code", "url", "kind", "name", "organisation")
EXPORT_FORMATS = ("csv", "xlsx")


class ExportError(Invalid, ValueError):
    pass


def export_codes(rows, fmt):
    """rows: dicts (or tuples in EXPORT_COLUMNS order) -> bytes of a CSV or XLSX file."""
    buffer = io.BytesIO()
    write_codes(rows, fmt, buffer)
    return buffer.getvalue()


# A cell starting with one of these is a formula to Excel/WPS: a member named
# '=HYPERLINK(...)' must reach the print shop as text, not as something that runs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """VALUE as a spreadsheet will take it as text (numbers such as '-1' stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def _values(row):
    values = [row.get(column, "") or "" for column in EXPORT_COLUMNS] if isinstance(row, dict) else list(row)
    return [spreadsheet_safe(v) for v in values]


def write_codes(rows, fmt, stream):
    """Stream rows to a binary stream; XLSX uses openpyxl's write-only mode (constant memory)."""
    if fmt == "csv":
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")  # BOM: Excel/WPS open it as UTF-8
        writer = csv.writer(text)
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow(_values(row))
        text.flush()
        text.detach()
    elif fmt == "xlsx":
        # openpyxl loads only when a workbook is written (a heavy import the web app rarely needs)
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("codes")
        sheet.append(list(EXPORT_COLUMNS))
        for row in rows:
            cells = []
            for value in _values(row):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, never a formula
                cells.append(cell)
            sheet.append(cells)
        workbook.save(stream)
    else:
        raise ExportError(N_("格式应为 csv 或 xlsx,而不是 %(format)s"), code="unknown_format", format=fmt)
