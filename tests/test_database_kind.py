"""The code paths that differ by database (COPY, sequences, reset) must recognise PostgreSQL
however it is opened: the web workers and the CLI use a pool, tests a plain connection."""

from playhouse.pool import PooledPostgresqlDatabase

from peewee import PostgresqlDatabase, SqliteDatabase
from starqr.db import is_postgres


def test_pooled_and_plain_postgresql_are_postgresql_and_sqlite_is_not():
    assert is_postgres(PooledPostgresqlDatabase("x", host="127.0.0.1"))
    assert is_postgres(PostgresqlDatabase("x", host="127.0.0.1"))
    assert not is_postgres(SqliteDatabase(":memory:"))
