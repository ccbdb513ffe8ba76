"""The roster import's plan: which members of the file are new, changed, transferred or
unchanged, and which members of its branches are missing from it ("not in roster")."""

import datetime

from starqr.db import database
from starqr.errors import N_
from starqr.models import Member
from starqr.services.imports.directory import select_in
from starqr.services.imports.roster import BRANCH, FIELD_LABELS, NUMBER
from starqr.services.imports.tabular import Change


_MEMBER_COLUMNS = (
    '"member_number", "id", "branch_id", "active", "name_zh", "name_mn", "category", '
    '"joined_on", "full_member_on", "party_post", "status", "missing_from_roster_at"'
)


def existing_members(numbers):
    """{member number: (id, branch id, active, name_zh, name_mn, category, joined_on, full_member_on,
    party_post, status, missing flag)} for the file's numbers.

    Many numbers beside the members stored: one pass over the numbered members, matched in a
    set (none stored: no query); else chunked IN lookups."""
    if len(numbers) > 2000:
        stored = Member.select().count()
        if not stored:
            return {}
        if stored <= 4 * len(numbers):
            wanted = set(numbers)
            cursor = database.execute_sql(f'SELECT {_MEMBER_COLUMNS} FROM "member" WHERE "member_number" IS NOT NULL')
            return {row[0]: row[1:] for row in cursor if row[0] in wanted}
    rows = select_in(f'SELECT {_MEMBER_COLUMNS} FROM "member" WHERE "member_number" IN ({{}})', numbers)
    return {row[0]: (row[1:]) for row in rows}


def _unchanged(values, row):
    """True when a stored member's fields (VALUES, as existing_members reads them) equal ROW's."""
    name_zh, name_mn, category, joined_on, full_member_on, party_post, status = values
    return (
        (name_zh or None) == (row.name_zh or None)
        and (name_mn or None) == (row.name_mn or None)
        and (category or None) == (row.category or None)
        and (party_post or None) == (row.party_post or None)
        and (status or None) == (row.status or None)
        and _as_date(joined_on) == row.joined_on
        and _as_date(full_member_on) == row.full_member_on
    )


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
        if branch_id == row.branch_id and _unchanged(values, row):
            plan.unchanged += 1
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
    for member_id, number, name, branch_id in select_in(
        'SELECT "id", "member_number", "name_zh", "branch_id" FROM "member" WHERE "active" = TRUE '
        'AND "branch_id" IN ({}) ORDER BY "id"',
        branch_ids,
    ):
        if number not in numbers:
            plan.missing.append(
                Change(0, number or "", name, note=branch_codes.get(branch_id, ""), subject_id=member_id)
            )
    return existing
