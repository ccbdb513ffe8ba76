"""Bulk import pages: upload → validation and preview → confirm → background run with progress."""

import os

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SubmitField

from starqr.models import ImportBatch, RatingPeriod
from starqr import tasks
from starqr.services import jobs_health, rubrics
from starqr.services import imports as file_imports
from starqr.services.imports.errors import RowError
from starqr.views.console.admin import STATE_NAMES, admin, choices
from starqr.views.console.auth import ADMIN, ADMINISTRATORS, current_actor, roles_required
from starqr.views.console.helpers import error_text


class UploadForm(FlaskForm):
    period = SelectField(_l("评定期"), coerce=int, validate_choice=False)
    file = FileField(_l("导入文件(XLSX 或 CSV,UTF-8 / GBK)"), validators=[FileRequired(_l("请选择文件"))])
    submit = SubmitField(_l("检查并预览"))


class ConfirmImportForm(FlaskForm):
    period = HiddenField()
    sha = HiddenField()
    filename = HiddenField()
    submit = SubmitField(_l("确认导入"))


def _open_periods():
    return list(
        RatingPeriod.select()
        .where(RatingPeriod.state != "final")
        .order_by(RatingPeriod.year.desc(), RatingPeriod.id.desc())
    )


def _visible_batches():
    query = ImportBatch.select().order_by(ImportBatch.id.desc())
    if current_user.role != ADMIN:
        query = query.where(ImportBatch.created_by == current_user.username)
    return query


def recent_batches(kinds, limit=10):
    """The newest batches of KINDS the user may see (the onboarding page lists the tree and roster ones)."""
    return list(_visible_batches().where(ImportBatch.kind.in_(kinds)).limit(limit))


@admin.route("/imports")
@roles_required(*ADMINISTRATORS)
def imports():
    form = UploadForm()
    form.period.choices = choices([(p.id, f"{p.name}({STATE_NAMES.get(p.state, p.state)})") for p in _open_periods()])
    return render_template(
        "console/imports/index.html",
        form=form,
        batches=list(_visible_batches().limit(20)),
        rubric_keys=rubrics.rubric_keys(),
    )


@admin.route("/imports/preview", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def import_preview():
    form = UploadForm()
    form.period.choices = choices([(p.id, p.name) for p in _open_periods()])
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("admin.imports"))
    period = RatingPeriod.get_or_none(RatingPeriod.id == form.period.data)
    if period is None:
        flash(_("请选择评定期"), "error")
        return redirect(url_for("admin.imports"))
    data = form.file.data.read()
    filename = os.path.basename(form.file.data.filename or "import.csv")
    try:
        result = file_imports.run(period, data, filename, current_actor(), dry_run=True)
    except file_imports.ImportFileError as error:
        return render_template(
            "console/imports/preview.html",
            period=period,
            filename=filename,
            plan=None,
            kind="points",
            file_error=error_text(error),
            confirm=None,
        ), 422
    confirm = None
    if result.ok:
        sha = file_imports.store_upload(data, filename, current_app.instance_path)
        confirm = ConfirmImportForm(period=str(period.id), sha=sha, filename=filename, formdata=None)
    return render_template(
        "console/imports/preview.html",
        period=period,
        filename=filename,
        plan=result,
        kind="points",
        file_error=None,
        error_lines=result.error_lines(_),
        confirm=confirm,
    ), (200 if result.ok else 422)


@admin.route("/imports/confirm", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def import_confirm():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    period = RatingPeriod.get_or_none(RatingPeriod.id == (int(form.period.data) if form.period.data.isdigit() else 0))
    if period is None:
        abort(404)
    try:
        data = file_imports.load_upload(form.sha.data, current_app.instance_path)
        batch = file_imports.create_batch(period, data, form.filename.data, current_actor(), current_app.instance_path)
    except file_imports.ImportFileError as error:
        flash(error_text(error), "error")
        return redirect(url_for("admin.imports"))
    tasks.enqueue_import(batch, current_actor())
    return redirect(url_for("admin.import_batch", batch_id=batch.id))


@admin.route("/imports/<int:batch_id>")
@roles_required(*ADMINISTRATORS)
def import_batch(batch_id):
    """A batch's progress (rows checked, then applied), refreshed by the page itself until it ends."""
    jobs_health.sweep_stalled_jobs()  # a batch whose worker died shows as failed, with the reason
    batch = _visible_batches().where(ImportBatch.id == batch_id).first() or abort(404)
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
        body, mimetype = (
            file_imports.template_xlsx(key),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        body, mimetype = file_imports.template_csv(key), "text/csv; charset=utf-8"
    return (
        body,
        200,
        {"Content-Type": mimetype, "Content-Disposition": f"attachment; filename=starqr-import-{key}.{fmt}"},
    )
