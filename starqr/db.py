"""The database: chosen at run time from a URL, bound to the models through a proxy."""
from flask import g
from peewee import DatabaseProxy
from playhouse.db_url import connect

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "cache_size": -64 * 1024,  # 64 MiB
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 10000,
    "temp_store": "memory",
    "mmap_size": 256 * 1024 * 1024,
}


def is_sqlite(url):
    return url.startswith("sqlite")


def open_database(url):
    """Open the database named by URL and bind the models' proxy to it."""
    if is_sqlite(url):
        db = connect(url, pragmas=SQLITE_PRAGMAS)
    else:
        db = connect(url, autorollback=True)
    database.initialize(db)
    return db


def init_app(app):
    open_database(app.config["DATABASE_URL"])

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not database.is_closed():
            database.close()
