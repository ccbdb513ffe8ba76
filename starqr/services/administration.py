"""Administrators' use cases: rating periods, objections, plaques, finding subjects in the tree.

Rubric uploads are services/rubric_uploads.py.

Shared by the console and the API. Every write records an audit entry in the same
transaction as the change.
"""

import datetime
from collections import Counter, defaultdict

from peewee import fn

from starqr import ledger, phrases, validation
from starqr.db import database
from starqr.errors import N_, Invalid
from starqr.models import (
    MEMBER,
    ORGANISATION,
    Member,
    Organisation,
    Rating,
    RatingPeriod,
    utcnow,
)
from starqr.services import (
    audit,
    objections,
    period_rules,
    plaques,
    rating_inputs,
    ratings,
    revision,
    rubrics,
    scheduler,
)


class AdminError(Invalid):
    """Refused by the rules (code "invalid", HTTP 422)."""


def _name(actor):
    return audit.actor_name(actor)


# ---------------------------------------------------------------- rating periods


def create_period(actor, name, year, starts_on, ends_on, kind="year", quarter=None, notice_days=5):
    name = (name or "").strip()
    if not name:
        raise AdminError(N_("请填写评定期名称"))
    if RatingPeriod.select().where(RatingPeriod.name == name).exists():
        raise AdminError(N_("已有名为「%(name)s」的评定期"), name=name)
    if ends_on < starts_on:
        raise AdminError(N_("结束日期不能早于开始日期"))
    if not 1 <= int(notice_days) <= 60:
        raise AdminError(N_("公示天数应在 1 到 60 之间"))
    if kind == "quarter" and quarter not in (1, 2, 3, 4):
        raise AdminError(N_("季度应为 1 到 4"))
    with database.atomic():
        period = RatingPeriod.create(
            name=name,
            kind=kind,
            year=year,
            quarter=quarter if kind == "quarter" else None,
            starts_on=starts_on,
            ends_on=ends_on,
            notice_days=int(notice_days),
        )
        audit.record(actor, "period.created", period, after=audit.snapshot(period))
        revision.bump()
    return period


def compute_draft(actor, period):
    """Recompute the period's draft ratings from the ledger. Returns how many."""
    if period.state not in period_rules.TAKING_POINTS:
        raise AdminError(N_("「%(period)s」已公布,草稿不再重算;更正请通过异议处理"), period=period.name)
    with database.atomic():
        count = ratings.rate(period)
        audit.record(actor, "period.draft_computed", period, after={"ratings": count})
    return count


def schedule_period(actor, period, local_when, notice_days=None, now=None):
    """Schedule publication at LOCAL_WHEN (Beijing time, naive); stored as UTC."""
    now = now or utcnow()
    if period.state not in period_rules.TAKING_POINTS:
        raise AdminError(N_("「%(period)s」已公布,不能再安排发布"), period=period.name)
    publish_at = scheduler.to_utc(local_when)
    if publish_at <= now:
        raise AdminError(N_("发布时间应晚于现在(北京时间 %(now)s)"), now=f"{scheduler.to_local(now):%Y-%m-%d %H:%M}")
    if notice_days is not None and not 1 <= int(notice_days) <= 60:
        raise AdminError(N_("公示天数应在 1 到 60 之间"))
    before = {"state": period.state, "publish_at": period.publish_at, "notice_days": period.notice_days}
    with database.atomic():
        ratings.schedule(period, publish_at, notice_days)
        audit.record(
            actor,
            "period.scheduled",
            period,
            before=before,
            after={
                "state": period.state,
                "publish_at": period.publish_at,
                "publish_at_local": local_when,
                "notice_days": period.notice_days,
            },
        )
    return period


def unschedule_period(actor, period):
    if period.state != "scheduled":
        raise AdminError(N_("只有已安排发布的评定期可以取消安排"))
    with database.atomic():
        updated = (
            RatingPeriod.update(state="draft", publish_at=None)
            .where(RatingPeriod.id == period.id, RatingPeriod.state == "scheduled")
            .execute()
        )
        if not updated:
            raise AdminError(N_("评定期已在发布中"))
        period_rules.unpin(period)
        audit.record(
            actor, "period.unscheduled", period, before={"publish_at": period.publish_at}, after={"state": "draft"}
        )
        revision.bump()
    return RatingPeriod.get_by_id(period.id)


def distribution(period, published=None):
    """{kind: Counter(stars)} of the period's drafts (published=False) or latest snapshots (True).

    With published=None: the snapshots once the period is published, else the drafts.
    """
    if published is None:
        published = period.state in period_rules.PUBLISHED
    result = {MEMBER: Counter(), ORGANISATION: Counter()}
    if published:
        for rating_row in ratings.latest_published(period).values():
            result[rating_row.subject_kind][rating_row.stars] += 1
        return result
    query = (
        Rating.select(Rating.subject_kind, Rating.stars)
        .where(Rating.period == period, Rating.published == False)
        .tuples()
    )  # noqa: E712
    for kind, stars in query.iterator():
        result[kind][stars] += 1
    return result


# ---------------------------------------------------------------- objections


def objection_subject(objection):
    plaque = objection.plaque
    return plaque.subject_kind, plaque.subject_id, plaques.subject_of(plaque)


