"""Administrators' rubric uploads: check a new version against the stored ones, preview how
stars would move for a period if it were current, and store it (audited)."""

from collections import Counter

from starqr import rating
from starqr.db import database
from starqr.errors import N_
from starqr.models import LedgerEntry, RatingPeriod, RubricVersion
from starqr.services import audit, period_rules, ratings, rubrics, what_if


def check_rubric_text(text, expected_key=None):
    """Parse and validate a rubric file; RubricError names the field. Returns the Rubric."""
    new = rating.load_rubric_text(text)
    if expected_key and new.key != expected_key:
        raise rating.RubricError(
            N_("%(key)s: key: 应为 %(expected)s(上传的是另一个评分标准)"),
            code="rubric_wrong_key",
            key=new.key,
            expected=expected_key,
        )
    latest = RubricVersion.select().where(RubricVersion.key == new.key).order_by(RubricVersion.version.desc()).first()
    if latest is not None:
        old = rubrics.parsed(latest)
        if new.scope != old.scope:
            raise rating.RubricError(
                N_("%(key)s: scope: 不能从 %(old)s 改为 %(new)s"),
                code="rubric_scope_changed",
                key=new.key,
                old=old.scope,
                new=new.scope,
            )
        if new.version <= latest.version:
            raise rating.RubricError(
                N_("%(key)s: version: 应大于当前版本 %(version)s"),
                code="rubric_version_not_newer",
                key=new.key,
                version=latest.version,
            )
        refuse_dropping_recorded_items(new, old)
    return new


def rubric_preview(text, period, expected_key=None):
    """How stars would move for PERIOD if this rubric text were the current version.

    Returns (rubric, moves, before distribution, after distribution); moves are
    (kind, id, name, before stars, after stars, before total, after total).
    """
    new = check_rubric_text(text, expected_key)
    values = ratings.ledger_values(period)
    subjects = ratings.subject_groups(period).get(new.key, [])
    if not subjects:
        return new, [], Counter(), Counter()
    _, old = rubrics.current_rubric(new.key)
    try:
        before = what_if.rate(old, subjects, values, ignore_unknown=False)
        after = what_if.rate(new, subjects, values, ignore_unknown=False)
    except rating.SubjectInputError as error:
        if error.code != "unknown_item":
            raise  # a value the new version's range refuses: the error names it
        raise _item_in_ledger(new, error.params["item"]) from error  # the ledger holds an item it dropped
    moves, _ = what_if.star_moves(before, after)
    moves = [
        (m.subject_kind, m.subject_id, m.name, m.before_stars, m.after_stars, m.before_total, m.after_total)
        for m in moves
    ]
    return (new, moves, Counter(r.stars for r in before.values()), Counter(r.stars for r in after.values()))


def _item_in_ledger(new, item):
    return rating.RubricError(
        N_("%(key)s: items: 台账中已有项目“%(item)s”的记录,不能删除"),
        code="rubric_item_in_ledger",
        key=new.key,
        item=item,
    )


def refuse_dropping_recorded_items(new, old):
    """RubricError if NEW drops an item of OLD (the newest stored version) that holds points of a
    subject NEW would rate: in a period still taking points that rates NEW's key by the newest
    version (none pinned), those points would stop counting. (Published periods keep their
    pinned versions.) Every door checks a rubric text through here: the save,
    the preview, the API and the CLI alike."""
    dropped = {item.id for item in old.items} - {item.id for item in new.items}
    if not dropped:
        return
    for period in RatingPeriod.select().where(RatingPeriod.state.in_(period_rules.TAKING_POINTS)):
        if new.key in period_rules.pinned_versions(period):
            continue  # a scheduled period keeps the version it was scheduled with
        rows = list(
            LedgerEntry.select(LedgerEntry.subject_kind, LedgerEntry.subject_id, LedgerEntry.item)
            .where(LedgerEntry.period == period, LedgerEntry.item.in_(sorted(dropped)))
            .distinct()
            .tuples()
        )
        if not rows:
            continue
        rated = {(kind, subject_id) for kind, subject_id, _ in ratings.subject_groups(period).get(new.key, [])}
        for kind, subject_id, item in sorted(rows, key=lambda row: row[2]):
            if (kind, subject_id) in rated:
                raise _item_in_ledger(new, item)


def upload_rubric(actor, text, expected_key=None):
    """Store a new rubric version (validated). Returns the RubricVersion."""
    new = check_rubric_text(text, expected_key)
    with database.atomic():
        row = RubricVersion.create(
            key=new.key,
            version=new.version,
            scope=new.scope,
            name=new.name,
            text=text,
            uploaded_by=audit.actor_name(actor),
        )
        audit.record(actor, "rubric.uploaded", row, after={"key": new.key, "version": new.version, "name": new.name})
    return row
