"""Computing, publishing and finalising ratings for a period.

Drafts are recomputed from the ledger at will. Publishing freezes them: a published
rating never changes; a later difference becomes a new published rating that records
which one it supersedes. Every step is safe to run twice or concurrently.
"""

import datetime
import logging
from collections import defaultdict

from starqr.errors import N_, Conflict
from starqr.log_events import log_event, log_failure
from starqr.db import bulk_insert, database
from starqr import checkpoints, phrases
from starqr.models import Rating, RatingPeriod, RubricVersion, utcnow
from starqr.services import audit, period_rules, publish_report, rating_holds, rating_inputs, revision, rubrics, what_if
from starqr.services.publish_report import DueReport, held_lines

log = logging.getLogger("starqr.ratings")


class PeriodError(Conflict):
    code = "period_state"


# ---- inputs -----------------------------------------------------------------------------

# The ledger's meaning per item kind lives in rating_inputs; these names stay for callers.
ledger_values = rating_inputs.ledger_values
not_counted = rating_inputs.not_counted
holds = rating_holds.holds


def held_subjects(period, limit=500):
    """[{kind, id, name, reason (Chinese), message + params (for the edge's gettext)}] of PERIOD."""
    return rating_holds.listed(period, limit=limit)


def subject_groups(period):
    """{key: [(kind, id, category)]}: who is rated in PERIOD and by which rubric key."""
    return rating_inputs.subject_groups(period, period_rules.assignments(period))


def compute(period, held=None):
    """Rate every subject of PERIOD that can be rated. Returns {(kind, id): (RubricVersion, RatingResult)}.

    A subject that cannot be rated (a value outside its range, a rubric that cannot be
    read...) is left out and, when HELD (a dict) is given, HELD[(kind, id)] = (code, params)
    says why; nobody else is affected. Scheduled and published periods use their pinned
    rubric versions; a subject already published keeps the version of its snapshot.
    """
    held = {} if held is None else held
    values = ledger_values(period)
    pinned = period_rules.pinned_versions(period)
    snapshots = period_rules.snapshot_versions(period) if period.state in period_rules.PUBLISHED else {}
    versions = {}
    by_version = defaultdict(list)
    for key, subjects in subject_groups(period).items():
        try:
            default = period_rules.version_for(period, key, pinned)
        except Exception as error:  # a rubric missing or unreadable holds its subjects only
            for kind, subject_id, _ in subjects:
                held[(kind, subject_id)] = ("rubric_missing", {"key": key or "", "message": str(error)[:200]})
            continue
        for subject in subjects:
            version_id = snapshots.get(subject[:2])
            if version_id is not None and version_id != default[0].id:
                if version_id not in versions:
                    row = RubricVersion.get_by_id(version_id)
                    versions[version_id] = (row, rubrics.parsed(row))
            else:
                version_id = default[0].id
                versions.setdefault(version_id, default)
            by_version[version_id].append(subject)
    results = {}
    for version_id, subjects in by_version.items():
        version, rubric = versions[version_id]
        errors = {}
        for subject, result in what_if.rate(rubric, subjects, values, errors).items():
            results[subject] = (version, result)
        for subject, error in errors.items():
            held[subject] = rating_holds.detail_of(error, rubric)
    return results


# ---- drafts -----------------------------------------------------------------------------


def _row(period, kind, subject_id, version, result, published_at=None, created_at=None):
    return {
        "period": period.id,
        "subject_kind": kind,
        "subject_id": subject_id,
        "rubric": version.id,
        "total": result.total,
        "stars": result.stars,
        "max_stars": result.max_stars,
        "breakdown": result.breakdown,
        "designations": result.designations,
        "vetoed": result.vetoed,
        "veto_items": result.veto_items,
        "exempt": result.exempt,
        "listing": result.listing,
        "published": published_at is not None,
        "published_at": published_at,
        "created_at": created_at or utcnow(),
    }


