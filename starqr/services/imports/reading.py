"""Reading CSV (UTF-8, UTF-8 with BOM, UTF-16, GBK) and XLSX files as numbered rows."""

import csv
import hashlib
import io

from starqr.errors import N_
from starqr.services.imports.errors import ImportFileError


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def decode_csv(data):
    """Text of a CSV file: UTF-8 (with or without BOM), UTF-16 (Excel 'Unicode text') or GBK."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312, what WPS and Excel write
    except UnicodeDecodeError:
        raise ImportFileError(
            N_("无法识别文件编码:请另存为 UTF-8 或 GBK 编码的 CSV,或 XLSX 文件"), code="unknown_encoding"
        )


def _sniff_delimiter(first_line):
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "，")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(data):
    """Yield (row number, list of cell texts) from CSV bytes; row 1 is the header."""
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    _refuse_truncated_csv(text, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as error:
        raise ImportFileError(N_("CSV 格式错误:%(reason)s"), reason=str(error))


def _refuse_truncated_csv(text, delimiter):
    """A CSV cut in transfer ends mid-row (the last value 85 reads as 8): refuse it, naming the
    last whole row. Every spreadsheet program ends the last row with a line break; so must we.
    An odd number of quotes means a quoted cell never closed (the rest of the file would be one cell)."""
    stripped = text.rstrip(" \t\x00\x1a")  # trailing blanks and a DOS end-of-file mark are harmless
    if stripped and not stripped.endswith(("\n", "\r")):
        whole = stripped[: max(stripped.rfind("\n"), stripped.rfind("\r")) + 1]
        rows = sum(1 for _ in csv.reader(io.StringIO(whole, newline=""), delimiter=delimiter))
        raise ImportFileError(
            N_(
                "文件末尾不完整(最后一行没有换行,可能在传输中被截断),最后一个完整的行是第%(rows)s行;"
                "未导入任何数据。如文件确实完整,请在最后一行末尾加一个换行后重新上传"
            ),
            code="truncated_file",
            rows=rows,
        )
    if text.count('"') % 2:
        raise ImportFileError(N_("CSV 中有未闭合的引号(文件可能被截断或已损坏),未导入任何数据"), code="truncated_file")


def is_xlsx(data, filename=""):
    return data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))


def blank_row(cells):
    for cell in cells:
        if cell is not None and (cell.__class__ is not str or cell.strip()):
            return False
    return True
