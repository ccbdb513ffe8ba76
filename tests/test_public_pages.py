"""The public scan page /Q/<CODE>: codes, languages, caching, publication state."""

import datetime
import gzip
import json

import pytest

from starqr.models import MEMBER, RatingPeriod
from starqr.services import plaques, ratings
from tests.helpers import issue_code, make_commitment, make_member, make_period, make_post, make_tree, record


pytestmark = pytest.mark.usefixtures("fresh_pages")


@pytest.fixture
def scene(app):
    """A branch and a member with a final year, a year under notice and a live year."""
    tree = make_tree()
    branch = tree["branch"]
    member = make_member(branch, name_zh="巴特尔", name_mn="ᠪᠠᠭᠠᠲᠤᠷ", party_post="组织委员")
    make_post(member)
    make_commitment(
        member,
        text="帮助结对户发展肉羊养殖",
        status="not_done",
        reason_not_kept="结对户外出务工，已调整帮扶方式",
        reason_public=True,
    )
    year = datetime.date.today().year
    final = make_period(year - 2)
    notice = make_period(year - 1)
    live = make_period(year)
    for period, points in ((final, 6), (notice, 12)):
        record(member, period, "study", 2, reason="参加集中学习")
        record(member, period, "appraisal_percent", 90, reason="民主评议")
        record(member, period, "commitments_fulfilled", 1, reason="承诺完成")
    ratings.publish(final)
    ratings.finalise(RatingPeriod.get_by_id(final.id))  # publish() moved it on in the database
    ratings.publish(notice)
    record(member, live, "study", 2, reason="参加集中学习（4月）")
    record(member, live, "gambling", -5, reason="详情不公开的内部原因", public_reason=False)
    return {
        "tree": tree,
        "branch": branch,
        "member": member,
        "member_code": issue_code(member).code,
        "branch_code": issue_code(branch).code,
        "periods": (final, notice, live),
    }


