"""Background job health on the import pages: a stuck queue names its fix; run a job now."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from starqr import tasks
from starqr.services.consoles import job_warning
from starqr.views.console.admin import admin
from starqr.views.console.auth import ADMINISTRATORS, current_actor, require_import_batch_access, roles_required
from starqr.views.console.forms import ActionForm
from starqr.views.console.helpers import valid_or_400


@admin.app_context_processor
def _job_health():
    def queue_state():
        if not current_user.is_authenticated or current_user.role not in ADMINISTRATORS:
            return None
        return job_warning.queue_state(current_actor(), translate=_)

    return {"queue_state": queue_state, "run_now_form": ActionForm}


@admin.route("/imports/<int:batch_id>/run-now", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def import_run_now(batch_id):
    """Run a queued import in this request, when the task consumer is not running."""
    batch = require_import_batch_access(batch_id)  # someone else's batch: 404
    valid_or_400(ActionForm())
    if batch.status != "pending":
        flash(_("这个导入已不在排队中。"), "info")
    else:
        try:
            tasks.import_task.call_local(batch.id, current_actor().id)
        except Exception:  # noqa: BLE001 - the job recorded its reason on the batch; show the page
            flash(_("导入没有完成，原因见下方。"), "error")
        else:
            flash(_("已在本次请求中运行导入。"), "success")
    return redirect(
        request.referrer
        if (request.referrer or "").startswith(request.host_url)
        else url_for("admin.import_batch", batch_id=batch.id)
    )
