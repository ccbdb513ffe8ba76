"""Hostile XLSX and CSV files (issue 14, failures 3 and 4): every one is a message, never a 500,
never a worker killed, never a row written. Built by tests/hostile_files.py.
"""

import datetime
import io
import json
import os
import subprocess
import sys
import time
import zipfile

import pytest

from starqr import job_limits
from starqr.models import ImportBatch, LedgerEntry
from starqr.services import imports as importer
from starqr.services.imports import ImportFileError
from tests import hostile_files as hostile
from tests.helpers import login, make_world, table_counts

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture
def world(app):
    return make_world("test")


@pytest.mark.parametrize("name", sorted(hostile.ALL_XLSX))
def test_every_hostile_xlsx_is_a_message_through_every_door(client, world, name):
    data = hostile.ALL_XLSX[name]()
    with pytest.raises(ImportFileError) as refused:
        importer.run(world["period"], data, "x.xlsx", "admin", dry_run=True)
    assert str(refused.value)
    login(client, "admin1")
    before = table_counts()
    response = client.post(
        f"/api/v1/imports?period_id={world['period'].id}&filename=x.xlsx", data=data, headers=world["headers"]
    )
    assert response.status_code == 422 and response.json["error"] == "invalid_file", response.json
    response = client.post(
        "/console/imports/preview",
        content_type="multipart/form-data",
        data={"period": world["period"].id, "file": (io.BytesIO(data), "x.xlsx")},
    )
    assert response.status_code == 422
    assert table_counts() == before


def test_zip_bomb_is_refused_before_unpacking(world):
    with pytest.raises(ImportFileError, match="过大"):
        importer.run(world["period"], hostile.zip_bomb(), "x.xlsx", "admin", dry_run=True)


def test_too_many_shared_strings_are_refused(monkeypatch, world):
    from starqr.services.imports import xlsx_guard

    monkeypatch.setattr(xlsx_guard, "MAX_SHARED_STRINGS", 1000)
    with pytest.raises(ImportFileError, match="共享文字"):
        importer.run(world["period"], hostile.too_many_shared_strings(2000), "x.xlsx", "admin", dry_run=True)


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels"])
@pytest.mark.parametrize("method", [9, 6])  # deflate64, implode: zipfile reads neither
def test_a_part_in_a_compression_zipfile_cannot_read_is_refused_before_it_is_opened(monkeypatch, member, method):
    from starqr.services.imports import xlsx_guard

    stored = hostile.xlsx(hostile.sheet(), compress=zipfile.ZIP_STORED)
    xlsx_guard.check_xlsx(stored)  # stored as it is: read
    opened = []
    monkeypatch.setattr(xlsx_guard, "_chunks", lambda archive, name: opened.append(name) or iter(()))
    with pytest.raises(ImportFileError, match="不支持的压缩方式") as refused:
        xlsx_guard.check_xlsx(hostile.with_member_header(stored, member, method=method))
    assert refused.value.template == "文件使用了不支持的压缩方式,请用 Excel 或 WPS 另存为 .xlsx 后再上传"
    assert opened == []


def test_an_encrypted_part_is_refused_not_a_crash():
    from starqr.services.imports import xlsx_guard

    with pytest.raises(ImportFileError, match="加密") as refused:
        xlsx_guard.check_xlsx(hostile.encrypted_member())
    assert refused.value.code == "invalid_file"


def test_a_truncated_xlsx_names_its_last_whole_row(world):
    data = hostile.truncated_sheet_xml(world["code"], "巴特尔", rows=5)
    with pytest.raises(ImportFileError, match=r"最后一个完整的行是第5行"):
        importer.run(world["period"], data, "x.xlsx", "admin", dry_run=False)
    good = hostile.xlsx(hostile.sheet(hostile.data_row(2, world["code"], "巴特尔")))
    with pytest.raises(ImportFileError, match="截断"):
        importer.run(world["period"], hostile.truncated_zip(good), "x.xlsx", "admin", dry_run=False)
    assert LedgerEntry.select().count() == 0


def test_a_truncated_xlsx_is_refused_in_the_readers_language(client, world):
    data = hostile.truncated_sheet_xml(world["code"], "巴特尔", rows=5)
    response = client.post(
        f"/api/v1/imports?period_id={world['period'].id}&lang=en", data=data, headers=world["headers"]
    )
    assert response.status_code == 422 and response.json["params"] == {"row": 5}
    assert "the last whole row is row 5" in response.json["message"], response.json


def test_a_truncated_csv_names_its_last_whole_row_and_imports_nothing(client, world):
    data = hostile.csv_truncated(world["code"], "巴特尔", rows=5)
    with pytest.raises(ImportFileError, match=r"最后一个完整的行是第6行"):
        importer.run(world["period"], data, "x.csv", "admin", dry_run=False)
    response = client.post(f"/api/v1/imports?period_id={world['period'].id}", data=data, headers=world["headers"])
    assert response.status_code == 422 and "第6行" in response.json["message"]
    assert LedgerEntry.select().count() == 0


def test_a_csv_with_an_unterminated_quote_is_refused(world):
    with pytest.raises(ImportFileError):
        importer.run(world["period"], hostile.csv_unterminated_quote(world["code"], "巴特尔"), "x.csv", "admin")


