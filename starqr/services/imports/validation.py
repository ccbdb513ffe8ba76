"""Validation of a points file's rows: every row checked before anything is written."""

import operator
from decimal import Decimal

from starqr.errors import N_
from starqr.services import access
from starqr.services.imports.cells import CENT, number_text, cell_text, parse_date, parse_number
from starqr.services.imports.columns import CODE, COLUMNS, DATE, ITEM, NAME, POINTS, QUANTITY, REASON
from starqr.services.imports.directory import Directory, item_lookup
from starqr.validation import find_private_data, has_control_characters, points_text

MAX_QUANTITY = 1000
MAX_REASON = 500
PRIVATE_REASON = {  # reasons are published on the scan page
    "id_number": N_("事由会公开显示,其中似乎有身份证号码;请删去"),
    "mobile": N_("事由会公开显示,其中似乎有手机号码;请删去"),
    "address": N_("事由会公开显示,其中似乎有家庭住址(门牌号);请删去"),
}
VALUE_KINDS = ("value", "veto", "gate")  # the row sets the value instead of adding an event


class _Amount:
    """A checked (item, quantity, points) combination; files repeat a handful of them."""

    __slots__ = ("item", "quantity", "points", "text", "cents", "cent_error")

    def __init__(self, item, quantity, points, cent_error):
        self.item, self.quantity, self.points, self.cent_error = item, quantity, points, cent_error
        self.text = number_text(points)  # in the row's source
        self.cents = None if cent_error else points_text(points)  # in the ledger (-0 as "0.00")


def _refusal(column, template, **params):
    """A row problem kept for the memo: (column, catalogue template, parameters)."""
    return column, template, params


def _key(*cells):
    """A memo key for cells: their classes count too where they are not all text (1 == 1.0 == True)."""
    for cell in cells:
        if cell.__class__ is not str:
            return cells + tuple(cell.__class__ for cell in cells)
    return cells


