"""The member roster import (党员花名册): 党员编号 is the key; a new branch is a transfer.

    党员编号 | 姓名 | 蒙古文姓名 | 所在支部编码 | 党员类别 | 入党日期 | 转正日期 | 岗位

A column that looks like identity-card or mobile numbers refuses the whole file: StarQR
does not keep them. Members of the file's branches missing from it are flagged "not in
roster", never removed: an administrator confirms each departure (services.departures).
"""

import datetime
import re
from dataclasses import dataclass

from starqr.models import Organisation
from starqr.services import vocabulary as words
from starqr.services.imports import columnwise
from starqr.services.imports.cells import cell_text, parse_date
from starqr.errors import N_, Term
from starqr.services.imports.errors import ROW_COLUMN, ImportFileError
from starqr.services.imports.privacy import REFUSAL, looks_private
from starqr.services.imports.tabular import Column, field_labels
from starqr.validation import find_private_data, has_control_characters

NUMBER, NAME, NAME_MN, BRANCH, CATEGORY, JOINED, FULL, POST = (
    "党员编号",
    "姓名",
    "蒙古文姓名",
    "所在支部编码",
    "党员类别",
    "入党日期",
    "转正日期",
    "岗位",
)
COLUMNS = (
    Column(NUMBER, ("编号", "党员号"), True, "党员在本旗的编号(唯一),是导入的依据:再次导入时按编号更新", (), "M0001"),
    Column(NAME, ("党员姓名",), True, "中文姓名,会在扫码页公开", (), "张三", "name_zh"),
    Column(NAME_MN, ("蒙文姓名", "蒙古文"), False, "传统蒙古文姓名(可空)", (), "", "name_mn"),
    Column(
        BRANCH,
        ("支部编码", "所在支部"),
        True,
        "所在党支部的组织编码(见组织树);改为另一支部即为组织关系转接",
        (),
        "150824101001",
    ),
    Column(
        CATEGORY,
        ("类别",),
        False,
        "骨干党员、普通党员、流动党员或特殊党员;空为普通党员",
        tuple(words.CATEGORY_NAMES.values()),
        "普通党员",
        "category",
    ),
    Column(
        JOINED, ("入党时间",), False, "如 2001-07-01;评星从入党后开始的第一个评定期算起", (), "2001-07-01", "joined_on"
    ),
    Column(
        FULL,
        ("转正时间",),
        False,
        "预备党员转为正式党员的日期;空且入党不满一年为预备党员",
        (),
        "2002-07-01",
        "full_member_on",
    ),
    Column(POST, ("职务", "党内职务"), False, "如 支部书记、组织委员(可空)", (), "", "party_post"),
)
FIELD_LABELS = field_labels(COLUMNS, status="预备/正式")
MAX_NUMBER = 40


@dataclass(slots=True)
class RosterRow:
    row: int
    number: str
    name_zh: str
    name_mn: str
    branch_id: int
    category: str
    joined_on: object
    full_member_on: object
    party_post: str
    status: str


_CANDIDATE = re.compile(r"\d{11}")  # identity and mobile numbers both hold 11 digits in a row


def _refuse_private(number, cells, labels):
    if not _CANDIDATE.search("\x1f".join(map(str, cells))):  # one search per row; most rows end here
        return
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        kind = cell.__class__
        if (kind is int or kind is float or (kind is str and 11 <= len(cell) <= 24)) and looks_private(cell):
            if index < len(labels) and labels[index]:
                raise ImportFileError(
                    ROW_COLUMN, code="private_data", row=number, column=labels[index], message=Term(REFUSAL)
                )
            raise ImportFileError(
                N_("第%(row)s行第%(column)s列:%(message)s"),
                code="private_data",
                row=number,
                column=index + 1,
                message=Term(REFUSAL),
            )


def _branches(scope_path):
    """{code: (id, path, archived, level, name)} of every coded organisation."""
    return {
        code: (org_id, path, archived, level, name)
        for org_id, code, path, archived, level, name in Organisation.select(
            Organisation.id,
            Organisation.code,
            Organisation.path,
            Organisation.archived_at,
            Organisation.level,
            Organisation.name_zh,
        )
        .where(Organisation.code.is_null(False))
        .tuples()
    }


