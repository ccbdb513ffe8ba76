"""Writing rows as import files (used by tests, the bench and 'download errors')."""

import csv
import io

from starqr.plaque.export import spreadsheet_safe
from starqr.services.imports.columns import COLUMNS


def write_xlsx(rows, header=COLUMNS):
    """XLSX bytes for rows (used by tests, the bench and 'download errors')."""
    # openpyxl loads only when a workbook is written (a heavy import the web app rarely needs)
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("导入")
    sheet.append(list(header))
    for row in rows:
        sheet.append([spreadsheet_safe(value) for value in row])
    return workbook_bytes(workbook)


def workbook_bytes(workbook):
    """An openpyxl WORKBOOK saved as XLSX bytes."""
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_csv(rows, header=COLUMNS, encoding="utf-8-sig"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
    return out.getvalue().encode(encoding)
