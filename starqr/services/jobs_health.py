"""Is background work alive? The consumer's heartbeat, job leases, and stalled jobs failed with a reason.

No Flask here: /healthz, the console's job warning, the CLI and the consumer itself all read
`scheduler_heartbeat()` and `job_health()`.

- The task consumer beats ("consumer") every BEAT_SECONDS from a thread started with it, and
  its minute task beats ("periodic"), so a consumer that runs but whose scheduler stopped shows.
- A running job holds a lease ("import:42") that a thread renews every RENEW_SECONDS; the lease
  lasts LEASE_SECONDS. A consumer killed with -9 stops renewing, so within LEASE_SECONDS (plus
  the next look) its job is found: `sweep_stalled_jobs` marks it failed with a reason. Whoever
  looks (health check, console, the consumer's own beat) sweeps, so a dead consumer does not
  need to come back for the job to be reported. Re-running a failed import is safe: the
  ledger skips the rows it already holds.
"""

import datetime
import logging
import os
import socket
import threading

from peewee import DatabaseError

from starqr.db import database
from starqr.errors import N_, StarQRError
from starqr.models import ImportBatch, JobLease, WorkerHeartbeat, utcnow
from starqr.services.imports.errors import RowError

log = logging.getLogger("starqr.jobs")

BEAT_SECONDS = 20
CONSUMER_STALE_SECONDS = 90  # four beats missed
PERIODIC_STALE_SECONDS = 150  # the minute task missed twice
LEASE_SECONDS = 60
RENEW_SECONDS = 15

CONSUMER = "consumer"
PERIODIC = "periodic"

WORKER_DIED = "worker_died"
WORKER_DIED_MESSAGE = N_(
    "后台任务进程在导入过程中停止(进程被终止或服务器重启),本次导入未完成;可重新上传同一文件,已导入的行不会重复"
)
UNEXPECTED = N_("导入意外中止:%(detail)s")


def holder_name():
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _seconds(delta):
    return round(delta.total_seconds(), 1)


# ---------------------------------------------------------------- heartbeat


def beat(name=CONSUMER, now=None, holder=None):
    """Record that NAME is alive now (one row per name, rewritten in place)."""
    now = now or utcnow()
    holder = holder or holder_name()
    (
        WorkerHeartbeat.insert(name=name, holder=holder, started_at=now, beat_at=now)
        .on_conflict(
            conflict_target=[WorkerHeartbeat.name],
            update={WorkerHeartbeat.holder: holder, WorkerHeartbeat.beat_at: now},
        )
        .execute()
    )


def _beat_state(row, now, stale_after):
    if row is None:
        return {"state": "never", "last_beat": None, "age_seconds": None, "holder": None}
    age = now - row.beat_at
    return {
        "state": "ok" if age <= datetime.timedelta(seconds=stale_after) else "stale",
        "last_beat": row.beat_at,
        "age_seconds": _seconds(age),
        "holder": row.holder,
    }


def scheduler_heartbeat(now=None):
    """The consumer's liveness: {"ok", "state": ok|stale|never, "last_beat", "age_seconds", "holder", "periodic"}.

    "periodic" is the same for the minute task (publication schedule). ok is True only when both beat.
    """
    now = now or utcnow()
    rows = {r.name: r for r in WorkerHeartbeat.select().where(WorkerHeartbeat.name.in_((CONSUMER, PERIODIC)))}
    consumer = _beat_state(rows.get(CONSUMER), now, CONSUMER_STALE_SECONDS)
    periodic = _beat_state(rows.get(PERIODIC), now, PERIODIC_STALE_SECONDS)
    consumer["periodic"] = periodic
    consumer["ok"] = consumer["state"] == "ok" and periodic["state"] == "ok"
    return consumer


# ---------------------------------------------------------------- leases


def job_key(kind, job_id):
    return f"{kind}:{int(job_id)}"


