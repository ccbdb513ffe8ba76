"""Backups taken while the ledger is being written restore whole: counts equal, chain intact."""

import os
import threading
import time

import pytest

from starqr import ledger
from starqr.db import database, open_database
from starqr.services import backup, restore
from tests.helpers import make_member, make_period, make_tree, record


@pytest.fixture
def target_url(database_url, tmp_path):
    """An empty database of the same kind, to restore into (PostgreSQL: created and dropped here)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'starqr.db'}"
        return
    from tests.conftest import _postgres_admin

    name = f"starqr_restore_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    _postgres_admin(f'CREATE DATABASE "{name}"')
    yield database_url.rsplit("/", 1)[0] + "/" + name
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _write_load(app, member, period, stop, written, failures):
    try:
        with app.app_context():
            database.connect(reuse_if_open=True)
            try:
                n = 0
                while not stop.is_set() and n < 2000:
                    n += 1
                    record(member, period, "study", 1, f"写入负载第{n}次")
                    written.append(n)
            finally:
                database.close()
    except Exception as error:  # noqa: BLE001 (reported by the test)
        failures.append(error)


def test_backup_under_write_load_restores_with_equal_counts_and_intact_ledger(app, database_url, target_url, tmp_path):
    tree = make_tree()
    member = make_member(tree["branch"], "王芳")
    period = make_period()
    for n in range(50):
        record(member, period, "study", 2, f"集中学习第{n}次")
    instance = tmp_path / "instance"
    (instance / "uploads").mkdir(parents=True)
    (instance / "ledger-signing.key").write_text("test signing key")
    (instance / "uploads" / "photo.jpg").write_bytes(b"\xff\xd8 photo")
    (instance / "starqr.db-wal").write_bytes(b"never copied")

    stop, written, failures = threading.Event(), [], []
    writer = threading.Thread(target=_write_load, args=(app, member, period, stop, written, failures))
    writer.start()
    try:
        while len(written) < 20 and writer.is_alive():
            time.sleep(0.01)
        output = tmp_path / "nightly.starqr-backup"
        manifest = backup.backup(database_url, str(instance), str(output))
        still_writing = writer.is_alive()
    finally:
        stop.set()
        writer.join(60)
    assert not failures
    assert still_writing, "the writer must still be writing when the backup ends"
    assert oct(os.stat(output).st_mode & 0o777) == "0o600"
    assert sorted(manifest["instance_files"]) == ["instance/ledger-signing.key", "instance/uploads/photo.jpg"]
    backed_up = manifest["row_counts"]["ledger_entry"]
    assert 50 + 20 <= backed_up <= 50 + len(written)

    restored_instance = tmp_path / "restored-instance"
    try:
        report = restore.restore(str(output), target_url, str(restored_instance))
        assert report["row_counts"] == manifest["row_counts"]
        assert backup.data_rows(report["row_counts"]) > 0
        assert (restored_instance / "ledger-signing.key").read_text() == "test signing key"
        assert (restored_instance / "uploads" / "photo.jpg").exists()
        assert not (restored_instance / "starqr.db-wal").exists()

        # Restoring again refuses: the database is no longer empty.
        with pytest.raises(backup.BackupError, match="数据库中已有"):
            restore.restore(str(output), target_url, str(restored_instance))

        restored = open_database(target_url)
        try:
            checked, problems = ledger.verify()
        finally:
            restored.close()
        assert (checked, problems) == (backed_up, [])
    finally:
        open_database(database_url)  # the app fixture's database again
        database.connect(reuse_if_open=True)


def test_forced_restore_saves_the_current_data_first(app, database_url, tmp_path):
    tree = make_tree()
    member = make_member(tree["branch"], "王芳")
    period = make_period()
    record(member, period, "study", 2, "集中学习")
    instance = tmp_path / "instance"
    instance.mkdir()
    output = tmp_path / "a.starqr-backup"
    backup.backup(database_url, str(instance), str(output))
    record(member, period, "study", 2, "备份之后的一条")
    database.close()
    try:
        report = restore.restore(str(output), database_url, str(instance), force=True)
        assert report["row_counts"]["ledger_entry"] == 1
        safety = report["safety_backup"]
        assert safety and backup.read_manifest(safety)["row_counts"]["ledger_entry"] == 2
    finally:
        database.connect(reuse_if_open=True)


def test_cli_backup_and_restore_refusals(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("STARQR_LANG", "en")
    result = cli("backup", "-o", tmp_path / "no" / "such" / "folder.starqr-backup")
    assert result.exit_code == 2 and "does not exist" in result.output
    monkeypatch.setenv("STARQR_LANG", "zh")
    result = cli("backup", "-o", tmp_path / "no" / "such" / "folder.starqr-backup")
    assert result.exit_code == 2 and f"文件夹 {tmp_path / 'no' / 'such'} 不存在" in result.output
    bogus = tmp_path / "bogus.starqr-backup"
    bogus.write_text("not a backup")
    result = cli("restore", bogus)
    assert result.exit_code == 1 and "不是 StarQR 备份" in result.output and "Traceback" not in result.output
    good = tmp_path / "good.starqr-backup"
    assert cli("backup", "-o", good).exit_code == 0
    make_tree()
    result = cli("restore", good, "--force")  # no terminal, no --yes: refused before anything is touched
    assert result.exit_code == 1 and "--yes" in result.output
    assert "的备份替换" in result.output and "没有 --yes,不执行(没有可以确认的终端)" in result.output


def test_nightly_retention_deletes_only_old_dated_backups_and_keeps_the_newest(tmp_path):
    import datetime

    now = datetime.datetime(2026, 6, 30, 2, 0, tzinfo=datetime.UTC)
    names = [backup.dated_name(now - datetime.timedelta(days=days)) for days in (0, 1, 2, 20, 40)]
    for name in [*names, "keep-me.starqr-backup", "notes.txt"]:
        (tmp_path / name).write_text("x")
    deleted = backup.prune(str(tmp_path), keep_days=14, now=now)
    assert sorted(deleted) == sorted(str(tmp_path / n) for n in names[3:])
    assert (tmp_path / "keep-me.starqr-backup").exists() and (tmp_path / "notes.txt").exists()
    # However old, the newest three stay (a stopped timer must not empty the folder).
    assert backup.prune(str(tmp_path), keep_days=1, now=now + datetime.timedelta(days=365)) == []


def test_cli_backup_into_a_folder_with_retention(cli, tmp_path):
    folder = tmp_path / "nightly"
    folder.mkdir()
    result = cli("backup", "--folder", folder, "--keep-days", "14")
    assert result.exit_code == 0, result.output
    assert len([p for p in folder.iterdir() if backup.BACKUP_NAME.match(p.name)]) == 1
    assert cli("backup", "--keep-days", "3", "-o", tmp_path / "x.starqr-backup").exit_code == 2
    assert cli("backup").exit_code == 2


def test_a_signing_key_kept_outside_the_instance_travels_too(app, database_url, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    key = tmp_path / "etc" / "ledger_signing.key"
    key.parent.mkdir()
    key.write_text("a" * 64 + "\n")
    output = tmp_path / "k.starqr-backup"
    manifest = backup.backup(database_url, str(instance), str(output), key_file=str(key))
    assert "keys/ledger_signing.key" in manifest["instance_files"]
    other_host_key = tmp_path / "other" / "ledger_signing.key"
    restored = restore._restore_instance_files(_extracted(output, tmp_path), str(tmp_path / "i2"), str(other_host_key))
    assert other_host_key.read_text() == "a" * 64 + "\n" and str(other_host_key) in restored


def _extracted(path, tmp_path):
    folder = tmp_path / "extracted"
    restore._extract(str(path), str(folder))
    return str(folder)


def test_a_backup_is_restored_only_into_the_same_kind_of_database(tmp_path):
    source = tmp_path / "a.db"
    import sqlite3

    sqlite3.connect(source).execute("CREATE TABLE t (x)").connection.commit()
    output = tmp_path / "a.starqr-backup"
    backup.backup(f"sqlite:///{source}", str(tmp_path / "none"), str(output))
    with pytest.raises(
        backup.BackupError, match="这是 sqlite 数据库的备份;STARQR_DATABASE_URL 指向的是 postgresql 数据库"
    ):
        restore.restore(str(output), "postgresql://nobody@127.0.0.1:1/none", str(tmp_path / "i"))
