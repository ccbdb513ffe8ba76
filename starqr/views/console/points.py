"""Points events (积分) for members and branches, and corrections of recorded entries."""

import datetime
from typing import NamedTuple

from flask import abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _

from starqr.services import entry_photos, rating_inputs
from starqr.services import commitments
from starqr.services import points_events
from starqr.services.consoles import secretary_pages
from starqr.views.console import console
from starqr.views.console.auth import (
    WRITERS,
    login_required,
    require_subject_access,
    roles_required,
)
from starqr.views.console.commitments import public_evidence, send_evidence, subject_pages, subject_url
from starqr.views.console.forms import CorrectionForm, PointsForm
from starqr.views.console.helpers import actor, attempt, choices, edit_page


def item_rule(item, rubric, component=None):
    """The item's rule in plain words, with its points."""
    if item.kind == "veto":
        return _("一经记录，本期评星即被否决（不论得分多少，评为不合格）。")
    if item.kind == "gate":
        return _("基本条件：具备填 1，不具备填 0。不具备时最高只能评一星。")
    if item.points is not None and item.points < 0:
        rule = _("每发生一次扣 %(points)s 分。", points=f"{-item.points:g}")
        if component is not None and component.mode == "deduct_only":
            rule += _("本部分满分 %(max)s 分，只扣不加。", max=f"{component.max:g}")
        return rule
    if item.points is not None:
        rule = _("每次加 %(points)s 分。", points=f"{item.points:g}")
        if item.cap:
            rule += _("本期最多加 %(cap)s 分。", cap=f"{item.cap:g}")
        if item.kind == "bonus" and rubric.bonus_cap:
            rule += _("加分项合计最多 %(cap)s 分。", cap=f"{rubric.bonus_cap:g}")
        return rule
    if component is not None and component.mode == "ratio":
        return _(
            "填写完成比例：0 到 1（0.8 表示完成八成），折算为本部分 %(max)s 分中的得分。", max=f"{component.max:g}"
        )
    if component is not None and component.mode == "scale" and component.factor:
        return _(
            "填写 %(min)s 到 %(max)s 之间的数值，乘以 %(factor)s 计入（本部分满分 %(cmax)s 分）。",
            min=f"{item.min:g}",
            max=f"{item.max:g}",
            factor=f"{component.factor:g}",
            cmax=f"{component.max:g}",
        )
    return _("填写 %(min)s 到 %(max)s 之间的得分。", min=f"{item.min:g}", max=f"{item.max:g}")


def item_groups(rubric, items):
    """[(group name, [(item, rule, field)])] as the rubric groups them, and the veto items apart.

    field: "count" for items with fixed points per event, "value" for those that take a number,
    None for veto items (recorded as triggered)."""
    components = {c.id: c for c in rubric.components}
    groups, order = {}, []

    def add(key, name, item, component=None):
        if key not in groups:
            groups[key] = (name, [])
            order.append(key)
        field = None if item.kind == "veto" else ("count" if item.points is not None else "value")
        groups[key][1].append((item, item_rule(item, rubric, component), field))

    vetoes = []
    for item in items:
        if item.kind == "veto":
            vetoes.append((item, item_rule(item, rubric), None))
        elif item.kind == "bonus":
            add("bonus", rubric.bonus_name, item)
        elif item.kind == "gate":
            add("gate", rubric.gate.name if rubric.gate else _("基本条件"), item)
        else:
            component = components.get(item.component)
            add(f"c:{item.component}", component.name if component else _("其他"), item, component)
    return [groups[key] for key in order], vetoes


class ItemMenu(NamedTuple):
    """What the points page offers for a subject in a period: its rubric, the items grouped as
    the rubric groups them (item_groups), the veto items apart, every item by id, and the
    current (value, date) of each value item a new entry would replace."""

    rubric: object  # starqr.rating.Rubric
    groups: list
    vetoes: list
    by_id: dict
    current: dict


def item_menu(subject, period):
    _version, rubric = points_events.subject_rubric(subject)
    items = points_events.recordable_items(rubric)
    by_id = {item.id: item for item in items}
    return ItemMenu(rubric, *item_groups(rubric, items), by_id, rating_inputs.current_values(subject, period))