def test_a_complete_hand_made_xlsx_still_imports(world):
    rows = [hostile.data_row(i, world["code"], "巴特尔", reason=f"学习{i}") for i in range(2, 6)]
    result = importer.run(world["period"], hostile.xlsx(hostile.sheet(*rows)), "x.xlsx", "admin", dry_run=False)
    assert not result.errors and result.written == 4


def test_a_1904_epoch_workbook_reads_its_dates_right(world):
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    workbook = openpyxl.Workbook()
    workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.append(hostile.HEADER)
    sheet.append([world["code"], "巴特尔", "study", None, 1, datetime.date(2025, 3, 10), "学习"])
    out = io.BytesIO()
    workbook.save(out)
    assert list(importer.read_xlsx(out.getvalue()))[1][1][5] == datetime.date(2025, 3, 10)
    result = importer.run(world["period"], out.getvalue(), "x.xlsx", "admin", dry_run=False)
    assert not result.errors and LedgerEntry.get().occurred_on == "2025-03-10"
    sheet.append(["日期", datetime.date(2026, 3, 10)])
    out = io.BytesIO()
    workbook.save(out)
    assert list(importer.read_xlsx(out.getvalue()))[2][1][1] == datetime.date(2026, 3, 10)


MEASURE = """
import json, sys, time
from starqr.services import imports
from starqr.services.imports import ImportFileError
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
try:
    list(imports.read_rows(data, "x.xlsx")[1])
    outcome = "read"
except ImportFileError as error:
    outcome = str(error)
# VmHWM, the peak RSS of this program: ru_maxrss would carry the forking parent's peak across exec.
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome, "rss_mb": peak_kb / 1024}))
"""


@pytest.mark.parametrize("name", ["exploding_reference", "huge_dimension", "far_row", "many_columns"])
def test_the_exploding_xlsx_keeps_the_worker_small_and_answers_within_two_seconds(tmp_path, name):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(hostile.ALL_XLSX[name]())
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": ROOT, "HOME": os.environ.get("HOME", "/tmp")}
    completed = subprocess.run(
        [sys.executable, str(_write(tmp_path / "measure.py", MEASURE)), str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert completed.returncode == 0, (completed.stdout[-1000:], completed.stderr[-2000:])
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    assert figures["outcome"] != "read"
    assert figures["seconds"] < 2, figures
    assert figures["rss_mb"] < 200, figures


def _write(path, text):
    path.write_text(text)
    return path


# ---------------------------------------------------------------- background jobs: time and memory limits


def test_a_job_over_its_time_limit_is_killed():
    started = time.monotonic()
    assert job_limits.run_limited("hostile_files:sleep_forever", (), time_limit=1.5, env=_env_with_tests()) == (
        "timeout",
        None,
    )
    assert time.monotonic() - started < 10


def test_a_job_over_its_memory_limit_is_stopped():
    outcome, _ = job_limits.run_limited(
        "hostile_files:allocate_without_end", (), time_limit=60, memory_limit=300 * 1024 * 1024, env=_env_with_tests()
    )
    assert outcome == "memory"


def test_a_job_within_its_limits_answers():
    assert job_limits.run_limited("hostile_files:answer", ([1, "二"],), env=_env_with_tests()) == ("done", [1, "二"])


def _env_with_tests():
    return dict(os.environ, PYTHONPATH=os.pathsep.join([TESTS, ROOT, os.environ.get("PYTHONPATH", "")]))


def test_a_background_import_runs_in_a_limited_child_and_a_limit_ends_it_failed(app, world, monkeypatch):
    data = importer.write_csv([[world["code"], "巴特尔", "study", "", 1, "2025-05-01", "学习"]])
    batch = importer.create_batch(world["period"], data, "x.csv", "admin", app.instance_path)
    with app.app_context():
        assert job_limits.run_import_limited(app, batch.id, None) == "done"
    assert ImportBatch.get_by_id(batch.id).status == "done" and LedgerEntry.select().count() == 1

    slow = importer.create_batch(world["period"], data + b"\r\n", "y.csv", "admin", app.instance_path)
    monkeypatch.setitem(app.config, "IMPORT_TIME_LIMIT", 0.01)
    with app.app_context():
        assert job_limits.run_import_limited(app, slow.id, None) == "failed"
    failed = ImportBatch.get_by_id(slow.id)
    assert failed.status == "failed" and "时间上限" in failed.errors[0]["message"]


def test_a_starqr_error_in_the_limited_child_ends_the_import_with_its_template(app, world, monkeypatch):
    outcome, record = job_limits.run_limited("hostile_files:refuse", (), env=_env_with_tests())
    assert outcome == "error" and (record["template"], record["params"]) == (
        "组织编码 %(org_code)s 不存在",
        {"org_code": "X9"},
    )
    data = importer.write_csv([[world["code"], "巴特尔", "study", "", 1, "2025-05-01", "学习"]])
    batch = importer.create_batch(world["period"], data, "x.csv", "admin", app.instance_path)
    monkeypatch.setattr(job_limits, "run_limited", lambda *args, **kwargs: (outcome, record))
    with app.app_context():
        assert job_limits.run_import_limited(app, batch.id, None) == "failed"
    stored = ImportBatch.get_by_id(batch.id).errors[0]
    assert (stored["template"], stored["params"], stored["code"]) == (record["template"], {"org_code": "X9"}, "invalid")
