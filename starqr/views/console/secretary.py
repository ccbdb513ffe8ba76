"""Secretaries' work: their branch, members, posts, commitments, points and plaques."""
from flask import Blueprint, render_template

from starqr.models import Member
from starqr.views.console import console
from starqr.views.console.auth import can_manage, login_required, require_branch_access

# Evidence photos of public commitments, served outside the console.
public_evidence = Blueprint("evidence", __name__)


@console.route("/branches/<int:branch_id>")
@login_required
def branch(branch_id):
    branch = require_branch_access(branch_id)
    members = list(Member.select().where(Member.branch == branch).order_by(Member.active.desc(), Member.name_zh))
    return render_template("console/secretary/branch.html", branch=branch, members=members,
                           writable=can_manage(branch))
