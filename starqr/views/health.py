"""/healthz for load balancers and monitoring: database, task queue, scheduler heartbeat.

200 when this node can serve (database and queue answer); 503 otherwise. A stale scheduler
heartbeat does not take the web node out of a load balancer (it still serves scans), so it
only shows in the body, unless ?strict=1 asks for 503 then too (for monitoring).
No client data, no secrets: safe to expose, cheap to call every few seconds.
"""

import time
from importlib import metadata

from flask import Blueprint, current_app, jsonify, request

from starqr.services import jobs_health
from starqr.tasks import huey

blueprint = Blueprint("health", __name__)


def _timed(check):
    started = time.perf_counter()
    try:
        result = check() or {}
        result.setdefault("ok", True)
    except Exception as error:  # noqa: BLE001 (a health check reports every failure, it never raises)
        current_app.logger.warning("health check failed: %s", error)
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database():
    return jobs_health.database_check()


def _queue():
    return {"backend": type(huey.storage).__name__, "pending": huey.pending_count()}


def _scheduler():
    """The scheduler's last heartbeat, through the jobs service (starqr.services.jobs_health)."""
    beat = jobs_health.scheduler_heartbeat()
    shown = {key: beat.get(key) for key in ("ok", "state", "age_seconds")}
    shown["last_beat"] = beat["last_beat"].isoformat() + "Z" if beat.get("last_beat") else None
    return shown


def _version():
    try:
        return metadata.version("starqr")
    except metadata.PackageNotFoundError:
        return None


@blueprint.route("/healthz")
def healthz():
    checks = {"database": _timed(_database), "queue": _timed(_queue), "scheduler": _timed(_scheduler)}
    serving = checks["database"]["ok"] and checks["queue"]["ok"]
    scheduler_ok = checks["scheduler"]["ok"] is not False
    status = "ok" if serving and scheduler_ok else ("degraded" if serving else "failing")
    failing = not serving or (request.args.get("strict") == "1" and not scheduler_ok)
    response = jsonify(status=status, version=_version(), checks=checks)
    response.status_code = 503 if failing else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    app.register_blueprint(blueprint)
