"""An administrator brings in the roster through the console (1366×768): downloads the roster
template, fills it (openpyxl), uploads it, reads the preview, applies it; the new members'
scan pages answer. Screenshots: test-artifacts/onboarding-*.png."""

import io

import pytest
from openpyxl import load_workbook

from starqr.db import database
from tests import onboarding_files as files
from tests.browser.conftest import live_site, log_in, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def onboarding_server(tmp_path_factory):
    def build(app):
        _rows, branches = files.banner_with_tree()
        return {"branches": branches, "url": app.config["DATABASE_URL"]}

    # the confirmed import runs as a batch, in-process
    yield from live_site(tmp_path_factory.mktemp("onboarding"), build, HUEY_IMMEDIATE=True)


def test_roster_template_fill_upload_preview_apply(browser, onboarding_server):
    server = onboarding_server
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    log_in(page, server["base"], "chief", files.CHIEF_PASSWORD)
    page.goto(server["base"] + "/console/onboarding")
    shot(page, "onboarding-0-page")
    with page.expect_download() as download_info:
        page.click("#template-roster")
    with open(download_info.value.path(), "rb") as handle:
        template = handle.read()
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["导入"]
    assert [c.value for c in sheet[1]] == files.ROSTER_HEADER
    sheet.delete_rows(2)  # the example row
    new_members = [
        [f"N{n:03d}", f"新党员{n}", "", server["branches"][n % 3], "普通党员", "2010-07-01", "2011-07-01", ""]
        for n in range(6)
    ]
    for row in new_members:
        sheet.append(row)
    filled = io.BytesIO()
    workbook.save(filled)
    page.select_option("select[name=kind]", "roster")
    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "花名册.xlsx",
                "buffer": filled.getvalue(),
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ],
    )
    page.click("button:has-text('检查并预览')")
    page.wait_for_load_state()
    assert "新增 6" in page.inner_text("#import-summary")
    assert page.locator("#created tbody tr").count() == 6
    shot(page, "onboarding-1-preview")
    page.click("#confirm-import")
    page.wait_for_load_state()
    assert "已导入" in page.inner_text("body")
    shot(page, "onboarding-2-applied")

    from starqr.db import open_database
    from starqr.models import MEMBER, Member, PlaqueCode

    open_database(server["url"])
    database.connect(reuse_if_open=True)
    try:
        ids = [m.id for m in Member.select().where(Member.member_number.startswith("N"))]
        codes = [
            p.code for p in PlaqueCode.select().where(PlaqueCode.subject_kind == MEMBER, PlaqueCode.subject_id.in_(ids))
        ]
    finally:
        database.close()
    assert len(codes) == 6
    for code in codes:
        response = page.goto(f"{server['base']}/Q/{code}")
        assert response.status == 200
    assert "新党员" in page.inner_text("body")
    shot(page, "onboarding-3-scan")
    context.close()
