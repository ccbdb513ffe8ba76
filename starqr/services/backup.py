"""Backups an operator can restore: one file with the database, the instance's keys and uploads.

A backup file is a tar archive (mode 0600: it holds keys) of
    manifest.json      format, backend, time, StarQR version, row count of every table, ledger head
    database.sqlite3   SQLite: a consistent copy made with SQLite's online backup API, or
    database.pgdump    PostgreSQL: `pg_dump --format=custom`, taken in the same snapshot as the counts
    instance/...       the instance folder's files other than databases, logs and backups: the ledger
                       checkpoint signing key and any checkpoint files, secret_key, uploads (photos,
                       import files)
Writers never wait for a backup (WAL readers / an MVCC snapshot), and the counts in the manifest
are those of the copied data, so a restore can be checked row for row.

restore() puts it back into an EMPTY database (refusing one with data unless force=True; then the
current data is first saved as a backup beside the instance, so even --force loses nothing).
No Flask here: callers pass the database URL and the instance folder.
"""

import datetime
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import urllib.parse
from importlib import metadata

from starqr.errors import N_, StarQRError

FORMAT = "starqr-backup/1"
# Never copied from the instance folder: live databases, logs, older backups, metrics scratch.
SKIPPED_NAMES = ("starqr.db", "starqr.db-wal", "starqr.db-shm", "huey.db", "huey.db-wal", "huey.db-shm")
SKIPPED_FOLDERS = ("backups", "prometheus", "logs", "__pycache__")
SKIPPED_SUFFIXES = (".log", ".tmp", ".pid", ".sock")
# Rows these tables hold in a freshly migrated database; a restore target may have them.
SEED_TABLES = ("schema_migration", "rubric_version")


class BackupError(StarQRError):
    code = "backup_failed"


def _version():
    try:
        return metadata.version("starqr")
    except metadata.PackageNotFoundError:
        return "unknown"


def sqlite_path(url):
    if not url.startswith("sqlite"):
        return None
    path = url.split("://", 1)[1].split("?", 1)[0]
    path = path.removeprefix("/")  # sqlite:///relative.db, sqlite:////absolute.db
    if path in ("", ":memory:", "/:memory:"):
        raise BackupError(N_("内存中的 SQLite 数据库无法备份"))
    return path


def libpq_url(url):
    """peewee URL (postgres://, postgresext://, postgres+pool://) → a URL pg_dump understands."""
    parts = urllib.parse.urlsplit(url)
    query = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(parts.query)
        if k not in ("max_connections", "stale_timeout", "timeout", "autorollback", "autoconnect")
    ]
    return urllib.parse.urlunsplit(("postgresql", parts.netloc, parts.path, urllib.parse.urlencode(query), ""))


def postgres_tool(name):
    found = shutil.which(name)
    if not found:
        raise BackupError(N_("找不到 %(program)s:请安装 PostgreSQL 客户端(Debian:postgresql-client)"), program=name)
    return found


# ---------------------------------------------------------------- counting


def _sqlite_counts(connection):
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}


def _pg_counts(cursor):
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _ledger_head(query_one):
    try:
        row = query_one("SELECT id, entry_hash FROM ledger_entry ORDER BY id DESC LIMIT 1")
    except Exception:  # noqa: BLE001 (no ledger table: an unmigrated database, either driver's error)
        return None
    return {"last_id": row[0], "hash": row[1]} if row else {"last_id": None, "hash": None}


def current_counts(url):
    """{table: rows} of the database at URL now."""
    path = sqlite_path(url)
    if path is not None:
        if not os.path.exists(path):
            return {}
        with sqlite3.connect(path) as connection:
            return _sqlite_counts(connection)
    # psycopg2 comes with the optional postgres extra; SQLite installs have none
    import psycopg2

    connection = psycopg2.connect(libpq_url(url))
    try:
        with connection.cursor() as cursor:
            return _pg_counts(cursor)
    finally:
        connection.close()


def data_rows(counts):
    """Rows outside the tables a fresh `starqr migrate` fills: >0 means the database holds data."""
    return sum(rows for table, rows in counts.items() if table not in SEED_TABLES)


# ---------------------------------------------------------------- backup


def _dump_sqlite(path, folder):
    if not os.path.exists(path):
        raise BackupError(N_("%(path)s:没有这个数据库"), path=str(path))
    target = os.path.join(folder, "database.sqlite3")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one step: a consistent snapshot; WAL writers go on meanwhile
    finally:
        source.close()
    try:
        counts = _sqlite_counts(copy)
        head = _ledger_head(lambda sql: copy.execute(sql).fetchone())
    finally:
        copy.close()
    return "database.sqlite3", counts, head


