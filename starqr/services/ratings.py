"""Computing, publishing and finalising ratings for a period.

Drafts are recomputed from the ledger at will. Publishing freezes them: a published
rating never changes; a later difference becomes a new published rating that records
which one it supersedes. Every step is safe to run twice or concurrently.
"""
import datetime
from collections import defaultdict

from starqr.db import bulk_insert, database
from starqr import rating
from starqr.models import (MEMBER, ORGANISATION, LedgerEntry, Member, Organisation, Rating,
                           RatingPeriod, utcnow)
from starqr.services import revision, rubrics
from peewee import fn



class PeriodError(Exception):
    pass


# ---- inputs -----------------------------------------------------------------------------

def ledger_values(period, subject_kind=None):
    """{(kind, id): {item: sum of points}} for a period, straight from one GROUP BY."""
    query = (LedgerEntry
             .select(LedgerEntry.subject_kind, LedgerEntry.subject_id, LedgerEntry.item,
                     fn.SUM(LedgerEntry.points))
             .where(LedgerEntry.period == period)
             .group_by(LedgerEntry.subject_kind, LedgerEntry.subject_id, LedgerEntry.item))
    if subject_kind:
        query = query.where(LedgerEntry.subject_kind == subject_kind)
    # Straight from the cursor: peewee's per-value conversion costs more than the query here.
    sql, params = query.sql()
    values = defaultdict(dict)
    for kind, subject_id, item, total in database.execute_sql(sql, params).fetchall():
        values[(kind, subject_id)][item] = float(total)
    return values


def _subject_groups(period):
    """Group every rated subject by the rubric key that rates it: {key: [(kind, id, category)]}."""
    groups = defaultdict(list)
    branches = list(Organisation.select(Organisation.id, Organisation.domain, Organisation.rubric_key)
                    .where(Organisation.level == "branch").tuples())
    member_key_by_branch = {}
    for branch_id, domain, rubric_key in branches:
        groups[rubric_key or rating.DOMAIN_RUBRICS[domain]].append((ORGANISATION, branch_id, None))
        member_key_by_branch[branch_id] = rating.MEMBER_RUBRIC_BY_DOMAIN[domain]
    members = (Member.select(Member.id, Member.branch, Member.category, Member.exempt)
               .where(Member.active == True).tuples().iterator())  # noqa: E712
    for member_id, branch_id, category, exempt in members:
        key = member_key_by_branch.get(branch_id)
        if key:
            groups[key].append((MEMBER, member_id, rubrics.rating_category(category, exempt)))
    return groups


def compute(period):
    """Rate every subject for PERIOD. Returns {(kind, id): (RubricVersion, RatingResult)}."""
    values = ledger_values(period)
    results = {}
    for key, subjects in _subject_groups(period).items():
        version, rubric = rubrics.current_rubric(key)
        inputs = [rating.SubjectInput(subject_id, values.get((kind, subject_id), {}), category)
                  for kind, subject_id, category in subjects]
        kind = subjects[0][0]
        for subject_id, result in rating.rate_all(rubric, inputs).items():
            results[(kind, subject_id)] = (version, result)
    return results


# ---- drafts -----------------------------------------------------------------------------

def _row(period, kind, subject_id, version, result, published_at=None, created_at=None):
    return {
        "period": period.id, "subject_kind": kind, "subject_id": subject_id, "rubric": version.id,
        "total": result.total, "stars": result.stars, "max_stars": result.max_stars,
        "breakdown": result.breakdown, "designations": result.designations,
        "vetoed": result.vetoed, "veto_items": result.veto_items, "exempt": result.exempt,
        "listing": result.listing, "published": published_at is not None, "published_at": published_at,
        "created_at": created_at or utcnow(),
    }


def rate(period):
    """Replace the period's drafts with freshly computed ones. Returns how many."""
    if period.state == "final":
        raise PeriodError(f"{period.name} is final; record corrections and use `starqr publish`")
    results = compute(period)
    with database.atomic():
        Rating.delete().where(Rating.period == period, Rating.published == False).execute()  # noqa: E712
        now = utcnow()
        rows = [_row(period, kind, sid, version, result, created_at=now)
                for (kind, sid), (version, result) in results.items()]
        _insert(rows)
    return len(results)


RATING_COLUMNS = ("period", "subject_kind", "subject_id", "rubric", "total", "stars", "max_stars",
                  "breakdown", "designations", "vetoed", "veto_items", "exempt", "listing",
                  "published", "published_at", "supersedes", "correction_reason", "created_at")


