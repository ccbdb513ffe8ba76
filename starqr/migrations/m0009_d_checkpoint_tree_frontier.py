"""A checkpoint keeps the Merkle tree's compact range, so the next one reads only newer entries."""

from peewee import TextField
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate as run_operations


def upgrade(db):
    migrator = SqliteMigrator(db) if "sqlite" in type(db).__name__.lower() else PostgresqlMigrator(db)
    run_operations(migrator.add_column("ledger_checkpoint", "tree_frontier", TextField(null=True)))
