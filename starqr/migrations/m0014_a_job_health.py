"""Worker heartbeats and job leases: a job whose consumer died is found and failed with a reason."""

import datetime

from peewee import CharField, DateTimeField, Model


def _utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class WorkerHeartbeat(Model):
    name = CharField(max_length=40, primary_key=True)
    holder = CharField(max_length=120)
    started_at = DateTimeField(default=_utcnow)
    beat_at = DateTimeField(default=_utcnow)

    class Meta:
        table_name = "worker_heartbeat"


class JobLease(Model):
    job = CharField(max_length=60, primary_key=True)
    holder = CharField(max_length=120)
    acquired_at = DateTimeField(default=_utcnow)
    expires_at = DateTimeField(default=_utcnow)

    class Meta:
        table_name = "job_lease"


def upgrade(db):
    with db.bind_ctx([WorkerHeartbeat, JobLease]):
        db.create_tables([WorkerHeartbeat, JobLease])
