"""Code lists for print shops doing variable-data printing: CSV and XLSX."""
import csv
import io

EXPORT_COLUMNS = ("code", "url", "kind", "name", "organisation")
EXPORT_FORMATS = ("csv", "xlsx")


class ExportError(ValueError):
    pass


def export_codes(rows, fmt):
    """rows: dicts (or tuples in EXPORT_COLUMNS order) -> bytes of a CSV or XLSX file."""
    buffer = io.BytesIO()
    write_codes(rows, fmt, buffer)
    return buffer.getvalue()


def _values(row):
    if isinstance(row, dict):
        return [row.get(column, "") or "" for column in EXPORT_COLUMNS]
    return list(row)


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
        from openpyxl import Workbook
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("codes")
        sheet.append(list(EXPORT_COLUMNS))
        for row in rows:
            sheet.append(_values(row))
        workbook.save(stream)
    else:
        raise ExportError(f"format must be csv or xlsx, not {fmt!r}")
