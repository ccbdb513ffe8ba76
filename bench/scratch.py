"""Databases of a benchmark's own: created with a unique name, used, dropped; nothing else touched.

    with scratch_database("postgres") as url:   # CREATE DATABASE starqr_bench_<pid>_<random>
        ...                                     # DROP DATABASE of that name only, at the end

A benchmark only ever opens URLs this module made (`owned(url)` refuses any other), so it
cannot drop or fill a database that belongs to someone else.
"""

import contextlib
import os
import secrets
import shutil
import tempfile

ADMIN_URL = os.environ.get("STARQR_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
PREFIX = "starqr_bench_"
_created = set()


def _admin(statement):
    import psycopg2

    connection = psycopg2.connect(ADMIN_URL)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def owned(url):
    """URL if this process created it; otherwise refuse (never touch a database we did not make)."""
    if url not in _created:
        raise SystemExit(f"refusing {url!r}: a benchmark only uses databases it created itself")
    return url


@contextlib.contextmanager
def scratch_database(kind, label="db"):
    """A fresh, empty database of KIND (sqlite | postgres) named so it cannot collide; dropped after."""
    name = f"{PREFIX}{label}_{os.getpid()}_{secrets.token_hex(4)}"
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix=name + "_")
        url = f"sqlite:///{os.path.join(folder, 'bench.db')}"
        _created.add(url)
        try:
            yield url
        finally:
            _created.discard(url)
            shutil.rmtree(folder, ignore_errors=True)
        return
    _admin(f'CREATE DATABASE "{name}"')  # fails rather than reuse an existing database
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    _created.add(url)
    try:
        yield url
    finally:
        _created.discard(url)
        from starqr.db import database

        try:
            if database.obj is not None and not database.is_closed():
                database.close()
        except Exception:
            pass
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_size(url):
    """Bytes the database takes on disk."""
    if url.startswith("sqlite"):
        path = url[len("sqlite:///") :]
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    import psycopg2

    connection = psycopg2.connect(owned(url))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    finally:
        connection.close()
