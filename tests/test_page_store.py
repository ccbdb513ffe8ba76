"""The page store: a scan is one query; every write reaches the page at once and never flips back."""

import gzip

import pytest

from starqr.db import database
from starqr.models import MemberPrivate, Objection, PlaqueCode, PublicPage
from starqr.services import members as member_service
from starqr.services import member_posts
from starqr.services import objections, pages, plaques, ratings, revision, scans
from tests.helpers import issue_code, make_commitment, make_member, make_period, make_post, make_tree, make_user, record
from tests.test_public_queries import count_queries


pytestmark = pytest.mark.usefixtures("fresh_pages")


@pytest.fixture
def world(app):
    tree = make_tree()
    member = make_member(tree["branch"], "王芳", honours="旗级优秀共产党员")
    make_post(member, title="政策宣讲岗")
    other_tree = make_tree()
    other = make_member(other_tree["branch"], "李明")
    period = make_period()
    return dict(
        tree=tree,
        member=member,
        other=other,
        period=period,
        code=issue_code(member).code,
        other_code=issue_code(other).code,
        branch_code=issue_code(tree["branch"]).code,
        town_code=issue_code(tree["town"]).code,
        actor=make_user("sec-store", "secretary", tree["branch"]),
    )


def _page(client, code, suffix=""):
    response = client.get(f"/Q/{code}{suffix}")
    return response.status_code, response.get_data(as_text=True)


def test_a_stored_page_costs_one_query_and_no_template(client, world):
    code = world["code"]
    assert _page(client, code)[0] == 200
    assert PublicPage.select().where(PublicPage.code == code, PublicPage.lang == "zh").exists()
    with count_queries() as counter:
        response = client.get(f"/Q/{code}", headers={"User-Agent": "Googlebot"})
    assert response.status_code == 200 and counter["n"] == 1
    assert "王芳" in response.get_data(as_text=True)


def test_writes_reach_the_page_at_once_and_only_the_pages_they_touch(client, world):
    code, other_code = world["code"], world["other_code"]
    for c in (code, other_code, world["branch_code"], world["town_code"]):
        client.get(f"/Q/{c}")
    other_stamp = PublicPage.get(PublicPage.code == other_code).generated_at
    # a ledger entry
    record(world["member"], world["period"], "study", 2, reason="学习强国积分")
    assert "学习强国积分" in _page(client, code)[1]
    # an edit of the member
    member_posts.add_post(world["actor"], world["member"], {"title": "矛盾调解岗", "duties": "调解邻里纠纷"})
    assert "矛盾调解岗" in _page(client, code)[1]
    # an edit of the branch
    member_service.edit_branch(world["actor"], world["tree"]["branch"], {"secretary_name": "张书记"})
    assert "张书记" in _page(client, world["branch_code"])[1]
    # a rename of the village reaches the member's page (subtree) and the town's (ancestors)
    unit = world["tree"]["unit"]
    unit.name_zh = "新名字嘎查"
    with database.atomic():
        unit.save()
        revision.bump(unit, subtree=True)
    assert "新名字嘎查" in _page(client, code)[1]
    assert "新名字嘎查" in _page(client, world["town_code"])[1]
    # an objection and its answer
    plaque = PlaqueCode.get(PlaqueCode.code == code)
    world["period"].state = "notice"
    world["period"].save()
    revision.bump()
    objection = objections.create(plaque, "积分记录有误，请核实", "13800000000")
    assert '"open":1' in _page(client, code, ".json")[1].replace(" ", "")
    objections.resolve(Objection.get_by_id(objection.id), False, "经核实无误", "admin")
    assert "经核实无误" in _page(client, code)[1]
    # none of these writes touched the other banner's member page
    assert PublicPage.get(PublicPage.code == other_code).generated_at == other_stamp


def test_publication_reaches_every_page(client, world):
    client.get(f"/Q/{world['code']}")
    record(world["member"], world["period"], "study", 2)
    ratings.rate(world["period"])
    ratings.publish(world["period"])
    data = client.get(f"/Q/{world['code']}.json").get_json()
    assert data["latest"] is not None and data["latest"]["period_id"] == world["period"].id


def test_an_old_render_stored_after_a_write_is_never_served(client, world, app):
    """A render that read the data before a write and stores after it must not flip the page back."""
    from starqr.views import public

    code = world["code"]
    client.get(f"/Q/{code}")
    plaque, stamp_before = pages.resolve(code)
    with app.test_request_context(f"/Q/{code}"):
        old_page, _ = public.render_page(code, "zh")
    record(world["member"], world["period"], "study", 2, reason="新的记录")
    assert "新的记录" in _page(client, code)[1]
    pages.store(code, "zh", old_page, 1, stamp_before)  # the slow worker finally stores its old render
    assert "新的记录" in _page(client, code)[1]
    # and a stale store does not even replace the newer row
    assert b"\xe6\x96\xb0\xe7\x9a\x84" in gzip.decompress(
        bytes(PublicPage.get(PublicPage.code == code, PublicPage.lang == "zh").gz)
    )


