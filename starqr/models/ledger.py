"""The points ledger (积分台账): append-only, hash-chained entries."""

from peewee import CharField, DateTimeField, DecimalField, ForeignKeyField, IntegerField, TextField, BooleanField

from starqr.models.base import BaseModel, utcnow
from starqr.models.ratings import RatingPeriod


class LedgerEntry(BaseModel):
    """Never updated, never deleted: see starqr.ledger for the only writer."""

    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    period = ForeignKeyField(RatingPeriod, backref="ledger_entries", on_delete="RESTRICT")
    item = CharField(max_length=60)  # rubric item id
    points = DecimalField(max_digits=10, decimal_places=2, auto_round=True)
    quantity = IntegerField(default=1)  # events this entry counts; -1 on a reversal
    reason = TextField()
    public_reason = BooleanField(default=True)  # False: the reason is kept off public pages
    evidence = TextField(null=True)
    recorded_by = CharField(max_length=60)
    recorded_at = DateTimeField(default=utcnow)
    occurred_on = CharField(max_length=10, null=True)  # ISO date of the event itself
    corrects = ForeignKeyField("self", null=True, backref="corrections", on_delete="RESTRICT")
    source = CharField(max_length=80, null=True)  # e.g. "import:<sha256 prefix>:<row>"
    entry_hash = CharField(max_length=64)
    previous_hash = CharField(max_length=64)

    class Meta:
        indexes = (
            (("period", "subject_kind", "subject_id"), False),
            (("source",), True),
        )


class LedgerHead(BaseModel):
    """One row holding the hash of the newest entry; locked while appending."""

    id = IntegerField(primary_key=True)
    last_entry_id = IntegerField(default=0)
    last_hash = CharField(max_length=64)
