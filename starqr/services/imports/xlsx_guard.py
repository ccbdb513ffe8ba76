"""Look inside an XLSX before anything reads it: refuse what would explode a reader.

calamine (Rust) allocates the sheet as one dense block of (last row × last column) cells,
and a failed allocation aborts the whole process — no exception to catch. A 694-byte file
with one cell at r="ZZZZZZZ2" asks for ~8·10⁹ cells. So before calamine sees a file, this
module streams its XML (never holding a whole part in memory) and checks, against hard
limits: the unpacked size and ratio (zip bombs), each part's compression method (one zipfile
reads) and that none is encrypted, DTDs and entities (billion laughs, XXE),
row numbers and cell references (their size and the block they span), the number of shared
strings, and that the sheet XML is complete (a truncated file names its last whole row).
"""

import io
import re
import zipfile

from starqr.errors import N_
from starqr.services.imports.errors import ImportFileError

XLSX_MAX_UNPACKED = 400 * 1024 * 1024  # a 100,000-row sheet unpacks to ~30 MB
XLSX_MAX_RATIO = 200  # real sheets compress ~10-20x; bombs compress 1000x and more
MAX_ROWS = 300_000
MAX_COLUMNS = 64  # A..BL (see _CELL_OUT_OF_BOUNDS); the template has 7; room for notes columns, far from Excel's 16,384
MAX_CELLS = 4_000_000  # last row × last column: what calamine will allocate (~32 bytes each)
MAX_SHARED_STRINGS = 1_000_000
MAX_REFERENCE = 12  # "XFD1048576" is 10 characters
_CHUNK = 1024 * 1024
# The compression methods zipfile reads; any other (deflate64, implode, ...) is refused before a part is opened.
_READABLE = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})
_OVERLAP = 256  # a tag cut by a chunk boundary is seen whole in the next look

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROW_REFERENCE = re.compile(rb'<row\b[^>]*?\br="([^"]{0,32})"')
_ROW_WITHOUT_REFERENCE = re.compile(rb'<row(?=[\s>/])(?![^>]*\br=")')
# Cells within the bounds (column A..BL, row 1..999,999) in C; anything else is looked at in Python.
_CELL_OUT_OF_BOUNDS = re.compile(rb'<c\b[^>]*?\br="(?!\$?(?:[A-Z]|A[A-Z]|B[A-L])\$?[1-9]\d{0,5}")([^"]{0,32})"')
_CELL_COLUMN_FAST = re.compile(rb'<c r="([A-Z]{1,3})')
_CELL_ROW_FAST = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"')
_CELL_COLUMN = re.compile(rb'<c\b[^>]*?\br="\$?([A-Z]{1,2})')
_CELL_ROW = re.compile(rb'<c\b[^>]*?\br="\$?[A-Z]{1,2}\$?(\d{1,6})"')
_CELL_WITHOUT_REFERENCE = re.compile(rb'<c(?=[\s>/])(?![^>]*\br=")')
_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="([^"]{0,64})"')
_WHOLE_ROW = re.compile(rb'<row\b[^>]*?\br="(\d{1,9})"(?:[^>]*?/>|.*?</row>)', re.DOTALL)
_SHARED_ITEM = re.compile(rb"<si[\s>]")
_REFERENCE = re.compile(rb"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _cells_closely(text, span, chunk):
    """The slow path: any cell reference anywhere in the tag, each one checked."""
    bad = _CELL_OUT_OF_BOUNDS.search(text)
    if bad:
        _reference(bad.group(1), "cell")  # refuses with the reason (invalid, or too far)
    span.cells_without_reference += len(_CELL_WITHOUT_REFERENCE.findall(chunk))
    return _CELL_COLUMN.findall(text), _CELL_ROW.findall(text)


def _numeric_order(text):
    """Sort key making b"AB" > b"Z" and b"100" > b"99" (longer first, then bytewise)."""
    return len(text), text


def _column_number(letters):
    number = 0
    for char in letters.upper():
        number = number * 26 + (char - 64)
    return number


def _refuse(template, **params):
    raise ImportFileError(template, **params)


def check_xlsx(data):
    """Raise ImportFileError (a sentence for the user) unless DATA is an XLSX safe to read."""

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        _refuse(N_("文件不完整或不是有效的 XLSX 表格(可能在上传中被截断),请重新上传"))
    unpacked = sum(info.file_size for info in infos)
    if unpacked > XLSX_MAX_UNPACKED or unpacked > XLSX_MAX_RATIO * max(len(data), 1) + 10 * 1024 * 1024:
        _refuse(N_("文件解压后过大,不像是正常的 Excel 表格,已拒绝。"))
    if any(info.compress_type not in _READABLE for info in infos):
        _refuse(N_("文件使用了不支持的压缩方式,请用 Excel 或 WPS 另存为 .xlsx 后再上传"))
    if any(info.flag_bits & 0x1 for info in infos):  # zip encryption: zipfile would stop with a RuntimeError
        _refuse(N_("文件中有加密的部分,请取消密码保护,用 Excel 或 WPS 另存为 .xlsx 后再上传"))
    names = {info.filename for info in infos}
    with archive:
        sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        for info in infos:  # the sheets are looked at once, below (DTDs included)
            if info.filename.endswith((".xml", ".rels", ".vml")) and info.filename not in sheets:
                _check_part(archive, info.filename)
        if not sheets:
            _refuse(N_("XLSX 文件中没有工作表"))
        if "xl/sharedStrings.xml" in names:
            _check_shared_strings(archive)
        for name in sheets:
            _check_sheet(archive, name)


def _chunks(archive, name):
    """The unpacked bytes of NAME in chunks, each starting with the tail of the one before."""
    tail = b""
    try:
        with archive.open(name) as handle:
            while True:
                chunk = handle.read(_CHUNK)
                if not chunk:
                    break
                yield tail, chunk
                tail = chunk[-_OVERLAP:]
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        _refuse(N_("文件不完整或已损坏(无法解压),请重新上传"))


def _refuse_dtd():
    _refuse(N_("文件含有不允许的 XML 实体声明(DOCTYPE/ENTITY),已拒绝。请用 Excel 或 WPS 另存后再上传"))


def _check_part(archive, name):
    """No DTD and no entity declarations anywhere (quick-xml does not expand them; nor will we)."""
    for tail, chunk in _chunks(archive, name):
        if _DTD.search(tail + chunk):
            _refuse_dtd()


def _check_shared_strings(archive):
    count = 0
    for tail, chunk in _chunks(archive, "xl/sharedStrings.xml"):
        count += len(_SHARED_ITEM.findall(chunk))  # "<si" is 4 bytes: never split across a look that counts twice
        if count > MAX_SHARED_STRINGS:
            _refuse(N_("文件的共享文字超过 %(maximum)s 条,不像是正常的导入表格"), maximum=MAX_SHARED_STRINGS)


class _Span:
    """The block of cells a sheet spans, and where its last whole row ended."""

    def __init__(self):
        self.last_row = 0
        self.last_column = 0
        self.rows_without_reference = 0
        self.cells_without_reference = 0

    def cells(self):
        rows = self.last_row + self.rows_without_reference
        return rows * (self.last_column + self.cells_without_reference)


_FAR_REFERENCE = re.compile(rb"^\$?[A-Za-z]+\$?\d+$")


# Whole sentences for each kind of reference (a cell's position, the sheet's range).
_FAR = {
    "cell": N_("文件中的单元格位置「%(reference)s」超出范围(最多 %(columns)s 列、%(rows)s 行),文件可能已损坏"),
    "range": N_("文件中的表格范围「%(reference)s」超出范围(最多 %(columns)s 列、%(rows)s 行),文件可能已损坏"),
}
_BAD = {
    "cell": N_("文件中的单元格位置「%(reference)s」无效,文件可能已损坏"),
    "range": N_("文件中的表格范围「%(reference)s」无效,文件可能已损坏"),
}


def _reference(raw, what):
    """(column, row) of a reference; WHAT: "cell" or "range" (which sentence refuses it)."""
    match = _REFERENCE.match(raw) if len(raw) <= MAX_REFERENCE else None
    if match is None and _FAR_REFERENCE.match(raw):
        _refuse(_FAR[what], reference=raw[:20].decode("ascii", "replace"), columns=MAX_COLUMNS, rows=MAX_ROWS)
    if match is None:
        _refuse(_BAD[what], reference=raw[:20].decode("ascii", "replace"))
    return _column_number(match.group(1)), int(match.group(2))


def _check_sheet(archive, name):
    span = _Span()
    last = previous = b""
    for tail, chunk in _chunks(archive, name):
        text = tail + chunk  # matches inside the overlap are seen twice: harmless for maxima
        if _DTD.search(text):
            _refuse_dtd()
        # Fast path (C speed): every tag written as Excel, WPS and openpyxl write it, `<c r="A1"`.
        # Any tag that is not (another attribute order, no reference, a broken one) is looked at closely.
        cells = text.count(b"<c ") + text.count(b"<c>") + text.count(b"<c/>")
        columns = _CELL_COLUMN_FAST.findall(text)
        rows = _CELL_ROW_FAST.findall(text)
        if len(columns) != cells or len(rows) != cells:
            columns, rows = _cells_closely(text, span, chunk)
        if columns:
            span.last_column = max(span.last_column, _column_number(max(set(columns), key=_numeric_order)))
        if rows:
            span.last_row = max(span.last_row, int(max(set(rows), key=_numeric_order)))
        row_numbers = _ROW_REFERENCE.findall(text)
        if len(row_numbers) != text.count(b"<row ") + text.count(b"<row>"):
            span.rows_without_reference += len(_ROW_WITHOUT_REFERENCE.findall(chunk))
        if row_numbers:
            for raw in set(row_numbers):
                if not raw.isdigit():
                    _refuse(
                        N_("文件中的行号「%(reference)s」无效,文件可能已损坏"),
                        reference=raw[:20].decode("ascii", "replace"),
                    )
            highest = max(set(row_numbers), key=_numeric_order)
            if len(highest) > 7:
                _refuse(N_("文件的行号超过 %(rows)s 行,请拆分后再导入"), rows=MAX_ROWS)
            span.last_row = max(span.last_row, int(highest))
        for raw in _DIMENSION.findall(text):
            for part in raw.split(b":")[:2]:
                column, row = _reference(part, "range")
                span.last_column, span.last_row = max(span.last_column, column), max(span.last_row, row)
        if span.last_row > MAX_ROWS:
            _refuse(N_("文件的行号超过 %(rows)s 行,请拆分后再导入"), rows=MAX_ROWS)
        if span.last_column > MAX_COLUMNS:
            _refuse(N_("文件的列超过 %(columns)s 列(有单元格在很远的列),请只保留导入模板中的列"), columns=MAX_COLUMNS)
        if span.cells() > MAX_CELLS:
            _refuse(N_("文件的表格范围过大(行数 × 列数),请删去多余的行和列后再导入"))
        previous, last = last, chunk
    if not last.rstrip().endswith(b"</worksheet>"):
        whole = _WHOLE_ROW.findall(previous + last)
        row = int(whole[-1]) if whole else 1
        _refuse(N_("表格内容不完整(文件可能被截断),最后一个完整的行是第%(row)s行;未导入任何数据"), row=row)
