"""Scans per plaque (last 30 days, all time) and the plaques nobody scans, per organisation:
for reprinting, or for checking that the plaque was hung at all."""

import datetime

from peewee import JOIN, Case, fn

from starqr.models import (
    MEMBER,
    ORGANISATION,
    Member,
    Organisation,
    PlaqueCode,
    ScanCount,
)
from starqr.services import access
from starqr.services.consoles import subject_rows

STALE_DAYS = 90
RECENT_DAYS = 30
KINDS = ("all", "never", "stale")


def plaque_scans(organisation=None, which="all", today=None, limit=None):
    """[{"plaque", "subject", "branch", "recent", "total", "last"}] for active plaques under ORGANISATION
    (None: everywhere), by branch then subject. WHICH: all | never (never scanned) | stale (scanned
    before, but not in the last STALE_DAYS days)."""
    today = today or datetime.date.today()
    recent_from = today - datetime.timedelta(days=RECENT_DAYS - 1)
    stale_before = today - datetime.timedelta(days=STALE_DAYS)
    orgs = Organisation.select(Organisation.id)
    if organisation is not None:
        orgs = orgs.where(Organisation.path.startswith(organisation.path))
    members = Member.select(Member.id).where(Member.branch.in_(orgs))
    query = (
        PlaqueCode.select(
            PlaqueCode,
            fn.COALESCE(fn.SUM(ScanCount.count), 0).alias("total"),
            fn.COALESCE(fn.SUM(Case(None, [(ScanCount.day >= recent_from, ScanCount.count)], 0)), 0).alias("recent"),
            fn.MAX(ScanCount.day).alias("last"),
        )
        .join(ScanCount, JOIN.LEFT_OUTER, on=(ScanCount.plaque == PlaqueCode.id))
        .where(
            PlaqueCode.status == "active",
            ((PlaqueCode.subject_kind == ORGANISATION) & PlaqueCode.subject_id.in_(orgs))
            | ((PlaqueCode.subject_kind == MEMBER) & PlaqueCode.subject_id.in_(members)),
        )
        .group_by(PlaqueCode.id)
    )
    if which == "never":
        query = query.having(fn.COALESCE(fn.SUM(ScanCount.count), 0) == 0)
    elif which == "stale":
        query = query.having((fn.COALESCE(fn.SUM(ScanCount.count), 0) > 0) & (fn.MAX(ScanCount.day) < stale_before))
    rows = list(query.order_by(PlaqueCode.id).limit(limit) if limit else query.order_by(PlaqueCode.id))
    return _with_subjects(rows)


def _with_subjects(rows):
    subjects = subject_rows.by_key({(row.subject_kind, row.subject_id) for row in rows})
    result = []
    for row in rows:
        subject = subjects.get((row.subject_kind, row.subject_id))
        branch = access.subject_branch(subject) if subject is not None else None
        last = row.last
        if isinstance(last, str):  # SQLite hands back aggregated dates as text
            last = datetime.date.fromisoformat(last[:10])
        result.append(
            {
                "plaque": row,
                "subject": subject,
                "branch": branch,
                "recent": int(row.recent or 0),
                "total": int(row.total or 0),
                "last": last,
            }
        )
    result.sort(
        key=lambda r: (
            (r["branch"].path if r["branch"] else ""),
            r["plaque"].subject_kind != ORGANISATION,
            r["subject"].name_zh if r["subject"] else "",
        )
    )
    return result
