"""A secretary on a phone: log in, record a points event, see it at once on the scan page.

Real headless Chromium at 360×640 against a live server on 127.0.0.1 (temp SQLite, CSRF on,
as in production). Screenshots go to test-artifacts/secretary-*.png.
"""

import pytest

from tests.browser.conftest import PHONE_PASSWORD, branch_with_secretary, live_site, phone_page, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def console_server(tmp_path_factory):
    from tests.helpers import issue_code, make_member, make_period, make_post

    def build(app):
        tree = branch_with_secretary("yangyong", "杨勇")
        make_period()
        member = make_member(tree["branch"], "乌云其木格", "ᠤᠶᠤᠨᠴᠢᠮᠡᠭ", category="backbone", party_post="组织委员")
        make_post(member)
        for name in ("巴特尔", "张秀兰", "苏和"):
            issue_code(make_member(tree["branch"], name))
        return {"code": issue_code(member).code, "member": "乌云其木格"}

    yield from live_site(tmp_path_factory.mktemp("secretary"), build)


@pytest.fixture
def phone(browser):
    yield from phone_page(browser, device_scale_factor=2, is_mobile=True, has_touch=True)


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def _camera_photo(folder):
    """A phone photo with a camera make and a GPS position in its EXIF."""
    from PIL import Image

    image = Image.new("RGB", (2400, 1800), (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {2: (41.0, 1.0, 0.0), 4: (108.0, 1.0, 0.0)}
    path = folder / "IMG_20250418_0930.jpg"
    image.save(path, "JPEG", exif=exif)
    return str(path)


def test_secretary_records_points_that_show_on_the_scan_page(phone, console_server, tmp_path):
    base, page = console_server["base"], phone
    errors = []
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None
        ),
    )

    page.goto(f"{base}/console/")
    assert page.url.startswith(f"{base}/console/login")
    shot(page, "secretary-1-login", full_page=False)
    _no_horizontal_scroll(page)
    page.get_by_label("用户名").fill("yangyong")
    page.get_by_label("密码", exact=True).fill(PHONE_PASSWORD)
    page.get_by_role("button", name="登录").click()

    # a secretary lands on their own branch
    assert page.get_by_role("heading", level=1).inner_text().startswith("仁宝勒格嘎查党支部")
    shot(page, "secretary-2-branch")
    _no_horizontal_scroll(page)

    page.get_by_role("link", name=console_server["member"]).click()
    page.wait_for_url("**/members/*")
    before = float(page.locator(".live-points").get_attribute("data-points"))
    shot(page, "secretary-3-member", full_page=False)
    page.get_by_role("link", name="记录积分").click()
    page.wait_for_url("**/points")
    page.wait_for_load_state()
    assert "记录积分" in page.title()
    assert page.locator("input[name=item]:checked").count() == 0  # no default item
    assert not page.get_by_label("事由在扫码页公开").is_checked()  # public reason: opt in
    page.locator("label.item-choice", has_text="参加集中学习").click()
    page.get_by_label("次数").fill("1")
    page.get_by_label("事由", exact=True).fill("参加四月党课集中学习")
    page.get_by_label("佐证（文字说明）").fill("签到表第3页")
    with page.expect_file_chooser() as chooser:
        page.get_by_label("佐证照片（可用手机拍照）").click()
    chooser.value.set_files(_camera_photo(tmp_path))
    page.get_by_label("事由在扫码页公开").check()
    shot(page, "secretary-4-points-form")
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="记录积分").click()

    flash = page.locator(".flash-success")
    assert "已记录" in flash.inner_text() and "+2" in flash.inner_text()
    assert "参加四月党课集中学习" in page.locator("ul.entries").inner_text()
    page.goto(f"{base}/console/")  # the branch home, then the member again: live points moved by +2
    page.get_by_role("link", name=console_server["member"]).click()
    page.wait_for_url("**/members/*")
    after = float(page.locator(".live-points").get_attribute("data-points"))
    assert after == before + 2, (before, after)
    assert page.locator("img.evidence-thumb").count() == 1
    shot(page, "secretary-5-recorded")
    _no_horizontal_scroll(page)

    # at once on the member's public scan page, no caches in between
    response = page.goto(f"{base}/Q/{console_server['code']}")
    assert response.status == 200
    live = page.locator("section.live")
    assert "参加集中学习" in live.inner_text() and "+2" in live.inner_text()
    live.get_by_text("最近记录").click()  # the newest entries, folded by default
    assert "参加四月党课集中学习" in live.inner_text()
    live.scroll_into_view_if_needed()
    shot(page, "secretary-6-scan-page", full_page=False)
    data = page.request.get(f"{base}/Q/{console_server['code']}.json").json()
    reasons = [e["reason"] for e in data["live"]["entries"]]
    assert "参加四月党课集中学习" in reasons
    assert not errors, errors
