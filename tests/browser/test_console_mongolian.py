"""Mongolian names in the console: drawn with the Mongolian font (listed first, every weight),
vertically, including the 蒙古文姓名 edit field, so a secretary can check the spelling."""

import pytest

from tests.browser.conftest import PHONE_PASSWORD, branch_with_secretary, live_site, shot
from tests.browser.test_public_layout import FONT_READY, MONGOLIAN_ELEMENTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def console_server(tmp_path_factory):
    from tests.helpers import make_member

    def build(app):
        tree = branch_with_secretary("wuyun", "乌云")
        member = make_member(tree["branch"], "巴特尔", "ᠪᠠᠭᠠᠲᠤᠷ", party_post="组织委员")
        return {"member_id": member.id, "branch_id": tree["branch"].id}

    yield from live_site(tmp_path_factory.mktemp("console-mn"), build)


def _check(page, name):
    page.wait_for_load_state("load")
    elements = page.evaluate(MONGOLIAN_ELEMENTS)
    assert page.evaluate(FONT_READY), name
    shot(page, f"console-mn-{name}", full_page=False)
    assert elements, name
    for element in elements:
        assert element["font"].lstrip('"').startswith("StarQR Mongolian"), (name, element)
        assert element["mode"].startswith("vertical"), (name, element)
    assert page.evaluate(FONT_READY), name


def test_console_shows_mongolian_names_in_the_mongolian_font(browser, console_server):
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="zh-CN")
    page = context.new_page()
    base = console_server["base"]
    page.goto(f"{base}/console/login")
    page.get_by_label("用户名").fill("wuyun")
    page.get_by_label("密码", exact=True).fill(PHONE_PASSWORD)
    page.locator("button[type=submit]").first.click()
    page.goto(f"{base}/console/members/{console_server['member_id']}")
    _check(page, "member")
    page.goto(f"{base}/console/members/{console_server['member_id']}/edit")
    field = page.locator("input[name=name_mn]")
    assert field.input_value() == "ᠪᠠᠭᠠᠲᠤᠷ"
    style = field.evaluate("e => [getComputedStyle(e).writingMode, getComputedStyle(e).fontFamily]")
    assert style[0] == "vertical-lr" and style[1].lstrip('"').startswith("StarQR Mongolian")
    assert page.evaluate(FONT_READY)
    shot(page, "console-mn-edit", full_page=False)
    context.close()
