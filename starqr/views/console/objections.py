"""Objections to published results: the list and the decision page."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from starqr.services import administration, rubrics
from starqr.services.consoles import admin_pages
from starqr.views.console.admin import OVERSEERS, admin
from starqr.views.console.auth import (
    ADMINISTRATORS,
    can_manage,
    can_view,
    current_actor,
    roles_required,
)
from starqr.views.console.forms import ResolveForm
from starqr.views.console.helpers import actor, attempt, choices


@admin.route("/admin/objections")
@roles_required(*OVERSEERS)
def objections():
    status = request.args.get("status", "open")
    if status not in ("open", "accepted", "rejected"):
        status = "open"
    return render_template(
        "console/admin/objections.html", rows=admin_pages.objections(current_actor(), status), status=status
    )


@admin.route("/admin/objections/<int:objection_id>", methods=["GET", "POST"])
@roles_required(*OVERSEERS)
def objection(objection_id):
    found = admin_pages.objection(objection_id) or abort(404)
    org, subject = admin_pages.objection_org(found)
    if not can_view(org):
        abort(404)
    _version, rubric = rubrics.current_rubric(rubrics.subject_rubric_key(subject))
    form = ResolveForm()
    form.item.choices = choices([("", _("(不更正积分)"))] + [(i.id, f"{i.name}({i.id})") for i in rubric.items])
    if request.method == "POST":
        if current_user.role not in ADMINISTRATORS or not can_manage(org):
            abort(403)
        if form.validate_on_submit():
            accepted = form.decision.data == "accept"
            done = attempt(
                lambda: administration.resolve_objection(
                    actor(),
                    found,
                    accepted,
                    form.reason.data,
                    item=form.item.data or None if accepted else None,
                    points=form.points.data if accepted else None,
                ),
                lambda result: (
                    _("异议已采纳,重新评定 %(count)s 个结果", count=result[1])
                    if accepted
                    else _("异议已驳回,理由将在公开页面显示")
                ),
                url_for("admin.objections"),
            )
            if done:
                return done
    return render_template(
        "console/admin/objection.html",
        objection=found,
        subject=subject,
        org=org,
        form=form,
        can_resolve=current_user.role in ADMINISTRATORS and found.status == "open",
        context=admin_pages.objection_context(found),
        item_names={i.id: i.name for i in rubric.items},
    )
