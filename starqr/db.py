"""The database: chosen at run time from a URL, bound to the models through a proxy."""

from peewee import (
    AutoField,
    PostgresqlDatabase,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DatabaseProxy,
    DecimalField,
    FloatField,
    ForeignKeyField,
    IntegerField,
)
from playhouse.db_url import connect

database = DatabaseProxy()

# Field types whose Python values sqlite3 and psycopg2 both store correctly as they are
# (peewee registers sqlite3 adapters for Decimal, date and datetime).
DRIVER_NATIVE_FIELDS = (
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    ForeignKeyField,
    IntegerField,
)

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


def is_postgres(db=None):
    """True for PostgreSQL, pooled or not (PooledPostgresqlDatabase is a PostgresqlDatabase)."""
    return isinstance(database.obj if db is None else db, PostgresqlDatabase)


POOL_CONNECTIONS = 8  # per process; a sync worker uses one
POOL_STALE_SECONDS = 300


def open_database(url, pooled=False):
    """Open the database named by URL and bind the models' proxy to it.

    POOLED (PostgreSQL): connections are kept and reused between requests (playhouse.pool)
    instead of a new connection, with its authentication round trips, per request.
    """
    if is_sqlite(url):
        db = connect(url, pragmas=SQLITE_PRAGMAS)
    elif pooled:
        db = _pool(url)
    else:
        db = connect(url)
    database.initialize(db)
    return db


def _pool(url):
    from playhouse.db_url import parse
    from playhouse.pool import PooledPostgresqlDatabase

    class QuickPool(PooledPostgresqlDatabase):
        def _is_closed(self, conn):
            # peewee pings every checked-out connection (SELECT 1): a round trip per request, as
            # long as the page query itself. The driver's own state says whether the connection
            # is usable; one that broke since fails a request and is discarded when checked in.
            return bool(conn.closed) or conn.get_transaction_status() == 4  # TRANSACTION_STATUS_UNKNOWN

    settings = parse(url.replace("postgresql+pool://", "postgresql://").replace("postgres+pool://", "postgresql://"))
    name = settings.pop("database")
    return QuickPool(name, max_connections=POOL_CONNECTIONS, stale_timeout=POOL_STALE_SECONDS, **settings)


def analyze(db=None):
    """Refresh the planner's statistics (after bulk loads and migrations): without them the
    ratings lookup picks the period index over the subject index on a big database."""
    (db or database).execute_sql("ANALYZE")


def init_app(app):
    # Web workers pool their PostgreSQL connections; tests open many short-lived apps, so they don't.
    open_database(app.config["DATABASE_URL"], pooled=app.config.get("DATABASE_POOL", not app.config.get("TESTING")))

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    # SQLite: keep each worker thread's connection between requests. Closing the last one
    # checkpoints the WAL and drops the page cache, which costs more than a cached page.
    keep_open = is_sqlite(app.config["DATABASE_URL"])

    @app.teardown_request
    def _close(exc):
        if not database.is_closed() and (exc is not None or not keep_open):
            database.close()


def bulk_insert(model, fields, rows, chunk=5000):
    """Insert many rows (tuples in FIELDS order): executemany of one prepared statement on
    SQLite, multi-row INSERTs of CHUNK rows on PostgreSQL.

    peewee's insert_many builds SQL text value by value, which dominates large loads;
    the driver is several times faster. Values go through each field's
    db_value, so JSON and decimals are stored exactly as the ORM would store them.
    """
    db = database.obj
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    placeholders = ", ".join([db.param] * len(fields))
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({placeholders})'

    def many(cursor, batch):
        if db.param == "?":  # SQLite: executemany of the prepared statement
            cursor.executemany(sql, batch)
            return
        # PostgreSQL: psycopg2's executemany is one round trip per row (about 27 minutes for the
        # 1.7M drafts of a region's rating run here); execute_values sends one multi-row INSERT.
        from psycopg2.extras import execute_values

        execute_values(cursor, f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES %s', batch, page_size=chunk)

    # Only fields the driver cannot take as they are go through db_value (JSON as text).
    converted = [i for i, f in enumerate(fields) if not isinstance(f, DRIVER_NATIVE_FIELDS)]
    with db.atomic():
        cursor = db.cursor()
        for start in range(0, len(rows), chunk):
            batch = rows[start : start + chunk]
            if converted:
                batch = [list(row) for row in batch]
                for row in batch:
                    for i in converted:
                        row[i] = fields[i].db_value(row[i])
            many(cursor, batch)
    return len(rows)


def bulk_insert_dicts(model, rows, chunk=5000):
    """bulk_insert for a list of dicts keyed by field name; a missing key takes the field's default."""
    if not rows:
        return 0
    names = list(dict.fromkeys(name for row in rows[:1000] for name in row))
    # Defaults live in Python (peewee), not in the schema: add every field that has one.
    names += [f.name for f in model._meta.sorted_fields if f.default is not None and f.name not in names]
    fields = [model._meta.fields[name] for name in names]
    defaults = [f.default() if callable(f.default) else f.default for f in fields]
    return bulk_insert(
        model, fields, [tuple(row.get(name, default) for name, default in zip(names, defaults)) for row in rows], chunk
    )