class _Checker:
    def __init__(self, scope_path, today):
        self.scope_path = scope_path
        self.today = today
        self.branches = _branches(scope_path)
        self.branch_memo = {}
        self.date_memo = {}

    def _branch(self, code):
        if not code:
            return N_("所在支部编码为空"), {}
        org = self.branches.get(code)
        if org is None:
            return N_("支部编码 %(code)s 不存在(请先导入组织树)"), {"code": code}
        org_id, path, archived, level, name = org
        if level != "branch":
            return N_("编码 %(code)s(%(name)s)不是党支部"), {"code": code, "name": name}
        if archived:
            return N_("支部 %(code)s(%(name)s)已撤销"), {"code": code, "name": name}
        if self.scope_path and not path.startswith(self.scope_path):
            return N_("支部 %(code)s(%(name)s)不在您的管理范围内"), {"code": code, "name": name}
        return org_id

    def branches_of(self, column):
        """Per cell of COLUMN: the branch id, or (template, params) refusing it; each distinct cell checked once."""
        memo = self.branch_memo
        if columnwise.is_text(column):
            for cell in set(column).difference(memo):
                memo[cell] = self._branch(cell.strip())
            return list(map(memo.__getitem__, column))
        return [self._memo_branch(cell) for cell in column]

    def _memo_branch(self, cell):
        key = cell_text(cell)
        found = self.branch_memo.get(key)
        if found is None:
            found = self.branch_memo[key] = self._branch(key)
        return found

    def dates_of(self, column):
        """Per cell of COLUMN: the date (None if blank), or (template, params) refusing it."""
        memo = self.date_memo
        if columnwise.is_text(column):
            keys = column
            for cell in set(column).difference(memo):
                memo[cell] = self._date(cell)
        else:
            keys = [cell if cell.__class__ is str else (cell, cell.__class__) for cell in column]
            for key, cell in zip(keys, column):
                if key not in memo:
                    memo[key] = self._date(cell)
        return list(map(memo.__getitem__, keys))

    def _date(self, cell):
        try:
            found = parse_date(cell)
            if found is not None and not datetime.date(1921, 7, 1) <= found <= self.today:
                found = N_("%(label)s「%(value)s」不在 1921-07-01 到今天之间"), {"value": found.isoformat()}
        except ValueError:
            found = N_("%(label)s「%(value)s」不是有效日期,请写成 2001-07-01"), {"value": cell_text(cell)}
        return found


_TEXT_LIMITS = ((NUMBER, MAX_NUMBER), (NAME, 60), (NAME_MN, 160), (POST, 60))
_FIELDS = (NUMBER, NAME, NAME_MN, BRANCH, CATEGORY, JOINED, FULL, POST)


