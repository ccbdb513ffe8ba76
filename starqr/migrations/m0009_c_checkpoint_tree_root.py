"""Signed checkpoints also carry the Merkle tree root (RFC 9162) of the ledger's entries."""

from peewee import CharField
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate as run_operations


def upgrade(db):
    migrator = SqliteMigrator(db) if "sqlite" in type(db).__name__.lower() else PostgresqlMigrator(db)
    run_operations(migrator.add_column("ledger_checkpoint", "tree_root", CharField(max_length=64, null=True)))
