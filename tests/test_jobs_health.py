"""Jobs that survive their consumer: heartbeat, renewed leases, stalled imports failed with a reason.

Issue 14, failure 8: a background import stayed "running" forever after its consumer was
killed. Now a killed worker stops renewing its lease and the next look marks the job failed.
"""

import datetime
import os
import signal
import subprocess
import sys
import time

from starqr.models import ImportBatch, JobLease, LedgerEntry, utcnow
from starqr.services import imports as importer
from starqr import tasks
from starqr.services import jobs_health
from starqr.services.imports import batches
from tests.helpers import issue_code, make_member, make_period, make_tree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _batch(app, status="running", created_at=None):
    tree = make_tree()
    member = make_member(tree["branch"])
    period = make_period(year=2025)
    code = issue_code(member).code
    data = importer.write_csv([[code, member.name_zh, "study", "", 2, "2025-05-01", "学习"]])
    batch = importer.create_batch(period, data, "x.csv", "admin", app.instance_path)
    ImportBatch.update(status=status, created_at=created_at or utcnow()).where(ImportBatch.id == batch.id).execute()
    return ImportBatch.get_by_id(batch.id)


def test_heartbeat_never_ok_stale(app):
    now = utcnow()
    state = jobs_health.scheduler_heartbeat(now)
    assert state["state"] == "never" and state["ok"] is False
    jobs_health.beat(jobs_health.CONSUMER, now=now)
    jobs_health.beat(jobs_health.PERIODIC, now=now)
    state = jobs_health.scheduler_heartbeat(now + datetime.timedelta(seconds=30))
    assert state["ok"] and state["state"] == "ok" and state["age_seconds"] == 30
    later = now + datetime.timedelta(seconds=jobs_health.CONSUMER_STALE_SECONDS + 1)
    state = jobs_health.scheduler_heartbeat(later)
    assert state["state"] == "stale" and not state["ok"]
    # Beating again rewrites the one row.
    jobs_health.beat(jobs_health.CONSUMER, now=later)
    assert jobs_health.scheduler_heartbeat(later)["state"] == "ok"


def test_an_expired_lease_fails_the_job_with_a_reason_within_two_minutes(app):
    batch = _batch(app)
    key = jobs_health.job_key("import", batch.id)
    started = utcnow()
    jobs_health.acquire_lease(key, "host:1", now=started)
    assert jobs_health.sweep_stalled_jobs(started + datetime.timedelta(seconds=30)) == []
    assert ImportBatch.get_by_id(batch.id).status == "running"
    assert jobs_health.renew_lease(key, "host:1", now=started + datetime.timedelta(seconds=30))
    assert not jobs_health.renew_lease(key, "someone-else", now=started)
    two_minutes = started + datetime.timedelta(seconds=30 + jobs_health.LEASE_SECONDS + 1)
    assert two_minutes - started <= datetime.timedelta(minutes=2)
    health = jobs_health.job_health(two_minutes)
    assert health["stalled"] == [batch.id] and not health["ok"]
    failed = ImportBatch.get_by_id(batch.id)
    assert failed.status == "failed" and failed.finished_at == two_minutes
    assert failed.errors[0]["code"] == jobs_health.WORKER_DIED and "重新上传" in failed.errors[0]["message"]
    assert JobLease.select().count() == 0
    assert jobs_health.job_health(two_minutes)["failed_recently"] == [batch.id]


def test_a_running_job_without_any_lease_is_failed_once_old(app):
    old = utcnow() - datetime.timedelta(minutes=5)
    batch = _batch(app, created_at=old)
    fresh = _batch(app)
    assert jobs_health.sweep_stalled_jobs() == [batch.id]
    assert ImportBatch.get_by_id(fresh.id).status == "running"


def test_rerunning_a_failed_import_is_safe(app):
    batch = _batch(app, created_at=utcnow() - datetime.timedelta(minutes=5))
    jobs_health.sweep_stalled_jobs()
    with open(importer.batch_file(batch, app.instance_path), "rb") as handle:
        data = handle.read()
    for _ in range(2):
        again = importer.create_batch(batch.period, data, "x.csv", "admin", app.instance_path)
        with app.app_context():
            tasks.enqueue_import(again)
        assert ImportBatch.get_by_id(again.id).status == "done"
    assert LedgerEntry.select().count() == 1


def test_the_import_task_holds_a_lease_and_releases_it(app):
    batch = _batch(app, status="pending")
    with app.app_context():
        tasks.enqueue_import(batch)
    assert ImportBatch.get_by_id(batch.id).status == "done"
    assert JobLease.select().count() == 0


def test_an_unexpected_error_ends_the_import_failed(app, monkeypatch):
    batch = _batch(app, status="pending")

    def explode(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(batches, "run", explode)
    with app.app_context():
        try:
            tasks.enqueue_import(batch)
        except ValueError:
            pass
    failed = ImportBatch.get_by_id(batch.id)
    assert failed.status == "failed" and "ValueError" in failed.errors[0]["message"]
    assert JobLease.select().count() == 0


WORKER = """
import sys, time
from starqr.db import open_database
from starqr.models import ImportBatch
from starqr.services import jobs_health
open_database(sys.argv[1])
batch_id = int(sys.argv[2])
with jobs_health.lease(jobs_health.job_key("import", batch_id), every=0.2):
    ImportBatch.update(status="running").where(ImportBatch.id == batch_id).execute()
    print("running", flush=True)
    time.sleep(600)
"""


def test_a_worker_killed_with_sigkill_is_found(app, database_url):
    batch = _batch(app, status="pending")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, database_url, str(batch.id)], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert worker.stdout.readline().strip() == "running"
        key = jobs_health.job_key("import", batch.id)
        first = JobLease.get_by_id(key).expires_at
        time.sleep(0.8)
        renewed = JobLease.get_by_id(key).expires_at
        assert renewed > first  # the lease is renewed while the worker lives
        assert jobs_health.sweep_stalled_jobs() == []
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        worker.stdout.close()
    assert ImportBatch.get_by_id(batch.id).status == "running"  # what the issue saw, forever
    after_lease = utcnow() + datetime.timedelta(seconds=jobs_health.LEASE_SECONDS + 1)
    assert jobs_health.sweep_stalled_jobs(after_lease) == [batch.id]
    assert ImportBatch.get_by_id(batch.id).status == "failed"


def test_the_consumer_thread_beats(app):
    jobs_health.start_beating(every=0.1)
    try:
        deadline = time.time() + 5
        while time.time() < deadline and jobs_health.scheduler_heartbeat()["state"] != "ok":
            time.sleep(0.1)
    finally:
        jobs_health.stop_beating()
    assert jobs_health.scheduler_heartbeat()["state"] == "ok"