def test_member_page(client, scene):
    response = client.get(f"/Q/{scene['member_code']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>巴特尔 · 党员信息" in html
    assert "ᠪᠠᠭᠠᠲᠤᠷ" in html and 'class="mn"' in html
    for text in (
        "设岗定责",
        "环境卫生巡护岗",
        "承诺践诺",
        "结对户外出务工",
        "争星过程电子档案",
        "<svg",
        "本年度实时积分",
        "实时 · 尚未评定",
        "参加集中学习（4月）",
        "公示中",
        "公示截止",
        "提出异议",
        "组织委员",
        "仁宝勒格嘎查党支部",
        "星/5星",
    ):
        assert text in html, text
    # a reason kept off public pages shows as the item's name alone
    assert "详情不公开的内部原因" not in html
    assert "参与赌博" in html


def test_codes_in_any_case(client, scene):
    code = scene["member_code"]
    assert client.get(f"/q/{code.lower()}").status_code == 200
    assert client.get(f"/Q/{code.lower()}").status_code == 200
    assert client.get(f"/q/{code}").status_code == 200


def test_unknown_code_is_a_friendly_404(client, scene):
    response = client.get("/Q/NOTACODE22")
    assert response.status_code == 404
    assert "没有找到这个二维码" in response.get_data(as_text=True)
    assert client.get("/Q/NOTACODE22.json").status_code == 404


def test_typed_code_redirects(client, scene):
    response = client.get(f"/Q/?code={scene['member_code'].lower()}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/Q/{scene['member_code']}")


def test_revoked_code_points_to_replacement(client, scene):
    old = scene["member_code"]
    new = plaques.reissue(old, actor="tester", reason="牌子丢失").code
    response = client.get(f"/Q/{old}")
    assert response.status_code == 410
    assert f"/Q/{new}" in response.get_data(as_text=True)
    data = client.get(f"/Q/{old}.json")
    assert data.status_code == 410 and data.json["replaced_by"] == new
    plaques.revoke(new, actor="tester", reason="一票否决，收回挂牌")
    response = client.get(f"/Q/{new}")
    assert response.status_code == 410
    assert "已收回" in response.get_data(as_text=True)


def test_json_is_the_same_profile(client, scene):
    response = client.get(f"/Q/{scene['member_code']}.json")
    assert response.status_code == 200
    data = response.json
    assert data["kind"] == MEMBER and data["name_zh"] == "巴特尔"
    assert [a["state"] for a in data["archive"]] == ["final", "notice"]
    assert data["notice"]["ends_at"].endswith("Z")
    assert data["live"]["points"] == -3
    assert any(e["reason"] is None and e["name"] == "参与赌博" for e in data["live"]["entries"])
    assert data["commitments"][0]["reason_not_kept"].startswith("结对户")
    branch = client.get(f"/Q/{scene['branch_code']}.json").json
    assert branch["member_count"] == 1 and branch["members"][0]["code"] == scene["member_code"]
    assert branch["members"][0]["rating"]["stars"] >= 1


def test_branch_page(client, scene):
    html = client.get(f"/Q/{scene['branch_code']}").get_data(as_text=True)
    assert "<title>仁宝勒格嘎查党支部 · 党组织信息" in html
    for text in (
        "活动场所面积",
        "320 m²",
        "党群服务中心",
        "1958-07-01",
        "光伏发电集体经济项目",
        "杨勇",
        "评星标准",
        "嘎查村党组织十星级评定",
        "党员及星级",
        "巴特尔",
        "海流图镇党委",
        "乌拉特中旗委员会",
    ):
        assert text in html, text


def test_higher_level_page_lists_children(client, scene):
    town = scene["tree"]["town"]
    code = issue_code(town).code
    html = client.get(f"/Q/{code}").get_data(as_text=True)
    assert "下级组织" in html and "仁宝勒格嘎查" in html


def test_languages(client, scene):
    code = scene["member_code"]
    english = client.get(f"/Q/{code}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Posts and duties" in english
    mongolian = client.get(f"/Q/{code}", headers={"Accept-Language": "mn"}).get_data(as_text=True)
    assert '<html lang="mn-Mong">' in mongolian and "writing-mode:vertical-lr" in mongolian
    assert "NotoSansMongolian-subset.woff2" in mongolian
    chinese = client.get(f"/Q/{code}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in chinese and "设岗定责" in chinese


def test_mongolian_font_declared_even_without_mongolian_names(client, app):
    """The language switch names Mongolian in its own script on every page, so every page
    declares the font; the browser fetches it only when it draws Mongolian (and then caches it)."""
    tree = make_tree()
    member = make_member(tree["branch"], name_zh="王芳")
    tree["branch"].name_mn = None
    tree["branch"].save()
    for org in tree.values():
        org.name_mn = None
        org.save()
    html = client.get(f"/Q/{issue_code(member).code}").get_data(as_text=True)
    assert "NotoSansMongolian-subset.woff2" in html
    assert 'class="mn" lang="mn-Mong">ᠮᠣᠩᠭᠣᠯ</a>' in html


def test_page_fits_the_first_round_trip(client, scene):
    for code in (scene["member_code"], scene["branch_code"]):
        response = client.get(f"/Q/{code}", headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert len(response.data) <= 14 * 1024
        html = gzip.decompress(response.data).decode()
        assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")


def test_etag_304_and_invalidation(client, scene, app):
    code = scene["member_code"]
    first = client.get(f"/Q/{code}")
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get(f"/Q/{code}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    # a new ledger entry changes the page at once
    live = scene["periods"][2]
    record(scene["member"], live, "theme_party_day", 2, reason="参加七一主题党日")
    fresh = client.get(f"/Q/{code}", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert "参加七一主题党日" in fresh.get_data(as_text=True)
    assert fresh.headers["ETag"] != etag


def test_veto_is_shown_plainly(client, app):
    tree = make_tree()
    member = make_member(tree["branch"], name_zh="李强")
    year = datetime.date.today().year
    period = make_period(year - 1)
    record(member, period, "crime", 1, reason="违法犯罪")
    ratings.publish(period)
    html = client.get(f"/Q/{issue_code(member).code}").get_data(as_text=True)
    assert "一票否决" in html and "星级撤销" in html
    data = client.get(f"/Q/{issue_code(member).code}.json").json
    assert data["latest"]["vetoed"] is True and data["latest"]["stars"] == 0


def test_json_is_valid_utf8_json(client, scene):
    raw = client.get(f"/Q/{scene['branch_code']}.json").data
    assert json.loads(raw.decode("utf-8"))["code"] == scene["branch_code"]


def test_recent_records_newest_first(client, scene):
    member, live = scene["member"], scene["periods"][2]
    year = live.year
    record(member, live, "study", 2, reason="三月的学习", occurred_on=f"{year}-03-01")
    record(member, live, "study", 2, reason="一月的学习", occurred_on=f"{year}-01-05")
    record(member, live, "study", 2, reason="六月的学习", occurred_on=f"{year}-06-20")
    from starqr.services import revision

    revision.bump(member)
    html = client.get(f"/Q/{scene['member_code']}").get_data(as_text=True)
    assert html.index("六月的学习") < html.index("三月的学习") < html.index("一月的学习")
    assert "JSON" not in html.split("<body>", 1)[1]  # the JSON twin is a <link rel="alternate">, not a link
    assert f'<link rel="alternate" type="application/json" href="/Q/{scene["member_code"]}.json">' in html
