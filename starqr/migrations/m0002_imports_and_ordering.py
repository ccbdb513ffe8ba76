"""Add bulk-import batches and a sort order for organisations."""

import datetime

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate as run_operations


class RatingPeriod(Model):
    class Meta:
        table_name = "rating_period"


class ImportBatch(Model):
    file_sha256 = CharField(max_length=64)
    filename = CharField(max_length=255)
    period = ForeignKeyField(RatingPeriod, on_delete="RESTRICT")
    status = CharField(max_length=12, default="pending")
    rows_total = IntegerField(default=0)
    rows_done = IntegerField(default=0)
    rows_imported = IntegerField(default=0)
    errors = TextField(default="[]")
    created_by = CharField(max_length=60)
    created_at = DateTimeField(default=datetime.datetime.utcnow)
    finished_at = DateTimeField(null=True)

    class Meta:
        table_name = "import_batch"


def upgrade(db):
    migrator = SqliteMigrator(db) if "sqlite" in type(db).__name__.lower() else PostgresqlMigrator(db)
    run_operations(
        migrator.add_column("organisation", "sort_order", IntegerField(default=0)),
        migrator.add_index("organisation", ("parent_id", "sort_order"), False),
    )
    with db.bind_ctx([RatingPeriod, ImportBatch]):
        db.create_tables([ImportBatch])
