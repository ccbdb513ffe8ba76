"""Bulk imports run as background batches: points, the organisation tree, the member roster."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from starqr.models.base import BaseModel, JSONField, utcnow
from starqr.models.ratings import RatingPeriod


class ImportBatch(BaseModel):
    file_sha256 = CharField(max_length=64)
    filename = CharField(max_length=255)
    kind = CharField(max_length=12, default="points")  # points | tree | roster
    period = ForeignKeyField(RatingPeriod, on_delete="RESTRICT", null=True)  # points only
    status = CharField(max_length=12, default="pending")  # pending | running | done | failed
    rows_total = IntegerField(default=0)
    rows_checked = IntegerField(default=0)
    rows_done = IntegerField(default=0)  # rows applied
    rows_imported = IntegerField(default=0)
    errors = JSONField(default=list)
    outcome = JSONField(default=dict)  # a finished import's counts: created, updated, moved, missing, written...
    created_by = CharField(max_length=60)
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
