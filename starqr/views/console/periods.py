"""Rating periods: create, compute drafts, schedule and unschedule publication."""

import datetime

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from starqr.services import administration, period_rules, scheduler
from starqr.services.consoles import admin_pages
from starqr.views.console.admin import OVERSEERS, admin
from starqr.views.console.auth import ADMIN, roles_required
from starqr.views.console.forms import ActionForm, PeriodForm, ScheduleForm
from starqr.views.console.helpers import actor, attempt, button, flash_form_errors


def _period_url(period_id):
    return url_for("admin.period", period_id=period_id)


@admin.route("/admin/periods", methods=["GET", "POST"])
@roles_required(*OVERSEERS)
def periods():
    form = PeriodForm()
    if request.method == "POST":
        if current_user.role != ADMIN:
            abort(403)
        if form.validate_on_submit():
            done = attempt(
                lambda: administration.create_period(
                    actor(),
                    form.name.data,
                    form.year.data,
                    form.starts_on.data,
                    form.ends_on.data,
                    kind=form.kind.data,
                    quarter=form.quarter.data,
                    notice_days=form.notice_days.data,
                ),
                lambda period: _("已新建评定期 %(name)s", name=period.name),
                lambda period: _period_url(period.id),
            )
            if done:
                return done
    elif not form.year.data:
        # Suggest the first year without a yearly period: never one that already exists.
        taken = {p.year for p in admin_pages.periods() if p.kind == "year"}
        year = datetime.date.today().year
        while year in taken:
            year += 1
        form.year.data, form.starts_on.data = year, datetime.date(year, 1, 1)
        form.ends_on.data, form.name.data = datetime.date(year, 12, 31), f"{year}年度"
    return render_template(
        "console/admin/periods.html", periods=admin_pages.periods(), form=form, can_edit=current_user.role == ADMIN
    )


@admin.route("/admin/periods/<int:period_id>")
@roles_required(*OVERSEERS)
def period(period_id):
    found = period_rules.find(period_id) or abort(404)
    form = ScheduleForm()
    local = scheduler.to_local(found.publish_at) if found.publish_at else None
    if local is None:
        local = administration.now_local() + datetime.timedelta(days=1)
        local = local.replace(hour=9, minute=0)
    form.publish_date.data, form.publish_time.data = local.date(), local.strftime("%H:%M")
    form.notice_days.data = found.notice_days
    charts = admin_pages.distribution_by_rubric(found)
    return render_template(
        "console/admin/period.html",
        period=found,
        form=form,
        action_form=ActionForm(),
        charts=charts,
        drafts=sum(c["total"] for c in charts),
        holds=admin_pages.period_holds(found),
        can_edit=current_user.role == ADMIN,
        now_local=administration.now_local(),
    )


def _period(period_id):
    return period_rules.find(period_id) or abort(404)


def _back(period):
    return _period_url(period.id)


def _drafted(count):
    return _("已计算 %(count)s 个草稿评定结果", count=count)


def _scheduled(result):
    when, days = result
    return _("已安排在北京时间 %(when)s 发布,公示 %(days)s 天", when=when.strftime("%Y-%m-%d %H:%M"), days=days)


@admin.route("/admin/periods/<int:period_id>/draft", methods=["POST"])
@roles_required(ADMIN)
@button(_period, ActionForm, _drafted, _back)
def period_draft(period, form):
    return administration.compute_draft(actor(), period)


@admin.route("/admin/periods/<int:period_id>/schedule", methods=["POST"])
@roles_required(ADMIN)
@button(_period, ScheduleForm, _scheduled, _back, invalid=flash_form_errors)
def period_schedule(period, form):
    when = administration.parse_local(form.publish_date.data.isoformat(), form.publish_time.data)
    administration.schedule_period(actor(), period, when, form.notice_days.data)
    return when, period.notice_days


@admin.route("/admin/periods/<int:period_id>/unschedule", methods=["POST"])
@roles_required(ADMIN)
@button(_period, ActionForm, _l("已取消发布安排"), _back)
def period_unschedule(period, form):
    return administration.unschedule_period(actor(), period)
