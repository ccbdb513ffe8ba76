"""Reading the first worksheet of an XLSX file as rows of cell values (python-calamine).

calamine (Rust, via python-calamine) parses the sheet; xlsx_guard checks the file first,
because calamine aborts the process on a cell reference like r="ZZZZZZZ2" (it allocates the
whole block of cells the sheet spans). Every malformed file ends as an ImportFileError — a
sentence for the user — never an exception from the parser. Date cells come out as dates
whatever the workbook's epoch (1900 or 1904); plain numbers stay numbers.
"""

import datetime
import io

from python_calamine import CalamineError, CalamineWorkbook

from starqr.errors import N_
from starqr.services.imports.errors import ImportFileError
from starqr.services.imports.xlsx_guard import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    XLSX_MAX_RATIO,
    XLSX_MAX_UNPACKED,
    check_xlsx,
)

__all__ = ["MAX_CELLS", "MAX_COLUMNS", "MAX_ROWS", "XLSX_MAX_RATIO", "XLSX_MAX_UNPACKED", "read_xlsx"]


def read_xlsx(data):
    """Yield (row number, list of cell values) from the first worksheet of XLSX bytes."""
    check_xlsx(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        start = sheet.start or (0, 0)
        rows = sheet.to_python(skip_empty_area=False) if sheet.height else []
    except CalamineError as error:
        template, params = _message(error)
        raise ImportFileError(template, **params) from None
    except BaseException as error:  # noqa: BLE001 - pyo3's PanicException is a BaseException
        if type(error).__name__ != "PanicException":
            raise
        raise ImportFileError(N_("无法读取 XLSX 文件:文件已损坏")) from None
    first_row, first_column = start
    padding = [None] * first_column
    for offset, cells in enumerate(rows):
        yield first_row + offset + 1, padding + [_value(cell) for cell in cells]


def _value(cell):
    if cell == "" and cell.__class__ is str:
        return None
    if cell.__class__ is float and cell.is_integer() and abs(cell) < 2**53:
        return int(cell)
    if cell.__class__ is datetime.datetime and not (cell.hour or cell.minute or cell.second or cell.microsecond):
        return cell.date()
    return cell


def _message(error):
    """(template, params) of ImportFileError for a calamine error."""
    text = str(error)
    if "shared strings" in text:
        return N_("无法读取 XLSX 文件:单元格引用了不存在的共享文字,文件已损坏"), {}
    if "entity" in text:
        return N_("文件含有不允许的 XML 实体,已拒绝。请用 Excel 或 WPS 另存后再上传"), {}
    if "row" in text.lower() or "Expecting" in text or "Range" in text:
        return N_("无法读取 XLSX 文件:行号或单元格位置无效,文件已损坏"), {}
    return N_("无法读取 XLSX 文件:%(reason)s"), {"reason": text[:200]}
