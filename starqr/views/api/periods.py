"""/periods: rating periods, and scheduling a publication (administrators)."""

import datetime

from flask import g, request
from flask_babel import gettext

from starqr.services import access, administration, period_rules, ratings, scheduler
from starqr.errors import N_
from starqr.views.api import schemas as s
from starqr.views.api.base import ApiError, answers, blueprint, listing, spec, token_required


def period_or_404(period_id):
    period = period_rules.find(period_id)
    if period is None:
        raise ApiError(404, "not_found", N_("没有编号为 %(id)s 的评定期"), id=period_id)
    return period


def period_body(period):
    body = s.Period.model_validate(period)
    local = scheduler.to_local(period.publish_at)  # naive Beijing time: the answer names its offset
    body.publish_at_local = local and local.replace(tzinfo=scheduler.LOCAL_ZONE)
    return body


@blueprint.route("/periods")
@token_required()
@spec.validate(query=s.Paging, resp=answers(400, 401, HTTP_200=s.PeriodPage), operation_id="listPeriods")
def periods():
    """评定期列表"""
    return listing(s.PeriodPage, period_rules.all_periods(), request.context.query, item=period_body)


@blueprint.route("/periods/<int:period_id>")
@token_required()
@spec.validate(resp=answers(401, 404, HTTP_200=s.PeriodDetail), operation_id="getPeriod")
def period(period_id):
    """一个评定期(含被暂缓评定的对象与未处理的异议)"""
    found = period_or_404(period_id)
    held = [
        {
            "subject_kind": h["kind"],
            "subject_id": h["id"],
            "name": h["name"],
            "code": h["code"],
            "reason": gettext(h["message"], **h["params"]) if h["params"] else gettext(h["message"]),
        }
        for h in ratings.held_subjects(found)
    ]
    return s.PeriodDetail(
        **period_body(found).model_dump(),
        held=held,
        objections_open=period_rules.open_objection_count(found),
        notice_held=bool(period_rules.notice_held(found)),
    )


@blueprint.route("/periods/<int:period_id>/schedule", methods=["POST"])
@token_required(access.ADMIN)
@spec.validate(
    json=s.Schedule,
    resp=answers(400, 401, 403, 404, 409, 422, HTTP_200=s.Period),
    operation_id="schedulePeriod",
)
def schedule_period(period_id):
    """安排发布时间(北京时间,或带时区的 ISO 时间)"""
    found = period_or_404(period_id)
    body = request.context.json
    try:
        when = datetime.datetime.fromisoformat(body.publish_at.strip())
    except ValueError:
        raise ApiError(
            400, "bad_request", N_("publish_at 应为 ISO 日期时间,如 2026-01-15T09:00"), field="publish_at"
        ) from None
    if when.tzinfo is not None:
        when = when.astimezone(scheduler.LOCAL_ZONE).replace(tzinfo=None)
    administration.schedule_period(g.actor, found, when, body.notice_days)
    return period_body(period_rules.find(period_id))
