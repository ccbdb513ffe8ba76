"""The organisation tree: browse and search within the administrator's scope."""

from flask import render_template, request

from starqr.services.consoles import admin_pages
from starqr.views.console.admin import OVERSEERS, admin
from starqr.views.console.auth import (
    can_view,
    require_organisation_access,
    roles_required,
    scope_members,
    scope_organisations,
    scope_root,
)


@admin.route("/admin/tree")
@roles_required(*OVERSEERS)
def tree():
    organisation_id = request.args.get("org", type=int)
    current = require_organisation_access(organisation_id) if organisation_id else scope_root()
    search = (request.args.get("q") or "").strip()[:60]
    page = admin_pages.tree_page(current, scope_members(), scope_organisations(), search)
    page["chain"] = [org for org in page["chain"] if can_view(org)]
    return render_template("console/admin/tree.html", current=current, search=search, **page)
