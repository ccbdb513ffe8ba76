"""Tree and roster imports confirmed in the console run as background batches (huey, immediate
in tests) with the points import's progress page: rows checked, then applied; a job that fails
for any reason ends "failed" with its reason shown, and nothing is written."""

import io

import pytest

from starqr import tasks
from starqr.models import AuditLog, ImportBatch, Member, Organisation
from starqr.services import imports
from starqr.services.imports import tree
from tests import onboarding_files as files
from tests.helpers import login, make_user


@pytest.fixture
def chief(app, client):
    rows, branches = files.banner_with_tree()
    login(client, "chief", files.CHIEF_PASSWORD)
    return rows, branches


def _preview(client, kind, data, name="file.xlsx", lang="zh"):
    return client.post(
        f"/console/onboarding/preview?lang={lang}",
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm(client, kind, data, name="file.xlsx"):
    return client.post(
        "/console/onboarding/confirm",
        data={"kind": kind, "sha": imports.sha256(data), "filename": name},
        follow_redirects=False,
    )


def test_roster_confirm_runs_as_a_batch_with_a_progress_page(chief, client):
    _rows, branches = chief
    data = files.xlsx(files.roster_rows(branches[:3], 30), files.ROSTER_HEADER)
    assert _preview(client, "roster", data).status_code == 200
    response = _confirm(client, "roster", data)
    assert response.status_code == 302 and "/console/imports/" in response.headers["Location"]
    batch = ImportBatch.select().order_by(ImportBatch.id.desc()).first()
    assert (batch.kind, batch.period_id, batch.status) == ("roster", None, "done")
    assert (batch.rows_total, batch.rows_checked, batch.rows_done) == (30, 30, 30)
    assert Member.select().count() == 30
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="done"' in page and 'data-kind="roster"' in page
    assert "已导入:新增 30,修改 0,转接 0,未变 0" in page and 'value="100"' in page
    assert 'http-equiv="refresh"' not in page  # a finished batch stops refreshing
    assert AuditLog.select().where(AuditLog.action == "import.queued").exists()
    assert AuditLog.select().where(AuditLog.action == "import.roster").exists()
    # The same file again: a batch that changes nothing, and says so.
    again = _confirm(client, "roster", data)
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "没有变化" in page and Member.select().count() == 30
    # The onboarding page lists the recent tree and roster imports, each linking to its page.
    onboarding_page = client.get("/console/onboarding").get_data(as_text=True)
    assert (
        'id="recent-batches"' in onboarding_page and again.headers["Location"].split("/console")[1] in onboarding_page
    )


def test_progress_page_while_pending_and_running(chief, client, app):
    rows, _branches = chief
    data = files.xlsx(rows, files.TREE_HEADER)
    with app.app_context():
        batch = imports.create_batch(None, data, "tree.xlsx", "chief", app.instance_path, kind="tree")
    page = client.get(f"/console/imports/{batch.id}").get_data(as_text=True)
    assert 'data-status="pending"' in page and 'http-equiv="refresh" content="2"' in page
    assert 'value="0"' in page and "排队中" in page
    # Checking 3,000 of 4,000 rows: the bar's first half fills with the rows checked.
    ImportBatch.update(status="running", rows_checked=3000, rows_total=4000).where(ImportBatch.id == batch.id).execute()
    page = client.get(f"/console/imports/{batch.id}").get_data(as_text=True)
    assert 'value="37"' in page and "已检查 3000 行 / 4000" in page and "已写入 0 行" in page
    ImportBatch.update(rows_checked=4000).where(ImportBatch.id == batch.id).execute()
    page = client.get(f"/console/imports/{batch.id}").get_data(as_text=True)
    assert 'value="50"' in page and "正在写入" in page
    # An XLSX being read: the length is not known yet, the bar is indeterminate.
    ImportBatch.update(rows_checked=2000, rows_total=0).where(ImportBatch.id == batch.id).execute()
    page = client.get(f"/console/imports/{batch.id}?lang=mn").get_data(as_text=True)
    assert '<progress id="batch-progress" max="100">' in page


def test_a_job_that_raises_ends_failed_with_its_reason(chief, client, monkeypatch):
    _rows, branches = chief
    data = files.xlsx(files.roster_rows(branches[:2], 10), files.ROSTER_HEADER)
    assert _preview(client, "roster", data).status_code == 200

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    from starqr.services.imports import roster_apply

    monkeypatch.setattr(roster_apply, "run", broken)
    response = _confirm(client, "roster", data)
    batch = ImportBatch.select().order_by(ImportBatch.id.desc()).first()
    assert batch.status == "failed" and Member.select().count() == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="failed"' in page and "RuntimeError: disk on fire" in page
    assert "失败,未写入任何数据" in page


def test_a_file_that_went_bad_fails_with_row_and_column_in_the_readers_language(chief, client, app):
    rows, _branches = chief
    before = Organisation.select().count()
    bad = [list(r) for r in rows] + [["X1", "新村", "", "NOPE", "嘎查村社区", "农村牧区", "", ""]]
    data = files.xlsx(bad, files.TREE_HEADER)
    with app.app_context():
        # Stored while valid, run when its parent no longer exists: the job's own check fails it.
        batch = imports.create_batch(None, data, "tree.xlsx", "chief", app.instance_path, kind="tree")
        tasks.import_task(batch.id, None)
    batch = ImportBatch.get_by_id(batch.id)
    assert batch.status == "failed" and Organisation.select().count() == before
    assert batch.errors[0]["row"] == len(bad) + 1 and batch.errors[0]["column"] == "上级组织编码"
    zh = client.get(f"/console/imports/{batch.id}?lang=zh").get_data(as_text=True)
    assert f"第{len(bad) + 1}行「上级组织编码」:上级组织编码 NOPE 不存在" in zh
    en = client.get(f"/console/imports/{batch.id}?lang=en").get_data(as_text=True)
    assert f"Row {len(bad) + 1}, “上级组织编码”: Parent organisation code NOPE does not exist" in en


def test_only_administrators_queue_tree_and_roster_batches(chief, app):
    secretary = make_user("sec", "secretary", Organisation.get(Organisation.code == "B00"))
    from starqr.errors import Forbidden

    with app.app_context(), pytest.raises(Forbidden):
        imports.create_batch(None, b"x", "t.csv", secretary, app.instance_path, kind="tree")
    assert not ImportBatch.select().exists()


def test_the_three_imports_preview_alike(chief, app):
    """Tree, roster and points: one preview structure (sections with counts and rows, unchanged, errors)."""
    from tests.helpers import make_period

    rows, branches = chief
    from starqr.services.imports import roster_apply

    roster = files.roster_rows(branches[:2], 8)
    assert roster_apply.run(files.xlsx(roster, files.ROSTER_HEADER), "r.xlsx", "chief", dry_run=False).applied
    period = make_period()
    from starqr.models import MEMBER, PlaqueCode

    member = Member.get(Member.member_number == roster[0][0])
    code = PlaqueCode.get(PlaqueCode.subject_kind == MEMBER, PlaqueCode.subject_id == member.id).code
    points_file = imports.write_csv([[code, member.name_zh, "study", "", 1, "", "学习"]])
    plans = {
        "tree": tree.run(files.xlsx(rows, files.TREE_HEADER), "t.xlsx", "chief"),
        "roster": roster_apply.run(files.xlsx(roster, files.ROSTER_HEADER), "r.xlsx", "chief"),
        "points": imports.run(period, points_file, "p.csv", "chief"),
    }
    shapes = {kind: plan.preview() for kind, plan in plans.items()}
    assert {kind: sorted(p) for kind, p in shapes.items()} == {
        kind: ["errors", "kind", "more_errors", "ok", "rows", "sections", "unchanged"] for kind in plans
    }
    for kind, preview in shapes.items():
        assert sorted(preview["sections"]) == ["created", "missing", "moved", "updated"], kind
        assert preview["ok"] and preview["kind"] == kind
    assert shapes["tree"]["unchanged"] == len(rows) and shapes["roster"]["unchanged"] == 8
    created = shapes["points"]["sections"]["created"]
    assert created["count"] == 1 and sorted(created["first"][0]) == ["fields", "id", "key", "name", "note", "row"]
    assert created["first"][0]["row"] == 2 and created["first"][0]["key"] == code


@pytest.mark.parametrize(
    "lang, row_text, message",
    [
        ("zh", "第7行「入党日期」", "入党日期「2026-02-30」不是有效日期,请写成 2001-07-01"),
        ("en", "Row 7", "“2026-02-30” is not a valid date; write it as 2001-07-01"),
        ("mn", "7 ᠳᠦᠭᠡᠷ ᠮᠥᠷ 「入党日期」", "「2026-02-30」 ᠬᠦᠴᠦᠨ ᠲᠡᠢ ᠡᠳᠦᠷ ᠪᠢᠰᠢ"),
    ],
)
def test_row_and_column_errors_in_the_readers_language(chief, client, lang, row_text, message):
    _rows, branches = chief
    roster = files.roster_rows(branches[:2], 10)
    roster[5][5] = "2026-02-30"
    before = Member.select().count()
    response = _preview(client, "roster", files.csv(roster, files.ROSTER_HEADER), "r.csv", lang=lang)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and Member.select().count() == before
    errors = page.split('id="import-errors"')[1].split("</div>")[0]
    assert row_text in errors and message in errors, errors
    assert 'id="confirm-import"' not in page
