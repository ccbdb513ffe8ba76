"""An administrator imports scores and schedules publication; the scheduler publishes on time.

Real headless Chromium (office screen, 1280 wide) against a live server on 127.0.0.1 with
the demo banner (temp SQLite, CSRF on). The flow: an XLSX with a bad row is refused with a
clear error and nothing changes; the fixed file is previewed (whose stars move), imported
in the background, the period is scheduled a few minutes ahead (Beijing time), and the
scheduler's job (`starqr publish --due`, run as the systemd timer runs it, with the clock
moved past the publication time) publishes it: the member's public page changes.
Screenshots: test-artifacts/admin-import-*.png.
"""

import datetime
import os
import re
import subprocess
import sys
import pytest

from starqr.db import database, open_database
from tests.browser.conftest import live_site, log_in, shot

pytestmark = pytest.mark.browser

PASSWORD = "office-secret-2025"
STARQR = os.path.join(os.path.dirname(sys.executable), "starqr")


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory):
    from starqr.models import MEMBER, LedgerEntry, Member, PlaqueCode, RatingPeriod
    from starqr.services import demo

    def build(app):
        demo.build(members=300, seed=11, password=PASSWORD)
        year = datetime.date.today().year
        period = RatingPeriod.get(RatingPeriod.name == f"{year}年度")
        rated = Member.select(Member.id).where(Member.exempt == False)  # noqa: E712 (exempt: no stars move)
        plaques = list(
            PlaqueCode.select()
            .where(PlaqueCode.subject_kind == MEMBER, PlaqueCode.status == "active", PlaqueCode.subject_id.in_(rated))
            .order_by(PlaqueCode.id)
            .limit(4)
        )
        names = {m.id: m.name_zh for m in Member.select().where(Member.id.in_([p.subject_id for p in plaques]))}
        subjects = [(p.code, names[p.subject_id]) for p in plaques]
        return {
            "url": app.config["DATABASE_URL"],
            "period_id": period.id,
            "period_name": period.name,
            "subjects": subjects,
            "entries_before": LedgerEntry.select().count(),
            "instance": app.instance_path,
        }

    yield from live_site(tmp_path_factory.mktemp("admin-import"), build, HUEY_IMMEDIATE=True)


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def _xlsx(rows):
    from starqr.services import imports

    return imports.write_xlsx(rows)


def _rows(subjects, year):
    rows = []
    for code, name in subjects:
        rows.append([code, name, "民主评议得票率（%）", 100, 1, f"{year}-06-30", "年中民主评议"])
        rows.append([code, name, "commitments_fulfilled", 1, 1, f"{year}-06-30", "承诺全部兑现"])
    return rows


def _ledger_count(url):
    from starqr.models import LedgerEntry

    open_database(url)
    database.connect(reuse_if_open=True)
    try:
        return LedgerEntry.select().count()
    finally:
        database.close()


def _upload(page, server, data, filename):
    page.goto(server["base"] + "/console/imports")
    page.select_option("select[name=period]", str(server["period_id"]))
    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": filename,
                "buffer": data,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ],
    )
    page.click("button:has-text('检查并预览')")
    page.wait_for_load_state()