def acquire_lease(job, holder=None, now=None, seconds=LEASE_SECONDS):
    """Take (or take over) the lease of JOB; returns the holder name."""
    now = now or utcnow()
    holder = holder or holder_name()
    expires = now + datetime.timedelta(seconds=seconds)
    (
        JobLease.insert(job=job, holder=holder, acquired_at=now, expires_at=expires)
        .on_conflict(
            conflict_target=[JobLease.job],
            update={JobLease.holder: holder, JobLease.acquired_at: now, JobLease.expires_at: expires},
        )
        .execute()
    )
    return holder


def renew_lease(job, holder, now=None, seconds=LEASE_SECONDS):
    """Extend JOB's lease if HOLDER still holds it. Returns False if it was lost."""
    now = now or utcnow()
    expires = now + datetime.timedelta(seconds=seconds)
    return bool(JobLease.update(expires_at=expires).where(JobLease.job == job, JobLease.holder == holder).execute())


def release_lease(job, holder=None):
    query = JobLease.delete().where(JobLease.job == job)
    if holder:
        query = query.where(JobLease.holder == holder)
    query.execute()


class _Renewer(threading.Thread):
    def __init__(self, job, holder, every):
        super().__init__(name=f"lease {job}", daemon=True)
        self.job, self.holder, self.every = job, holder, every
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(self.every):
                try:
                    database.connect(reuse_if_open=True)
                    renew_lease(self.job, self.holder)
                    beat(CONSUMER, holder=self.holder)
                except DatabaseError as error:  # a busy database: try again at the next tick
                    log.warning("lease %s not renewed: %s", self.job, error)
                    database.rollback() if not database.is_closed() and database.in_transaction() else None
        finally:
            if not database.is_closed():
                database.close()


class lease:
    """`with lease("import:42"):` holds JOB's lease while the block runs, renewed by a thread."""

    def __init__(self, job, every=RENEW_SECONDS):
        self.job, self.every = job, every
        self.holder = holder_name() + f":{threading.get_ident() % 100000}"
        self.renewer = None

    def __enter__(self):
        acquire_lease(self.job, self.holder)
        self.renewer = _Renewer(self.job, self.holder, self.every)
        self.renewer.start()
        return self

    def __exit__(self, *exc):
        self.renewer.stopped.set()
        self.renewer.join(10)
        release_lease(self.job, self.holder)
        return False


# ---------------------------------------------------------------- stalled jobs


def failure_record(template, code=WORKER_DIED, **params):
    """An import batch's one error: a catalogue TEMPLATE and PARAMS stored as the importer stores
    a row's (imports.RowError), with its CODE; translated where the batch is shown."""
    return RowError(0, "", template, params).to_dict() | {"code": code}


def error_record(error):
    """The failure_record ERROR ends an import with: a StarQRError's own template and parameters
    (so each reader reads it in their language); anything else, UNEXPECTED with its type and text."""
    if isinstance(error, StarQRError):
        return failure_record(error.template, error.code, **error.params)
    return failure_record(UNEXPECTED, "job_error", detail=f"{type(error).__name__}: {str(error)[:300]}")


def fail_import(batch_id, template, code="job_error", now=None, **params):
    """End a running (or pending) import as failed with TEMPLATE (a catalogue msgid) filled with
    PARAMS; returns whether it changed."""
    return fail_import_with(batch_id, failure_record(template, code, **params), now)


def fail_import_with(batch_id, record, now=None):
    """End a running (or pending) import as failed with RECORD (a failure_record); returns whether it changed."""
    return bool(
        ImportBatch.update(status="failed", errors=[record], finished_at=now or utcnow())
        .where(ImportBatch.id == batch_id, ImportBatch.status.in_(("pending", "running")))
        .execute()
    )


