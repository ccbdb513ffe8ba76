"""A secretary's branch: its home page and its public details."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from flask_login import current_user

from starqr.services import contests
from starqr.services import members as member_service
from starqr.services import member_rules
from starqr.services.consoles import secretary_pages, standing
from starqr.views.console import console
from starqr.views.console.auth import (
    WRITERS,
    can_manage,
    login_required,
    require_branch_access,
    roles_required,
)
from starqr.views.console.forms import BranchForm
from starqr.views.console.helpers import actor, form_page
from starqr.views.console.names import FLAG_NAMES


@console.route("/branches/<int:branch_id>")
@login_required
def branch(branch_id):
    branch = require_branch_access(branch_id)
    show_all = request.args.get("all") == "1"
    page = secretary_pages.branch_page(branch, show_all)
    return render_template(
        "console/secretary/branch.html",
        branch=branch,
        show_all=show_all,
        writable=can_manage(branch),
        standing=standing.branch_standing(branch, page["members"]),
        flag_names=FLAG_NAMES,
        judging=contests.open_rounds_judged_by(current_user.id),
        **page,
    )


@console.route("/branches/<int:branch_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit_branch(branch_id):
    branch = require_branch_access(branch_id, write=True)
    form = BranchForm(obj=branch)
    if form.validate_on_submit():
        member_service.edit_branch(
            actor(), branch, {f.name: f.data for f in form if f.name in member_rules.BRANCH_FIELDS}
        )
        flash(_("支部信息已保存。"), "success")
        return redirect(url_for("console.branch", branch_id=branch.id))
    return form_page(form, _("编辑支部信息"), url_for("console.branch", branch_id=branch.id))