class _Validator:
    def __init__(self, period, actor, errors):
        self.period = period
        self.actor = actor  # an access.Actor: only subjects in its scope
        self.fail = errors.add  # (row, column, template, **params): the pipeline's Errors
        self._bounds = {}

    def _subject(self, directory, code_cell, name_cell):
        """The Subject of a row's code and name cells, or (column, message)."""
        code = cell_text(code_cell).upper()
        if not code:
            return _refusal(CODE, N_("编码为空"))
        subject = directory.by_code.get(code)
        if subject is None:
            if code in directory.revoked:
                replacement = directory.revoked[code]
                if replacement:
                    return _refusal(
                        CODE,
                        N_("编码 %(code)s 已作废,请改用新编码 %(replacement)s"),
                        code=code,
                        replacement=replacement,
                    )
                return _refusal(CODE, N_("编码 %(code)s 已作废"), code=code)
            if code in directory.not_rated:
                return _refusal(
                    CODE,
                    N_("编码 %(code)s 属于%(name)s,不是参加评星的党支部或党员"),
                    code=code,
                    name=directory.not_rated[code],
                )
            return _refusal(CODE, N_("编码 %(code)s 不存在"), code=code)
        if not access.covers_path(self.actor, subject.organisation_path):
            return _refusal(CODE, N_("编码 %(code)s(%(name)s)不在您的管理范围内"), code=code, name=subject.name_zh)
        name = cell_text(name_cell)
        if not name:
            return _refusal(NAME, N_("姓名为空(编码 %(code)s 是「%(name)s」)"), code=code, name=subject.name_zh)
        if name not in (subject.name_zh, subject.name_mn):
            return _refusal(
                NAME,
                N_("姓名「%(given)s」与编码 %(code)s 不符(该编码是「%(name)s」)"),
                given=name,
                code=code,
                name=subject.name_zh,
            )
        return subject

    def _bounds_of(self, item):
        """(min, max, points per event) of an item as Decimals, computed once per item."""
        found = self._bounds.get(item.id)
        if found is None:
            found = self._bounds[item.id] = (
                Decimal(repr(item.min)),
                Decimal(repr(item.max)),
                Decimal(repr(item.points)) if item.points is not None else None,
            )
        return found

    def _amount(self, rubric, lookup, item_cell, quantity_cell, points_cell):
        """The _Amount of a row's item, quantity and points cells, or (column, message).

        Everything but the once-per-file rule for values, which needs the subject."""
        item_text = cell_text(item_cell)
        item = lookup.get(item_text) or lookup.get(item_text.lower())
        if item is None:
            if not item_text:
                return _refusal(ITEM, N_("项目为空"))
            return _refusal(
                ITEM, N_("「%(item)s」不是评分标准「%(rubric)s」中的项目"), item=item_text, rubric=rubric.name
            )
        try:
            quantity = parse_number(quantity_cell)
        except ValueError:
            return _refusal(QUANTITY, N_("次数「%(value)s」不是数字"), value=cell_text(quantity_cell))
        if quantity is None:
            quantity = Decimal(1)
        if quantity != quantity.to_integral_value() or not 1 <= quantity <= MAX_QUANTITY:
            return _refusal(QUANTITY, N_("次数应为 1 到 %(maximum)s 之间的整数"), maximum=MAX_QUANTITY)
        quantity = int(quantity)
        try:
            points = parse_number(points_cell)
        except ValueError:
            return _refusal(POINTS, N_("分值「%(value)s」不是数字"), value=cell_text(points_cell))
        if item.kind in VALUE_KINDS:
            if quantity != 1:
                return _refusal(QUANTITY, N_("「%(item)s」是一个取值,次数只能为 1"), item=item.name)
            if points is None:
                return _refusal(POINTS, N_("「%(item)s」需要填写分值"), item=item.name)
            low, high = self._bounds_of(item)[:2]
            if not low <= points <= high:
                return _refusal(
                    POINTS,
                    N_("分值 %(points)s 超出「%(item)s」的范围 %(low)s–%(high)s"),
                    points=number_text(points),
                    item=item.name,
                    low=f"{item.min:g}",
                    high=f"{item.max:g}",
                )
            if item.kind in ("veto", "gate") and points not in (0, 1):
                return _refusal(POINTS, N_("「%(item)s」只能填 1(是)或 0(否)"), item=item.name)
        else:
            most = self._bounds_of(item)[2] * quantity
            if points is None:
                points = most
            low, high = (most, Decimal(0)) if most < 0 else (Decimal(0), most)
            if points == 0 or not low <= points <= high:
                return _refusal(
                    POINTS,
                    N_(
                        "分值 %(points)s 超出「%(item)s」的范围:每次 %(each)s 分,%(quantity)s 次应在 %(low)s 到 %(high)s 之间(不为 0)"
                    ),
                    points=number_text(points),
                    item=item.name,
                    each=f"{item.points:g}",
                    quantity=quantity,
                    low=number_text(low),
                    high=number_text(high),
                )
        cent_error = None
        if points != points.quantize(CENT):
            cent_error = _refusal(POINTS, N_("分值 %(points)s 最多两位小数"), points=number_text(points))
        return _Amount(item, quantity, points, cent_error)

    def _date(self, date_cell):
        """The ISO text of a row's date (None if blank), or (column, message)."""
        try:
            occurred = parse_date(date_cell)
        except ValueError:
            return _refusal(DATE, N_("日期「%(value)s」无法识别,请写成 2025-06-30"), value=cell_text(date_cell))
        if occurred is None:
            return None
        starts, ends = self.period.starts_on, self.period.ends_on
        if not starts <= occurred <= ends:
            return _refusal(
                DATE,
                N_("日期 %(date)s 不在评定期 %(period)s(%(starts)s 至 %(ends)s)内"),
                date=occurred.isoformat(),
                period=self.period.name,
                starts=starts.isoformat(),
                ends=ends.isoformat(),
            )
        return occurred.isoformat()

    def run(self, columns, rows):
        """Validate every row (blank rows already left out); returns (parsed rows, Directory).

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
            if pick is not None and len(cells) >= width:
                raw.append((number, pick(cells)))
            else:
                raw.append((number, tuple(cells[i] if i is not None and i < len(cells) else None for i in indexes)))
        directory = Directory(
            {(v[0].strip() if v[0].__class__ is str else cell_text(v[0])).upper() for _, v in raw}, self.period
        )
        lookups = {key: item_lookup(rubric) for key, (_, rubric) in directory.rubric.items()}
        subjects, amounts, dates = {}, {}, {}  # memos: cells -> result or (column, message)
        fail = self.fail
        parsed = []
        value_rows = {}  # (kind, id, item) -> row number: a value may be set once per file
        private_reasons = {}  # reason -> private data kind or None (reasons repeat)
        for number, (code_cell, name_cell, item_cell, points_cell, quantity_cell, date_cell, reason_cell) in raw:
            key = (
                (code_cell, name_cell)
                if code_cell.__class__ is str and name_cell.__class__ is str
                else _key(code_cell, name_cell)
            )
            subject = subjects.get(key)
            if subject is None:
                subject = subjects[key] = self._subject(directory, code_cell, name_cell)
            if subject.__class__ is tuple:
                fail(number, subject[0], subject[1], **subject[2])
                continue
            if item_cell.__class__ is str and quantity_cell.__class__ is str and points_cell.__class__ is str:
                key = (subject.rubric_key, item_cell, quantity_cell, points_cell)
            else:
                key = (subject.rubric_key,) + _key(item_cell, quantity_cell, points_cell)
            amount = amounts.get(key)
            if amount is None:
                _, rubric = directory.rubric[subject.rubric_key]
                amount = amounts[key] = self._amount(
                    rubric, lookups[subject.rubric_key], item_cell, quantity_cell, points_cell
                )
            if amount.__class__ is tuple:
                fail(number, amount[0], amount[1], **amount[2])
                continue
            item = amount.item
            if item.kind in VALUE_KINDS:
                key = (subject.kind, subject.id, item.id)
                if key in value_rows:
                    fail(
                        number,
                        ITEM,
                        N_("「%(item)s」已在第%(first)s行为同一对象填写"),
                        item=item.name,
                        first=value_rows[key],
                    )
                    continue
                value_rows[key] = number
            if amount.cent_error:
                column, template, params = amount.cent_error
                fail(number, column, template, **params)
                continue
            key = date_cell if date_cell.__class__ is str else _key(date_cell)  # a str is never a tuple
            occurred_on = dates.get(key, dates)
            if occurred_on is dates:
                occurred_on = dates[key] = self._date(date_cell)
            if occurred_on.__class__ is tuple:
                fail(number, occurred_on[0], occurred_on[1], **occurred_on[2])
                continue
            reason = (reason_cell.strip() if reason_cell.__class__ is str else cell_text(reason_cell)) or item.name
            if len(reason) > MAX_REASON:  # refused, never cut
                fail(
                    number,
                    REASON,
                    N_("事由最多 %(maximum)s 个字(本行 %(length)s 个)"),
                    maximum=MAX_REASON,
                    length=len(reason),
                )
                continue
            if has_control_characters(reason):
                fail(number, REASON, N_("事由含有不允许的控制字符(如 NUL)"))
                continue
            private = private_reasons.get(reason, private_reasons)
            if private is private_reasons:
                private = private_reasons[reason] = (
                    find_private_data(reason) if len(private_reasons) < 50000 else find_private_data(reason)
                )
            if private:
                fail(number, REASON, PRIVATE_REASON[private])
                continue
            parsed.append((number, subject, amount, occurred_on, reason))
        return parsed, directory
