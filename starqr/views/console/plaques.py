"""Plaques: a branch's printable codes and sheets (secretaries), look-up, reissue and revoke
(administrators)."""

import csv
import io

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from starqr.models import ORGANISATION
from starqr.plaque import EXPORT_FORMATS, PAPERS, export_codes, render_plaque, write_sheet
from starqr.services import administration
from starqr.services import plaques as plaque_service
from starqr.services.consoles import admin_pages, plaque_scans, secretary_pages
from starqr.views.console import console
from starqr.views.console.admin import admin
from starqr.views.console.auth import (
    ADMINISTRATORS,
    can_manage,
    can_view,
    login_required,
    require_branch_access,
    require_organisation_access,
    require_subject_access,
    roles_required,
    scope_root,
)
from starqr.views.console.forms import PlaqueActionForm
from starqr.views.console.helpers import CSV, actor, attachment, attempt, flash_form_errors

SCAN_PAGE_LIMIT = 500
PLAQUE_MIMETYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


@console.route("/branches/<int:branch_id>/plaques")
@login_required
def branch_plaques(branch_id):
    branch = require_branch_access(branch_id)
    rows = plaque_service.plaques_for_organisation(branch, include_organisations=True)
    rows.sort(key=lambda row: (row[0].subject_kind != ORGANISATION, row[1].name_zh))
    return render_template(
        "console/secretary/plaques.html",
        branch=branch,
        rows=rows,
        base_url=current_app.config["PUBLIC_BASE_URL"],
        public_url=plaque_service.public_url,
    )


@console.route("/plaques/<code>.<fmt>")
@login_required
def plaque_file(code, fmt):
    if fmt not in PLAQUE_MIMETYPES:
        abort(404)
    plaque = secretary_pages.plaque(code) or abort(404)
    require_subject_access(plaque.subject_kind, plaque.subject_id)
    if plaque.status != "active":
        abort(410)

    content = plaque_service.plaque_content(plaque, current_app.config["PUBLIC_BASE_URL"])
    dpi = 600 if request.args.get("dpi") == "600" else 300
    response = Response(render_plaque(content, fmt, dpi=dpi), mimetype=PLAQUE_MIMETYPES[fmt])
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="starqr-{plaque.code}.{fmt}"'
    response.headers["Cache-Control"] = "private, max-age=600"
    if fmt == "svg":
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response


@console.route("/branches/<int:branch_id>/plaques/sheet.pdf")
@login_required
def branch_sheet(branch_id):
    branch = require_branch_access(branch_id)

    contents = plaque_service.sheet_contents(branch, current_app.config["PUBLIC_BASE_URL"])
    if not contents:
        flash(_("本支部还没有可打印的党员挂牌。"), "error")
        return redirect(url_for("console.branch_plaques", branch_id=branch.id))
    paper = request.args.get("paper", "A4")
    if paper not in PAPERS:
        paper = "A4" if "A4" in PAPERS else next(iter(PAPERS))
    buffer = io.BytesIO()
    write_sheet(contents, paper, buffer, title=branch.name_zh, workers=1)
    buffer.seek(0)
    return send_file(
        buffer, mimetype="application/pdf", as_attachment=True, download_name=f"starqr-badges-{branch.id}.pdf"
    )


@console.route("/branches/<int:branch_id>/plaques/codes.<fmt>")
@login_required
def branch_codes(branch_id, fmt):
    branch = require_branch_access(branch_id)

    if fmt not in EXPORT_FORMATS:
        abort(404)
    data = export_codes(list(plaque_service.export_rows(current_app.config["PUBLIC_BASE_URL"], org=branch)), fmt)
    mimetype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"starqr-codes-{branch.id}.{fmt}"
    )


# ---------------------------------------------------------------- administrators


@admin.route("/admin/plaques")
@roles_required(*ADMINISTRATORS)
def plaque_lookup():
    code = plaque_service.normalise(request.args.get("code"))[:16]
    found = subject = org = None
    if code:
        found, subject, org = admin_pages.plaque_with_subject(code)
        if found is not None and not can_view(org):
            found = subject = org = None
    events = plaque_service.events_of(found) if found else []
    return render_template(
        "console/admin/plaques.html",
        code=code,
        plaque=found,
        subject=subject,
        org=org,
        events=events,
        form=PlaqueActionForm(),
    )


@admin.route("/admin/plaques/<code>", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def plaque_action(code):
    found, _subject, org = admin_pages.plaque_with_subject(code)
    if found is None or not can_view(org):
        abort(404)
    if not can_manage(org):
        abort(403)
    form = PlaqueActionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
    elif form.action.data == "reissue":
        done = attempt(
            lambda: administration.reissue_plaque(actor(), found.code, form.reason.data),
            lambda new: _("已补发新码 %(code)s,旧码 %(old)s 已作废", code=new.code, old=found.code),
            lambda new: url_for("admin.plaque_lookup", code=new.code),
        )
        if done:
            return done
    else:
        attempt(
            lambda: administration.revoke_plaque(actor(), found.code, form.reason.data),
            _("牌匾 %(code)s 已作废", code=found.code),
            None,
        )
    return redirect(url_for("admin.plaque_lookup", code=found.code))


# ---------------------------------------------------------------- scans per plaque

SCAN_LIST_NAMES = {"all": _l("全部牌匾"), "never": _l("从未被扫码"), "stale": _l("90天未被扫码")}


def _scan_scope():
    organisation_id = request.args.get("org", type=int)
    organisation = require_organisation_access(organisation_id) if organisation_id else scope_root()
    which = request.args.get("list", "never")
    return organisation, (which if which in plaque_scans.KINDS else "never")


@admin.route("/admin/plaques/scans")
@roles_required(*ADMINISTRATORS)
def plaque_scan_list():
    organisation, which = _scan_scope()
    rows = plaque_scans.plaque_scans(organisation, which, limit=SCAN_PAGE_LIMIT + 1)
    return render_template(
        "console/admin/plaque_scans.html",
        rows=rows[:SCAN_PAGE_LIMIT],
        more=len(rows) > SCAN_PAGE_LIMIT,
        organisation=organisation,
        which=which,
        list_names=SCAN_LIST_NAMES,
        towns=[t for t in admin_pages.towns() if can_view(t)],
    )


@admin.route("/admin/plaques/scans.csv")
@roles_required(*ADMINISTRATORS)
def plaque_scan_csv():
    organisation, which = _scan_scope()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("支部/组织"), _("对象"), _("牌匾编码"), _("近30天扫码"), _("累计扫码"), _("最近扫码日期")])
    for row in plaque_scans.plaque_scans(organisation, which):
        writer.writerow(
            [
                row["branch"].name_zh if row["branch"] else "",
                row["subject"].name_zh if row["subject"] else "",
                row["plaque"].code,
                row["recent"],
                row["total"],
                row["last"].isoformat() if row["last"] else "",
            ]
        )
    return attachment(out.getvalue(), CSV, f"starqr-plaques-{which}.csv")
