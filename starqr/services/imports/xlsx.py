"""Reading the first worksheet of an XLSX file as rows of cell values."""
import io
import warnings

from starqr.services.imports.errors import ImportFileError


def read_xlsx(data):
    """Yield (row number, list of cell values) from the first worksheet of XLSX bytes.

    A streaming reader of the sheet XML (several times faster than openpyxl's read-only
    mode on 100,000 rows); files it does not understand go through openpyxl instead.
    Dates stored as Excel serial numbers come out as numbers; parse_date reads those.
    """
    from zipfile import BadZipFile, ZipFile
    try:
        archive = ZipFile(io.BytesIO(data))
        _refuse_zip_bomb(archive, len(data))
        sheet_path, shared = _xlsx_sheet_and_strings(archive)
    except (BadZipFile, KeyError, ValueError, IndexError, SyntaxError):
        yield from _read_xlsx_openpyxl(data)
        return
    yield from _xlsx_rows(archive, sheet_path, shared)


XLSX_MAX_UNPACKED = 400 * 1024 * 1024  # a 100,000-row sheet unpacks to ~30 MB
XLSX_MAX_RATIO = 200  # real sheets compress ~10-20x; bombs compress 1000x and more


def _refuse_zip_bomb(archive, packed_size):
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > XLSX_MAX_UNPACKED or unpacked > XLSX_MAX_RATIO * max(packed_size, 1) + 10 * 1024 * 1024:
        raise ImportFileError("文件解压后过大,不像是正常的 Excel 表格,已拒绝。")


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _xlsx_sheet_and_strings(archive):
    """(path of the first worksheet, shared strings) of an open XLSX archive."""
    from xml.etree.ElementTree import fromstring
    workbook = fromstring(archive.read("xl/workbook.xml"))
    sheets = [el for el in workbook.iter() if _local(el.tag) == "sheet"]
    relation = next(v for k, v in sheets[0].attrib.items() if _local(k) == "id")
    relations = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(el.get("Target") for el in relations.iter() if el.get("Id") == relation)
    sheet_path = target.lstrip("/") if target.startswith("/") else "xl/" + target
    shared = []
    if "xl/sharedStrings.xml" in archive.namelist():
        for item in fromstring(archive.read("xl/sharedStrings.xml")):
            shared.append("".join(el.text or "" for el in item.iter() if _local(el.tag) == "t"))
    return sheet_path, shared


def _column_index(reference):
    index = 0
    for char in reference:
        if char.isdigit():
            break
        index = index * 26 + (ord(char.upper()) - 64)
    return index - 1


class _LocalNames(dict):
    """tag -> local name, computed once per distinct tag (a sheet has a handful)."""

    def __missing__(self, tag):
        name = self[tag] = _local(tag)
        return name


class _ColumnIndexes(dict):
    """column letters -> index ("AB" of "AB12"), computed once per column."""

    def __missing__(self, letters):
        index = self[letters] = _column_index(letters)
        return index


def _xlsx_rows(archive, sheet_path, shared):
    from xml.etree.ElementTree import iterparse
    local = _LocalNames()
    column_of = _ColumnIndexes()
    with archive.open(sheet_path) as handle:
        next_number = 1
        for _event, element in iterparse(handle, events=("end",)):
            if local[element.tag] != "row":
                continue
            number = int(element.get("r") or next_number)
            next_number = number + 1
            cells = []
            for cell in element:
                if local[cell.tag] != "c":
                    continue
                reference = cell.get("r")
                position = column_of[reference.rstrip("0123456789")] if reference else len(cells)
                kind = cell.get("t", "n")
                value = None
                if kind == "inlineStr":
                    value = "".join(el.text or "" for el in cell.iter() if local[el.tag] == "t")
                else:
                    raw = None
                    for child in cell:
                        if local[child.tag] == "v":
                            raw = child.text
                            break
                    if raw is not None:
                        if kind == "s":
                            value = shared[int(raw)]
                        elif kind == "n":
                            number_value = float(raw)
                            value = int(number_value) if number_value.is_integer() and "." not in raw \
                                and "E" not in raw.upper() else number_value
                        elif kind == "b":
                            value = raw == "1"
                        else:  # str (formula result), e (error), d (ISO date)
                            value = raw
                while len(cells) < position:
                    cells.append(None)
                cells.append(value)
            element.clear()
            yield number, cells


def _read_xlsx_openpyxl(data):
    from openpyxl import load_workbook
    from zipfile import BadZipFile
    with warnings.catch_warnings():
        # Files saved by WPS and old Excel make openpyxl warn about styles it ignores anyway.
        warnings.simplefilter("ignore", UserWarning)
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (BadZipFile, KeyError, ValueError, OSError) as error:
            raise ImportFileError(f"无法读取 XLSX 文件:{error}")
        try:
            sheet = workbook.worksheets[0]
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(cells)
        finally:
            workbook.close()