@subject_pages("points", "member_points", "branch_points")
def _points(subject):
    periods = points_events.open_periods()
    back = subject_url(subject)
    if not periods:
        flash(_("目前没有可以记录积分的评星周期，请联系组织管理员。"), "error")
        return redirect(back)
    form = PointsForm()
    form.period.choices = choices([(p.id, p.name) for p in periods])
    if request.method == "GET":
        form.occurred_on.data = datetime.date.today()
    chosen = next((p for p in periods if p.id == form.period.data), periods[0])
    # Value items take the latest entry: say what a new entry would replace, before saving it.
    menu = item_menu(subject, chosen)
    replacing = None
    if form.validate_on_submit():
        item = menu.by_id.get(form.item.data)
        replacing = menu.current.get(item.id) if item is not None and item.kind in rating_inputs.VALUE_KINDS else None
        if item is None:
            form.item.errors = list(form.item.errors) + [_("请选择积分项目")]
        elif item.kind == "veto" and not form.veto_confirmed.data:
            form.veto_confirmed.errors = [_("否决项会使本期评星直接不合格，请勾选确认后再提交。")]
        elif replacing is not None and not form.replace_confirmed.data:
            form.replace_confirmed.errors = [
                _(
                    "将替换 %(date)s 记录的 %(value)s；请勾选确认后再提交。",
                    value=f"{replacing[0]:g}",
                    date=replacing[1],
                )
            ]
        else:
            done = _record(subject, item, form, chosen, back)
            if done:
                return done
    return render_template(
        "console/secretary/points.html", form=form, subject=subject, back=back, menu=menu, replacing=replacing
    )


def _record(subject, item, form, period, back):
    fixed = item.points is not None and item.kind in ("event", "bonus")
    value = 1 if item.kind == "veto" else (None if fixed else form.value.data)
    photo = form.photo.data.read(commitments.MAX_EVIDENCE_BYTES + 1) if form.photo.data else None
    return attempt(
        lambda: entry_photos.record_with_photo(
            actor(),
            subject,
            period,
            item.id,
            form.reason.data,
            current_app.config["UPLOAD_FOLDER"],
            photo=photo,
            photo_public=form.photo_public.data,
            count=(form.count.data or 1) if fixed else 1,
            value=value,
            occurred_on=form.occurred_on.data,
            evidence=form.evidence.data,
            public_reason=form.public_reason.data,
        ),
        lambda entries: _(
            "已记录：%(item)s %(points)s 分，扫码页已更新。",
            item=item.name,
            points=f"{sum(e.points for e in entries):+}",
        ),
        back,
        field=form.item,
    )


@console.route("/entries/<int:entry_id>/correct", methods=["GET", "POST"])
@roles_required(*WRITERS)
def correct_entry(entry_id):
    entry = secretary_pages.ledger_entry(entry_id) or abort(404)
    subject = require_subject_access(entry.subject_kind, entry.subject_id, write=True)
    form = CorrectionForm()

    def save():
        return points_events.correct_entry(actor(), entry, form.reason.data, form.new_points.data)

    note = _(
        "原记录：%(item)s %(points)s 分，%(reason)s（%(by)s 记录）",
        item=entry.item,
        points=f"{entry.points:+}",
        reason=entry.reason,
        by=entry.recorded_by,
    )
    message = _("已冲销原记录并记入更正。原记录保留可查。")
    back = subject_url(subject)
    return edit_page(form, save, message, back, _("更正积分记录"), back, note=note, field=form.reason)


@console.route("/entries/<int:entry_id>/photos/<name>")
@login_required
def entry_photo(entry_id, name):
    entry = secretary_pages.ledger_entry(entry_id) or abort(404)
    require_subject_access(entry.subject_kind, entry.subject_id)
    found = entry_photos.photo_file(name, current_app.config["UPLOAD_FOLDER"])
    if found is None or found[0].entry_id != entry.id:
        abort(404)
    return send_evidence(found[1])


@public_evidence.route("/evidence/entries/<name>")
def public_entry_photo(name):
    """A photo evidencing a points event, only if it was marked public."""
    found = entry_photos.photo_file(name, current_app.config["UPLOAD_FOLDER"], public_only=True)
    if found is None:
        abort(404)
    response = send_evidence(found[1])
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
