"""Liveness of background work: the consumer's heartbeat and the leases of running jobs."""

from peewee import CharField, DateTimeField

from starqr.models.base import BaseModel, utcnow


class WorkerHeartbeat(BaseModel):
    """One row per beating thing ("consumer", "periodic"), rewritten in place."""

    name = CharField(max_length=40, primary_key=True)
    holder = CharField(max_length=120)  # host:pid of the last process that beat
    started_at = DateTimeField(default=utcnow)
    beat_at = DateTimeField(default=utcnow)


class JobLease(BaseModel):
    """A running job's claim, renewed while its worker lives: "import:42"."""

    job = CharField(max_length=60, primary_key=True)
    holder = CharField(max_length=120)
    acquired_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(default=utcnow)