def rate(period):
    """Replace the period's drafts with freshly computed ones. Returns how many."""
    if period.state == "final":
        raise PeriodError(N_("「%(period)s」已结束;请登记更正并用 starqr publish 发布"), period=period.name)
    held = {}
    results = compute(period, held)
    with database.atomic():
        Rating.delete().where(Rating.period == period, Rating.published == False).execute()  # noqa: E712
        now = utcnow()
        rows = [
            _row(period, kind, sid, version, result, created_at=now)
            for (kind, sid), (version, result) in results.items()
        ]
        _insert(rows)
        rating_holds.replace(period, held)
    return len(results)


RATING_COLUMNS = (
    "period",
    "subject_kind",
    "subject_id",
    "rubric",
    "total",
    "stars",
    "max_stars",
    "breakdown",
    "designations",
    "vetoed",
    "veto_items",
    "exempt",
    "listing",
    "published",
    "published_at",
    "supersedes",
    "correction_reason",
    "created_at",
)


def _insert(rows):
    fields = [Rating._meta.fields[name] for name in RATING_COLUMNS]
    bulk_insert(Rating, fields, [tuple(r.get(name) for name in RATING_COLUMNS) for r in rows])


# ---- publication ------------------------------------------------------------------------

SNAPSHOT_FIELDS = ("total", "stars", "breakdown", "designations", "vetoed", "exempt", "rubric_id")


def _same(published, version, result):
    return (
        float(published.total) == float(result.total)
        and published.stars == result.stars
        and published.breakdown == result.breakdown
        and published.designations == result.designations
        and published.vetoed == result.vetoed
        and published.exempt == result.exempt
        and published.rubric_id == version.id
    )


def latest_published(period):
    """{(kind, id): Rating} of the newest published rating per subject in PERIOD."""
    latest = {}
    for r in (
        Rating.select()
        .where(Rating.period == period, Rating.published == True)  # noqa: E712
        .order_by(Rating.id)
        .iterator()
    ):
        latest[(r.subject_kind, r.subject_id)] = r
    return latest


def freeze(period, now=None, reason=None):
    """Publish the period's current results as snapshots.

    Subjects never published get their first snapshot; subjects whose result differs from
    their latest snapshot get a new one that supersedes it; the rest are left alone, so
    running this twice changes nothing the second time. Returns how many were written.
    """
    now = now or utcnow()
    held = {}
    results = compute(period, held)
    with database.atomic():
        rating_holds.replace(period, held)
        existing = latest_published(period)
        new_rows = []
        for (kind, sid), (version, result) in results.items():
            old = existing.get((kind, sid))
            if old is not None and _same(old, version, result):
                continue
            row = _row(period, kind, sid, version, result, published_at=now)
            if old is not None:
                row["supersedes"] = old.id
                row["correction_reason"] = reason or phrases.stored("rerated")
            new_rows.append(row)
        Rating.delete().where(Rating.period == period, Rating.published == False).execute()  # noqa: E712
        _insert(new_rows)
        if new_rows:
            revision.bump()
    log_event(
        log,
        "ratings.frozen",
        period=period.id,
        name=period.name,
        written=len(new_rows),
        corrections=sum(1 for row in new_rows if "supersedes" in row),
        held=len(held),
    )
    return len(new_rows)


def schedule(period, publish_at, notice_days=None):
    """Schedule publication at PUBLISH_AT (UTC, naive)."""
    if period.state not in period_rules.TAKING_POINTS:
        raise PeriodError(N_("「%(period)s」已公布"), code="period_published", period=period.name)
    with database.atomic():
        period.state = "scheduled"
        period.publish_at = publish_at
        if notice_days is not None:
            period.notice_days = notice_days
        period.save(only=[RatingPeriod.state, RatingPeriod.publish_at, RatingPeriod.notice_days])
        period_rules.pin(period)
        revision.bump()  # live pages show when the period will be published
    return period


def _claim(period, from_state, **changes):
    """Move the period on only if nobody else has: the conditional UPDATE is the lock."""
    return (
        RatingPeriod.update(state=changes.pop("state"), **changes)
        .where(RatingPeriod.id == period.id, RatingPeriod.state == from_state)
        .execute()
        == 1
    )


