"""Consoles that tell what to do next, in a real browser.

- 360×640: a secretary records a points event with a photo chosen through the file chooser
  and sees the live points change.
- 1366×768: an administrator reads the audit entry for it in words; a 比武争星 round with
  five judges, one refused on their own branch, ends in the trimmed-mean ranking shown on
  the branches' scan pages.
Screenshots of every new page go to test-artifacts/l13-*.png.
"""

import datetime
import re

import pytest

from tests.browser.conftest import live_site, shot

pytestmark = pytest.mark.browser

PASSWORD = "console-secret-2025"
CRITERIA = ("position", "organisational_life", "members_role", "development", "presentation")
MAXIMA = (20, 20, 20, 25, 15)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from starqr.models import ImportBatch, Objection, PlaqueCode
    from starqr.services import accounts, ratings
    from tests.helpers import issue_code, make_member, make_org, make_period, make_tree, record

    def build(app):
        tree = make_tree(domain="community")
        branches = [tree["branch"]] + [
            make_org(tree["unit"], "branch", "community", name) for name in ("团结社区第二党支部", "团结社区第三党支部")
        ]
        codes = [issue_code(b).code for b in branches]
        published = make_period(year=2025)
        member = make_member(tree["branch"], "乌云其木格", category="backbone")
        for name in ("巴特尔", "张秀兰"):
            issue_code(make_member(tree["branch"], name))
        record(member, published, "miss_meeting", -1, reason="三月无故缺席")
        ratings.publish(published, datetime.datetime(2026, 1, 15, 1, 0))
        objection = Objection.create(
            reference="YY2025ABCDEF",
            period=published,
            text="三月缺席是因病请假，有假条",
            plaque=PlaqueCode.get(PlaqueCode.code == issue_code(member).code),
        )
        make_period(year=2026)
        accounts.create_user("admin1", PASSWORD, "admin", display_name="旗委组织部")
        accounts.create_user("sec_a", PASSWORD, "secretary", tree["branch"], display_name="杨勇")
        for n in (1, 2, 3):
            accounts.create_user(f"judge{n}", PASSWORD, "viewer", tree["town"], display_name=f"评委{n}")
        ImportBatch.create(
            file_sha256="0" * 64, filename="2026年一季度积分.xlsx", period=published, created_by="admin1"
        )
        return {
            "branches": [b.name_zh for b in branches],
            "branch_ids": [b.id for b in branches],
            "codes": codes,
            "member": "乌云其木格",
            "objection": objection.id,
        }

    yield from live_site(tmp_path_factory.mktemp("l13"), build)


def _context(browser, width, height, mobile=False):
    return browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=1 if not mobile else 2,
        locale="zh-CN",
        is_mobile=mobile,
        has_touch=mobile,
    )


