"""Points events a secretary records and corrects (the ledger is append-only: a correction is a linked entry)."""

from decimal import Decimal

from starqr import ledger, validation
from starqr.db import database
from starqr.errors import N_
from starqr.models import LedgerEntry, Member, RatingPeriod, subject_kind, subject_model
from starqr.services import access, audit, period_rules, rubrics
from starqr.services.member_rules import MemberError, refusing


def subject_rubric(subject):
    """(RubricVersion, Rubric) that rates SUBJECT (a member or an organisation)."""
    return rubrics.current_rubric(rubrics.subject_rubric_key(subject))


def recordable_items(rubric):
    """Items a secretary may record: every item of the rubric, in file order."""
    return list(rubric.items)


def open_periods():
    """Periods still taking points events (not yet published), newest first."""
    return list(period_rules.all_periods().where(RatingPeriod.state.in_(period_rules.TAKING_POINTS)))


def _decimal(value, field="value", label=validation.N_("分值")):
    """A ledger value by the one rule of every door (finite, ≤ two decimals, no -0); ValidationError."""
    return validation.ledger_value(value, field, label)


def _within(item, points):
    low, high = Decimal(str(item.min)), Decimal(str(item.max))
    if not (low <= points <= high):
        raise MemberError(
            N_("“%(item)s”每条记录的分值须在 %(low)s 到 %(high)s 之间。"),
            item=item.name,
            low=f"{low.normalize():f}",
            high=f"{high.normalize():f}",
        )


@refusing
def record_points(
    actor, subject, period, item_id, reason, count=1, value=None, occurred_on=None, evidence=None, public_reason=True
):
    """Record points events for SUBJECT from its rubric's items. Returns the new entries.

    Event and bonus items carry the item's own points, one ledger entry per event (COUNT
    of them); value, veto and gate items carry VALUE, checked against the item's bounds.
    """
    if period.state not in period_rules.TAKING_POINTS:
        raise MemberError(N_("该评星周期已公布，不能再记录积分；如需更正请走异议或更正流程。"))
    _version, rubric = subject_rubric(subject)
    try:
        item = rubric.item(item_id)
    except KeyError:
        raise MemberError(N_("积分项目不属于该对象的评星标准。"))
    # The reason is shown on the scan page unless marked private; the evidence text is shown with it.
    check = validation.public_text if public_reason else validation.text
    reason = check(reason, "reason", validation.N_("事由"), max_length=500)
    if not reason:
        raise MemberError(N_("请填写事由。"))
    evidence = check(evidence, "evidence", validation.N_("佐证"), max_length=500)
    kind = subject_kind(subject)
    if isinstance(subject, Member) and not subject.active:
        raise MemberError(N_("该党员已移出名册。"))
    name = audit.actor_name(actor)
    common = dict(
        subject_kind=kind,
        subject_id=subject.id,
        period_id=period.id,
        item=item.id,
        reason=reason,
        recorded_by=name,
        public_reason=bool(public_reason),
        evidence=(evidence or "").strip() or None,
        occurred_on=occurred_on.isoformat() if occurred_on else None,
    )
    if item.kind in ("event", "bonus") and item.points is not None:
        count = validation.count(count)
        points = _decimal(item.points)
        _within(item, points)
        new = [ledger.NewEntry(points=points, **common) for _ in range(count)]
    else:
        if value is None or value == "":
            raise MemberError(N_("请填写分值。"))
        points = _decimal(value)
        _within(item, points)
        new = [ledger.NewEntry(points=points, **common)]
    with database.atomic():
        ledger.append(new)
        entries = list(
            LedgerEntry.select()
            .where(LedgerEntry.subject_kind == kind, LedgerEntry.subject_id == subject.id)
            .order_by(LedgerEntry.id.desc())
            .limit(len(new))
        )[::-1]
        audit.record(
            actor,
            "ledger.record",
            f"{kind}:{subject.id}",
            None,
            {
                "entries": [e.id for e in entries],
                "item": item.id,
                "points": str(points),
                "count": len(new),
                "period": period.id,
                "reason": reason,
            },
        )
    return entries


@refusing
def correct_entry(actor, entry, reason, new_points=None):
    """Reverse ENTRY with a linked entry (and record the right value if given)."""
    if entry.corrects_id is not None:
        raise MemberError(N_("这是一条更正记录；请更正原始记录。"))
    if LedgerEntry.select().where(LedgerEntry.corrects == entry.id).exists():
        raise MemberError(N_("这条记录已经更正过。"))
    if entry.period.state not in period_rules.TAKING_POINTS:
        raise MemberError(N_("该评星周期已公布，更正须由管理员通过异议处理。"))
    reason = validation.public_text(reason, "reason", validation.N_("更正原因"), max_length=500)
    if not reason:
        raise MemberError(N_("请填写更正原因。"))
    if new_points is not None and new_points != "":
        new_points = _decimal(new_points, "new_points")
        subject = subject_model(entry.subject_kind).get_by_id(entry.subject_id)
        _version, rubric = subject_rubric(subject)
        try:
            _within(rubric.item(entry.item), new_points)
        except KeyError:
            raise MemberError(N_("原记录的积分项目已不在现行评星标准中。"))
    else:
        new_points = None
    with database.atomic():
        try:
            ledger.correct(entry, reason, audit.actor_name(actor), new_points=new_points)
        except ledger.LedgerError as error:
            raise MemberError.wrapping(error) from error
        audit.record(
            actor,
            "ledger.correct",
            entry,
            {"points": str(entry.points)},
            {"points": str(new_points) if new_points is not None else "0", "reason": reason},
        )
    return entry


def entries_for(subject, limit=200):
    kind = subject_kind(subject)
    return list(
        LedgerEntry.select(LedgerEntry, RatingPeriod)
        .join(RatingPeriod)
        .where(LedgerEntry.subject_kind == kind, LedgerEntry.subject_id == subject.id)
        .order_by(LedgerEntry.id.desc())
        .limit(limit)
    )


def ledger_entries(actor, subject_kind=None, subject_id=None, period_id=None):
    """A query of ledger entries by id: the subject SUBJECT_KIND SUBJECT_ID's (NotFound unless
    ACTOR may see it), else every entry of a subject in ACTOR's scope; of PERIOD_ID when given."""
    query = LedgerEntry.select()
    if subject_kind:
        access.require_subject(actor, subject_kind, subject_id)
        query = query.where(LedgerEntry.subject_kind == subject_kind, LedgerEntry.subject_id == subject_id)
    else:
        in_scope = access.subject_filter(actor, LedgerEntry.subject_kind, LedgerEntry.subject_id)
        if in_scope is not None:
            query = query.where(in_scope)
    if period_id is not None:
        query = query.where(LedgerEntry.period == period_id)
    return query.order_by(LedgerEntry.id)
