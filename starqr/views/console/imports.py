"""Bulk import pages: upload → validation and preview → confirm → background run with progress."""

import os

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SubmitField

from starqr import tasks
from starqr.errors import StarQRError
from starqr.services import jobs_health, period_rules, rubrics
from starqr.services import imports as file_imports
from starqr.services.consoles.import_pages import recent_batches
from starqr.services.imports.errors import RowError
from starqr.views.console.admin import STATE_NAMES, admin, choices
from starqr.views.console.auth import ADMINISTRATORS, current_actor, require_import_batch_access, roles_required
from starqr.views.console.helpers import CSV, XLSX, attachment, error_text, flash_form_errors, valid_or_400

PREVIEW = "console/imports/preview.html"


# ---------------------------------------------------------------- what every kind of import shares


class UploadForm(FlaskForm):
    """A file to check; each kind adds what it is imported into (a period, a kind)."""

    file = FileField(_l("导入文件(XLSX 或 CSV,UTF-8 / GBK)"), validators=[FileRequired(_l("请选择文件"))])
    submit = SubmitField(_l("检查并预览"))


class ConfirmUploadForm(FlaskForm):
    """The checked file, named by its stored sha256; each kind adds its own hidden field."""

    sha = HiddenField()
    filename = HiddenField()
    submit = SubmitField(_l("确认导入"))


def uploaded(form, default_name):
    """(data, filename) of a valid upload FORM; None after flashing its errors."""
    if not form.validate_on_submit():
        flash_form_errors(form, with_labels=False)
        return None
    return form.file.data.read(), os.path.basename(form.file.data.filename or default_name)


def preview_page(kind, data, filename, run, confirm_form, **context):
    """The preview of an uploaded file, whatever it imports. RUN checks it (a dry run): a file that
    cannot be read answers 422 saying why; a plan with errors answers 422 listing them; a clean
    plan keeps the file and offers CONFIRM_FORM, made from the stored file's sha256."""
    try:
        plan, file_error = run(), None
    except StarQRError as error:
        plan, file_error = None, error_text(error)
    ok = plan is not None and plan.ok
    context.update(kind=kind, filename=filename, plan=plan, file_error=file_error)
    if plan is not None:
        context["error_lines"] = plan.error_lines(_)
    context["confirm"] = (
        confirm_form(file_imports.store_upload(data, filename, current_app.instance_path)) if ok else None
    )
    return render_template(PREVIEW, **context), (200 if ok else 422)


def queue(period, sha, filename, back, kind="points"):
    """Queue the checked file as a background batch (every size: one path, one progress page)."""
    try:
        data = file_imports.load_upload(sha, current_app.instance_path)
        batch = file_imports.create_batch(period, data, filename, current_actor(), current_app.instance_path, kind=kind)
    except StarQRError as error:
        flash(error_text(error), "error")
        return redirect(back)
    tasks.enqueue_import(batch, current_actor())
    return redirect(url_for("admin.import_batch", batch_id=batch.id))


# ---------------------------------------------------------------- points


class PointsUploadForm(UploadForm):
    period = SelectField(_l("评定期"), coerce=int, validate_choice=False)


class ConfirmPointsForm(ConfirmUploadForm):
    period = HiddenField()


@admin.route("/imports")
@roles_required(*ADMINISTRATORS)
def imports():
    form = PointsUploadForm()
    form.period.choices = choices(
        [(p.id, f"{p.name}({STATE_NAMES.get(p.state, p.state)})") for p in period_rules.unfinished_periods()]
    )
    return render_template(
        "console/imports/index.html",
        form=form,
        batches=recent_batches(current_actor()),
        rubric_keys=rubrics.rubric_keys(),
    )


@admin.route("/imports/preview", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def import_preview():
    form = PointsUploadForm()
    form.period.choices = choices([(p.id, p.name) for p in period_rules.unfinished_periods()])
    upload = uploaded(form, "import.csv")
    if upload is None:
        return redirect(url_for("admin.imports"))
    period = period_rules.find(form.period.data)
    if period is None:
        flash(_("请选择评定期"), "error")
        return redirect(url_for("admin.imports"))
    data, filename = upload
    return preview_page(
        "points",
        data,
        filename,
        lambda: file_imports.run(period, data, filename, current_actor(), dry_run=True),
        lambda sha: ConfirmPointsForm(period=str(period.id), sha=sha, filename=filename, formdata=None),
        period=period,
    )


@admin.route("/imports/confirm", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def import_confirm():
    form = valid_or_400(ConfirmPointsForm())
    period = period_rules.find(int(form.period.data) if form.period.data.isdigit() else 0) or abort(404)
    return queue(period, form.sha.data, form.filename.data, url_for("admin.imports"))


@admin.route("/imports/<int:batch_id>")
@roles_required(*ADMINISTRATORS)
def import_batch(batch_id):
    """A batch's progress (rows checked, then applied), refreshed by the page itself until it ends."""
    jobs_health.sweep_stalled_jobs()  # a batch whose worker died shows as failed, with the reason
    batch = require_import_batch_access(batch_id)
    running = batch.status in ("pending", "running")
    return render_template(
        "console/imports/batch.html",
        batch=batch,
        running=running,
        percent=progress_percent(batch),
        error_lines=[RowError.from_dict(e).text(_) for e in batch.errors],
    )


def progress_percent(batch):
    """The bar: checking fills the first half, applying the second; None while the length is unknown."""
    if batch.status == "done":
        return 100
    if batch.status == "pending":
        return 0
    if not batch.rows_total:
        return None if batch.status == "running" else 0
    return min(100, int(50 * (batch.rows_checked + batch.rows_done) / batch.rows_total))


@admin.route("/imports/templates/<key>.<fmt>")
@roles_required(*ADMINISTRATORS)
def import_template(key, fmt):
    if key not in dict(rubrics.rubric_keys()) or fmt not in ("xlsx", "csv"):
        abort(404)
    if fmt == "xlsx":
        return attachment(file_imports.template_xlsx(key), XLSX, f"starqr-import-{key}.xlsx")
    return attachment(file_imports.template_csv(key), CSV, f"starqr-import-{key}.csv")
