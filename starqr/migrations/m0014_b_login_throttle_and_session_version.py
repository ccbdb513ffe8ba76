"""Log-in throttling by account and address (no more lock-outs), and a per-user session version
so that logging out ends every session of the user on the server side."""

import datetime

from peewee import CharField, DateTimeField, IntegerField, Model
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator
from playhouse.migrate import migrate as run_operations


def _utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class LoginThrottle(Model):
    key = CharField(max_length=120, primary_key=True)
    failures = IntegerField(default=0)
    last_failure_at = DateTimeField(default=_utcnow)
    wait_until = DateTimeField(null=True)

    class Meta:
        table_name = "login_throttle"


def upgrade(db):
    migrator = SqliteMigrator(db) if "sqlite" in type(db).__name__.lower() else PostgresqlMigrator(db)
    run_operations(migrator.add_column("user", "session_version", IntegerField(default=0)))
    with db.bind_ctx([LoginThrottle]):
        db.create_tables([LoginThrottle])
