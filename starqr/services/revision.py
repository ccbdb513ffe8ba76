"""The one invalidation entry point for public pages: every write that changes a page calls bump.

    revision.bump()                        everything may have changed (publication, schedule, rubric):
                                           the global revision moves on, every stored page is stale
    revision.bump(member, ...)             these subjects and their organisations up to the top
    revision.bump(organisation, subtree=True)
                                           also everything below (a rename shows on every page below)

Subjects are Member, Organisation, PlaqueCode or Objection instances or (kind, id) pairs.
Call it inside the writing transaction: the versions commit with the data, so once the write
has committed no worker on any host serves the old page (services/pages.py checks versions
on every scan in the same query that reads the page). Versions only grow, so a page rendered
before the write and stored after it is never served: it never flips back.
"""

from starqr import ledger
from starqr.db import database
from starqr.services import pages
from starqr.models import MEMBER, ORGANISATION, Member, Objection, Organisation, PlaqueCode, Revision
from starqr.models.base import utcnow

CHUNK = 900  # under SQLite's parameter limit


def current():
    row = Revision.get_or_none(Revision.id == 1)
    return row.value if row else 0


def bump(*subjects, subtree=False):
    """Make the pages of SUBJECTS (and their ancestors) stale; with no subject, every page."""
    if not subjects:
        _bump_global()
        return
    members, organisations = set(), set()
    for subject in subjects:
        kind, subject_id = _subject(subject)
        if isinstance(subject, PlaqueCode) and subject.status != "active":
            # A revoked code: its stored pages go at once (the version bump already hides them).
            pages.forget(subject.code)
        (members if kind == MEMBER else organisations).add(int(subject_id))
    member_list = sorted(members)
    for start in range(0, len(member_list), CHUNK):
        chunk = member_list[start : start + CHUNK]
        organisations.update(
            branch for (branch,) in Member.select(Member.branch).where(Member.id.in_(chunk)).distinct().tuples()
        )
    keys = {(MEMBER, m) for m in members}
    own = sorted(organisations)
    paths = []
    for start in range(0, len(own), CHUNK):
        for org_id, path in (
            Organisation.select(Organisation.id, Organisation.path)
            .where(Organisation.id.in_(own[start : start + CHUNK]))
            .tuples()
        ):
            keys.update((ORGANISATION, int(part)) for part in (path or "").strip("/").split("/") if part)
            keys.add((ORGANISATION, org_id))
            paths.append(path)
    _upsert(sorted(keys))
    if subtree:
        for path in paths:
            if path and path != "/":
                _bump_below(path)


def _subject(subject):
    if isinstance(subject, tuple):
        return subject
    if isinstance(subject, Member):
        return MEMBER, subject.id
    if isinstance(subject, Organisation):
        return ORGANISATION, subject.id
    if isinstance(subject, PlaqueCode):
        return subject.subject_kind, subject.subject_id
    if isinstance(subject, Objection):
        return _subject(subject.plaque)
    raise TypeError(f"not a page subject: {subject!r}")


def _bump_global():
    updated = Revision.update(value=Revision.value + 1).where(Revision.id == 1).execute()
    if not updated:
        Revision.insert(id=1, value=1).on_conflict_ignore().execute()


_UPSERT = (
    'INSERT INTO "page_subject" ("subject_kind", "subject_id", "version", "changed_at", "changed_tx") {source} '
    'ON CONFLICT ("subject_kind", "subject_id") DO UPDATE SET "version" = "page_subject"."version" + 1, '
    '"changed_at" = excluded."changed_at", "changed_tx" = excluded."changed_tx"'
)


def change_tx():
    """SQL for the writing transaction's mark in page_subject.changed_tx (the exporter reads rows
    changed since a mark): PostgreSQL's transaction id (64-bit, never wraps); SQLite has one
    writer at a time, so the largest mark so far + 1 already follows commit order."""
    if database.obj.param == "?":
        return '(SELECT COALESCE(MAX("changed_tx"), 0) + 1 FROM "page_subject")'
    return "txid_current()"


def _upsert(keys):
    """version + 1 for each (kind, id), in a fixed order (concurrent writers never deadlock)."""
    if not keys:
        return
    db = database.obj
    now = utcnow()
    sql = _UPSERT.format(source=f"VALUES ({db.param}, {db.param}, 1, {db.param}, {change_tx()})")
    cursor = db.cursor()
    for start in range(0, len(keys), 5000):
        cursor.executemany(sql, [(kind, subject_id, now) for kind, subject_id in keys[start : start + 5000]])


def _bump_below(path):
    """Every organisation and member strictly below PATH (one statement each)."""
    db = database.obj
    p = db.param
    now = utcnow()
    tx = change_tx()
    like = path + "%"  # paths are digits and slashes only
    orgs = f'SELECT {p}, o."id", 1, {p}, {tx} FROM "organisation" o WHERE o."path" LIKE {p} AND o."path" <> {p} ORDER BY o."id"'
    db.execute_sql(_UPSERT.format(source=orgs), (ORGANISATION, now, like, path))
    members = (
        f'SELECT {p}, m."id", 1, {p}, {tx} FROM "member" m JOIN "organisation" o ON m."branch_id" = o."id" '
        f'WHERE o."path" LIKE {p} ORDER BY m."id"'
    )
    db.execute_sql(_UPSERT.format(source=members), (MEMBER, now, like))


@ledger.on_written
def _ledger_written(subjects):
    """New ledger entries change their subjects' pages (registered with the ledger, which sits below)."""
    bump(*subjects)
