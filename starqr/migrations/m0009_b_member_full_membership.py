"""Members' date of full membership (转正), from which 党龄 is counted."""

from peewee import DateField
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate as run_operations


def upgrade(db):
    migrator = SqliteMigrator(db) if "sqlite" in type(db).__name__.lower() else PostgresqlMigrator(db)
    run_operations(migrator.add_column("member", "full_member_on", DateField(null=True)))