def _dump_postgres(url, folder):
    # psycopg2 comes with the optional postgres extra; SQLite installs have none
    import psycopg2

    target = os.path.join(folder, "database.pgdump")
    connection = psycopg2.connect(libpq_url(url))
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _pg_counts(cursor)  # the same snapshot pg_dump copies
            head = _ledger_head(lambda sql: (cursor.execute(sql), cursor.fetchone())[1])
            result = subprocess.run(
                [
                    postgres_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "--file",
                    target,
                    "--dbname",
                    libpq_url(url),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
        connection.rollback()
    finally:
        connection.close()
    if result.returncode != 0:
        raise BackupError(N_("pg_dump 失败:%(reason)s"), reason=" ".join(result.stderr.split())[:300])
    return "database.pgdump", counts, head


def instance_files(instance_path):
    """(absolute path, name in the archive) of the instance files a backup carries."""
    found = []
    if not instance_path or not os.path.isdir(instance_path):
        return found
    for root, folders, files in os.walk(instance_path):
        folders[:] = sorted(f for f in folders if f not in SKIPPED_FOLDERS and not f.startswith("."))
        for name in sorted(files):
            if name in SKIPPED_NAMES or name.endswith(SKIPPED_SUFFIXES) or name.endswith(".starqr-backup"):
                continue
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                found.append((path, "instance/" + os.path.relpath(path, instance_path).replace(os.sep, "/")))
    return found


def key_files(instance_path, key_file):
    """(path, archive name) of a ledger signing key kept OUTSIDE the instance folder (the one inside
    travels with the instance files)."""
    if not key_file or not os.path.isfile(key_file):
        return []
    inside = os.path.commonpath([os.path.abspath(key_file), os.path.abspath(instance_path)]) == os.path.abspath(
        instance_path
    )
    return [] if inside else [(key_file, "keys/ledger_signing.key")]


def backup(url, instance_path, output, key_file=None):
    """Write a backup of the database at URL (and the instance's files) to OUTPUT; returns the manifest.

    KEY_FILE: the ledger signing key's path (starqr.checkpoints.key_file()); carried as
    keys/ledger_signing.key when it lies outside the instance folder.
    """
    output = os.path.abspath(output)
    folder = os.path.dirname(output)
    if not os.path.isdir(folder):
        raise BackupError(N_("%(path)s:没有这个文件夹"), path=str(folder))
    with tempfile.TemporaryDirectory(prefix="starqr-backup-", dir=folder) as scratch:
        path = sqlite_path(url)
        if path is not None:
            member, counts, head = _dump_sqlite(path, scratch)
            backend = "sqlite"
        else:
            member, counts, head = _dump_postgres(url, scratch)
            backend = "postgresql"
        extra = instance_files(instance_path) + key_files(instance_path, key_file)
        manifest = {
            "format": FORMAT,
            "backend": backend,
            "database_file": member,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "starqr_version": _version(),
            "row_counts": counts,
            "ledger_head": head,
            "instance_files": [name for _, name in extra],
        }
        partial = os.path.join(scratch, "backup.tar")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as archive:
            data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(os.path.join(scratch, member), arcname=member)
            for source, name in extra:
                archive.add(source, arcname=name)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, output)  # a backup file is whole or absent
    return manifest


BACKUP_NAME = re.compile(r"^starqr-\d{8}T\d{6}Z\.starqr-backup$")


def dated_name(now=None):
    now = now or datetime.datetime.now(datetime.UTC)
    return f"starqr-{now:%Y%m%dT%H%M%SZ}.starqr-backup"


def prune(folder, keep_days, keep_at_least=3, now=None):
    """Delete this folder's dated backups older than KEEP_DAYS, always keeping the newest few.

    Only files named like dated_name() are touched. Returns the deleted paths.
    """
    now = now or datetime.datetime.now(datetime.UTC)
    dated = sorted(name for name in os.listdir(folder) if BACKUP_NAME.match(name))
    cutoff = now - datetime.timedelta(days=keep_days)
    deleted = []
    for name in dated[:-keep_at_least] if keep_at_least else dated:
        taken = datetime.datetime.strptime(name[7:23], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
        if taken < cutoff:
            os.remove(os.path.join(folder, name))
            deleted.append(os.path.join(folder, name))
    return deleted


def read_manifest(path):
    try:
        with tarfile.open(path, "r") as archive:
            member = archive.extractfile("manifest.json")
            manifest = json.load(member)
    except (tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(
            N_("%(path)s:不是 StarQR 备份(%(reason)s)"),
            code="not_a_backup",
            path=str(path),
            reason=type(error).__name__,
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(N_("%(path)s:未知的备份格式 %(format)s"), path=str(path), format=str(manifest.get("format")))
    return manifest
