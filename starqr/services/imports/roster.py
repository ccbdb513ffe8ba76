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
from starqr.services.imports.cells import _text, parse_date
from starqr.services.imports.directory import _select_in
from starqr.errors import N_, Term
from starqr.services.imports.errors import ROW_COLUMN, ImportFileError
from starqr.services.imports.privacy import REFUSAL, looks_private
from starqr.services.imports.reading import _blank
from starqr.services.imports.tabular import Change, Column
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
    Column(NAME, ("党员姓名",), True, "中文姓名,会在扫码页公开", (), "张三"),
    Column(NAME_MN, ("蒙文姓名", "蒙古文"), False, "传统蒙古文姓名(可空)", (), ""),
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
    ),
    Column(JOINED, ("入党时间",), False, "如 2001-07-01;评星从入党后开始的第一个评定期算起", (), "2001-07-01"),
    Column(FULL, ("转正时间",), False, "预备党员转为正式党员的日期;空且入党不满一年为预备党员", (), "2002-07-01"),
    Column(POST, ("职务", "党内职务"), False, "如 支部书记、组织委员(可空)", (), ""),
)
FIELD_LABELS = {
    "name_zh": NAME,
    "name_mn": NAME_MN,
    "category": CATEGORY,
    "joined_on": JOINED,
    "full_member_on": FULL,
    "party_post": POST,
    "status": "预备/正式",
}
MAX_NUMBER = 40


@dataclass
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
    def __init__(self, errors, scope_path, today):
        self.errors = errors
        self.scope_path = scope_path
        self.today = today
        self.branches = _branches(scope_path)
        self.branch_memo = {}
        self.date_memo = {}

    def branch(self, number, cell):
        key = _text(cell)
        found = self.branch_memo.get(key)
        if found is None:
            found = self.branch_memo[key] = self._branch(key)
        if found.__class__ is tuple:  # (template, params): a refusal, remembered per code
            self.errors.add(number, BRANCH, found[0], **found[1])
            return None
        return found

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

    def date(self, number, column, cell):
        key = cell if cell.__class__ is str else (cell, cell.__class__)
        found = self.date_memo.get(key, self)
        if found is self:
            try:
                found = parse_date(cell)
                if found is not None and not datetime.date(1921, 7, 1) <= found <= self.today:
                    found = N_("%(label)s「%(value)s」不在 1921-07-01 到今天之间"), {"value": found.isoformat()}
            except ValueError:
                found = N_("%(label)s「%(value)s」不是有效日期,请写成 2001-07-01"), {"value": _text(cell)}
            self.date_memo[key] = found
        if found.__class__ is tuple:  # (template, params)
            self.errors.add(number, column, found[0], label=column, **found[1])
            return False
        return found


def parse_rows(found, labels, rows, errors, scope_path, today):
    """(row count, [RosterRow]) of a roster file; problems go to ERRORS."""
    checker = _Checker(errors, scope_path, today)
    names = (NUMBER, NAME, NAME_MN, BRANCH, CATEGORY, JOINED, FULL, POST)
    index = [found.get(name) for name in names]
    parsed, seen, count = [], {}, 0
    year_ago = today - datetime.timedelta(days=365)
    for number, cells in rows:
        if _blank(cells):
            continue
        count += 1
        _refuse_private(number, cells, labels)
        width = len(cells)
        get = dict(zip(names, [cells[i] if i is not None and i < width else None for i in index]))
        member_number = _text(get[NUMBER])
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
        name = _text(get[NAME])
        ok = True
        if not name:
            errors.add(number, NAME, N_("姓名为空"))
            ok = False
        elif len(name) > 60:
            errors.add(number, NAME, N_("姓名不能超过 %(n)s 个字"), n=60)
            ok = False
        name_mn, post = _text(get[NAME_MN]), _text(get[POST])
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
        if ok and post and find_private_data(post):
            errors.add(number, POST, N_("「岗位」会公开显示,其中似乎有身份证号码、手机号码或住址;请删去"))
            ok = False
        branch_id = checker.branch(number, get[BRANCH])
        category_text = _text(get[CATEGORY])
        category = words.lookup(words.CATEGORY_WORDS, category_text) if category_text else "ordinary"
        if category is None:
            errors.add(
                number,
                CATEGORY,
                N_("党员类别「%(value)s」不正确,应为%(choices)s"),
                value=category_text,
                choices="、".join(words.CATEGORY_NAMES.values()),
            )
        joined = checker.date(number, JOINED, get[JOINED])
        full = checker.date(number, FULL, get[FULL])
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
        probationary = (full is None and joined is not None and joined > year_ago) or (full and full > today)
        parsed.append(
            RosterRow(
                number,
                member_number,
                name,
                name_mn,
                branch_id,
                category,
                joined,
                full,
                post,
                "probationary" if probationary else "full",
            )
        )
    return count, parsed


def existing_members(numbers):
    """{member number: (id, branch id, active, name_zh, name_mn, category, joined_on, full_member_on,
    party_post, status, missing flag)} for the file's numbers."""
    rows = _select_in(
        'SELECT "member_number", "id", "branch_id", "active", "name_zh", "name_mn", "category", '
        '"joined_on", "full_member_on", "party_post", "status", "missing_from_roster_at" FROM "member" '
        'WHERE "member_number" IN ({})',
        numbers,
    )
    return {row[0]: (row[1:]) for row in rows}


def _as_date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def plan_rows(plan, parsed, errors, branch_codes):
    """Fill PLAN with new members, changed fields, transfers and members missing from the file."""
    existing = existing_members([r.number for r in parsed])
    for row in parsed:
        found = existing.get(row.number)
        if found is None:
            plan.created.append(Change(row.row, row.number, row.name_zh, note=branch_codes.get(row.branch_id, "")))
            continue
        member_id, branch_id, active, *values, _missing = found
        if not active:
            errors.add(
                row.row,
                NUMBER,
                N_("党员编号 %(number)s(%(name)s)已移出名册,不能再导入;如需恢复请联系管理员"),
                number=row.number,
                name=values[0],
            )
            continue
        before = dict(
            zip(("name_zh", "name_mn", "category", "joined_on", "full_member_on", "party_post", "status"), values)
        )
        for name in ("joined_on", "full_member_on"):
            before[name] = _as_date(before[name])
        after = {
            "name_zh": row.name_zh,
            "name_mn": row.name_mn or None,
            "category": row.category,
            "joined_on": row.joined_on,
            "full_member_on": row.full_member_on,
            "party_post": row.party_post or None,
            "status": row.status,
        }
        changes = {FIELD_LABELS[k]: (before[k], after[k]) for k in after if (before[k] or None) != (after[k] or None)}
        if branch_id != row.branch_id:
            changes[BRANCH] = (branch_codes.get(branch_id, f"#{branch_id}"), branch_codes.get(row.branch_id, ""))
            plan.moved.append(Change(row.row, row.number, row.name_zh, changes, subject_id=member_id))
        elif changes:
            plan.updated.append(Change(row.row, row.number, row.name_zh, changes, subject_id=member_id))
        else:
            plan.unchanged += 1
    branch_ids = sorted({r.branch_id for r in parsed})
    numbers = {r.number for r in parsed}
    for member_id, number, name, branch_id in _select_in(
        'SELECT "id", "member_number", "name_zh", "branch_id" FROM "member" WHERE "active" = TRUE '
        'AND "branch_id" IN ({}) ORDER BY "id"',
        branch_ids,
    ):
        if number not in numbers:
            plan.missing.append(
                Change(0, number or "", name, note=branch_codes.get(branch_id, ""), subject_id=member_id)
            )
    return existing
