"""Every public page at 360×640 in Chinese, Mongolian and English, as a villager's phone shows it.

Chinese and English pages must not scroll sideways; the Mongolian page is written
vertically as a whole (templates/public/_base.html explains why) and must not scroll
vertically. Wherever Mongolian letters appear they run vertically and are drawn with the
Mongolian font. Screenshots go to test-artifacts/layout-*.png.
"""

import re

import pytest

from starqr import rating
from starqr.models import MEMBER, ORGANISATION, Member, Organisation, PlaqueCode, RatingPeriod
from starqr.services import demo, plaques, revision, rubrics
from tests.browser.conftest import live_site, phone_page, shot
from tests.helpers import store_rating

pytestmark = pytest.mark.browser

LANGS = ("zh", "mn", "en")

# Own text of each element (not its children's) containing Mongolian letters, and its computed style.
MONGOLIAN_ELEMENTS = """() => {
  const mongolian = /[\\u1820-\\u18AF]/;
  const found = [];
  for (const element of document.querySelectorAll('body *')) {
    const own = Array.from(element.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('');
    if (mongolian.test(own)) {
      const style = getComputedStyle(element);
      found.push({tag: element.tagName, text: own.trim().slice(0, 40), mode: style.writingMode,
                  font: style.fontFamily});
    }
  }
  return found;
}"""
FONT_READY = """() => document.fonts.ready.then(() => document.fonts.check('18px "StarQR Mongolian"', '\\u182E\\u1823\\u1829'))"""