def sweep_stalled_jobs(now=None):
    """Mark running imports whose lease ran out failed, with the reason. Returns their ids.

    A running batch with no lease at all (run before leases existed, or whose worker died
    between claiming and leasing) counts as stalled once it is LEASE_SECONDS old.
    """
    now = now or utcnow()
    running = list(ImportBatch.select(ImportBatch.id, ImportBatch.created_at).where(ImportBatch.status == "running"))
    if not running:
        return []
    keys = {job_key("import", b.id): b for b in running}
    leases = {row.job: row for row in JobLease.select().where(JobLease.job.in_(list(keys)))}
    grace = datetime.timedelta(seconds=LEASE_SECONDS)
    stalled = []
    for key, batch in keys.items():
        held = leases.get(key)
        expired = held.expires_at < now if held else (batch.created_at or now) + grace < now
        if not expired:
            continue
        with database.atomic():
            changed = (
                ImportBatch.update(status="failed", errors=[failure_record(WORKER_DIED_MESSAGE)], finished_at=now)
                .where(ImportBatch.id == batch.id, ImportBatch.status == "running")
                .execute()
            )
            JobLease.delete().where(JobLease.job == key, JobLease.expires_at < now).execute()
        if changed:
            log.warning(
                "import batch %s failed: its worker stopped (lease %s)", batch.id, "expired" if held else "missing"
            )
            stalled.append(batch.id)
    return stalled


def job_health(now=None, sweep=True):
    """What the health check and the console warning show; sweeps stalled jobs first.

    {"ok", "scheduler": scheduler_heartbeat(), "running", "pending", "oldest_pending_seconds",
     "stalled": ids failed by this look, "failed_recently": ids failed in the last day}
    ok is False when the consumer is not beating while work waits or runs, or a job just stalled.
    """
    now = now or utcnow()
    stalled = sweep_stalled_jobs(now) if sweep else []
    scheduler = scheduler_heartbeat(now)
    running = ImportBatch.select().where(ImportBatch.status == "running").count()
    pending = list(
        ImportBatch.select(ImportBatch.id, ImportBatch.created_at)
        .where(ImportBatch.status == "pending")
        .order_by(ImportBatch.created_at)
        .limit(1000)
    )
    oldest = _seconds(now - pending[0].created_at) if pending else None
    since = now - datetime.timedelta(days=1)
    failed = [
        b.id
        for b in ImportBatch.select(ImportBatch.id)
        .where(ImportBatch.status == "failed", ImportBatch.finished_at >= since)
        .order_by(ImportBatch.id.desc())
        .limit(20)
    ]
    waiting = bool(pending) or running > 0
    ok = not stalled and (scheduler["ok"] or not waiting)
    return {
        "ok": ok,
        "scheduler": scheduler,
        "running": running,
        "pending": len(pending),
        "oldest_pending_seconds": oldest,
        "stalled": stalled,
        "failed_recently": failed,
    }


# ---------------------------------------------------------------- the consumer's beating thread

_beating = None
_beating_lock = threading.Lock()
_stop_beating = threading.Event()


def start_beating(every=BEAT_SECONDS):
    """Start (once per process) the thread that beats for the consumer and sweeps stalled jobs."""
    global _beating
    with _beating_lock:
        if _beating is not None and _beating.is_alive():
            return _beating
        _stop_beating.clear()
        _beating = threading.Thread(target=_beat_forever, args=(every,), name="starqr heartbeat", daemon=True)
        _beating.start()
        return _beating


def stop_beating():
    _stop_beating.set()
    if _beating is not None:
        _beating.join(10)


def _beat_forever(every):
    while not _stop_beating.is_set():
        try:
            database.connect(reuse_if_open=True)
            beat(CONSUMER)
            sweep_stalled_jobs()
        except Exception as error:  # noqa: BLE001 - never let the beat die: log, then try again
            log.warning("heartbeat failed: %s", error)
        finally:
            if not database.is_closed():
                database.close()
        _stop_beating.wait(every)


def database_check():
    """One round trip to the database; {"backend": "sqlite" | "postgresql"} (raises when down)."""
    database.execute_sql("SELECT 1").fetchone()
    return {"backend": "sqlite" if "sqlite" in type(database.obj).__name__.lower() else "postgresql"}