def parse_rows(found, labels, rows, errors, scope_path, today):
    """(row count, [RosterRow]) of a roster file (blank rows left out); problems go to ERRORS.

    Whole columns are checked at once where they can be (private numbers, text lengths and
    control characters: one search per column; when one finds anything the rows are checked
    one by one), each distinct branch code, category and date once; the rest row by row.
    """
    checker = _Checker(scope_path, today)
    rows = list(rows)
    columns = columnwise.columns_of(rows)
    if rows and columnwise.may_match(columns, _CANDIDATE):
        for number, cells in rows:
            _refuse_private(number, cells, labels)
    absent = (None,) * len(rows)
    raw = {name: absent if found.get(name) is None else columns[found[name]] for name in _FIELDS}
    texts = {name: columnwise.texts(raw[name]) for name in (NUMBER, NAME, NAME_MN, POST, CATEGORY)}
    check_texts = not columnwise.within((texts[name], limit) for name, limit in _TEXT_LIMITS)
    branch_ids, joined_dates, full_dates = (
        checker.branches_of(raw[BRANCH]),
        checker.dates_of(raw[JOINED]),
        checker.dates_of(raw[FULL]),
    )
    year_ago = today - datetime.timedelta(days=365)

    def by_row():  # each row's cells and checked values, in the order both loops below unpack
        columns = (texts[NUMBER], texts[NAME], texts[NAME_MN], texts[POST], texts[CATEGORY])
        return zip(rows, *columns, branch_ids, joined_dates, full_dates)

    categories = {
        text: words.lookup(words.CATEGORY_WORDS, text) if text else "ordinary" for text in set(texts[CATEGORY])
    }

    def records(accepted):  # RosterRows of by_row() items that passed every check
        return [
            RosterRow(
                number,
                member_number,
                name,
                name_mn,
                branch_id,
                categories[category_text],
                joined,
                full,
                post,
                "probationary"
                if (full is None and joined is not None and joined > year_ago) or (full and full > today)
                else "full",
            )
            for (number, _), member_number, name, name_mn, post, category_text, branch_id, joined, full in accepted
        ]

    posts = {post: bool(find_private_data(post)) for post in set(texts[POST]) if post}
    if (
        not check_texts
        and all(texts[NUMBER])
        and all(texts[NAME])
        and len(set(texts[NUMBER])) == len(rows)
        and None not in categories.values()
        and not any(posts.values())
        and not any(tuple in set(map(type, result)) for result in (branch_ids, joined_dates, full_dates))
        and not any(j and f and f < j for j, f in zip(joined_dates, full_dates))
    ):  # nothing the row-by-row checks below could refuse: the records at once
        return len(rows), records(by_row())
    accepted, seen = [], {}
    for item in by_row():
        (number, _), member_number, name, name_mn, post, category_text, branch_id, joined, full = item
        if not member_number:
            errors.add(number, NUMBER, N_("党员编号为空"))
            continue
        if len(member_number) > MAX_NUMBER:
            errors.add(number, NUMBER, N_("党员编号不能超过 %(n)s 个字符"), n=MAX_NUMBER)
            continue
        if member_number in seen:
            errors.add(
                number,
                NUMBER,
                N_("党员编号 %(number)s 与第%(other)s行重复"),
                number=member_number,
                other=seen[member_number],
            )
            continue
        seen[member_number] = number
        ok = True
        if not name:
            errors.add(number, NAME, N_("姓名为空"))
            ok = False
        elif len(name) > 60:
            errors.add(number, NAME, N_("姓名不能超过 %(n)s 个字"), n=60)
            ok = False
        if check_texts:
            for column, value, limit in (
                (NUMBER, member_number, MAX_NUMBER),
                (NAME, name, 60),
                (NAME_MN, name_mn, 160),
                (POST, post, 60),
            ):  # refused, never cut; no NUL or other control characters
                if len(value) > limit:
                    errors.add(number, column, N_("「%(label)s」不能超过 %(n)s 个字"), label=column, n=limit)
                    ok = False
                elif has_control_characters(value):
                    errors.add(number, column, N_("「%(label)s」含有不允许的控制字符(如 NUL)"), label=column)
                    ok = False
        if ok and post:
            if posts[post]:
                errors.add(number, POST, N_("「岗位」会公开显示,其中似乎有身份证号码、手机号码或住址;请删去"))
                ok = False
        if branch_id.__class__ is tuple:  # (template, params): a refusal
            errors.add(number, BRANCH, branch_id[0], **branch_id[1])
            branch_id = None
        category = categories[category_text]
        if category is None:
            errors.not_a_choice(
                number, CATEGORY, N_("党员类别「%(value)s」不正确,应为%(choices)s"), category_text, words.CATEGORY_NAMES
            )
        if joined.__class__ is tuple:
            errors.add(number, JOINED, joined[0], label=JOINED, **joined[1])
            joined = False
        if full.__class__ is tuple:
            errors.add(number, FULL, full[0], label=FULL, **full[1])
            full = False
        if joined and full and full < joined:
            errors.add(
                number,
                FULL,
                N_("转正日期 %(full)s 早于入党日期 %(joined)s"),
                full=full.isoformat(),
                joined=joined.isoformat(),
            )
            continue
        if not ok or branch_id is None or category is None or joined is False or full is False:
            continue
        accepted.append(item)
    return len(rows), records(accepted)
