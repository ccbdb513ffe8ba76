"""The batch page builder (`starqr pages build`, services/page_batch.py) stores exactly the page a
scan renders: byte for byte, with the same version stamps, for members and organisations of
every kind, in zh, mn, en and JSON, from one process or several; and no private field."""

import contextlib
import datetime
import gzip

import pytest

from starqr.models import Member, MemberPrivate, PublicPage, RatingPeriod
from starqr.services import objections, page_batch, pages, ratings
from tests.helpers import issue_code, make_commitment, make_member, make_period, make_post, make_tree, make_user, record

LANGS = ("zh", "mn", "en", "json")


pytestmark = pytest.mark.usefixtures("fresh_pages")


@pytest.fixture
def region(app):
    year = datetime.date.today().year
    tree, other = make_tree(), make_tree("community")
    branch = tree["branch"]
    last = make_period(year - 1)
    fang = make_member(
        branch,
        "王芳",
        "ᠸᠠᠩ ᠹᠠᠩ",
        party_post="支部书记",
        honours="旗级优秀共产党员",
        volunteer_service="义务植树",
        volunteer_hours=12,
    )
    ming = make_member(branch, "李明", category="special", exempt=True)
    left = make_member(branch, "赵亮")
    uncoded = make_member(branch, "周强")
    far = make_member(other["branch"], "孙丽")
    make_post(fang, title="政策宣讲岗")
    make_post(far)
    for person in (fang, ming, left, far):
        record(person, last, "study", 2, reason="学习强国")
        record(person, last, "theme_party_day", 2)
    ratings.publish(last)
    codes = {
        "fang": issue_code(fang).code,
        "ming": issue_code(ming).code,
        "left": issue_code(left).code,
        "far": issue_code(far).code,
        **{level: issue_code(org).code for level, org in tree.items()},
        "other_branch": issue_code(other["branch"]).code,
        "other_unit": issue_code(other["unit"]).code,
    }
    del uncoded  # listed on the branch page without a link
    objections.create(pages.resolve(codes["fang"])[0], "这是异议的正文内容", "13711112222")
    answered = objections.create(pages.resolve(codes["branch"])[0], "支部异议的正文内容", "13800001111")
    objections.resolve(answered, False, "经核实，评分无误", make_user("sec-batch", "admin"))
    live = make_period(year)
    record(fang, live, "study", 2, reason="学习党章")
    record(fang, live, "post_duty", 1, reason="私下的原因", public_reason=False)
    make_commitment(fang, text="帮助结对户发展肉羊养殖")
    make_commitment(branch, text="修缮党群服务中心")
    Member.update(active=False).where(Member.id == left.id).execute()
    return codes


def _stored():
    return {
        (p.code, p.lang): (bytes(p.gz), p.etag, p.rev, p.sver, str(p.day), p.size, p.plaque_id)
        for p in PublicPage.select()
    }


def _url(code, lang):
    return f"/Q/{code}.json" if lang == "json" else f"/Q/{code}?lang={lang}"


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_pages_are_the_pages_a_scan_renders(cli, client, region, workers):
    for lang in LANGS:
        result = cli("pages", "build", "--lang", lang, "--workers", workers)
        assert result.exit_code == 0, result.output
    batch = _stored()
    assert {code for code, _ in batch} == set(region.values())
    assert len(batch) == len(region) * len(LANGS)
    PublicPage.delete().execute()
    for code in region.values():
        for lang in LANGS:
            assert client.get(_url(code, lang)).status_code == 200
    view = _stored()
    assert view.keys() == batch.keys()
    for key in sorted(batch):
        assert batch[key] == view[key], key  # body, etag, versions, day, size, plaque
    # pages the batch stored are served as current, and a write makes exactly its pages stale
    assert all(pages.fetch(code, "zh") is not None for code in region.values())
    assert pages.stale_codes() == []


def test_a_batch_rebuild_takes_only_stale_pages_and_serves_them_current(cli, client, region, monkeypatch):
    monkeypatch.setenv("STARQR_LANG", "zh")
    built = cli("pages", "build")
    assert built.exit_code == 0
    assert all(line.startswith(("zh:", "mn:", "en:")) and "个页面,用时" in line for line in built.output.splitlines())
    fang = pages.resolve(region["fang"])[0]
    member = Member.get_by_id(fang.subject_id)
    record(member, RatingPeriod.get(RatingPeriod.year == datetime.date.today().year), "study", 2)
    stale = set(pages.stale_codes())
    assert region["fang"] in stale and region["other_branch"] not in stale
    monkeypatch.setenv("STARQR_LANG", "en")
    result = cli("pages", "build", "--workers", "2")
    assert f"{len(stale)} pages" in result.output, result.output
    assert pages.stale_codes() == []
    body = client.get(f"/Q/{region['fang']}").get_data(as_text=True)
    assert "王芳" in body


def test_no_private_field_in_a_batch_built_page(cli, region):
    for lang in LANGS:
        assert cli("pages", "build", "--lang", lang).exit_code == 0
    private = [
        v
        for p in MemberPrivate.select()
        for v in (p.id_number, p.phone, p.home_address, p.birth_date.isoformat() if p.birth_date else None)
        if v
    ]
    private += ["13711112222", "13800001111", "这是异议的正文内容", "支部异议的正文内容", "私下的原因"]
    stored = list(PublicPage.select())
    assert len(stored) == len(region) * len(LANGS)
    for page in stored:
        text = gzip.decompress(bytes(page.gz)).decode()
        for value in private:
            assert value not in text, (page.code, page.lang, value)
    # the special category stays private: only the neutral 免评 shows
    ming = gzip.decompress(bytes(PublicPage.get(code=region["ming"], lang="json").gz)).decode()
    assert '"category":null' in ming and '"exempt":true' in ming


def test_a_failing_worker_fails_the_build_instead_of_hanging(app, region):
    @contextlib.contextmanager
    def broken(lang):
        raise ValueError("no template here")
        yield

    with pytest.raises(RuntimeError, match="no template here"):
        page_batch.build(broken, "zh", workers=2)
    assert PublicPage.select().count() == 0
