"""Fixtures: an app on a fresh database, run once on SQLite and once on PostgreSQL.

Each test gets a fresh database built by the real migrations. SQLite: a migrated template
file copied per test. PostgreSQL: one migrated database per test worker, emptied with
TRUNCATE between tests (much faster than re-creating it).
Set STARQR_TEST_DATABASES=sqlite to skip PostgreSQL locally.
"""

import os
import shutil

import pytest

from starqr import create_app
from starqr.db import database, open_database
from starqr.migrations import migrate
from starqr.services import accounts
from tests.helpers import empty_page_cache

POSTGRES_ADMIN_URL = os.environ.get("STARQR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
# The CLI speaks the operator's language (STARQR_LANG, else the locale): tests read Chinese,
# the source language, whatever the machine's locale; a test wanting another sets STARQR_LANG.
os.environ["STARQR_LANG"] = "zh"
BACKENDS = [b for b in os.environ.get("STARQR_TEST_DATABASES", "sqlite,postgres").split(",") if b]


def _worker():
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = open_database(f"sqlite:///{path}")
    migrate(db)
    db.close()
    return path


def _postgres_admin(statement):
    import psycopg2

    admin = psycopg2.connect(POSTGRES_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(statement)
    admin.close()


@pytest.fixture(scope="session")
def postgres_url():
    # One database per test process, so parallel runs never share (or drop) each other's.
    name = f"starqr_test_{_worker()}_{os.getpid()}"
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}"')
    _postgres_admin(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    db = open_database(url)
    migrate(db)
    db.close()
    yield url
    database.close() if not database.is_closed() else None
    # Counts buffered by the last test belong to this database: forget them, or the exit flush
    # would try to write them into a database that no longer exists.
    from starqr.services import scans

    scans.reset()
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_postgres(db):
    tables = [t for t in db.get_tables() if t != "schema_migration"]
    db.execute_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "starqr.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    db = open_database(url)
    _truncate_postgres(db)
    db.close()
    return url


@pytest.fixture
def postgres(database_url):
    """DATABASE_URL where it is PostgreSQL, which several hosts (processes) can share; skipped on SQLite."""
    if "postgres" not in database_url:
        pytest.skip("several hosts share PostgreSQL")
    return database_url


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "PUBLIC_BASE_URL": "https://starqr.example.cn",
            "SECRET_KEY": "test-secret",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "PASSWORD_METHOD": "pbkdf2:sha256:1000",  # cheap hashing in tests only
            "HUEY_IMMEDIATE": True,
            "WTF_CSRF_ENABLED": False,  # tests of CSRF itself turn it back on
            "LEDGER_KEY_FILE": str(tmp_path / "ledger_signing.key"),
        }
    )
    database.connect(reuse_if_open=True)
    # No app context is pushed around the test body: requests must each get their own
    # (a shared one would carry g, the logged-in user and the locale across requests).
    # Users made outside a request still get cheap test hashing:
    accounts.HASH_METHOD_OUTSIDE_APP = app.config["PASSWORD_METHOD"]
    yield app
    accounts.HASH_METHOD_OUTSIDE_APP = "scrypt"
    if not database.is_closed():
        database.close()


@pytest.fixture
def fresh_pages():
    """No cached public page and no buffered scan count before the test, nor after it."""
    empty_page_cache()
    yield
    empty_page_cache()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def cli(app):
    """Invoke the `starqr` command against the test app's database: cli("ledger", "verify")."""
    from click.testing import CliRunner
    from starqr.cli import main

    runner = CliRunner()

    def invoke(*args, **kwargs):
        with app.app_context():
            return runner.invoke(main, [str(a) for a in args], **kwargs)

    return invoke
