"""What the public side writes: objections and anonymous scan counts; and the revision stamp."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from starqr.models.base import BaseModel, utcnow
from starqr.models.plaques import PlaqueCode
from starqr.models.ratings import RatingPeriod


class Objection(BaseModel):
    reference = CharField(max_length=16, unique=True)  # shown to the sender
    plaque = ForeignKeyField(PlaqueCode, backref="objections", on_delete="RESTRICT")
    period = ForeignKeyField(RatingPeriod, null=True, on_delete="RESTRICT")
    text = TextField()
    contact = CharField(max_length=120, null=True)  # private: administrators only
    status = CharField(max_length=10, default="open", index=True)  # open | accepted | rejected
    resolution = TextField(null=True)  # a rejection's reason is shown on the public page
    resolved_by = CharField(max_length=60, null=True)
    resolved_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class ScanCount(BaseModel):
    """Scans per code per day. No IP address, no user agent: nothing that tracks a person."""

    plaque = ForeignKeyField(PlaqueCode, backref="scan_counts", on_delete="CASCADE")
    day = DateField()
    count = IntegerField(default=0)

    class Meta:
        indexes = ((("plaque", "day"), True),)


class Revision(BaseModel):
    """A counter bumped by every write that changes what public pages show.

    Public page caches and ETags key on it, so a new ledger entry shows at once in
    every worker process.
    """

    id = IntegerField(primary_key=True)
    value = IntegerField(default=0)
