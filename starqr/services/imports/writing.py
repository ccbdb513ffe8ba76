"""Writing rows as import files (used by tests, the bench and 'download errors')."""

import csv
import datetime
import io

from starqr.plaque.export import spreadsheet_safe
from starqr.services.imports.columns import COLUMNS


def by_columns(columns, records, cells=None):
    """(header, rows) of a table import's file: the names of COLUMNS (its tabular.Column tuple,
    in the template's order) and each of RECORDS as a row in that order. A column's cell is
    CELLS(record)[its name] where CELLS gives one (keyed by the importer's constants such as
    roster.NUMBER: a key, a relation, a vocabulary's name), else the record's attribute its
    record_field names (the parsed record's field the column fills); a date is written ISO,
    None blank. A cell for a column COLUMNS lacks, or a column with neither, raises KeyError:
    the file cannot drift from the template."""
    header = [column.name for column in columns]
    known = set(header)
    rows = []
    for record in records:
        given = cells(record) if cells is not None else {}
        if not given.keys() <= known:
            raise KeyError(f"not a column of the template: {sorted(given.keys() - known)}")
        row = []
        for column in columns:
            if column.name in given:
                value = given[column.name]
            elif column.record_field:
                value = getattr(record, column.record_field)
            else:
                raise KeyError(f"no cell for the template's column {column.name}")
            row.append(_cell(value))
        rows.append(row)
    return header, rows


def _cell(value):
    return value.isoformat() if isinstance(value, datetime.date) else "" if value is None else value


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
