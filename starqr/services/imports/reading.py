"""Reading CSV (UTF-8, UTF-8 with BOM, UTF-16, GBK) and XLSX files as numbered rows."""
import csv
import hashlib
import io

from starqr.services.imports.columns import _HEADER_LOOKUP, COLUMNS, REQUIRED_COLUMNS
from starqr.services.imports.errors import ImportFileError
from starqr.services.imports.xlsx import read_xlsx


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
        raise ImportFileError("无法识别文件编码:请另存为 UTF-8 或 GBK 编码的 CSV,或 XLSX 文件")


def _sniff_delimiter(first_line):
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "，")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(data):
    """Yield (row number, list of cell texts) from CSV bytes; row 1 is the header."""
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as error:
        raise ImportFileError(f"CSV 格式错误:{error}")


def is_xlsx(data, filename=""):
    return data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))


def read_rows(data, filename=""):
    """(column index map, iterator of (row number, cells)) for CSV or XLSX bytes."""
    if not data:
        raise ImportFileError("文件是空的")
    rows = read_xlsx(data) if is_xlsx(data, filename) else read_csv(data)
    for number, cells in rows:
        if _blank(cells):
            continue
        columns = _header(cells)
        return columns, rows
    raise ImportFileError("文件是空的")


def _blank(cells):
    for cell in cells:
        if cell is not None and (cell.__class__ is not str or cell.strip()):
            return False
    return True


def _header(cells):
    columns = {}
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        label = str(cell).strip().lstrip("\ufeff").rstrip("*＊").strip()
        # "分值（可空）" and "日期(YYYY-MM-DD)" are fine: the part before a bracket counts.
        for bracket in ("(", "（"):
            label = label.split(bracket, 1)[0].strip()
        column = _HEADER_LOOKUP.get(label.lower())
        if column and column not in columns:
            columns[column] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportFileError("第1行(表头)缺少列:" + "、".join(missing)
                           + f"。表头应为:{'、'.join(COLUMNS)}(可下载模板)")
    return columns
