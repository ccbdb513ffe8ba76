"""The audit log (操作日志), administrators only."""
from flask import render_template, request

from starqr.services.consoles import admin_pages
from starqr.views.console.admin import admin
from starqr.views.console.auth import ADMIN, roles_required


@admin.route("/admin/audit")
@roles_required(ADMIN)
def audit():
    actor = (request.args.get("actor") or "").strip()[:60]
    action = (request.args.get("action") or "").strip()[:60]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, more = admin_pages.audit_rows(actor, action, page)
    return render_template("console/admin/audit.html", rows=rows, more=more, page=page, actor=actor, action=action)
