"""Import batches for every import kind: the tree and the roster run in the background too.

`kind` says which import a batch runs (points | tree | roster); a tree or roster batch has no
rating period; `rows_checked` counts the rows checked so far, apart from the rows applied; `outcome` keeps what
a finished import did (created, updated, moved, missing, unchanged, written) for its page.
"""

from peewee import CharField, IntegerField, TextField
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate as run_operations


def upgrade(db):
    migrator = SqliteMigrator(db) if "sqlite" in type(db).__name__.lower() else PostgresqlMigrator(db)
    run_operations(
        migrator.add_column("import_batch", "kind", CharField(max_length=12, default="points")),
        migrator.add_column("import_batch", "rows_checked", IntegerField(default=0)),
        migrator.add_column("import_batch", "outcome", TextField(default="{}")),
        migrator.drop_not_null("import_batch", "period_id"),
    )