def _insert(rows):
    fields = [Rating._meta.fields[name] for name in RATING_COLUMNS]
    bulk_insert(Rating, fields, [tuple(r.get(name) for name in RATING_COLUMNS) for r in rows])


# ---- publication ------------------------------------------------------------------------

SNAPSHOT_FIELDS = ("total", "stars", "breakdown", "designations", "vetoed", "exempt", "rubric_id")


def _same(published, version, result):
    return (float(published.total) == float(result.total) and published.stars == result.stars
            and published.breakdown == result.breakdown and published.designations == result.designations
            and published.vetoed == result.vetoed and published.exempt == result.exempt
            and published.rubric_id == version.id)


def latest_published(period):
    """{(kind, id): Rating} of the newest published rating per subject in PERIOD."""
    latest = {}
    for r in (Rating.select().where(Rating.period == period, Rating.published == True)  # noqa: E712
              .order_by(Rating.id).iterator()):
        latest[(r.subject_kind, r.subject_id)] = r
    return latest


def freeze(period, now=None, reason=None):
    """Publish the period's current results as snapshots.

    Subjects never published get their first snapshot; subjects whose result differs from
    their latest snapshot get a new one that supersedes it; the rest are left alone, so
    running this twice changes nothing the second time. Returns how many were written.
    """
    now = now or utcnow()
    results = compute(period)
    with database.atomic():
        existing = latest_published(period)
        new_rows, superseded = [], []
        for (kind, sid), (version, result) in results.items():
            old = existing.get((kind, sid))
            if old is not None and _same(old, version, result):
                continue
            row = _row(period, kind, sid, version, result, published_at=now)
            if old is not None:
                row["supersedes"] = old.id
                row["correction_reason"] = reason or "更正后重新评定"
            new_rows.append(row)
        Rating.delete().where(Rating.period == period, Rating.published == False).execute()  # noqa: E712
        _insert(new_rows)
        if new_rows:
            revision.bump()
    return len(new_rows)


def schedule(period, publish_at, notice_days=None):
    """Schedule publication at PUBLISH_AT (UTC, naive)."""
    if period.state not in ("draft", "scheduled"):
        raise PeriodError(f"{period.name} is already published")
    period.state = "scheduled"
    period.publish_at = publish_at
    if notice_days is not None:
        period.notice_days = notice_days
    with database.atomic():
        period.save()
        revision.bump()  # live pages show when the period will be published
    return period


def _claim(period, from_state, **changes):
    """Move the period on only if nobody else has: the conditional UPDATE is the lock."""
    return RatingPeriod.update(state=changes.pop("state"), **changes).where(
        RatingPeriod.id == period.id, RatingPeriod.state == from_state).execute() == 1


def publish(period, now=None):
    """Freeze the ratings and start the public notice (公示). Safe to call twice."""
    now = now or utcnow()
    with database.atomic():
        start_from = period.state
        if start_from not in ("draft", "scheduled"):
            return 0
        ends = now + datetime.timedelta(days=period.notice_days)
        if not _claim(period, start_from, state="notice", published_at=now, notice_ends_at=ends):
            return 0
        written = freeze(period, now)
        revision.bump()
    return written


def finalise(period, now=None):
    now = now or utcnow()
    with database.atomic():
        if period.state != "notice":
            return False
        done = _claim(period, "notice", state="final", finalised_at=now)
        if done:
            revision.bump()
    return done


def publish_due(now=None):
    """Publish every scheduled period whose time has come and finalise every notice that ended.

    Returns a list of (period name, what happened) lines.
    """
    now = now or utcnow()
    report = []
    due = RatingPeriod.select().where(RatingPeriod.state == "scheduled", RatingPeriod.publish_at <= now)
    for period in list(due):
        written = publish(period, now)
        report.append((period.name, f"published {written} ratings; notice until {period.notice_ends_at or ''}"))
    ended = RatingPeriod.select().where(RatingPeriod.state == "notice", RatingPeriod.notice_ends_at <= now)
    for period in list(ended):
        if finalise(period, now):
            report.append((period.name, "finalised"))
    return report


def find_period(name_or_id):
    """A period by id, or by name (e.g. 2025 or 2025年度)."""
    text = str(name_or_id).strip()
    query = RatingPeriod.select()
    if text.isdigit() and len(text) != 4:
        found = query.where(RatingPeriod.id == int(text)).first()
    else:
        found = query.where((RatingPeriod.name == text) | (RatingPeriod.name == f"{text}年度")).first()
    if found is None:
        raise PeriodError(f"no rating period {text!r}")
    return found