def test_revoked_code_answers_410_at_once(client, world):
    code = world["code"]
    assert _page(client, code)[0] == 200
    assert _page(client, code, ".json")[0] == 200
    plaques.revoke(code, "admin", "牌子丢失")
    assert _page(client, code)[0] == 410
    assert _page(client, code, ".json")[0] == 410
    assert not PublicPage.select().where(PublicPage.code == code).exists()


def test_reissued_code_answers_410_and_the_new_one_200(client, world):
    code = world["code"]
    client.get(f"/Q/{code}")
    new = plaques.reissue(code, "admin", "损坏")
    assert _page(client, code)[0] == 410
    status, body = _page(client, new.code)
    assert status == 200 and "王芳" in body


def test_a_member_who_left_is_not_served_from_the_store(client, world):
    code = world["code"]
    status, body = _page(client, code)
    assert "政策宣讲岗" in body
    client.get(f"/Q/{world['branch_code']}")
    member_service.retire_member(world["actor"], world["member"], None, "转出")
    status, body = _page(client, code)
    assert "政策宣讲岗" not in body and "旗级优秀共产党员" not in body
    assert "王芳" not in _page(client, world["branch_code"])[1]


def test_no_private_field_in_any_stored_page(client, world):
    objection_plaque = issue_code(world["tree"]["branch"])
    world["period"].state = "notice"
    world["period"].save()
    objections.create(objection_plaque, "这是异议的正文内容", "13711112222")
    make_commitment(world["member"], text="帮扶困难户")
    codes = [world["code"], world["branch_code"], world["town_code"], objection_plaque.code]
    for code in codes:
        for suffix in ("", ".json", "?lang=mn", "?lang=en"):
            assert client.get(f"/Q/{code}{suffix}").status_code == 200
    private = [
        v
        for p in MemberPrivate.select()
        for v in (p.id_number, p.phone, p.home_address, p.birth_date.isoformat() if p.birth_date else None)
        if v
    ]
    private += ["13711112222", "这是异议的正文内容"]
    stored = list(PublicPage.select())
    assert len(stored) >= 4 * len(codes) - 4
    for page in stored:
        text = gzip.decompress(bytes(page.gz)).decode()
        for value in private:
            assert value not in text, (page.code, page.lang, value)


def test_the_builder_renders_stale_pages_and_stops(cli, world, monkeypatch):
    result = cli("pages", "build")
    assert result.exit_code == 0, result.output
    assert PublicPage.select().where(PublicPage.lang == "zh").count() == 4
    assert pages.stale_codes() == []
    record(world["member"], world["period"], "study", 2)
    assert set(pages.stale_codes()) == {world["code"], world["branch_code"], world["town_code"]}
    monkeypatch.setenv("STARQR_LANG", "en")
    assert "3 pages" in cli("pages", "build").output
    assert "4 pages" in cli("pages", "stats").output
    monkeypatch.setenv("STARQR_LANG", "zh")
    assert "4 个页面,存储" in cli("pages", "stats").output


def test_member_counts_are_maintained_through_every_change(client, world):
    from starqr.models import BranchMemberCount, Member

    branch = world["tree"]["branch"]

    def counted(org):
        return client.get(f"/Q/{issue_code(org).code}.json").get_json()["member_count"]

    assert BranchMemberCount.get_by_id(branch.id).members == 1
    assert counted(world["tree"]["town"]) == 1
    extra = member_service.add_member(world["actor"], branch, {"name_zh": "赵丽"})
    make_member(branch)  # a bulk load straight into the table counts too
    assert counted(world["tree"]["banner"]) == 3
    member_service.retire_member(world["actor"], extra, None, "转出")
    other_branch = world["other"].branch
    member_service.transfer_member(world["actor"], world["member"], other_branch, "工作调动")
    assert counted(world["tree"]["town"]) == 1
    assert BranchMemberCount.get_by_id(other_branch.id).members == 2
    assert sum(c.members for c in BranchMemberCount.select()) == Member.select().where(Member.active).count()


@pytest.mark.parametrize("suffix", ["", ".json", "?lang=mn", "?lang=en"])
def test_the_fast_path_answers_exactly_as_the_view(client, world, suffix):
    url = f"/Q/{world['code']}{suffix}"
    headers = {"Accept-Encoding": "gzip", "User-Agent": "Mozilla/5.0"}
    first = client.get(url, headers=headers)  # rendered by the view
    with count_queries() as counter:
        second = client.get(url, headers=headers)  # answered from the store before Flask
    assert counter["n"] == 1
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    for name in (
        "Content-Type",
        "Content-Encoding",
        "Cache-Control",
        "Vary",
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
    ):
        assert first.headers.get(name) == second.headers.get(name), name
    assert client.get(url, headers={"If-None-Match": second.headers["ETag"]}).status_code == 304
    assert client.get(url).data == gzip.decompress(second.data)  # plain for a client without gzip


def test_the_fast_path_counts_scans_and_leaves_robots_out(client, world):
    from starqr.models import ScanCount

    url = f"/Q/{world['code']}"
    client.get(url, headers={"User-Agent": "Googlebot"})
    for _ in range(3):
        client.get(url, headers={"User-Agent": "Mozilla/5.0"})
    client.get(url, headers={"User-Agent": "curl/8"})
    scans.flush()
    assert sum(c.count for c in ScanCount.select()) == 3
