"""A commitment's "reason not kept" is public only once a secretary marks it publishable.

Reasons often name illness or family matters ("因病住院"); existing reasons start private.
"""

from peewee import BooleanField
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate as run_operations


def upgrade(db):
    migrator = SqliteMigrator(db) if "sqlite" in type(db).__name__.lower() else PostgresqlMigrator(db)
    run_operations(migrator.add_column("commitment", "reason_public", BooleanField(default=False)))
