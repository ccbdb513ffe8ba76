"""The shared import preview and the progress page at 1366×768, in Chinese and in Mongolian:
the same sections for every import, errors with row and column in the reader's language, and
the progress bar of a running and of a failed batch. Screenshots: test-artifacts/import-*.png."""

import pytest

from tests import onboarding_files as files
from tests.browser.conftest import live_site, log_in, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def import_server(tmp_path_factory):
    from starqr.models import ImportBatch
    from starqr.services import imports
    from starqr.services.imports import roster_apply

    def build(app):
        rows, branches = files.banner_with_tree()
        roster = files.roster_rows(branches[:4], 40)
        assert roster_apply.run(files.xlsx(roster, files.ROSTER_HEADER), "r.xlsx", "chief", dry_run=False).ok
        # A batch half checked, and one that failed on a row of the file.
        running = imports.create_batch(None, b"x", "花名册-8000.xlsx", "chief", app.instance_path, kind="roster")
        ImportBatch.update(status="running", rows_checked=6000, rows_total=8000).where(
            ImportBatch.id == running.id
        ).execute()
        bad = [list(r) for r in rows] + [["X1", "新村", "", "NOPE", "嘎查村社区", "农村牧区", "", ""]]
        failed = imports.create_batch(
            None, files.xlsx(bad, files.TREE_HEADER), "组织树.xlsx", "chief", app.instance_path, kind="tree"
        )
        imports.run_batch(failed.id, app.instance_path)
        # The next roster: 3 new, 2 renamed, 2 transferred, 2 gone from the file.
        changed = [list(r) for r in roster[2:]]
        changed[0][1] += "(改)"
        changed[1][1] += "(改)"
        changed[2][3], changed[3][3] = branches[5], branches[6]
        changed += [
            [f"N{n:03d}", f"新党员{n}", "", branches[0], "普通党员", "2010-07-01", "2011-07-01", ""] for n in range(3)
        ]
        broken = [list(r) for r in roster]
        broken[4][5] = "2026-02-30"
        broken[6][3] = "B99"
        return {
            "roster": files.xlsx(changed, files.ROSTER_HEADER),
            "broken": files.xlsx(broken, files.ROSTER_HEADER),
            "running": running.id,
            "failed": failed.id,
        }

    yield from live_site(tmp_path_factory.mktemp("import-pages"), build, HUEY_IMMEDIATE=True)


def _upload(page, base, data):
    page.goto(base + "/console/onboarding")
    page.select_option("select[name=kind]", "roster")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "花名册.xlsx", "buffer": data, "mimeType": "application/octet-stream"}],
    )
    page.click("#upload-form button[type=submit]")
    page.wait_for_load_state()


def _fits(page):
    return page.evaluate("document.scrollingElement.scrollWidth") <= 1366


@pytest.mark.parametrize("lang, locale", [("zh", "zh-CN"), ("mn", "mn")])
def test_preview_and_progress_pages(browser, import_server, lang, locale):
    server, base = import_server, import_server["base"]
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=locale)
    page = context.new_page()
    log_in(page, base, "chief", files.CHIEF_PASSWORD)

    _upload(page, base, server["roster"])
    summary = page.inner_text("#import-summary")
    assert page.locator("#created tbody tr").count() == 3
    assert page.locator("#updated tbody tr").count() == 2 and page.locator("#moved tbody tr").count() == 2
    assert page.locator("#missing li").count() == 2
    assert ("新增 3 条" in summary) if lang == "zh" else ("ᠰᠢᠨ᠎ᠡ: 3" in summary)
    assert _fits(page)
    shot(page, f"import-{lang}-1-preview", full_page=False)

    _upload(page, base, server["broken"])
    errors = page.inner_text("#import-errors")
    if lang == "zh":
        assert "第6行「入党日期」" in errors and "第8行「所在支部编码」:支部编码 B99 不存在" in errors
    else:
        assert "6 ᠳᠦᠭᠡᠷ ᠮᠥᠷ 「入党日期」" in errors and "B99 ᠡᠰ ᠪᠦᠯᠦᠭ ᠦᠨ ᠺᠣᠳ ᠪᠠᠶᠢᠬᠤ ᠦᠭᠡᠢ" in errors
    assert page.locator("#confirm-import").count() == 0 and _fits(page)
    shot(page, f"import-{lang}-2-errors", full_page=False)

    page.goto(f"{base}/console/imports/{server['running']}")
    assert page.locator("#batch-status").get_attribute("data-status") == "running"
    assert page.locator("#batch-progress").get_attribute("value") == "37"
    assert "6000" in page.inner_text("#batch-counts") and _fits(page)
    assert page.locator("meta[http-equiv=refresh]").count() == 1
    shot(page, f"import-{lang}-3-progress", full_page=False)

    page.goto(f"{base}/console/imports/{server['failed']}")
    assert page.locator("#batch-status").get_attribute("data-status") == "failed"
    failure = page.inner_text("#batch-errors")
    assert "NOPE" in failure and ("不存在" in failure if lang == "zh" else "ᠪᠠᠶᠢᠬᠤ ᠦᠭᠡᠢ" in failure)
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    shot(page, f"import-{lang}-4-failed", full_page=False)
    context.close()


def test_confirmed_roster_shows_its_outcome(browser, import_server):
    server, base = import_server, import_server["base"]
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "chief", files.CHIEF_PASSWORD)
    _upload(page, base, server["roster"])
    page.click("#confirm-import")
    page.wait_for_load_state()
    assert page.locator("#batch-status").get_attribute("data-status") == "done"
    outcome = page.inner_text("#batch-outcome")
    assert "新增 3,修改 2,转接 2" in outcome and "名册中缺少 2 人" in outcome
    shot(page, "import-zh-5-done", full_page=False)
    context.close()
