"""Plaque codes: what a printed QR resolves to, and their lifecycle."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from starqr.models.base import BaseModel, utcnow


class PlaqueCode(BaseModel):
    code = CharField(max_length=16, unique=True)
    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    version = IntegerField(default=1)  # 1 for the first plaque of a subject, +1 per reissue
    status = CharField(max_length=10, default="active")  # active | revoked
    issued_at = DateTimeField(default=utcnow)
    issued_by = CharField(max_length=60, default="system")
    revoked_at = DateTimeField(null=True)
    revoked_by = CharField(max_length=60, null=True)
    revoke_reason = TextField(null=True)
    replaced_by = ForeignKeyField("self", null=True, on_delete="RESTRICT")

    class Meta:
        indexes = ((("subject_kind", "subject_id", "status"), False),)


class PlaqueEvent(BaseModel):
    """Every issue and revocation, with who and why."""

    plaque = ForeignKeyField(PlaqueCode, backref="events", on_delete="RESTRICT")
    action = CharField(max_length=16)  # issued | revoked | reissued
    actor = CharField(max_length=60)
    reason = TextField(null=True)
    at = DateTimeField(default=utcnow)
