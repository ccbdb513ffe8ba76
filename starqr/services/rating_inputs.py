"""What the ledger says each subject has, item by item, for one period.

One meaning for every kind of item, whatever door an entry came through (console, API,
import, objection):

- **Per-event items** (event and bonus items) accumulate: the period's value is the SUM
  of the item's entries (the engine then clamps it to the item's sign and cap).
- **Value items** (appraisal %, criterion and dimension scores, shares, areas; also veto
  and gate flags) take the LATEST entry of the period: a second entry replaces the
  first, it never adds to it. An entry reversed by a correction does not count; the
  correction's replacement value, if any, is the latest. Every entry is checked against
  the item's own range when it is recorded, so the value in use never exceeds it.

Entries of items the subject's rubric does not know (a member transferred from a branch
rated by another rubric) stay in the ledger and are "not counted under this rubric".
"""

import datetime
from collections import defaultdict

from peewee import fn

from starqr import rating
from starqr.db import database
from starqr.models import MEMBER, ORGANISATION, LedgerEntry, Member, RubricVersion, subject_kind
from starqr.services import rubrics
from starqr.services.rubric_assignments import branch_rubric_keys

# Item kinds whose entries set a value instead of adding an event (see the module doc).
VALUE_KINDS = ("value", "veto", "gate")


def value_item_ids():
    """Ids of items that are value-like in some shipped or stored rubric (item ids keep their
    kind across rubrics: an id is a column name in import files)."""
    ids = set()
    for rubric in rating.shipped_rubrics().values():
        ids.update(item.id for item in rubric.items if item.kind in VALUE_KINDS)
    for version in RubricVersion.select():
        ids.update(item.id for item in rubrics.parsed(version).items if item.kind in VALUE_KINDS)
    return ids


def latest_value(entries):
    """The value in use from ENTRIES [(id, points, corrects_id)] of one value item, in id order.

    ledger.correct writes the reversal first and the replacement second, so the first entry
    naming an original is its reversal. Returns None when every entry was reversed.
    """
    reversals, reversed_ids = set(), set()
    for entry_id, _, corrects_id in entries:
        if corrects_id is not None and corrects_id not in reversed_ids:
            reversed_ids.add(corrects_id)
            reversals.add(entry_id)
    live = [points for entry_id, points, _ in entries if entry_id not in reversals and entry_id not in reversed_ids]
    return float(live[-1]) if live else None


def ledger_values(period, subject_kind=None, subject_ids=None):
    """{(kind, id): {item: value}} for PERIOD: sums for event items, latest for value items;
    of the subjects of SUBJECT_KIND only, and of those with SUBJECT_IDS only, when given.

    One GROUP BY for everything; a second query only for the rare value items with more
    than one entry in the period.
    """
    query = (
        LedgerEntry.select(
            LedgerEntry.subject_kind,
            LedgerEntry.subject_id,
            LedgerEntry.item,
            fn.SUM(LedgerEntry.points),
            fn.COUNT(LedgerEntry.id),
        )
        .where(LedgerEntry.period == period)
        .group_by(LedgerEntry.subject_kind, LedgerEntry.subject_id, LedgerEntry.item)
    )
    if subject_kind:
        query = query.where(LedgerEntry.subject_kind == subject_kind)
    if subject_ids is not None:
        query = query.where(LedgerEntry.subject_id.in_(list(subject_ids)))
    # Straight from the cursor: peewee's per-value conversion costs more than the query here.
    sql, params = query.sql()
    values = defaultdict(dict)
    repeated, value_ids = [], None
    for kind, subject_id, item, total, count in database.execute_sql(sql, params).fetchall():
        values[(kind, subject_id)][item] = float(total)
        if count > 1:
            value_ids = value_item_ids() if value_ids is None else value_ids  # read once, when needed
            if item in value_ids:
                repeated.append((kind, subject_id, item))
    if repeated:
        for key, latest in _latest_values(period, repeated).items():
            kind, subject_id, item = key
            if latest is None:
                values[(kind, subject_id)].pop(item, None)
            else:
                values[(kind, subject_id)][item] = latest
    return values


def _latest_values(period, keys, chunk=500):
    """{(kind, id, item): latest value} for the given groups (see latest_value)."""
    wanted = set(keys)
    entries = defaultdict(list)
    subject_ids = sorted({subject_id for _, subject_id, _ in keys})
    items = sorted({item for _, _, item in keys})
    for start in range(0, len(subject_ids), chunk):
        rows = (
            LedgerEntry.select(
                LedgerEntry.subject_kind,
                LedgerEntry.subject_id,
                LedgerEntry.item,
                LedgerEntry.id,
                LedgerEntry.points,
                LedgerEntry.corrects,
            )
            .where(
                LedgerEntry.period == period,
                LedgerEntry.item.in_(items),
                LedgerEntry.subject_id.in_(subject_ids[start : start + chunk]),
            )
            .order_by(LedgerEntry.id)
            .tuples()
        )
        for kind, subject_id, item, entry_id, points, corrects_id in rows:
            if (kind, subject_id, item) in wanted:
                entries[(kind, subject_id, item)].append((entry_id, points, corrects_id))
    return {key: latest_value(rows) for key, rows in entries.items()}


def value_ids_of(rubric):
    """Ids of RUBRIC's value-like items (no query: for one subject's page)."""
    return {item.id for item in rubric.items if item.kind in VALUE_KINDS}


def values_from_entries(rows, value_ids=None):
    """{item: value} from [(item, id, points, corrects_id)] of one subject and period, in id order.

    VALUE_IDS: the value-like item ids to apply the latest-entry rule to (default: every rubric's).
    """
    value_ids = value_item_ids() if value_ids is None else value_ids
    sums, by_item = defaultdict(float), defaultdict(list)
    for item, entry_id, points, corrects_id in rows:
        sums[item] += float(points)
        by_item[item].append((entry_id, points, corrects_id))
    values = {}
    for item, total in sums.items():
        if item in value_ids:
            latest = latest_value(by_item[item])
            if latest is not None:
                values[item] = latest
        else:
            values[item] = total
    return values


