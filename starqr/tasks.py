"""Background work with huey: the publication schedule and large imports.

Storage: SQLite in the instance folder by default (`huey.db`), Redis in production when
STARQR_HUEY_URL=redis://... . Run the consumer with `starqr scheduler` (or
`huey_consumer starqr.tasks.huey`); deploy/starqr-scheduler.service does that under systemd.
Tests set HUEY_IMMEDIATE, which runs tasks in-process at once.
"""
import os

from huey import RedisHuey, SqliteHuey, crontab


def _instance_path():
    from starqr.config import instance_path
    return instance_path()


def make_huey(url=None, instance_path=None, immediate=False):
    """A huey on Redis for a redis:// URL, else on SQLite in the instance folder."""
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("starqr", url=url, immediate=immediate)
    folder = instance_path or _instance_path()
    os.makedirs(folder, exist_ok=True)
    return SqliteHuey("starqr", filename=os.path.join(folder, "huey.db"), immediate=immediate)


huey = make_huey(os.environ.get("STARQR_HUEY_URL"), immediate=bool(os.environ.get("STARQR_HUEY_IMMEDIATE")))

_app = None


def _consumer_app():
    global _app
    if _app is None:
        from starqr import create_app
        _app = create_app()
    return _app


def _run_in_app(function, *args):
    """Run FUNCTION inside an app context with the database open (the consumer has neither)."""
    from flask import has_app_context
    from starqr.db import database
    if has_app_context():  # immediate mode inside a request or a test
        return function(*args)
    with _consumer_app().app_context():
        database.connect(reuse_if_open=True)
        try:
            return function(*args)
        finally:
            if not database.is_closed():
                database.close()


@huey.periodic_task(crontab(minute="*"), retries=0)
def publish_due_task():
    """Every minute: publish what is due and finalise ended notices (safe to overlap)."""
    from starqr.services import scheduler
    return _run_in_app(scheduler.run_due)


@huey.on_startup()
def _start_heartbeat():
    """The consumer beats from its own thread (services/jobs_health.py), so /healthz can tell it lives."""
    from starqr.services import jobs_health
    _consumer_app()
    jobs_health.start_beating()


@huey.periodic_task(crontab(minute="*"), retries=0)
def heartbeat_task():
    """Every minute: prove the periodic schedule runs, and fail imports whose worker died."""
    from starqr.services import jobs_health

    def work():
        jobs_health.beat(jobs_health.PERIODIC)
        return jobs_health.sweep_stalled_jobs()
    return _run_in_app(work)


@huey.task(retries=0)
def import_task(batch_id, scope_path=None):
    """Run a stored import batch under a renewed lease, updating its progress as it goes."""
    def work():
        from flask import current_app
        from starqr.services import imports, jobs_health
        with jobs_health.lease(jobs_health.job_key("import", batch_id)):
            try:
                return imports.run_batch(batch_id, current_app.instance_path, scope_path).status
            except Exception as error:  # an unexpected error still ends the batch, with its reason
                jobs_health.fail_import(batch_id, f"导入意外中止:{type(error).__name__}")
                raise
    return _run_in_app(work)