def publish(period, now=None, actor="scheduler"):
    """Freeze the ratings and start the public notice (公示). Safe to call twice; audited as ACTOR."""
    now = now or utcnow()
    with database.atomic():
        start_from = period.state
        if start_from not in period_rules.TAKING_POINTS:
            return 0
        ends = now + datetime.timedelta(days=period.notice_days)
        if not _claim(period, start_from, state="notice", published_at=now, notice_ends_at=ends):
            return 0
        period_rules.pin(period, now)
        period.state, period.published_at, period.notice_ends_at = "notice", now, ends
        written = freeze(period, now)
        checkpoints.write_if_possible(reason="publication", period=period, now=now)
        audit.record(
            actor,
            "period.published",
            period,
            before={"state": start_from},
            after={"state": "notice", "ratings": written, "notice_ends_at": ends},
        )
        revision.bump()
    log_event(
        log,
        "period.published",
        period=period.id,
        name=period.name,
        ratings=written,
        notice_until=ends,
        actor=audit.actor_name(actor),
    )
    return written


def finalise(period, now=None, actor="scheduler"):
    """End the notice and make the period final, unless objections about it are still open."""
    now = now or utcnow()
    with database.atomic():
        if period.state != "notice" or period_rules.open_objection_count(period):
            return False
        done = _claim(period, "notice", state="final", finalised_at=now)
        if done:
            audit.record(actor, "period.finalised", period, before={"state": "notice"}, after={"state": "final"})
            revision.bump()
            log_event(log, "period.finalised", period=period.id, name=period.name, actor=audit.actor_name(actor))
    return done


def publish_due(now=None):
    """Publish every scheduled period whose time has come and finalise every notice that ended.

    Returns a list of (period name, what happened) lines: what was published, which
    subjects were held and why, which notices stay open because objections are open.
    Never raises for one period's data: a period that fails is reported and skipped.
    """
    now = now or utcnow()
    report = DueReport()
    due = RatingPeriod.select().where(RatingPeriod.state == "scheduled", RatingPeriod.publish_at <= now)
    for period in list(due):
        try:
            written = publish(period, now)
        except Exception as error:  # noqa: BLE001 - one period's failure must not stop the others
            log_failure(log, "period.publish_failed", error, period=period.id, name=period.name)
            report.failed += 1
            report.append((period.name, publish_report.failed(error)))
            continue
        report.done += 1
        held = holds(period)
        report.append((period.name, publish_report.published(written, period.notice_ends_at or "", len(held))))
        report.extend(held_lines(period, held))
    ended = RatingPeriod.select().where(RatingPeriod.state == "notice", RatingPeriod.notice_ends_at <= now)
    for period in list(ended):
        waiting = period_rules.open_objection_count(period)
        if waiting:
            report.append((period.name, publish_report.objections_open(waiting)))
        elif finalise(period, now):
            report.done += 1
            report.append((period.name, publish_report.finalised()))
    return report


def finalise_if_answered(period, now=None):
    """Finalise PERIOD if its notice has ended and no objection is open any more (after an answer)."""
    period = RatingPeriod.get_by_id(period.id)
    now = now or utcnow()
    if period.state == "notice" and period.notice_ends_at and period.notice_ends_at <= now:
        return finalise(period, now)
    return False


def find_period(name_or_id):
    """A period by id, or by name (e.g. 2025 or 2025年度)."""
    text = str(name_or_id).strip()
    query = RatingPeriod.select()
    if text.isdigit() and len(text) != 4:
        found = query.where(RatingPeriod.id == int(text)).first()
    else:
        found = query.where((RatingPeriod.name == text) | (RatingPeriod.name == f"{text}年度")).first()
    if found is None:
        raise PeriodError(N_("没有评定期 %(period)s"), code="period_not_found", status=404, period=text)
    return found


_subject_groups = subject_groups  # older callers (other lanes' code in flight)