def _quota_rating(branch, period):
    """Publish a branch_quota rating for BRANCH in PERIOD, ranked among nine invented peers."""
    version, rubric = rubrics.current_rubric("branch_quota")
    scores = {
        "political_function": 18,
        "team_building": 17,
        "organisational_life": 16,
        "exemplary_role": 17,
        "mass_work": 15,
        "basic_organisation": 1,
        "basic_team": 1,
        "basic_activities": 1,
        "basic_system": 1,
        "basic_support": 1,
    }
    inputs = [rating.SubjectInput(branch.id, scores)]
    inputs += [rating.SubjectInput(-n, dict(scores, mass_work=20 - n % 5)) for n in range(1, 10)]
    result = rating.rate_all(rubric, inputs)[branch.id]
    Organisation.update(rubric_key="branch_quota").where(Organisation.id == branch.id).execute()
    store_rating(ORGANISATION, branch.id, period, version, result, period.published_at)
    revision.bump()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo banner (300 members), one branch rated by quota, a revoked badge with no replacement."""

    def build(app):
        demo.build(members=300, seed=7)

        def code_of(kind, subject_id):
            return PlaqueCode.get(subject_kind=kind, subject_id=subject_id, status="active").code

        branches = {}
        for domain in ("rural", "community"):
            branch = (
                Organisation.select()
                .where(Organisation.level == "branch", Organisation.domain == domain)
                .order_by(Organisation.id)
                .first()
            )
            branches[rating.shipped_rubrics()[rating.DOMAIN_RUBRICS[domain]].kind] = code_of(ORGANISATION, branch.id)
        quota_branch = (
            Organisation.select()
            .where(Organisation.level == "branch", Organisation.domain == "community")
            .order_by(Organisation.id.desc())
            .first()
        )
        latest = (
            RatingPeriod.select()
            .where(RatingPeriod.state.in_(("notice", "final")))
            .order_by(RatingPeriod.year.desc())
            .first()
        )
        _quota_rating(quota_branch, latest)
        branches["quota"] = code_of(ORGANISATION, quota_branch.id)
        member = (
            Member.select()
            .where(Member.active == True, Member.name_mn.is_null(False))  # noqa: E712
            .order_by(Member.id)
            .first()
        )
        members = [
            code_of(MEMBER, m.id)
            for m in Member.select()
            .where(Member.active == True)  # noqa: E712
            .order_by(Member.id.desc())
            .limit(5)
        ]
        revoked = members[0]
        plaques.revoke(revoked, actor="tester", reason="党员挂牌收回")
        return {
            "member": code_of(MEMBER, member.id),
            "branches": branches,
            "revoked": revoked,
            "objected": dict(zip(LANGS, members[1:4])),
            "limited": members[4],
        }

    yield from live_site(tmp_path_factory.mktemp("layout"), build)


@pytest.fixture
def phone(browser):
    yield from phone_page(browser, device_scale_factor=1, java_script_enabled=False)


def check_layout(page, name, lang):
    """The rules of the issue, for the page now loaded; saves the screenshots."""
    page.wait_for_load_state("load")  # not networkidle: on a loaded machine it can time out
    elements = page.evaluate(MONGOLIAN_ELEMENTS)
    if elements:  # waits for the font, so the screenshots show Mongolian, not boxes
        assert page.evaluate(FONT_READY), f"{name} ({lang}): the Mongolian font did not load"
    shot(page, f"layout-{name}-{lang}-first-screen", full_page=False)
    shot(page, f"layout-{name}-{lang}")
    width = page.evaluate("document.documentElement.scrollWidth")
    height = page.evaluate("document.documentElement.scrollHeight")
    viewport_height = page.evaluate("window.innerHeight")
    if lang == "mn":
        assert page.evaluate("getComputedStyle(document.documentElement).writingMode") == "vertical-lr"
        assert height <= viewport_height, f"{name}: the vertical Mongolian page scrolls vertically ({height} px)"
    else:
        assert width <= 360, f"{name} ({lang}): {width} px wide"
    if lang == "mn":
        assert elements, f"{name}: no Mongolian text on the Mongolian page"
    for element in elements:
        assert element["mode"].startswith("vertical"), (name, lang, element)
        assert element["font"].lstrip('"').startswith("StarQR Mongolian"), (name, lang, element)
    # every snake_case key shows as words
    text = page.evaluate("document.body.innerText")
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (name, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_member(phone, site, lang):
    response = phone.goto(f"{site['base']}/Q/{site['member']}?lang={lang}")
    assert response.status == 200
    check_layout(phone, "member", lang)


@pytest.mark.parametrize("kind", ("pass_fail", "dimensions", "quota"))
@pytest.mark.parametrize("lang", LANGS)
def test_branch_under_each_rubric_kind(phone, site, lang, kind):
    response = phone.goto(f"{site['base']}/Q/{site['branches'][kind]}?lang={lang}")
    assert response.status == 200
    check_layout(phone, f"branch-{kind}", lang)
    why = phone.locator("header .why")
    assert why.count() == 1 and why.inner_text().strip()


@pytest.mark.parametrize("lang", LANGS)
def test_not_found(phone, site, lang):
    response = phone.goto(f"{site['base']}/Q/NOSUCHCODE?lang={lang}")
    assert response.status == 404
    assert phone.locator("#code").count() == 1
    check_layout(phone, "not-found", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_revoked_offers_a_way_on(phone, site, lang):
    response = phone.goto(f"{site['base']}/Q/{site['revoked']}?lang={lang}")
    assert response.status == 410
    assert phone.locator("a.button").count() == 1 and phone.locator("#code").count() == 1
    check_layout(phone, "revoked", lang)


def _object(phone, url, text):
    phone.goto(url)
    phone.locator("#notice details:has(form) > summary").click()  # not the ledger checkpoint's
    phone.locator("#t").fill(text)
    phone.locator("#notice button[type=submit]").click()


@pytest.mark.parametrize("lang", LANGS)
def test_objection_received(phone, site, lang):
    _object(phone, f"{site['base']}/Q/{site['objected'][lang]}?lang={lang}", "集体劳动次数与实际不符，请核实。")
    assert phone.locator(".ref").inner_text().startswith("YY")
    check_layout(phone, "objection-received", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_rate_limited(phone, site, lang):
    """One phone, one code: after the code's hourly share, our page keeps the text and says when to come back."""
    typed = f"这条异议（{lang}）请保留：学习次数少记了两次。"
    for _ in range(7):
        _object(phone, f"{site['base']}/Q/{site['limited']}?lang={lang}", typed)
        if phone.locator(".ref").count() == 0:
            break
    assert phone.locator(".ref").count() == 0
    assert phone.locator("#t").input_value() == typed
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", phone.locator("section").inner_text())
    check_layout(phone, "rate-limited", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_home(phone, site, lang):
    response = phone.goto(f"{site['base']}/?lang={lang}")
    assert response.status == 200 and phone.locator("#code").count() == 1
    check_layout(phone, "home", lang)
