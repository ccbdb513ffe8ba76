"""Onboarding a real banner: organisation codes and archiving, member numbers and
probation dates, the roster's "not in roster" flag, and rubric assignments."""

import datetime

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate as run_operations


class Organisation(Model):
    class Meta:
        table_name = "organisation"


class RubricAssignment(Model):
    organisation = ForeignKeyField(Organisation, on_delete="RESTRICT")
    rubric_key = CharField(max_length=60)
    subtree = BooleanField(default=True)
    applies_from = DateField()
    reason = CharField(max_length=255, null=True)
    assigned_by = CharField(max_length=60)
    assigned_at = DateTimeField(default=datetime.datetime.utcnow)

    class Meta:
        table_name = "rubric_assignment"
        indexes = ((("organisation", "applies_from"), False),)


def upgrade(db):
    migrator = SqliteMigrator(db) if "sqlite" in type(db).__name__.lower() else PostgresqlMigrator(db)
    run_operations(
        migrator.add_column("organisation", "code", CharField(max_length=40, null=True)),
        migrator.add_column("organisation", "archived_at", DateTimeField(null=True)),
        migrator.add_column("organisation", "archived_reason", CharField(max_length=255, null=True)),
        migrator.add_column("organisation", "merged_into_id", IntegerField(null=True)),
        migrator.add_index("organisation", ("code",), True),
        migrator.add_column("organisation", "member_rubric_key", CharField(max_length=60, null=True)),
        migrator.add_column("member", "member_number", CharField(max_length=40, null=True)),
        migrator.add_column("member", "missing_from_roster_at", DateTimeField(null=True)),
        migrator.add_index("member", ("member_number",), True),
    )
    with db.bind_ctx([Organisation, RubricAssignment]):
        db.create_tables([RubricAssignment])