def resolve_objection(actor, objection, accepted, reason, item=None, points=None, now=None):
    """Accept (optionally with a ledger correction, then re-rating) or reject with a public reason.

    An accepted objection on a published period re-rates it: ratings.freeze writes new
    snapshots that supersede the ones that changed.
    """
    try:  # the answer is published: no control characters, no identity number, mobile or address
        reason = validation.public_text(reason, "reason", validation.N_("处理理由"), max_length=500)
        points = None if points is None or points == "" else validation.ledger_value(points, "points")
    except validation.ValidationError as error:
        raise AdminError.wrapping(error) from error
    if not accepted and not reason:
        raise AdminError(N_("驳回异议需要填写理由(将在公开页面显示)"))
    if objection.status != "open":
        raise AdminError(N_("异议 %(reference)s 已处理"), reference=objection.reference)
    kind, subject_id, subject = objection_subject(objection)
    period = objection.period or _latest_period()
    correction = None
    if accepted and item:
        if period is None:
            raise AdminError(N_("没有可更正的评定期"))
        if period.state == "final":
            raise AdminError(N_("「%(period)s」已结束,不能再更正"), period=period.name)
        key = rubrics.subject_rubric_key(subject)
        _, rubric = period_rules.version_for(period, key)
        try:
            rubric_item = rubric.item(item)
        except KeyError:
            raise AdminError(N_("「%(item)s」不是评分标准「%(rubric)s」中的项目"), item=item, rubric=rubric.name)
        if rubric_item.kind in rating_inputs.VALUE_KINDS:
            # A value item takes its latest entry: the correction is the right value itself.
            if points is None or not rubric_item.min <= float(points) <= rubric_item.max:
                raise AdminError(
                    N_("「%(item)s」取最新一次记录的值:请填写更正后的值(%(low)s 到 %(high)s 之间)"),
                    item=rubric_item.name,
                    low=f"{rubric_item.min:g}",
                    high=f"{rubric_item.max:g}",
                )
        elif points is None or points == 0:
            raise AdminError(N_("请填写调整分值(不为 0)"))
        correction = ledger.NewEntry(
            kind,
            subject_id,
            period.id,
            rubric_item.id,
            points,
            phrases.stored("objection_correction", reference=objection.reference, reason=reason or rubric_item.name),
            _name(actor),
            quantity=1,
            source=f"objection:{objection.reference}",
        )
    with database.atomic():
        before = {"status": objection.status}
        rerated = 0
        if correction is not None:
            ledger.append([correction])
            if period.state in ("notice",):
                rerated = ratings.freeze(
                    period, now, reason=phrases.stored("objection_rerated", reference=objection.reference)
                )
        objections.resolve(objection, accepted, reason, _name(actor), now)
        if objection.period_id is not None:
            # The notice may have been held open only by this objection.
            ratings.finalise_if_answered(objection.period, now)
        audit.record(
            actor,
            "objection.accepted" if accepted else "objection.rejected",
            objection,
            before=before,
            after={
                "status": objection.status,
                "resolution": reason,
                "correction": None
                if correction is None
                else {"item": correction.item, "points": str(correction.points), "period": period.id},
                "rerated": rerated,
            },
        )
    return objection, rerated


def _latest_period():
    return period_rules.all_periods().first()


# ---------------------------------------------------------------- plaques


def _plaque_change(change, actor, code, reason):
    try:
        with database.atomic():
            return change(code, actor=actor, reason=reason)  # audited there, whichever door asks
    except plaques.PlaqueError as error:
        raise AdminError.wrapping(error) from error


def reissue_plaque(actor, code, reason):
    return _plaque_change(plaques.reissue, actor, code, reason)


def revoke_plaque(actor, code, reason):
    return _plaque_change(plaques.revoke, actor, code, reason)


# ---------------------------------------------------------------- the tree


def search_organisations(query, text, limit=100):
    """Organisations in QUERY (a scoped select) whose Chinese or Mongolian name contains TEXT."""
    text = (text or "").strip()[:60]
    if not text:
        return []
    return list(
        query.where(
            Organisation.name_zh.contains(text)
            | Organisation.name_mn.contains(text)
            | Organisation.short_name.contains(text)
        )
        .order_by(Organisation.path)
        .limit(limit)
    )


def search_members(member_query, text, limit=100):
    text = (text or "").strip()[:60]
    if not text:
        return []
    return list(
        member_query.where(Member.name_zh.contains(text) | Member.name_mn.contains(text))
        .order_by(Member.id)
        .limit(limit)
    )


def children_counts(parent_ids):
    """{organisation id: (child organisations, active members)} in two queries."""

    children = defaultdict(int)
    for parent_id, count in (
        Organisation.select(Organisation.parent, fn.COUNT(Organisation.id))
        .where(Organisation.parent.in_(parent_ids))
        .group_by(Organisation.parent)
        .tuples()
    ):
        children[parent_id] = count
    members = dict(
        Member.select(Member.branch, fn.COUNT(Member.id))
        .where(Member.branch.in_(parent_ids), Member.active == True)  # noqa: E712
        .group_by(Member.branch)
        .tuples()
    )
    return {pid: (children.get(pid, 0), members.get(pid, 0)) for pid in parent_ids}


def now_local():
    return scheduler.to_local(utcnow())


def parse_local(date_text, time_text):
    """A naive Beijing datetime from form fields (YYYY-MM-DD, HH:MM)."""
    try:
        return datetime.datetime.fromisoformat(f"{date_text.strip()}T{time_text.strip()}")
    except (ValueError, AttributeError):
        raise AdminError(N_("发布时间格式不正确,应为 日期 2026-01-15 与 时间 09:00"))