def current_value(kind, subject_id, period, item_id):
    """(value, date recorded or occurred) of the value item now in use for the subject, or None."""
    rows = list(
        LedgerEntry.select(
            LedgerEntry.id, LedgerEntry.points, LedgerEntry.corrects, LedgerEntry.recorded_at, LedgerEntry.occurred_on
        )
        .where(
            LedgerEntry.period == period,
            LedgerEntry.subject_kind == kind,
            LedgerEntry.subject_id == subject_id,
            LedgerEntry.item == item_id,
        )
        .order_by(LedgerEntry.id)
        .tuples()
    )
    value = latest_value([(r[0], r[1], r[2]) for r in rows])
    if value is None:
        return None
    reversals, reversed_ids = set(), set()
    for entry_id, _, corrects_id, _, _ in rows:
        if corrects_id is not None and corrects_id not in reversed_ids:
            reversed_ids.add(corrects_id)
            reversals.add(entry_id)
    live = [r for r in rows if r[0] not in reversals and r[0] not in reversed_ids]
    newest = live[-1]
    return value, newest[4] or newest[3].date().isoformat()


def current_values(subject, period):
    """{item: (value, date)} of SUBJECT's value items in use in PERIOD (what a new entry would replace)."""
    kind = subject_kind(subject)
    value_ids = value_item_ids()
    items = [
        item
        for (item,) in LedgerEntry.select(LedgerEntry.item)
        .distinct()
        .where(LedgerEntry.period == period, LedgerEntry.subject_kind == kind, LedgerEntry.subject_id == subject.id)
        .tuples()
        if item in value_ids
    ]
    found = {}
    for item in items:
        value = current_value(kind, subject.id, period, item)
        if value is not None:
            found[item] = value
    return found


def not_counted(subject, period, rubric=None):
    """Entries of SUBJECT in PERIOD under items its rubric does not know: [{item, points, entries}]."""
    kind = subject_kind(subject)
    if rubric is None:
        _, rubric = rubrics.current_rubric(rubrics.subject_rubric_key(subject))
    known = rubric._items_by_id
    rows = (
        LedgerEntry.select(LedgerEntry.item, fn.SUM(LedgerEntry.points), fn.COUNT(LedgerEntry.id))
        .where(LedgerEntry.period == period, LedgerEntry.subject_kind == kind, LedgerEntry.subject_id == subject.id)
        .group_by(LedgerEntry.item)
        .order_by(LedgerEntry.item)
        .tuples()
    )
    return [
        {"item": item, "points": float(total), "entries": count} for item, total, count in rows if item not in known
    ]


# ---- who is rated, by which rubric key -------------------------------------------------------


def subject_groups(period, assignments=None):
    """Group every rated subject by the rubric key that rates it: {key: [(kind, id, category)]}.

    ASSIGNMENTS ({branch id: [organisation key, member key]}, pinned with the period) wins
    over the tree's current assignment for the branches it names. Members are rated under
    the rubric of the branch they belong to now (a transfer moves them), and not at all for
    a period that ended before they joined.
    """
    assignments = assignments or {}
    groups = defaultdict(list)
    member_key_by_branch = {}
    for branch_id, (org_key, member_key) in current_assignments().items():
        pinned = assignments.get(branch_id)
        org_key, member_key = pinned if pinned else (org_key, member_key)
        branch_id = int(branch_id)
        groups[org_key].append((ORGANISATION, branch_id, None))
        member_key_by_branch[branch_id] = member_key
    ends_on = period.ends_on
    if isinstance(ends_on, str):
        ends_on = datetime.date.fromisoformat(ends_on)
    members = (
        Member.select(Member.id, Member.branch, Member.category, Member.exempt, Member.joined_on)
        .where(Member.active == True)
        .tuples()
        .iterator()
    )
    for member_id, branch_id, category, exempt, joined_on in members:
        if joined_on is not None and joined_on > ends_on:
            continue
        key = member_key_by_branch.get(branch_id)
        if key:
            groups[key].append((MEMBER, member_id, rubrics.rating_category(category, exempt)))
    return groups


def current_assignments():
    """{branch id (text): [organisation key, member key]} as the tree assigns them now
    (services.rubric_assignments: assigned rubrics inherited down the tree, else the domain
    defaults); archived branches are not rated."""

    organisation_keys, member_keys = branch_rubric_keys()
    return {str(branch_id): [key, member_keys[branch_id]] for branch_id, key in organisation_keys.items()}


# ---- 党龄 -------------------------------------------------------------------------------------


def party_age_since(member, rubric=None):
    """The date 党龄 counts from for MEMBER, as the rubric documents (None: no 党龄 yet).

    From 转正 by default (full_member_on; without it, one year after joining, the
    probation period); a probationary member has none yet. ``party_age: {from: joined}``
    counts from admission instead.
    """
    basis = getattr(rubric, "party_age_from", "full_membership")
    if basis == "joined":
        return member.joined_on
    if member.status == "probationary":
        return None
    if member.full_member_on:
        return member.full_member_on
    if member.joined_on is None:
        return None
    try:
        return member.joined_on.replace(year=member.joined_on.year + 1)
    except ValueError:  # 29 February
        return member.joined_on + datetime.timedelta(days=365)


def party_age_years(member, today, rubric=None):
    since = party_age_since(member, rubric)
    if since is None:
        return None
    return max(0, today.year - since.year - ((today.month, today.day) < (since.month, since.day)))
