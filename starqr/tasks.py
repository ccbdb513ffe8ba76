"""Background jobs: the one module that knows huey (the publication schedule, large imports).

Configured from the app config built by config.py, like everything else: HUEY_URL (redis://...
in production; unset: SQLite `huey.db` in the instance folder) and HUEY_IMMEDIATE (run jobs
at once, in-process: tests and demos). At import the settings come from config.settings()
(the defaults and the STARQR_* environment, what `huey_consumer starqr.tasks.huey` sees);
create_app() calls init_app(app), which re-applies the app's own config, so the web app,
the CLI and the consumer (`starqr scheduler`) read one source.

Services never import this module: views, the API and the CLI queue work here
(`enqueue_import(batch, actor)`), and the jobs call services with an explicit actor.
Every job runs through `_run_job`, which logs its start, end and duration, and turns any
failure into a recorded outcome: an import that raises anything ends "failed" with its reason.
"""

import functools
import logging
import os
import time

from flask import current_app, has_app_context
from huey import Huey, crontab
from huey.storage import RedisStorage, SqliteStorage

from starqr import config, create_app, job_limits
from starqr.db import database
from starqr.log_events import log_event, log_failure
from starqr.services import access, imports, jobs_health, scheduler

log = logging.getLogger("starqr.jobs")

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _storage(url, instance_path):
    """(storage class, its arguments) for a HUEY_URL."""
    if url and url.startswith(REDIS_SCHEMES):
        return RedisStorage, {"url": url}
    os.makedirs(instance_path, exist_ok=True)
    return SqliteStorage, {"filename": os.path.join(instance_path, "huey.db")}


def make_huey(url=None, instance_path=None, immediate=False):
    """A huey on Redis for a redis:// URL, else on SQLite in the instance folder."""
    storage_class, arguments = _storage(url, instance_path or config.instance_path())
    return Huey("starqr", immediate=immediate, storage_class=storage_class, **arguments)


def configure(settings, instance_path):
    """Point the module's huey at SETTINGS (an app config or config.settings()); no-op if it already is."""
    storage_class, arguments = _storage(settings.get("HUEY_URL"), instance_path)
    immediate = bool(settings.get("HUEY_IMMEDIATE"))
    if (huey.storage_class, huey.storage_kwargs, huey.immediate) == (storage_class, arguments, immediate):
        return huey
    huey.storage_class, huey.storage_kwargs = storage_class, arguments
    huey._immediate = immediate  # set with the storage below (the property would build it twice)
    huey.storage = huey.create_storage()
    return huey


def init_app(app):
    configure(app.config, app.instance_path)


_startup = config.settings()
huey = make_huey(_startup.get("HUEY_URL"), config.instance_path(), bool(_startup.get("HUEY_IMMEDIATE")))
del _startup


# ---------------------------------------------------------------- running a job

_app = None


def _consumer_app():
    global _app
    if _app is None:
        _app = create_app()
    return _app


def _in_app(function):
    """Run FUNCTION() inside an app context with the database open (the consumer has neither)."""

    if has_app_context():  # immediate mode inside a request, a command or a test
        return function()
    with _consumer_app().app_context():
        database.connect(reuse_if_open=True)
        try:
            return function()
        finally:
            if not database.is_closed():
                database.close()


def _run_job(name, function, on_failure=None):
    """Run one job: logged with its duration; any exception is logged and handed to ON_FAILURE first."""
    started = time.monotonic()
    log_event(log, "job.started", job=name)
    try:
        outcome = _in_app(function)
    except Exception as error:
        seconds = round(time.monotonic() - started, 3)
        log_failure(log, "job.failed", error, job=name, seconds=seconds)
        if on_failure is not None:
            _in_app(functools.partial(on_failure, error))
        if not huey.immediate:
            raise  # the consumer counts it as an error (metrics); in-process callers get the outcome
        return "failed"
    seconds = round(time.monotonic() - started, 3)
    log_event(log, "job.finished", job=name, seconds=seconds, outcome=str(outcome)[:200])
    return outcome


# ---------------------------------------------------------------- the jobs


@huey.periodic_task(crontab(minute="*"), retries=0)
def publish_due_task():
    """Every minute: publish what is due and finalise ended notices (safe to overlap)."""

    return _run_job("publish_due", lambda: scheduler.run_due())


@huey.on_startup()
def _start_heartbeat():
    """The consumer beats from its own thread (services/jobs_health.py), so /healthz can tell it lives."""

    _consumer_app()
    jobs_health.start_beating()


@huey.periodic_task(crontab(minute="*"), retries=0)
def heartbeat_task():
    """Every minute: prove the periodic schedule runs, and fail imports whose worker died."""

    def work():
        jobs_health.beat(jobs_health.PERIODIC)
        return jobs_health.sweep_stalled_jobs()

    return _in_app(work)


@huey.task(retries=0)
def import_task(batch_id, user_id=None):
    """Run a stored import batch as the user who queued it, under a renewed lease."""

    def work():
        with jobs_health.lease(jobs_health.job_key("import", batch_id)):
            if not huey.immediate:  # the consumer: a child process with a time and a memory limit
                return job_limits.run_import_limited(current_app, batch_id, user_id)
            batch = imports.run_batch(
                batch_id, current_app.instance_path, actor=access.actor_for_user_id(user_id, fallback_name="system")
            )
            return batch.status

    def failed(error):
        jobs_health.fail_import_with(batch_id, jobs_health.error_record(error))

    return _run_job(f"import:{batch_id}", work, on_failure=failed)


def enqueue_import(batch, actor=None):
    """Queue a stored import batch, to run as ACTOR (an access.Actor; None: the system)."""

    if has_app_context():
        init_app(current_app)
    return import_task(batch.id, getattr(actor, "id", None))
