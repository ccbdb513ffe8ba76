"""Points events (积分) for members and branches, and corrections of recorded entries."""
import datetime

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _

from starqr.services import members as member_service
from starqr.services.consoles import secretary_pages
from starqr.views.console import console
from starqr.views.console.auth import (
    WRITERS,
    require_branch_access,
    require_member_access,
    require_subject_access,
    roles_required,
)
from starqr.views.console.commitments import subject_url
from starqr.views.console.forms import CorrectionForm, PointsForm
from starqr.views.console.helpers import actor, attempt, choices, form_page
from starqr.views.console.names import ITEM_KIND_NAMES


def _points(subject):
    periods = member_service.open_periods()
    back = subject_url(subject)
    if not periods:
        flash(_("目前没有可以记录积分的评星周期，请联系组织管理员。"), "error")
        return redirect(back)
    _version, rubric = member_service.subject_rubric(subject)
    items = member_service.recordable_items(rubric)
    form = PointsForm()
    form.period.choices = choices([(p.id, p.name) for p in periods])
    form.item.choices = choices([(i.id, _item_label(i)) for i in items])
    if request.method == "GET":
        form.occurred_on.data = datetime.date.today()
    if form.validate_on_submit():
        period = next(p for p in periods if p.id == form.period.data)
        done = attempt(
            lambda: member_service.record_points(
                actor(), subject, period, form.item.data, form.reason.data, count=form.count.data or 1,
                value=form.value.data, occurred_on=form.occurred_on.data, evidence=form.evidence.data,
                public_reason=form.public_reason.data),
            lambda entries: _("已记录：%(item)s %(points)s 分，扫码页已更新。", item=rubric.item(form.item.data).name,
                              points=f"{sum(e.points for e in entries):+}"),
            back, field=form.item)
        if done:
            return done
    return render_template("console/secretary/points.html", form=form, subject=subject, back=back, items=items,
                           rubric=rubric, kind_names=ITEM_KIND_NAMES)


def _item_label(item):
    if item.kind in ("event", "bonus") and item.points is not None:
        points = f"{item.points:+g}"
        cap = _("，上限%(cap)s", cap=f"{item.cap:g}") if item.cap else ""
        return _("%(name)s（每次%(points)s分%(cap)s）", name=item.name, points=points, cap=cap)
    return f"{item.name}（{item.min:g}–{item.max:g}）"


@console.route("/members/<int:member_id>/points", methods=["GET", "POST"])
@roles_required(*WRITERS)
def member_points(member_id):
    return _points(require_member_access(member_id, write=True))


@console.route("/branches/<int:branch_id>/points", methods=["GET", "POST"])
@roles_required(*WRITERS)
def branch_points(branch_id):
    return _points(require_branch_access(branch_id, write=True))


@console.route("/entries/<int:entry_id>/correct", methods=["GET", "POST"])
@roles_required(*WRITERS)
def correct_entry(entry_id):
    entry = secretary_pages.ledger_entry(entry_id) or abort(404)
    subject = require_subject_access(entry.subject_kind, entry.subject_id, write=True)
    form = CorrectionForm()
    if form.validate_on_submit():
        done = attempt(lambda: member_service.correct_entry(actor(), entry, form.reason.data, form.new_points.data),
                       _("已冲销原记录并记入更正。原记录保留可查。"), subject_url(subject), field=form.reason)
        if done:
            return done
    note = _("原记录：%(item)s %(points)s 分，%(reason)s（%(by)s 记录）", item=entry.item, points=f"{entry.points:+}",
             reason=entry.reason, by=entry.recorded_by)
    return form_page(form, _("更正积分记录"), subject_url(subject), note=note)
