"""Uploads kept between preview and confirmation, and imports run as background batches.

Every kind of import (points, tree, roster) is confirmed the same way: the checked file is
stored, an ImportBatch is queued (starqr.tasks runs it), and the batch records the rows
checked and applied, then "done" with what it did or "failed" with its reasons.
"""

import logging
import os

from starqr.db import database
from starqr.errors import N_, StarQRError
from starqr.log_events import log_failure
from starqr.models import ImportBatch, RatingPeriod, utcnow
from starqr.services import audit
from starqr.services.imports import roster_apply, tree
from starqr.services.imports.errors import ImportFileError, RowError, more_errors
from starqr.services.imports.pipeline import administrator
from starqr.services.imports.points import check_period, run
from starqr.services.imports.reading import is_xlsx, sha256


def imports_folder(instance_path):
    folder = os.path.join(instance_path, "imports")
    os.makedirs(folder, exist_ok=True)
    return folder


KINDS = ("points", "tree", "roster")
log = logging.getLogger("starqr.imports")


def create_batch(period, data, filename, actor, instance_path, kind="points"):
    """Store the file and an ImportBatch (pending), audited as queued by ACTOR (an Actor or a
    name); the task runs it. PERIOD: the points import's period (None for the tree and the
    roster). Returns the batch."""
    if kind not in KINDS:
        raise ImportFileError(N_("未知的导入类型"), code="unknown_import_kind")
    if kind == "points":
        check_period(period)
    else:
        administrator(actor)  # refused at the door, not only when the job runs
        period = None
    digest = sha256(data)
    extension = ".xlsx" if is_xlsx(data, filename) else ".csv"
    path = os.path.join(imports_folder(instance_path), digest + extension)
    with open(path, "wb") as handle:
        handle.write(data)
    with database.atomic():
        batch = ImportBatch.create(
            file_sha256=digest,
            kind=kind,
            period=period,
            status="pending",
            filename=os.path.basename(filename or "import" + extension)[:255],
            created_by=audit.actor_name(actor)[:60],
        )
        audit.record(
            actor,
            "import.queued",
            batch,
            after={"kind": kind, "file": batch.filename, "period": period.id if period else None, "sha256": digest},
        )
    return batch


def store_upload(data, filename, instance_path):
    """Keep an uploaded file between the preview and the confirmation. Returns its sha256."""
    digest = sha256(data)
    extension = ".xlsx" if is_xlsx(data, filename) else ".csv"
    path = os.path.join(imports_folder(instance_path), digest + extension)
    if not os.path.exists(path):
        with open(path, "wb") as handle:
            handle.write(data)
    return digest


def load_upload(digest, instance_path):
    """The bytes of a stored upload (by sha256), or ImportFileError."""
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ImportFileError(N_("上传的文件标识无效,请重新上传"))
    folder = imports_folder(instance_path)
    for extension in (".xlsx", ".csv"):
        path = os.path.join(folder, digest + extension)
        if os.path.exists(path):
            with open(path, "rb") as handle:
                return handle.read()
    raise ImportFileError(N_("上传的文件已不存在,请重新上传"), code="upload_gone")


def batch_file(batch, instance_path):
    folder = imports_folder(instance_path)
    for extension in (".xlsx", ".csv"):
        path = os.path.join(folder, batch.file_sha256 + extension)
        if os.path.exists(path):
            return path
    raise ImportFileError(N_("导入文件已不存在"), code="upload_gone")


def run_batch(batch_id, instance_path, actor=None):
    """Run a stored batch (in the task worker) as ACTOR, keeping its progress and outcome up to date.

    ACTOR None: the system, recorded under the batch's creator's name.
    """
    batch = ImportBatch.get_by_id(batch_id)
    if batch.status not in ("pending",):
        return batch  # already run (a retried task must not import twice)
    claimed = (
        ImportBatch.update(status="running")
        .where(ImportBatch.id == batch_id, ImportBatch.status == "pending")
        .execute()
    )
    if not claimed:
        return ImportBatch.get_by_id(batch_id)

    def progress(checked, total, applied=0):
        ImportBatch.update(rows_checked=checked, rows_total=total, rows_done=applied).where(
            ImportBatch.id == batch_id
        ).execute()

    try:
        with open(batch_file(batch, instance_path), "rb") as handle:
            data = handle.read()
        result = _run(batch, data, actor or batch.created_by, progress)
    except StarQRError as error:
        ImportBatch.update(status="failed", errors=[_file_error(error)], finished_at=utcnow()).where(
            ImportBatch.id == batch_id
        ).execute()
        log_failure(log, "import.failed", error, logging.WARNING, batch=batch_id, kind=batch.kind)
        return ImportBatch.get_by_id(batch_id)
    if result.errors:
        errors = [e.to_dict() for e in result.errors]
        if result.more_errors:
            errors.append(more_errors(result.more_errors).to_dict())
        ImportBatch.update(
            status="failed", errors=errors, rows_total=result.rows, rows_checked=result.rows, finished_at=utcnow()
        ).where(ImportBatch.id == batch_id).execute()
    else:
        outcome = result.outcome()
        ImportBatch.update(
            status="done",
            rows_total=result.rows,
            rows_checked=result.rows,
            rows_done=result.rows,
            rows_imported=outcome["written"],
            outcome=outcome,
            errors=[],
            finished_at=utcnow(),
        ).where(ImportBatch.id == batch_id).execute()
    return ImportBatch.get_by_id(batch_id)


def _run(batch, data, actor, progress):
    """The batch's import, applied (not a dry run)."""
    if batch.kind == "tree":
        return tree.run(data, batch.filename, actor, dry_run=False, progress=progress)
    if batch.kind == "roster":
        return roster_apply.run(data, batch.filename, actor, dry_run=False, progress=progress)
    period = RatingPeriod.get_by_id(batch.period_id)
    return run(period, data, batch.filename, actor, dry_run=False, progress=progress)


def _file_error(error):
    """A file-level refusal as a batch error: its template and parameters, for the reader's language."""
    params = {k: v for k, v in error.params.items() if v is None or isinstance(v, (str, int, float))}
    return RowError(0, "", error.template, params).to_dict()