def test_admin_imports_previews_schedules_and_scheduler_publishes(desk, admin_server, tmp_path):
    server, page = admin_server, desk
    year = datetime.date.today().year
    subjects = server["subjects"]
    code, name = subjects[0]

    # The public page before: the newest published result is last year's.
    page.goto(f"{server['base']}/Q/{code}")
    before = page.inner_text("body")
    assert server["period_name"] not in before.split("最新公布结果")[1][:40]
    shot(page, "admin-import-0-public-before")

    log_in(page, server["base"], "admin", PASSWORD)
    assert "/console/login" not in page.url

    # 1. A file with a bad row: a clear error naming row and column; nothing changes.
    bad = _rows(subjects, year)
    bad.insert(2, [subjects[1][0], "不是这个人", "study", "", 1, f"{year}-05-04", "参加集中学习"])
    _upload(page, server, _xlsx(bad), "积分导入.xlsx")
    errors = page.inner_text("#import-errors")
    assert "第4行「姓名」" in errors and "不是这个人" in errors and subjects[1][1] in errors
    assert "未写入任何数据" in errors
    assert page.locator("button:has-text('确认导入')").count() == 0
    shot(page, "admin-import-1-bad-row")
    assert _ledger_count(server["url"]) == server["entries_before"]

    # 2. The fixed file: the preview lists whose stars move, before → after.
    _upload(page, server, _xlsx(_rows(subjects, year)), "积分导入.xlsx")
    summary = page.inner_text("#import-summary")
    assert "全部有效" in summary and "新增 8 条" in summary
    row = page.locator("#star-moves tr", has_text=code).inner_text()
    before_stars, after_stars = map(int, re.search(r"(\d)★ → (\d)★", row).groups())
    assert after_stars > before_stars
    shot(page, "admin-import-2-preview")
    assert _ledger_count(server["url"]) == server["entries_before"]

    # 3. Confirm: the import runs as a background batch with a progress bar.
    page.click("button:has-text('确认导入')")
    page.wait_for_load_state()
    assert page.locator("#batch-status").get_attribute("data-status") == "done"
    assert "已导入 8 条台账记录" in page.inner_text("#batch-status")
    shot(page, "admin-import-3-done")
    assert _ledger_count(server["url"]) == server["entries_before"] + 8

    # 4. Schedule publication a few minutes ahead, in Beijing time.
    from starqr.services import scheduler

    now_utc = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    publish_local = scheduler.to_local(now_utc) + datetime.timedelta(minutes=5)
    page.goto(f"{server['base']}/console/admin/periods/{server['period_id']}")
    page.fill("input[name=publish_date]", publish_local.date().isoformat())
    page.fill("input[name=publish_time]", publish_local.strftime("%H:%M"))
    page.fill("input[name=notice_days]", "5")
    page.click("button:has-text('安排发布')")
    page.wait_for_load_state()
    assert "已安排在北京时间" in page.inner_text("main")
    assert publish_local.strftime("%Y-%m-%d %H:%M") in page.inner_text("#publish-at")
    shot(page, "admin-import-4-scheduled")

    # Nothing is public yet: the scheduler finds nothing due before the time (the CLI speaks zh).
    env = dict(os.environ, STARQR_DATABASE_URL=server["url"], STARQR_INSTANCE_PATH=str(tmp_path))
    early = scheduler.to_utc(publish_local) - datetime.timedelta(minutes=1)
    run = subprocess.run(
        [STARQR, "publish", "--due", "--now", early.isoformat()], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0 and "没有到期的发布或公示" in run.stdout, run.stderr
    # The imported points already show as live points; the published result is unchanged.
    page.goto(f"{server['base']}/Q/{code}")
    assert page.inner_text("body").split("最新公布结果")[1][:200] == before.split("最新公布结果")[1][:200]
    shot(page, "admin-import-4b-public-live-before-publication")

    # 5. The scheduler's run at the publication time publishes; the public page changes.
    at = scheduler.to_utc(publish_local) + datetime.timedelta(seconds=30)
    run = subprocess.run(
        [STARQR, "publish", "--due", "--now", at.isoformat()], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0 and f"{server['period_name']}: 已发布" in run.stdout, run.stdout + run.stderr
    page.goto(f"{server['base']}/Q/{code}")
    after = page.inner_text("body")
    latest = after.split("最新公布结果")[1][:200]
    assert server["period_name"] in latest and f"{after_stars}星/5星" in latest
    assert "公示中" in after
    shot(page, "admin-import-5-public-after")

    page.goto(f"{server['base']}/console/admin/periods/{server['period_id']}")
    assert page.inner_text("#period-state") == "公示中"
    shot(page, "admin-import-6-period-notice")
    page.goto(f"{server['base']}/console/dashboard")
    shot(page, "admin-import-7-dashboard")
