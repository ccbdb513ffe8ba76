"""The rules a rating period keeps once it leaves the draft stage.

- Rubric versions (and which rubric each branch and its members use) are pinned when a
  period is scheduled or published. A new rubric version, or a branch re-assigned to
  another rubric, changes draft periods only; a scheduled, notice or final period keeps
  what it was pinned to, and a published subject keeps the version of its snapshot.
- The public notice (公示) does not end while objections about it are open: the period
  stays under notice and finalises once the last objection is answered.
"""

import orjson

from starqr.db import database
from starqr.models import (
    Objection,
    PeriodRubric,
    Rating,
    RatingPeriod,
    RubricVersion,
    utcnow,
)
from starqr.services import rating_inputs, rubrics

TAKING_POINTS = ("draft", "scheduled")  # the states of a period that takes points (not yet published)
PUBLISHED = ("notice", "final")  # the states of a published period (on notice, then final)
PINNED_STATES = ("scheduled", *PUBLISHED)


# ---- rubric pinning --------------------------------------------------------------------------


def pin(period, now=None):
    """Pin the latest version of every stored rubric and the tree's assignments, once."""
    if PeriodRubric.select().where(PeriodRubric.period == period).exists():
        return False
    now = now or utcnow()
    latest = {}
    for row in RubricVersion.select(RubricVersion.id, RubricVersion.key, RubricVersion.version):
        if row.key not in latest or row.version > latest[row.key].version:
            latest[row.key] = row
    with database.atomic():
        PeriodRubric.insert_many(
            [
                {"period": period.id, "key": key, "rubric": row.id, "pinned_at": now}
                for key, row in sorted(latest.items())
            ]
        ).on_conflict_ignore().execute()
        assignments = orjson.dumps(rating_inputs.current_assignments()).decode()
        RatingPeriod.update(rubric_assignments=assignments).where(RatingPeriod.id == period.id).execute()
    period.rubric_assignments = assignments
    return True


def unpin(period):
    """Back to following the newest rubrics (a period returned to draft)."""
    with database.atomic():
        PeriodRubric.delete().where(PeriodRubric.period == period).execute()
        RatingPeriod.update(rubric_assignments=None).where(RatingPeriod.id == period.id).execute()
    period.rubric_assignments = None


def pinned_versions(period):
    """{key: RubricVersion} pinned for PERIOD (empty for a draft period)."""
    rows = PeriodRubric.select(PeriodRubric, RubricVersion).join(RubricVersion).where(PeriodRubric.period == period)
    return {row.key: row.rubric for row in rows}


def assignments(period):
    text = getattr(period, "rubric_assignments", None)
    if not text:
        return {}
    return orjson.loads(text)


def version_for(period, key, pinned=None):
    """(RubricVersion, Rubric) rating KEY in PERIOD: the pinned version, else the newest."""
    pinned = pinned_versions(period) if pinned is None else pinned
    row = pinned.get(key)
    if row is None:
        return rubrics.current_rubric(key)
    return row, rubrics.parsed(row)


def snapshot_versions(period):
    """{(kind, id): rubric version id} of each subject's newest published snapshot in PERIOD."""
    rows = (
        Rating.select(Rating.subject_kind, Rating.subject_id, Rating.rubric)
        .where(Rating.period == period, Rating.published == True)
        .order_by(Rating.id)
        .tuples()
    )
    return {(kind, subject_id): rubric_id for kind, subject_id, rubric_id in rows.iterator()}


def periods_affected_by(key):
    """(affected, protected) periods for a new version of rubric KEY.

    Draft periods follow the newest version; scheduled, notice and final periods keep the
    version pinned when they were scheduled or published.
    """
    affected, protected = [], []
    for period in all_periods():
        if (
            period.state in PINNED_STATES
            and PeriodRubric.select().where(PeriodRubric.period == period, PeriodRubric.key == key).exists()
        ):
            protected.append(period)
        elif period.state in PINNED_STATES:
            protected.append(period)  # pinned before this key existed: its subjects keep their versions
        else:
            affected.append(period)
    return affected, protected


# ---- objections hold the notice ----------------------------------------------------------------


def open_objection_count(period):
    return Objection.select().where(Objection.period == period, Objection.status == "open").count()


def notice_held(period, now=None):
    """How many open objections keep PERIOD under notice past its end (0 = not held)."""
    now = now or utcnow()
    if period.state != "notice" or period.notice_ends_at is None or period.notice_ends_at > now:
        return 0
    return open_objection_count(period)


def all_periods():
    """A query of every rating period, newest first."""
    return RatingPeriod.select().order_by(RatingPeriod.year.desc(), RatingPeriod.id.desc())


def newest_period(states):
    """The newest rating period in one of STATES, or None."""
    return all_periods().where(RatingPeriod.state.in_(states)).first()


def unfinished_periods():
    """Every rating period not yet final (a points import may still go into one), newest first."""
    return list(all_periods().where(RatingPeriod.state != "final"))


def find(period_id):
    """The rating period PERIOD_ID, or None."""
    return RatingPeriod.get_or_none(RatingPeriod.id == period_id)
