"""Bulk import of points events and scores from CSV (UTF-8, UTF-8 with BOM, GBK) and XLSX.

One row is one ledger entry for one subject, named by its plaque code (unambiguous) with
its name as a cross-check:

    编码 | 姓名 | 项目 | 分值 | 次数 | 日期 | 事由

- 项目: the rubric item's id or its Chinese name, from the subject's own rubric.
- 分值: for event and bonus items the points of the row (blank: the item's points × 次数);
  for value items (评议得票率, 十星级 criterion scores...) the value itself, which REPLACES
  the period's current value (the entry records the difference); veto / gate items 1 or 0.
- 次数: how many events the row counts (event and bonus items; default 1).
- 日期: when it happened (YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or an Excel date), inside the period.

The import is all-or-nothing: every row is validated first and one bad row means nothing
is written. Each written entry carries a `source` derived from its content, so importing
the same file again (or a re-saved copy) writes nothing the second time.

Speed: no query per row. Codes, subjects and rubrics are fetched once per file in chunked
IN queries; validation is plain Python over tuples; the ledger appends in one transaction.
"""
import csv
import datetime
import hashlib
import io
import operator
import os
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from starqr import ledger, rating
from starqr.models import (MEMBER, ORGANISATION, ImportBatch, Member, Organisation, PlaqueCode,
                           RatingPeriod, utcnow)
from starqr.plaque.export import spreadsheet_safe
from starqr.services import ratings, rubrics

# ---------------------------------------------------------------- columns

# Canonical column names (Chinese, as in the templates) and the headers accepted for each.
CODE, NAME, ITEM, POINTS, QUANTITY, DATE, REASON = "编码", "姓名", "项目", "分值", "次数", "日期", "事由"
COLUMNS = (CODE, NAME, ITEM, POINTS, QUANTITY, DATE, REASON)
REQUIRED_COLUMNS = (CODE, NAME, ITEM)
HEADER_ALIASES = {
    CODE: ("编码", "牌匾编码", "二维码编码", "code"),
    NAME: ("姓名", "名称", "姓名/名称", "name"),
    ITEM: ("项目", "积分项目", "评分项目", "item"),
    POINTS: ("分值", "分数", "得分", "points", "value"),
    QUANTITY: ("次数", "数量", "quantity", "count"),
    DATE: ("日期", "发生日期", "date"),
    REASON: ("事由", "原因", "说明", "reason"),
}
_HEADER_LOOKUP = {alias.lower(): column for column, aliases in HEADER_ALIASES.items() for alias in aliases}

MAX_ERRORS = 200  # errors kept per file; the count of the rest is reported
MAX_QUANTITY = 1000
CHUNK = 900  # IN (...) chunk size: under SQLite's 999-parameter limit on old builds
SOURCE = 13  # a ledger row's source (ledger.entry_row)


class ImportFileError(Exception):
    """The file cannot be read at all (not a row problem)."""


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (the header is row 1)
    column: str  # Chinese column name, or "" for a whole-file problem
    message: str

    def __str__(self):
        where = f"第{self.row}行" + (f"「{self.column}」" if self.column else "")
        return f"{where}:{self.message}"

    def to_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message, "text": str(self)}


@dataclass
class StarMove:
    subject_kind: str
    subject_id: int
    name: str
    code: str
    before_stars: int
    after_stars: int
    before_total: float
    after_total: float

    def to_dict(self):
        return dict(self.__dict__)


@dataclass
class ImportResult:
    filename: str
    file_sha256: str
    period_id: int
    rows: int = 0
    errors: list = field(default_factory=list)  # RowError
    more_errors: int = 0  # errors beyond MAX_ERRORS
    entries: list = field(default_factory=list)  # new ledger rows, ledger.entry_row's layout
    already_imported: int = 0  # rows whose entry is in the ledger already
    unchanged_values: int = 0  # value rows equal to the current value
    written: int = 0
    dry_run: bool = True
    moves: list = field(default_factory=list)  # StarMove, stars that change
    totals_changed: int = 0  # subjects whose total changes (stars or not)

    @property
    def ok(self):
        return not self.errors

    def error_lines(self):
        lines = [str(e) for e in self.errors]
        if self.more_errors:
            lines.append(f"……另有 {self.more_errors} 处错误未列出")
        return lines

    def to_dict(self):
        return {
            "filename": self.filename, "file_sha256": self.file_sha256, "period_id": self.period_id,
            "rows": self.rows, "ok": self.ok, "dry_run": self.dry_run,
            "errors": [e.to_dict() for e in self.errors], "more_errors": self.more_errors,
            "new_entries": len(self.entries), "already_imported": self.already_imported,
            "unchanged_values": self.unchanged_values, "written": self.written,
            "star_moves": [m.to_dict() for m in self.moves], "totals_changed": self.totals_changed,
        }