def _login(page, base, username):
    page.goto(f"{base}/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _photo(folder):
    from PIL import Image

    image = Image.new("RGB", (3000, 2000), (30, 90, 160))
    exif = Image.Exif()
    exif[0x8825] = {2: (41.0, 1.0, 0.0), 4: (108.0, 1.0, 0.0)}  # a GPS position
    path = folder / "IMG_0042.jpg"
    image.save(path, "JPEG", exif=exif)
    return str(path)


def test_1_secretary_phone_records_points_with_a_photo(browser, server, tmp_path):
    context = _context(browser, 360, 640, mobile=True)
    page = context.new_page()
    _login(page, server["base"], "sec_a")
    assert "API令牌" not in page.locator("nav.mainnav").inner_text()
    shot(page, "l13-secretary-branch-home")
    assert page.locator("#unscanned").is_visible()
    page.locator("ul.members a", has_text=server["member"]).click()
    page.wait_for_url("**/members/*")
    before = float(page.locator(".live-points").get_attribute("data-points"))
    page.get_by_role("link", name="记录积分").click()
    page.wait_for_url("**/points")
    page.locator("details.veto summary").click()
    shot(page, "l13-secretary-points-form")
    page.locator("label.item-choice", has_text="参加主题党日").click()
    page.get_by_label("次数").fill("2")
    page.get_by_label("事由", exact=True).fill("参加五月主题党日")
    with page.expect_file_chooser() as chooser:
        page.get_by_label("佐证照片（可用手机拍照）").click()
    chooser.value.set_files(_photo(tmp_path))
    page.get_by_role("button", name="记录积分").click()
    page.wait_for_load_state()
    assert "+4" in page.locator(".flash-success").inner_text()
    page.locator(".breadcrumbs a").click()
    page.wait_for_url("**/branches/*")
    page.locator("ul.members a", has_text=server["member"]).click()
    page.wait_for_url("**/members/*")
    after = float(page.locator(".live-points").get_attribute("data-points"))
    assert after == before + 4
    assert page.locator("img.evidence-thumb").count() == 1
    shot(page, "l13-secretary-member-page")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_2_admin_reads_the_audit_entry_in_words(browser, server):
    context = _context(browser, 1366, 768)
    page = context.new_page()
    _login(page, server["base"], "admin1")
    page.goto(f"{server['base']}/console/admin/audit?actor=sec_a")
    entry = page.locator("li.audit-entry", has_text="记录积分").first
    text = entry.inner_text()
    assert "sec_a" in text and f"{server['member']}（" in text
    assert "积分项目" in text and "参加主题党日（theme_party_day）" in text and "参加五月主题党日" in text
    assert "\\u" not in page.content()
    shot(page, "l13-admin-audit")
    for path, name in (
        (f"/console/admin/objections/{server['objection']}", "l13-admin-objection"),
        ("/console/admin/periods", "l13-admin-periods"),
        ("/console/imports", "l13-admin-imports-stuck"),
        ("/console/admin/plaques/scans?list=never", "l13-admin-plaques-never-scanned"),
    ):
        response = page.goto(server["base"] + path)
        assert response.status == 200, path
        shot(page, name)
    assert page.locator("#scan-list").is_visible()
    page.goto(f"{server['base']}/console/imports")
    assert "starqr scheduler" in page.locator("#stuck-queue").inner_text()
    page.goto(f"{server['base']}/console/admin/objections/{server['objection']}")
    assert page.locator("input[name=decision]:checked").count() == 0
    page.goto(f"{server['base']}/console/admin/periods")
    page.locator("a", has_text="2025年度").first.click()
    page.wait_for_load_state()
    shot(page, "l13-admin-period")
    context.close()


def _score(page, total):
    left = total
    for criterion, maximum in zip(CRITERIA, MAXIMA):  # criteria values adding up to TOTAL
        take = min(left, maximum)
        page.locator(f"#c_{criterion}").fill(str(take))
        left -= take
    page.get_by_role("button", name="保存评分").click()
    page.wait_for_load_state()


def test_3_contest_with_five_judges_ranks_on_the_scan_pages(browser, server):
    base = server["base"]
    a, b, c = server["branches"]
    admin = _context(browser, 1366, 768).new_page()
    _login(admin, base, "admin1")
    admin.goto(f"{base}/console/contests/new")
    admin.get_by_label("名称").fill("团结社区比武争星拉练观摩")
    for name in (a, b, c):
        admin.get_by_label(name).check()
    shot(admin, "l13-contest-new")
    admin.get_by_role("button", name="创建").click()
    admin.wait_for_url(re.compile(r".*/console/contests/\d+$"))
    contest_url = admin.url
    for username in ("sec_a", "judge1", "judge2", "judge3"):
        admin.get_by_label("控制台用户名").fill(username)
        admin.get_by_role("button", name="添加为评委").click()
        admin.wait_for_load_state()
    admin.get_by_label("评委姓名").fill("来访书记张三")
    admin.get_by_role("button", name="生成一次性评分链接").click()
    admin.wait_for_load_state()
    link = admin.locator("#new-link input").input_value()
    shot(admin, "l13-contest-organiser")
    contest_id = contest_url.rsplit("/", 1)[1]

    # every judge scores on a phone; the secretary of branch A tries A first and is refused
    marks = {
        "sec_a": {b: 84, c: 60},
        "judge1": {a: 70, b: 90, c: 62},
        "judge2": {a: 72, b: 88, c: 64},
        "judge3": {a: 74, b: 86, c: 66},
        "link": {a: 100, b: 20, c: 68},
    }
    for judge, scores in marks.items():
        context = _context(browser, 360, 640, mobile=True)
        phone = context.new_page()
        if judge == "link":
            home = link
        else:
            _login(phone, base, judge)
            home = f"{base}/console/judging/{contest_id}"
        phone.goto(home)
        if judge == "sec_a":
            assert "本支部，不打分" in phone.locator("ul.judge-branches").inner_text()
            phone.goto(f"{home}?branch={server['branch_ids'][0]}")  # by address: refused, no form
            assert "评委不能给本支部打分" in phone.locator("#refused").inner_text()
            assert phone.locator("form.score-form").count() == 0
            response = phone.request.post(f"{home}?branch={server['branch_ids'][0]}", form={"c_position": "20"})
            assert response.status in (200, 400)  # without the form's token, or refused by the rule
            shot(phone, "l13-judge-refused-own-branch")
        for name, total in scores.items():
            phone.goto(home)
            phone.get_by_role("link", name=name).click()
            phone.wait_for_url("**branch=*")
            if judge == "link" and name == a:
                shot(phone, "l13-judge-score-form")
            _score(phone, total)
            assert "已保存" in phone.locator(".flash-success").inner_text()
        shot(phone, f"l13-judge-list-{judge}")
        context.close()

    admin.goto(contest_url)
    admin.get_by_role("button", name="结束评分并公布排名").click()
    admin.wait_for_load_state()
    standings = admin.locator("#standings").inner_text()
    shot(admin, "l13-contest-closed")
    assert standings.index(b) < standings.index(a) < standings.index(c)
    assert "86.00" in standings and "79.00" in standings and "64.00" in standings

    scan = _context(browser, 360, 640, mobile=True).new_page()
    for code, rank, score in zip(server["codes"], (2, 1, 3), ("79.00", "86.00", "64.00")):
        scan.goto(f"{base}/Q/{code}")
        section = scan.locator("#contests").inner_text()
        assert f"第{rank}名 / 3" in section and score in section
    scan.locator("#contests").scroll_into_view_if_needed()
    shot(scan, "l13-scan-page-contest-ranking", full_page=False)
