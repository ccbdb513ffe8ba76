"""Put a backup (starqr.services.backup) back: into an empty database, or with force over data.

- The target must hold no data (a freshly migrated database is empty: only its migration and
  shipped-rubric rows). With force=True a database with data is first saved as a backup in
  INSTANCE/backups/, so a mistaken restore can be undone.
- SQLite: the copy is written into the target with SQLite's backup API (all or nothing).
  PostgreSQL: the old tables are dropped and the dump replayed by psql in ONE transaction: a
  failed restore leaves the database as it was.
- Instance files (signing key, checkpoints, secret_key, uploads) come back too; a file that
  differs is kept beside it as NAME.before-restore.
- Afterwards every table's row count is compared with the manifest's.
Stop the web service and the scheduler first: they would write while the database is replaced.
"""

import datetime
import filecmp
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile

from starqr.errors import N_
from starqr.services.backup import (
    BackupError,
    postgres_tool,
    backup,
    current_counts,
    data_rows,
    libpq_url,
    read_manifest,
    sqlite_path,
)


def _extract(path, folder):
    with tarfile.open(path, "r") as archive:
        archive.extractall(folder, filter="data")


def _restore_sqlite(source, target_path):
    folder = os.path.dirname(os.path.abspath(target_path))
    os.makedirs(folder, exist_ok=True)
    copy = sqlite3.connect(source)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        copy.backup(target)
    finally:
        copy.close()
        target.close()


_DROP_EVERYTHING = """
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', item.tablename);
  END LOOP;
  FOR item IN SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public' LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', item.sequence_name);
  END LOOP;
  FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', item.signature);
  END LOOP;
END $$;
"""


def _restore_postgres(dump, url):
    script = subprocess.run(
        [postgres_tool("pg_restore"), "--no-owner", "--no-privileges", "--file", "-", dump],
        capture_output=True,
        check=False,
    )
    if script.returncode != 0:
        raise BackupError(
            N_("pg_restore 失败:%(reason)s"), reason=" ".join(script.stderr.decode(errors="replace").split())[:300]
        )
    statements = _DROP_EVERYTHING.encode() + script.stdout
    result = subprocess.run(
        [
            postgres_tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set",
            "ON_ERROR_STOP=1",
            "--dbname",
            libpq_url(url),
        ],
        input=statements,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            N_("恢复失败,数据库未改变:%(reason)s"),
            reason=" ".join(result.stderr.decode(errors="replace").split())[:300],
        )


def _put_back(source, target):
    """Copy SOURCE to TARGET; a different file already there is kept as TARGET.before-restore."""
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    if os.path.exists(target):
        if filecmp.cmp(source, target, shallow=False):
            return False
        os.replace(target, target + ".before-restore")
    shutil.copy2(source, target)
    return True


def _restore_instance_files(folder, instance_path, key_file=None):
    restored = []
    source_root = os.path.join(folder, "instance")
    for root, _, files in os.walk(source_root):
        for name in files:
            source = os.path.join(root, name)
            relative = os.path.relpath(source, source_root)
            if _put_back(source, os.path.join(instance_path, relative)):
                restored.append(relative)
    key = os.path.join(folder, "keys", "ledger_signing.key")
    if os.path.isfile(key) and key_file and _put_back(key, key_file):
        restored.append(key_file)
    return restored


def restore(path, url, instance_path, force=False, key_file=None):
    """Restore backup PATH into the database at URL. Returns a report dict.

    KEY_FILE: where this host keeps the ledger signing key, for a key backed up from outside
    the instance folder."""
    manifest = read_manifest(path)
    target_sqlite = sqlite_path(url)
    target_backend = "sqlite" if target_sqlite is not None else "postgresql"
    if manifest["backend"] != target_backend:
        raise BackupError(
            N_("这是 %(backup)s 数据库的备份;STARQR_DATABASE_URL 指向的是 %(target)s 数据库"),
            backup=manifest["backend"],
            target=target_backend,
        )
    before = current_counts(url)
    rows = data_rows(before)
    safety = None
    if rows:
        if not force:
            raise BackupError(
                N_("数据库中已有 %(rows)s 行数据:只能恢复到空数据库,或加 --force(会先保存当前数据)"),
                code="database_not_empty",
                rows=rows,
            )
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = os.path.join(instance_path, "backups")
        os.makedirs(folder, mode=0o700, exist_ok=True)
        safety = os.path.join(folder, f"pre-restore-{stamp}.starqr-backup")
        backup(url, instance_path, safety, key_file)
    with tempfile.TemporaryDirectory(prefix="starqr-restore-") as scratch:
        _extract(path, scratch)
        database_file = os.path.join(scratch, manifest["database_file"])
        if target_sqlite is not None:
            _restore_sqlite(database_file, target_sqlite)
        else:
            _restore_postgres(database_file, url)
        files = _restore_instance_files(scratch, instance_path, key_file)
    after = current_counts(url)
    expected = manifest["row_counts"]
    differing = sorted(t for t in set(expected) | set(after) if expected.get(t) != after.get(t))
    if differing:
        raise BackupError(N_("已恢复,但以下表的行数与备份不同:%(tables)s"), tables=", ".join(differing[:10]))
    return {"manifest": manifest, "row_counts": after, "instance_files": files, "safety_backup": safety}
