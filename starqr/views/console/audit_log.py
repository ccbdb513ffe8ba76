"""The audit log (操作日志) in words, administrators only: filters and a CSV export."""

import csv
import datetime
import io

from flask import render_template, request
from flask_babel import gettext as _

from starqr.services import paging
from starqr.services.consoles import admin_pages, audit_words
from starqr.views.console.admin import admin
from starqr.views.console.auth import ADMIN, require_organisation_access, roles_required
from starqr.views.console.helpers import CSV, attachment

PER_PAGE = 100
CSV_LIMIT = 50_000


def _date(name):
    try:
        return datetime.date.fromisoformat((request.args.get(name) or "").strip())
    except ValueError:
        return None


def _filters():
    organisation_id = request.args.get("org", type=int)
    return {
        "actor": (request.args.get("actor") or "").strip()[:60],
        "action": (request.args.get("action") or "").strip()[:60],
        "organisation": require_organisation_access(organisation_id) if organisation_id else None,
        "date_from": _date("from"),
        "date_to": _date("to"),
    }


def _args(filters):
    """The filters as query-string arguments (for paging and the export link)."""
    return {
        "actor": filters["actor"] or None,
        "action": filters["action"] or None,
        "org": filters["organisation"].id if filters["organisation"] else None,
        "from": filters["date_from"].isoformat() if filters["date_from"] else None,
        "to": filters["date_to"].isoformat() if filters["date_to"] else None,
    }


@admin.route("/admin/audit")
@roles_required(ADMIN)
def audit():
    filters = _filters()
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 100000))
    rows = paging.rows(audit_words.query(**filters), PER_PAGE + 1, (page - 1) * PER_PAGE)
    return render_template(
        "console/admin/audit.html",
        entries=audit_words.describe(rows[:PER_PAGE]),
        more=len(rows) > PER_PAGE,
        page=page,
        filters=filters,
        args=_args(filters),
        people=audit_words.people(),
        actions=audit_words.ACTIONS,
        action_codes=audit_words.action_codes(),
        towns=admin_pages.towns(),
    )


@admin.route("/admin/audit.csv")
@roles_required(ADMIN)
def audit_csv():
    filters = _filters()
    rows = paging.rows(audit_words.query(**filters), CSV_LIMIT)
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a byte-order mark
    writer = csv.writer(out)
    writer.writerow(
        [_("时间（北京）"), _("操作人"), _("操作"), _("对象类型"), _("对象"), _("字段"), _("之前"), _("之后")]
    )
    empty = _("（空）")
    for entry in audit_words.describe(rows):
        head = [
            entry["when"].strftime("%Y-%m-%d %H:%M:%S"),
            entry["who"],
            _(entry["action"]),
            _(entry["kind"]),
            entry["target"],
        ]
        for field, before, after in entry["changes"] or [("", None, None)]:
            writer.writerow(
                head
                + [_(field) if field else "", before or (empty if field else ""), after or (empty if field else "")]
            )
    return attachment(out.getvalue(), CSV, "starqr-audit.csv")
