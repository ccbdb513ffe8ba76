"""Applying a checked roster: new members with badges, changed fields, transfers, "not in roster" flags.

A transfer only changes the member's branch: the badge code, the archive and the ledger
stay with the person.
"""

import contextlib
import datetime
import gc

from starqr.db import bulk_insert_dicts, is_postgres
from starqr.models import MEMBER, AuditLog, Member, Organisation, utcnow
from starqr.services import audit, revision
from starqr.services.imports import pipeline, roster, roster_plan
from starqr.services.imports.bulk_write import write_rows
from starqr.services.imports.codes import issue_many, reserve_ids
from starqr.services.imports.pipeline import administrator
from starqr.services.imports.privacy import private_header

CHUNK = 500


class RosterImporter(pipeline.Importer):
    kind = "roster"
    columns = roster.COLUMNS

    def __init__(self, actor, today=None):
        super().__init__(actor)
        self.today = today or datetime.date.today()
        self.present_flagged = []

    def refuse_header(self, label):
        return private_header(label)

    def parse(self, rows, found, labels, errors):
        return roster.parse_rows(found, labels, rows, errors, self.actor.scope_path, self.today)[1]

    def plan(self, plan, records, errors):
        branch_codes = dict(
            Organisation.select(Organisation.id, Organisation.code).where(Organisation.level == "branch").tuples()
        )
        existing = roster_plan.plan_rows(plan, records, errors, branch_codes)
        # Members back in the file lose their "not in roster" flag.
        self.present_flagged = [found[0] for found in existing.values() if found[-1] is not None]

    def has_work(self, plan):
        return bool(plan.changes or plan.missing or self.present_flagged)

    def apply(self, plan, records):
        _apply(plan, records, self.actor, self.present_flagged)


def run(data, filename, actor, dry_run=True, progress=None, today=None):
    """Check a roster file and, unless DRY_RUN, apply it all-or-nothing. Returns an ImportPlan.

    ACTOR: an administrator, or a town administrator for branches within their subtree.
    """
    with _paused_gc():
        return pipeline.run(RosterImporter(administrator(actor), today), data, filename, dry_run, progress)


@contextlib.contextmanager
def _paused_gc():
    """No cyclic garbage collection while a roster's hundreds of thousands of rows, records and
    tuples are built (they hold no cycles; reference counting frees them): the collector's
    passes over them cost ~40% of the checking time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_MEMBER_FIELDS = (
    "id",
    "branch",
    "name_zh",
    "name_mn",
    "category",
    "status",
    "joined_on",
    "full_member_on",
    "party_post",
    "member_number",
    "volunteer_hours",
    "consent_photo",
    "exempt",
    "active",
    "created_at",
)


def member_rows(ids, new, now):
    """(fields, rows): the member rows of the roster rows NEW with ids IDS, as they are written
    (the benchmark's bare insert writes these very tuples)."""
    # SQLite: dates and the timestamp as text (the driver's adapters per row cost more than the insert).
    postgres = is_postgres()
    stamp = now if postgres else now.isoformat(" ")
    names = _MEMBER_FIELDS
    names += tuple(f.name for f in Member._meta.sorted_fields if f.name not in names and f.default is not None)
    defaults = tuple(Member._meta.fields[n].default for n in names[len(_MEMBER_FIELDS) :])
    defaults = tuple(d() if callable(d) else d for d in defaults)
    rows = [
        (
            member_id,
            r.branch_id,
            r.name_zh,
            r.name_mn or None,
            r.category,
            r.status,
            r.joined_on if postgres or r.joined_on is None else r.joined_on.isoformat(),
            r.full_member_on if postgres or r.full_member_on is None else r.full_member_on.isoformat(),
            r.party_post or None,
            r.number,
            0,
            False,
            False,
            True,
            stamp,
        )
        + defaults
        for member_id, r in zip(ids, new)
    ]
    return [Member._meta.fields[n] for n in names], rows


def _apply(plan, parsed, actor, present_flagged):
    name = audit.actor_name(actor)
    now = utcnow()
    by_row = {row.row: row for row in parsed}
    new = [by_row[change.row] for change in plan.created]
    ids = reserve_ids(Member, len(new))
    write_rows(Member, *member_rows(ids, new, now))
    issue_many(MEMBER, ids, name)
    logs = []
    for change in plan.updated + plan.moved:
        row = by_row[change.row]
        member_id = change.subject_id
        Member.update(
            name_zh=row.name_zh,
            name_mn=row.name_mn or None,
            category=row.category,
            status=row.status,
            joined_on=row.joined_on,
            full_member_on=row.full_member_on,
            party_post=row.party_post or None,
            branch=row.branch_id,
            missing_from_roster_at=None,
        ).where(Member.id == member_id).execute()
        before = {label: pair[0] for label, pair in change.fields.items()}
        after = {label: pair[1] for label, pair in change.fields.items()}
        transfer = roster.BRANCH in change.fields
        if transfer:
            after["reason"] = "名册导入:组织关系转接"
        logs.append(
            dict(
                actor=name,
                action="member.transfer" if transfer else "member.edit",
                target=f"member:{member_id}",
                before=audit.json_safe(before),
                after=audit.json_safe(after),
                at=now,
            )
        )
    for start in range(0, len(present_flagged), CHUNK):
        Member.update(missing_from_roster_at=None).where(
            Member.id.in_(present_flagged[start : start + CHUNK])
        ).execute()
    missing = [change.subject_id for change in plan.missing]
    for start in range(0, len(missing), CHUNK):
        (
            Member.update(missing_from_roster_at=now)
            .where(Member.id.in_(missing[start : start + CHUNK]), Member.missing_from_roster_at.is_null())
            .execute()
        )
    logs.append(plan.audit_entry(name, now, transferred=len(plan.moved), not_in_roster=len(plan.missing)))
    bulk_insert_dicts(AuditLog, logs)
    revision.bump()