# ---------------------------------------------------------------- reading files

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


# ---------------------------------------------------------------- cell values

def _text(value):
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_number(value):
    """Decimal from a cell (number or text, full-width digits and commas allowed), or None if blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise ValueError
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return _cached_parse(_number_cache, str(value), _parse_number_text)


_NOT_A_NUMBER = object()  # a parse failure, cached like any result
_number_cache = {}  # cells repeat a handful of values; Decimal parsing is the cost


def _cached_parse(cache, text, parse):
    """parse(text) remembered in CACHE (bounded); raises ValueError for _NOT_A_NUMBER."""
    result = cache.get(text)
    if result is None:
        result = parse(text)
        if len(cache) < 10000:
            cache[text] = result
    if result is _NOT_A_NUMBER:
        raise ValueError
    return result


def _parse_number_text(text):
    text = text.strip().translate(_FULL_WIDTH).replace(",", "").replace(" ", "")
    if not text:
        return None
    if text.startswith("+"):
        text = text[1:]
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _NOT_A_NUMBER
    if not number.is_finite():
        return _NOT_A_NUMBER
    return number


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_date_cache = {}  # a year has 366 days: a file repeats the same few date texts


def parse_date(value):
    """A date from a cell: a date/datetime, an Excel serial number or text; None if blank."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and 19000101 <= value <= 29991231:  # 20250630 typed as a number
            return parse_date(str(value))
        if 1 <= value < 2958466:  # Excel serial days (to 9999-12-31)
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError
    return _cached_parse(_date_cache, str(value), _parse_date_text)


