"""Held subjects per period, rubric versions pinned per period, signed ledger checkpoints."""

import datetime
import json

from peewee import (
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator
from playhouse.migrate import migrate as run_operations


class RatingPeriod(Model):
    class Meta:
        table_name = "rating_period"


class RubricVersion(Model):
    class Meta:
        table_name = "rubric_version"


class JSONField(TextField):
    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class RatingHold(Model):
    period = ForeignKeyField(RatingPeriod, on_delete="CASCADE")
    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    reason = CharField(max_length=40)
    detail = JSONField(default=dict)
    created_at = DateTimeField(default=_now)

    class Meta:
        table_name = "rating_hold"
        indexes = ((("period", "subject_kind", "subject_id"), True),)


class PeriodRubric(Model):
    period = ForeignKeyField(RatingPeriod, on_delete="CASCADE")
    key = CharField(max_length=60)
    rubric = ForeignKeyField(RubricVersion, on_delete="RESTRICT")
    pinned_at = DateTimeField(default=_now)

    class Meta:
        table_name = "period_rubric"
        indexes = ((("period", "key"), True),)


class LedgerCheckpoint(Model):
    entry_count = IntegerField()
    last_entry_id = IntegerField()
    head_hash = CharField(max_length=64)
    signed_at = CharField(max_length=32)
    public_key = CharField(max_length=64)
    signature = CharField(max_length=128)
    reason = CharField(max_length=20, default="manual")
    period = ForeignKeyField(RatingPeriod, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=_now)

    class Meta:
        table_name = "ledger_checkpoint"


def upgrade(db):
    models = [RatingPeriod, RubricVersion, RatingHold, PeriodRubric, LedgerCheckpoint]
    with db.bind_ctx(models):
        db.create_tables([RatingHold, PeriodRubric, LedgerCheckpoint])
    migrator = SqliteMigrator(db) if "sqlite" in type(db).__name__.lower() else PostgresqlMigrator(db)
    run_operations(migrator.add_column("rating_period", "rubric_assignments", TextField(null=True)))
