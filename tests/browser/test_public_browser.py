"""What a villager sees after scanning: real headless Chromium at 360×640, JavaScript off."""

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def _requests(page):
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def test_member_page(page, live_server):
    seen = _requests(page)
    response = page.goto(f"{live_server['base']}/Q/{live_server['member']}")
    assert response.status == 200
    title = page.title()
    assert "党员信息" in title
    assert page.locator("h1").inner_text() in title
    # body text at least 16 px, stars readable as text
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 16
    assert (
        "星/" in page.locator("header").inner_text()
        or "免评" in page.locator("header").inner_text()
        or "否决" in page.locator("header").inner_text()
    )
    for heading in ("设岗定责", "承诺践诺", "争星过程电子档案", "本年度实时积分"):
        assert page.get_by_role("heading", name=heading).count() == 1
    assert page.locator("svg").count() >= 1
    shot(page, "member-zh-top", full_page=False)
    shot(page, "member-zh")
    # nothing but this server (and at most its own font)
    assert all(url.startswith(live_server["base"]) for url in seen)
    # no horizontal scrolling at 360 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_branch_page(page, live_server):
    response = page.goto(f"{live_server['base']}/q/{live_server['branch'].lower()}")
    assert response.status == 200
    assert "党组织信息" in page.title()
    for heading in ("评分明细", "党员及星级", "争星过程电子档案", "基本信息"):
        assert page.get_by_role("heading", name=heading).count() == 1
    shot(page, "branch-zh-top", full_page=False)
    shot(page, "branch-zh")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_notice_page_and_objection_in_chinese(page, live_server):
    page.goto(f"{live_server['base']}/Q/{live_server['member']}")
    notice = page.locator("#notice")
    assert "公示截止" in notice.inner_text()
    page.locator("#notice details:has(form) > summary").click()  # not the ledger checkpoint's
    page.locator("#t").fill("该党员今年参加集体劳动的次数与实际不符，请核实。")
    shot(page, "notice-zh-form", full_page=False) if False else None
    notice.scroll_into_view_if_needed()
    shot(page, "notice-zh", full_page=False)
    page.locator("#notice button[type=submit]").click()
    assert "异议已收到" in page.locator("h1").inner_text()
    assert page.locator(".ref").inner_text().startswith("YY")
    shot(page, "objection-done-zh", full_page=False)


def test_notice_page_in_mongolian(page, live_server):
    seen = _requests(page)
    page.goto(f"{live_server['base']}/Q/{live_server['branch']}?lang=mn")
    assert page.locator("html").get_attribute("lang") == "mn-Mong"
    mode = page.evaluate("getComputedStyle(document.querySelector('section h2')).writingMode")
    assert mode == "vertical-lr"
    # the whole page is written vertically; the Mongolian name is the heading
    assert page.evaluate("getComputedStyle(document.documentElement).writingMode") == "vertical-lr"
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).writingMode") == "vertical-lr"
    page.wait_for_load_state("networkidle")
    assert any(url.endswith(".woff2") for url in seen)
    shot(page, "branch-mn-top", full_page=False)
    page.locator("#notice").scroll_into_view_if_needed()
    shot(page, "notice-mn", full_page=False)
    shot(page, "branch-mn")


def test_chinese_page_without_mongolian_needs_no_font(page, live_server):
    seen = _requests(page)
    page.goto(f"{live_server['base']}/Q/{live_server['member']}?lang=en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "member-en-top", full_page=False)
    assert len(seen) <= 2


def test_revoked_code(page, live_server):
    response = page.goto(f"{live_server['base']}/Q/{live_server['revoked']}")
    assert response.status == 410
    link = page.locator(f"a[href*='{live_server['replacement']}']")
    assert link.count() == 1
    shot(page, "revoked-zh", full_page=False)
    link.click()
    assert page.url.endswith(live_server["replacement"])


def test_unknown_code(page, live_server):
    response = page.goto(f"{live_server['base']}/Q/NOSUCHCODE")
    assert response.status == 404
    shot(page, "not-found-zh", full_page=False)
    page.locator("#code").fill(live_server["member"].lower())
    page.locator("button[type=submit]").click()
    assert page.url.endswith("/Q/" + live_server["member"])
