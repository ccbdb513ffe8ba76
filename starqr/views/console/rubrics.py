"""Rubrics: versions, upload with a preview of how stars would move."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from starqr import rating
from starqr.services import period_rules, rubric_uploads, rubrics
from starqr.services.consoles import admin_pages
from starqr.views.console.admin import OVERSEERS, admin
from starqr.views.console.auth import ADMIN, roles_required
from starqr.views.console.forms import RubricUploadForm
from starqr.views.console.helpers import actor, attachment, choices, error_text
from starqr.views.console.names import STATE_NAMES


def period_choices():
    return choices([(p.id, f"{p.name}({STATE_NAMES.get(p.state, p.state)})") for p in admin_pages.periods()])


@admin.route("/admin/rubrics", endpoint="rubrics")
@roles_required(*OVERSEERS)
def rubrics_list():
    return render_template("console/admin/rubrics.html", keys=rubrics.rubric_keys())


def _uploaded_text(form):
    """The YAML from the file (if any) or the text box; an error on form.text otherwise."""
    text = form.text.data or ""
    if form.file.data:
        try:
            text = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.text.errors.append(_("文件应为 UTF-8 编码的 YAML"))
            return ""
    if not text.strip():
        form.text.errors.append(_("请粘贴或上传评分标准文件"))
    return text


@admin.route("/admin/rubrics/<key>", methods=["GET", "POST"])
@roles_required(*OVERSEERS)
def rubric(key):
    versions = admin_pages.rubric_versions(key) or abort(404)
    shown = versions[0]
    asked = request.args.get("version", type=int)
    if asked:
        shown = next((v for v in versions if v.version == asked), None) or abort(404)
    form = RubricUploadForm()
    form.period.choices = period_choices()
    preview = None
    if request.method == "POST":
        if current_user.role != ADMIN:
            abort(403)
        text = _uploaded_text(form) if form.validate_on_submit() else ""
        if text.strip() and not form.text.errors:
            form.text.data = text
            try:
                if form.save.data:
                    row = rubric_uploads.upload_rubric(actor(), text, expected_key=key)
                    flash(_("已保存 %(name)s 第 %(version)s 版", name=row.name, version=row.version), "success")
                    return redirect(url_for("admin.rubric", key=key))
                period = period_rules.find(form.period.data)
                if period is None:
                    form.period.errors.append(_("请选择评定期"))
                else:
                    new, moves, before, after = rubric_uploads.rubric_preview(text, period, expected_key=key)
                    preview = {"rubric": new, "moves": moves, "before": before, "after": after, "period": period}
            except rating.RubricError as error:
                form.text.errors.append(_("评分标准有误:%(error)s", error=error_text(error)))
    affected, protected = period_rules.periods_affected_by(key)
    return render_template(
        "console/admin/rubric.html",
        key=key,
        versions=versions,
        shown=shown,
        parsed=rubrics.parsed(shown),
        form=form,
        preview=preview,
        can_upload=current_user.role == ADMIN,
        affected=affected,
        protected=protected,
    )


@admin.route("/admin/rubrics/<key>/v<int:version>.yaml")
@roles_required(*OVERSEERS)
def rubric_file(key, version):
    row = admin_pages.rubric_version(key, version) or abort(404)
    return attachment(row.text, "text/yaml; charset=utf-8", f"{key}-v{version}.yaml")