def _parse_date_text(text):
    text = text.strip().translate(_FULL_WIDTH)
    if not text:
        return None
    text = text.split(" ", 1)[0].split("T", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return _NOT_A_NUMBER


_fmt_cache = {}
CENT = Decimal("0.01")


def _fmt(number):
    """A decimal's canonical text (2, 2.0 and 2.00 all give "2"), cached: values repeat."""
    if number is None:
        return ""
    text = _fmt_cache.get(number)
    if text is None:
        text = f"{Decimal(number).normalize():f}"
        if len(_fmt_cache) < 10000:
            _fmt_cache[number] = text
    return text


# ---------------------------------------------------------------- subjects and rubrics

@dataclass
class Subject:
    kind: str
    id: int
    name_zh: str
    name_mn: str
    rubric_key: str
    organisation_path: str  # branch path, for scope checks


class Directory:
    """Codes → subjects and each subject's rubric, fetched once for a whole file."""

    def __init__(self, codes):
        self.by_code = {}  # code -> Subject
        self.revoked = {}  # code -> replacement code or None
        self.not_rated = {}  # code -> name of an organisation that is not a branch
        self.rubric = {}  # key -> (RubricVersion, Rubric)
        self._load(sorted(set(codes)))

    def _load(self, codes):
        plaques = _select_in('SELECT "code", "subject_kind", "subject_id", "status", "replaced_by_id" '
                             'FROM "plaque_code" WHERE "code" IN ({})', codes)
        replaced_ids = [r for (_, _, _, status, r) in plaques if status != "active" and r]
        replacement_codes = {}
        for start in range(0, len(replaced_ids), CHUNK):
            replacement_codes.update(PlaqueCode.select(PlaqueCode.id, PlaqueCode.code)
                                     .where(PlaqueCode.id.in_(replaced_ids[start:start + CHUNK])).tuples())
        member_ids = sorted({sid for (_, kind, sid, status, _) in plaques if kind == MEMBER and status == "active"})
        members = {row[0]: row for row in
                   _select_in('SELECT "id", "name_zh", "name_mn", "branch_id", "active" FROM "member" '
                              'WHERE "id" IN ({})', member_ids)}
        organisations = {row[0]: row for row in
                         Organisation.select(Organisation.id, Organisation.name_zh, Organisation.name_mn,
                                             Organisation.level, Organisation.domain, Organisation.rubric_key,
                                             Organisation.path).tuples()}
        for code, kind, subject_id, status, replaced_by in plaques:
            if status != "active":
                self.revoked[code] = replacement_codes.get(replaced_by)
                continue
            if kind == MEMBER:
                member = members.get(subject_id)
                if member is None or not member[4]:
                    continue  # a member no longer on the roll: treated as unknown
                branch = organisations[member[3]]
                key = rating.MEMBER_RUBRIC_BY_DOMAIN[branch[4]]
                self.by_code[code] = Subject(MEMBER, subject_id, member[1], member[2] or "", key, branch[6])
            else:
                org = organisations.get(subject_id)
                if org is None:
                    continue
                if org[3] != "branch":
                    self.not_rated[code] = org[1]
                    continue
                key = org[5] or rating.DOMAIN_RUBRICS[org[4]]
                self.by_code[code] = Subject(ORGANISATION, subject_id, org[1], org[2] or "", key, org[6])
        for key in {s.rubric_key for s in self.by_code.values()}:
            self.rubric[key] = rubrics.current_rubric(key)


def _select_in(sql, values, size=500):
    """Rows of SQL (with one IN ({}) placeholder) for VALUES in chunks, as plain tuples."""
    from starqr.db import database
    db = database.obj
    rows = []
    for start in range(0, len(values), size):
        chunk = values[start:start + size]
        rows.extend(tuple(r) for r in db.execute_sql(sql.format(", ".join([db.param] * len(chunk))), chunk).fetchall())
    return rows


def _item_lookup(rubric):
    """{id or Chinese name: Item} for one rubric (names that two items share are left out)."""
    lookup = {}
    names = Counter(item.name for item in rubric.items)
    for item in rubric.items:
        lookup[item.id] = item
        lookup[item.id.lower()] = item
        if names[item.name] == 1:
            lookup.setdefault(item.name, item)
    return lookup


# ---------------------------------------------------------------- validation

VALUE_KINDS = ("value", "veto", "gate")  # the row sets the value instead of adding an event


def _source_text(period_id, subject, item_id, points_text, quantity, occurred_on, reason):
    """The content a row's source hashes, before its occurrence (POINTS_TEXT is _fmt(points))."""
    return (f"{period_id}\x1f{subject.kind}\x1f{subject.id}\x1f{item_id}\x1f{points_text}\x1f{quantity}"
            f"\x1f{occurred_on or ''}\x1f{reason}")


def _source_of(text, occurrence):
    return "import:" + hashlib.sha256(f"{text}\x1f{occurrence}".encode("utf-8")).hexdigest()[:48]


def _source(period_id, subject, item_id, points, quantity, occurred_on, reason, occurrence):
    """Content hash of a row: the same row re-imported, even from a re-saved file, is skipped."""
    return _source_of(_source_text(period_id, subject, item_id, _fmt(points), quantity, occurred_on, reason),
                      occurrence)


class _Amount:
    """A checked (item, quantity, points) combination; files repeat a handful of them."""
    __slots__ = ("item", "quantity", "points", "text", "cents", "cent_error")

    def __init__(self, item, quantity, points, cent_error):
        self.item, self.quantity, self.points, self.cent_error = item, quantity, points, cent_error
        self.text = _fmt(points)  # in the row's source
        self.cents = None if cent_error else f"{points.quantize(CENT)}"  # in the ledger


def _key(*cells):
    """A memo key for cells: their classes count too where they are not all text (1 == 1.0 == True)."""
    for cell in cells:
        if cell.__class__ is not str:
            return cells + tuple(cell.__class__ for cell in cells)
    return cells


class _Validator:
    def __init__(self, period, actor, scope_path=None):
        self.period = period
        self.actor = actor
        self.scope_path = scope_path  # only subjects under this organisation path, or None
        self.errors = []
        self.error_count = 0
        self._bounds = {}

    def fail(self, row, column, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, message))

    def _subject(self, directory, code_cell, name_cell):
        """The Subject of a row's code and name cells, or (column, message)."""
        code = _text(code_cell).upper()
        if not code:
            return CODE, "编码为空"
        subject = directory.by_code.get(code)
        if subject is None:
            if code in directory.revoked:
                replacement = directory.revoked[code]
                return CODE, f"编码 {code} 已作废" + (f",请改用新编码 {replacement}" if replacement else "")
            if code in directory.not_rated:
                return CODE, f"编码 {code} 属于{directory.not_rated[code]},不是参加评星的党支部或党员"
            return CODE, f"编码 {code} 不存在"
        if self.scope_path and not subject.organisation_path.startswith(self.scope_path):
            return CODE, f"编码 {code}({subject.name_zh})不在您的管理范围内"
        name = _text(name_cell)
        if not name:
            return NAME, f"姓名为空(编码 {code} 是「{subject.name_zh}」)"
        if name not in (subject.name_zh, subject.name_mn):
            return NAME, f"姓名「{name}」与编码 {code} 不符(该编码是「{subject.name_zh}」)"
        return subject

    def _bounds_of(self, item):
        """(min, max, points per event) of an item as Decimals, computed once per item."""
        found = self._bounds.get(item.id)
        if found is None:
            found = self._bounds[item.id] = (Decimal(repr(item.min)), Decimal(repr(item.max)),
                                             Decimal(repr(item.points)) if item.points is not None else None)
        return found

    def _amount(self, rubric, lookup, item_cell, quantity_cell, points_cell):
        """The _Amount of a row's item, quantity and points cells, or (column, message).

        Everything but the once-per-file rule for values, which needs the subject."""
        item_text = _text(item_cell)
        item = lookup.get(item_text) or lookup.get(item_text.lower())
        if item is None:
            return ITEM, f"「{item_text}」不是评分标准「{rubric.name}」中的项目" if item_text else "项目为空"
        try:
            quantity = parse_number(quantity_cell)
        except ValueError:
            return QUANTITY, f"次数「{_text(quantity_cell)}」不是数字"
        if quantity is None:
            quantity = Decimal(1)
        if quantity != quantity.to_integral_value() or not 1 <= quantity <= MAX_QUANTITY:
            return QUANTITY, f"次数应为 1 到 {MAX_QUANTITY} 之间的整数"
        quantity = int(quantity)
        try:
            points = parse_number(points_cell)
        except ValueError:
            return POINTS, f"分值「{_text(points_cell)}」不是数字"
        if item.kind in VALUE_KINDS:
            if quantity != 1:
                return QUANTITY, f"「{item.name}」是一个取值,次数只能为 1"
            if points is None:
                return POINTS, f"「{item.name}」需要填写分值"
            low, high = self._bounds_of(item)[:2]
            if not low <= points <= high:
                return POINTS, f"分值 {_fmt(points)} 超出「{item.name}」的范围 {item.min:g}–{item.max:g}"
            if item.kind in ("veto", "gate") and points not in (0, 1):
                return POINTS, f"「{item.name}」只能填 1(是)或 0(否)"
        else:
            most = self._bounds_of(item)[2] * quantity
            if points is None:
                points = most
            low, high = (most, Decimal(0)) if most < 0 else (Decimal(0), most)
            if points == 0 or not low <= points <= high:
                return POINTS, (f"分值 {_fmt(points)} 超出「{item.name}」的范围:"
                                f"每次 {item.points:g} 分,{quantity} 次应在 {_fmt(low)} 到 {_fmt(high)} 之间(不为 0)")
        cent_error = None
        if points != points.quantize(CENT):
            cent_error = (POINTS, f"分值 {_fmt(points)} 最多两位小数")
        return _Amount(item, quantity, points, cent_error)

    def _date(self, date_cell):
        """The ISO text of a row's date (None if blank), or (column, message)."""
        try:
            occurred = parse_date(date_cell)
        except ValueError:
            return DATE, f"日期「{_text(date_cell)}」无法识别,请写成 2025-06-30"
        if occurred is None:
            return None
        starts, ends = self.period.starts_on, self.period.ends_on
        if not starts <= occurred <= ends:
            return DATE, (f"日期 {occurred.isoformat()} 不在评定期 {self.period.name}"
                          f"({starts.isoformat()} 至 {ends.isoformat()})内")
        return occurred.isoformat()

    def run(self, columns, rows, progress=None):
        """Validate every row; returns (raw rows, parsed rows, Directory).

        A parsed row is (row number, Subject, _Amount, ISO date or None, reason). Codes,
        amounts and dates repeat across a file, so each distinct one is checked once
        (errors are kept as (column, message) and reported for every row they occur in).
        """
        indexes = [columns.get(column) for column in COLUMNS]
        pick = width = None
        if None not in indexes:
            pick, width = operator.itemgetter(*indexes), max(indexes) + 1
        raw = []
        for number, cells in rows:
            first = cells[0] if cells else None
            if (first is None or (first.__class__ is str and not first.strip())) and _blank(cells):
                continue
            if pick is not None and len(cells) >= width:
                raw.append((number, pick(cells)))
            else:
                raw.append((number, tuple(cells[i] if i is not None and i < len(cells) else None for i in indexes)))
        if progress:
            progress(len(raw) // 2, len(raw))
        directory = Directory({(v[0].strip() if v[0].__class__ is str else _text(v[0])).upper() for _, v in raw})
        lookups = {key: _item_lookup(rubric) for key, (_, rubric) in directory.rubric.items()}
        subjects, amounts, dates = {}, {}, {}  # memos: cells -> result or (column, message)
        fail = self.fail
        parsed = []
        value_rows = {}  # (kind, id, item) -> row number: a value may be set once per file
        for number, (code_cell, name_cell, item_cell, points_cell, quantity_cell, date_cell, reason_cell) in raw:
            key = (code_cell, name_cell) if code_cell.__class__ is str and name_cell.__class__ is str \
                else _key(code_cell, name_cell)
            subject = subjects.get(key)
            if subject is None:
                subject = subjects[key] = self._subject(directory, code_cell, name_cell)
            if subject.__class__ is tuple:
                fail(number, *subject)
                continue
            if item_cell.__class__ is str and quantity_cell.__class__ is str and points_cell.__class__ is str:
                key = (subject.rubric_key, item_cell, quantity_cell, points_cell)
            else:
                key = (subject.rubric_key,) + _key(item_cell, quantity_cell, points_cell)
            amount = amounts.get(key)
            if amount is None:
                _, rubric = directory.rubric[subject.rubric_key]
                amount = amounts[key] = self._amount(rubric, lookups[subject.rubric_key],
                                                     item_cell, quantity_cell, points_cell)
            if amount.__class__ is tuple:
                fail(number, *amount)
                continue
            item = amount.item
            if item.kind in VALUE_KINDS:
                key = (subject.kind, subject.id, item.id)
                if key in value_rows:
                    fail(number, ITEM, f"「{item.name}」已在第{value_rows[key]}行为同一对象填写")
                    continue
                value_rows[key] = number
            if amount.cent_error:
                fail(number, *amount.cent_error)
                continue
            key = date_cell if date_cell.__class__ is str else _key(date_cell)  # a str is never a tuple
            occurred_on = dates.get(key, dates)
            if occurred_on is dates:
                occurred_on = dates[key] = self._date(date_cell)
            if occurred_on.__class__ is tuple:
                fail(number, *occurred_on)
                continue
            reason = (reason_cell.strip() if reason_cell.__class__ is str else _text(reason_cell))[:500] or item.name
            parsed.append((number, subject, amount, occurred_on, reason))
            if progress and len(parsed) % 20000 == 0:
                progress(len(raw) // 2 + len(parsed) // 2, len(raw))
        return raw, parsed, directory


def _entries(period, parsed, actor, filename, current_values):
    """Ledger rows (ledger.entry_row's layout) per valid row, in file order. Value rows
    record the difference from the current value."""
    entries = []
    unchanged = 0
    occurrences = {}
    now = utcnow()
    label = f"导入:{os.path.basename(filename)}" if filename else "导入"
    period_id = period.id
    sha256 = hashlib.sha256
    for number, subject, amount, occurred_on, reason in parsed:
        item = amount.item
        if item.kind in VALUE_KINDS:
            current = Decimal(repr(current_values.get((subject.kind, subject.id), {}).get(item.id, 0.0)))
            delta = (amount.points - current).quantize(CENT)
            if delta == 0:
                unchanged += 1
                continue
            source = _source_of(_source_text(period_id, subject, item.id, amount.text, 1, occurred_on, reason),
                                "value")
            entries.append((subject.kind, subject.id, period_id, item.id, f"{delta}", 1, reason, True, label,
                            actor, now, occurred_on, None, source))
            continue
        # Identical rows are told apart by their occurrence (1, 2...) in the file.
        text = _source_text(period_id, subject, item.id, amount.text, amount.quantity, occurred_on, reason)
        occurrence = occurrences.get(text, 0) + 1
        occurrences[text] = occurrence
        source = "import:" + sha256(f"{text}\x1f{occurrence}".encode("utf-8")).hexdigest()[:48]
        entries.append((subject.kind, subject.id, period_id, item.id, amount.cents, amount.quantity, reason, True,
                        label, actor, now, occurred_on, None, source))
    return entries, unchanged


def _existing_sources(sources):
    """The subset of SOURCES already in the ledger (raw chunked queries: peewee's SQL
    building per IN list costs more than the query itself at 100,000 rows)."""
    from starqr.db import database
    from starqr.models import LedgerEntry
    db = database.obj
    table = LedgerEntry._meta.table_name
    seen = set()
    size = 500
    for start in range(0, len(sources), size):
        chunk = sources[start:start + size]
        sql = f'SELECT "source" FROM "{table}" WHERE "source" IN ({", ".join([db.param] * len(chunk))})'
        seen.update(row[0] for row in db.execute_sql(sql, chunk).fetchall())
    return seen


# ---------------------------------------------------------------- the preview

def compute_with(period, additions, base_values=None):
    """ratings.compute as if ADDITIONS (ledger rows, see ledger.entry_row) were in the ledger; nothing is written.

    Returns (before, after): {(kind, id): RatingResult} for every rated subject.
    """
    values = base_values if base_values is not None else ratings.ledger_values(period)
    added = defaultdict(lambda: defaultdict(float))
    for entry in additions:
        added[(entry[0], entry[1])][entry[3]] += float(entry[4])
    before, after = {}, {}
    for key, subjects in ratings._subject_groups(period).items():
        _, rubric = rubrics.current_rubric(key)
        inputs_before, inputs_after, touched = [], [], False
        for kind, subject_id, category in subjects:
            current = values.get((kind, subject_id), {})
            inputs_before.append(rating.SubjectInput(subject_id, current, category))
            extra = added.get((kind, subject_id))
            if extra:
                touched = True
                merged = dict(current)
                for item_id, points in extra.items():
                    merged[item_id] = merged.get(item_id, 0.0) + points
                inputs_after.append(rating.SubjectInput(subject_id, merged, category))
            else:
                inputs_after.append(rating.SubjectInput(subject_id, current, category))
        kind = subjects[0][0]
        results_before = rating.rate_all(rubric, inputs_before)
        # A quota rubric ranks everyone, so an addition can move subjects it does not touch.
        results_after = rating.rate_all(rubric, inputs_after) if touched else results_before
        for subject_id, result in results_before.items():
            before[(kind, subject_id)] = result
            after[(kind, subject_id)] = results_after[subject_id]
    return before, after


def star_moves(period, additions, base_values=None, names=None):
    """(moves, totals changed): subjects whose stars change if ADDITIONS were recorded."""
    before, after = compute_with(period, additions, base_values)
    moves, totals_changed = [], 0
    changed_keys = []
    for key, old in before.items():
        new = after[key]
        if old.total != new.total or old.stars != new.stars or old.vetoed != new.vetoed:
            totals_changed += 1
        if old.stars != new.stars:
            changed_keys.append(key)
    labels = _labels(changed_keys) if names is None else names
    for key in changed_keys:
        old, new = before[key], after[key]
        name, code = labels.get(key, ("", ""))
        moves.append(StarMove(key[0], key[1], name, code, old.stars, new.stars, float(old.total), float(new.total)))
    moves.sort(key=lambda m: (m.after_stars - m.before_stars, m.subject_kind, m.subject_id))
    return moves, totals_changed


def _labels(keys):
    """{(kind, id): (name, active code)} for a few subjects, in chunked queries."""
    labels = {}
    by_kind = defaultdict(list)
    for kind, subject_id in keys:
        by_kind[kind].append(subject_id)
    for kind, ids in by_kind.items():
        model = Member if kind == MEMBER else Organisation
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            names = dict(model.select(model.id, model.name_zh).where(model.id.in_(chunk)).tuples())
            codes = dict(PlaqueCode.select(PlaqueCode.subject_id, PlaqueCode.code)
                         .where(PlaqueCode.subject_kind == kind, PlaqueCode.status == "active",
                                PlaqueCode.subject_id.in_(chunk)).tuples())
            for subject_id in chunk:
                labels[(kind, subject_id)] = (names.get(subject_id, ""), codes.get(subject_id, ""))
    return labels


# ---------------------------------------------------------------- entry points

def check_period(period):
    if period.state == "final":
        raise ImportFileError(f"评定期「{period.name}」已结束(final),不能再导入;请在控制台登记更正")


def run(period, data, filename, actor, dry_run=True, scope_path=None, progress=None, preview=True):
    """Validate a file and, unless DRY_RUN, write it to the ledger all-or-nothing.

    Returns an ImportResult. A file that cannot be read at all raises ImportFileError;
    row problems are reported in result.errors and nothing is written.
    PROGRESS, if given, is called as progress(rows done, rows total).
    """
    check_period(period)
    result = ImportResult(filename=filename, file_sha256=sha256(data), period_id=period.id, dry_run=dry_run)
    columns, rows = read_rows(data, filename)
    validator = _Validator(period, actor, scope_path)
    raw, parsed, directory = validator.run(columns, rows, progress)
    result.rows = len(raw)
    if not raw:
        validator.fail(2, "", "文件没有数据行")
    if validator.error_count:
        result.errors = validator.errors
        result.more_errors = validator.error_count - len(validator.errors)
        return result
    has_values = any(amount.item.kind in VALUE_KINDS for _, _, amount, _, _ in parsed)
    current = ratings.ledger_values(period) if (has_values or (dry_run and preview)) else {}
    entries, result.unchanged_values = _entries(period, parsed, actor, filename, current)
    if dry_run:
        seen = _existing_sources([e[SOURCE] for e in entries])
        result.entries = [e for e in entries if e[SOURCE] not in seen]
        result.already_imported = len(entries) - len(result.entries)
        if preview:
            names = {(s.kind, s.id): (s.name_zh, code) for code, s in directory.by_code.items()}
            result.moves, result.totals_changed = star_moves(period, result.entries, current, _LazyLabels(names))
        return result
    # The ledger skips the sources it holds already, checked under its lock.
    result.entries = ledger.append_rows(entries) if entries else []
    result.written = len(result.entries)
    result.already_imported = len(entries) - result.written
    if progress:
        progress(result.rows, result.rows)
    return result


class _LazyLabels(dict):
    """Names from the file's codes; subjects moved by a quota ranking are looked up on demand."""

    def get(self, key, default=None):
        if key not in self:
            self.update(_labels([key]))
        return dict.get(self, key, default)


# ---------------------------------------------------------------- background batches

def imports_folder(instance_path):
    folder = os.path.join(instance_path, "imports")
    os.makedirs(folder, exist_ok=True)
    return folder


def create_batch(period, data, filename, actor, instance_path):
    """Store the file and an ImportBatch (pending); the task runs it. Returns the batch."""
    check_period(period)
    digest = sha256(data)
    extension = ".xlsx" if is_xlsx(data, filename) else ".csv"
    path = os.path.join(imports_folder(instance_path), digest + extension)
    with open(path, "wb") as handle:
        handle.write(data)
    return ImportBatch.create(file_sha256=digest, filename=os.path.basename(filename or "import" + extension)[:255],
                              period=period, status="pending", created_by=actor)


def store_upload(data, filename, instance_path):
    """Keep an uploaded file between the preview and the confirmation. Returns its sha256."""
    digest = sha256(data)
    extension = ".xlsx" if is_xlsx(data, filename) else ".csv"
    path = os.path.join(imports_folder(instance_path), digest + extension)
    if not os.path.exists(path):
        with open(path, "wb") as handle:
            handle.write(data)
    return digest


def load_upload(digest, instance_path):
    """The bytes of a stored upload (by sha256), or ImportFileError."""
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ImportFileError("上传的文件标识无效,请重新上传")
    folder = imports_folder(instance_path)
    for extension in (".xlsx", ".csv"):
        path = os.path.join(folder, digest + extension)
        if os.path.exists(path):
            with open(path, "rb") as handle:
                return handle.read()
    raise ImportFileError("上传的文件已不存在,请重新上传")


def batch_file(batch, instance_path):
    folder = imports_folder(instance_path)
    for extension in (".xlsx", ".csv"):
        path = os.path.join(folder, batch.file_sha256 + extension)
        if os.path.exists(path):
            return path
    raise ImportFileError("导入文件已不存在")


def run_batch(batch_id, instance_path, scope_path=None):
    """Run a stored batch (in the task worker), keeping its progress and outcome up to date."""
    batch = ImportBatch.get_by_id(batch_id)
    if batch.status not in ("pending",):
        return batch  # already run (a retried task must not import twice)
    claimed = ImportBatch.update(status="running").where(ImportBatch.id == batch_id,
                                                         ImportBatch.status == "pending").execute()
    if not claimed:
        return ImportBatch.get_by_id(batch_id)

    def progress(done, total):
        ImportBatch.update(rows_done=done, rows_total=total).where(ImportBatch.id == batch_id).execute()

    try:
        with open(batch_file(batch, instance_path), "rb") as handle:
            data = handle.read()
        period = RatingPeriod.get_by_id(batch.period_id)
        result = run(period, data, batch.filename, batch.created_by, dry_run=False,
                     scope_path=scope_path, progress=progress)
    except ImportFileError as error:
        ImportBatch.update(status="failed", errors=[{"row": 1, "column": "", "message": str(error), "text": str(error)}],
                           finished_at=utcnow()).where(ImportBatch.id == batch_id).execute()
        return ImportBatch.get_by_id(batch_id)
    if result.errors:
        errors = [e.to_dict() for e in result.errors]
        if result.more_errors:
            errors.append({"row": 0, "column": "", "message": f"另有 {result.more_errors} 处错误未列出",
                           "text": f"……另有 {result.more_errors} 处错误未列出"})
        ImportBatch.update(status="failed", errors=errors, rows_total=result.rows, rows_done=result.rows,
                           finished_at=utcnow()).where(ImportBatch.id == batch_id).execute()
    else:
        ImportBatch.update(status="done", rows_total=result.rows, rows_done=result.rows,
                           rows_imported=result.written, errors=[],
                           finished_at=utcnow()).where(ImportBatch.id == batch_id).execute()
    return ImportBatch.get_by_id(batch_id)


# ---------------------------------------------------------------- templates

TEMPLATE_NOTE = ("每行一条记录。编码:牌匾或胸牌上的编码;姓名:用于核对;项目:下表中的项目编号或名称;"
                 "分值:事件类项目可空(按每次分值×次数),取值类项目填写数值(将替换当前值);"
                 "次数:默认1;日期:评定期内,如 2025-06-30;事由:公开显示的原因。")


def template_rows(rubric_key):
    """(rubric, example rows, item rows) for a rubric's import template."""
    version, rubric = rubrics.current_rubric(rubric_key)
    examples = []
    for item in rubric.items:
        if item.kind in ("event", "bonus"):
            examples.append(["ABCD234567", "张三", item.name, "", 1, "2025-06-30", item.name])
        elif item.kind == "value":
            examples.append(["ABCD234567", "张三", item.name, f"{item.max:g}", 1, "2025-12-20", item.name])
        if len(examples) == 2:
            break
    kinds = {"event": "事件(加减分)", "bonus": "加分", "value": "取值", "veto": "否决(1/0)", "gate": "基本条件(1/0)"}
    items = [[item.id, item.name, kinds.get(item.kind, item.kind),
              "" if item.points is None else f"{item.points:g}",
              "" if item.cap is None else f"{item.cap:g}", f"{item.min:g}–{item.max:g}"] for item in rubric.items]
    return rubric, examples, items


ITEM_HEADERS = ["项目编号", "项目名称", "类型", "每次分值", "上限", "每条范围"]


def template_csv(rubric_key):
    """UTF-8 CSV with BOM (Excel and WPS open it as Chinese) holding the header and examples."""
    _, examples, _ = template_rows(rubric_key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(examples)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(rubric_key):
    """An XLSX template: sheet 导入 (header and examples), sheet 项目 (the rubric's items)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    rubric, examples, items = template_rows(rubric_key)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "导入"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in examples:
        sheet.append(row)
    for column, width in zip("ABCDEFG", (14, 10, 26, 8, 6, 12, 30)):
        sheet.column_dimensions[column].width = width
    item_sheet = workbook.create_sheet("项目")
    item_sheet.append([f"{rubric.name}(v{rubric.version})"])
    item_sheet.append([TEMPLATE_NOTE])
    item_sheet.append(ITEM_HEADERS)
    for row in items:
        item_sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_xlsx(rows, header=COLUMNS):
    """XLSX bytes for rows (used by tests, the bench and 'download errors')."""
    from openpyxl import Workbook
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("导入")
    sheet.append(list(header))
    for row in rows:
        sheet.append([spreadsheet_safe(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_csv(rows, header=COLUMNS, encoding="utf-8-sig"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
    return out.getvalue().encode(encoding)
