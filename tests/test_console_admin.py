"""Administrators' console: pages, roles and scope, rubrics, periods, imports, objections, plaques."""

import datetime
import io
import re

import pytest

from starqr.models import (
    AuditLog,
    ImportBatch,
    LedgerEntry,
    Objection,
    PlaqueCode,
    Rating,
    RatingPeriod,
    RubricVersion,
    ScanCount,
)
from starqr.services import imports, ratings
from tests.helpers import issue_code, login, make_member, make_org, make_period, make_tree, make_user, record


@pytest.fixture
def world(app):
    tree = make_tree()
    other_town = make_org(tree["banner"], "town", "rural", "川井苏木党委", "ᠴᠤᠸᠠᠨ ᠵᠢᠩ")
    members = [
        make_member(tree["branch"], name_zh=n, name_mn=m) for n, m in (("巴特尔", "ᠪᠠᠭᠠᠲᠤᠷ"), ("其其格", "ᠴᠢᠴᠢᠭ"))
    ]
    codes = [issue_code(m).code for m in members]
    period = make_period(year=2025)
    make_user("admin1", "admin")
    make_user("town1", "org_admin", tree["town"])
    make_user("other1", "org_admin", other_town)
    make_user("sec1", "secretary", tree["branch"])
    make_user("view1", "viewer", tree["town"])
    return dict(tree=tree, other_town=other_town, members=members, codes=codes, period=period)


def as_user(client, username):
    response = login(client, username)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    return client


PAGES = [
    "/console/dashboard",
    "/console/admin/tree",
    "/console/admin/rubrics",
    "/console/admin/rubrics/member_points",
    "/console/admin/periods",
    "/console/admin/objections",
    "/console/tokens",
]


def test_admin_pages_render(client, world):
    as_user(client, "admin1")
    for url in PAGES + [
        "/console/admin/plaques",
        "/console/admin/audit",
        "/console/imports",
        f"/console/admin/periods/{world['period'].id}",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script>" not in response.get_data(as_text=True)


def test_secretary_is_kept_out_and_viewer_reads_only(client, world):
    as_user(client, "sec1")
    for url in [
        "/console/dashboard",
        "/console/admin/tree",
        "/console/admin/periods",
        "/console/imports",
        "/console/admin/audit",
    ]:
        assert client.get(url).status_code == 403, url
    client.get("/console/logout")
    viewer = client.application.test_client()
    as_user(viewer, "view1")
    assert viewer.get("/console/admin/periods").status_code == 200
    assert viewer.post("/console/admin/periods", data={"name": "x"}).status_code == 403
    assert viewer.post(f"/console/admin/periods/{world['period'].id}/draft").status_code == 403
    assert viewer.get("/console/imports").status_code == 403
    assert viewer.get("/console/admin/audit").status_code == 403


def test_tree_is_scoped_and_searchable_in_both_scripts(client, world):
    as_user(client, "town1")
    assert client.get(f"/console/admin/tree?org={world['other_town'].id}").status_code == 404
    page = client.get(f"/console/admin/tree?org={world['tree']['town'].id}").get_data(as_text=True)
    assert "仁宝勒格嘎查" in page
    found = client.get("/console/admin/tree?q=ᠪᠠᠭᠠᠲᠤᠷ").get_data(as_text=True)
    assert "巴特尔" in found
    assert "川井苏木党委" not in client.get("/console/admin/tree?q=川井").get_data(as_text=True).split("查找结果")[-1]


def test_rubric_upload_validates_previews_and_saves(client, world):
    record(world["members"][0], world["period"], "appraisal_percent", 100)
    as_user(client, "admin1")
    current = RubricVersion.get(RubricVersion.key == "member_points").text
    broken = current.replace("version: 1", "version: 2").replace("{min: 90, stars: 5}", "{min: ninety, stars: 5}")
    page = client.post(
        "/console/admin/rubrics/member_points", data={"text": broken, "period": world["period"].id, "preview": "1"}
    ).get_data(as_text=True)
    assert "评分标准有误" in page and "stars" in page
    stale = client.post(
        "/console/admin/rubrics/member_points", data={"text": current, "period": world["period"].id, "preview": "1"}
    ).get_data(as_text=True)
    assert "version" in stale and "应大于当前版本 1" in stale
    # Version 2 lowers the 2-star mark from 60 to 50: 50 + 20 = 70 points stays 3★, 50 points moves 1★ → 2★.
    new = current.replace("version: 1", "version: 2").replace("{min: 60, stars: 2}", "{min: 50, stars: 2}")
    page = client.post(
        "/console/admin/rubrics/member_points", data={"text": new, "period": world["period"].id, "preview": "1"}
    ).get_data(as_text=True)
    assert "rubric-preview" in page and "其其格" in page and "1★ → 2★" in page
    assert RubricVersion.select().where(RubricVersion.key == "member_points").count() == 1
    response = client.post(
        "/console/admin/rubrics/member_points", data={"text": new, "period": world["period"].id, "save": "1"}
    )
    assert response.status_code == 302
    assert RubricVersion.select().where(RubricVersion.key == "member_points").count() == 2
    assert AuditLog.select().where(AuditLog.action == "rubric.uploaded").count() == 1
    assert (
        client.post(
            "/console/admin/rubrics/member_points",
            data={"text": new, "save": "1"},
        ).status_code
        == 200
    )  # same version again: error shown, nothing saved
    assert RubricVersion.select().where(RubricVersion.key == "member_points").count() == 2


def test_periods_create_draft_schedule_and_audit(client, world):
    as_user(client, "admin1")
    response = client.post(
        "/console/admin/periods",
        data={
            "name": "2026年第一季度",
            "kind": "quarter",
            "year": 2026,
            "quarter": 1,
            "starts_on": "2026-01-01",
            "ends_on": "2026-03-31",
            "notice_days": 5,
        },
    )
    assert response.status_code == 302
    quarter = RatingPeriod.get(RatingPeriod.name == "2026年第一季度")
    period = world["period"]
    record(world["members"][0], period, "study", 2)
    client.post(f"/console/admin/periods/{period.id}/draft")
    assert Rating.select().where(Rating.period == period, Rating.published == False).count() == 3  # noqa: E712
    page = client.get(f"/console/admin/periods/{period.id}").get_data(as_text=True)
    assert "<svg" in page
    when = datetime.date.today() + datetime.timedelta(days=2)
    client.post(
        f"/console/admin/periods/{period.id}/schedule",
        data={"publish_date": when.isoformat(), "publish_time": "09:30", "notice_days": 7},
    )
    stored = RatingPeriod.get_by_id(period.id)
    assert stored.state == "scheduled" and stored.notice_days == 7
    assert stored.publish_at == datetime.datetime.combine(when, datetime.time(1, 30))  # 09:30 Beijing = 01:30 UTC
    client.post(
        f"/console/admin/periods/{period.id}/schedule",
        data={"publish_date": "2001-01-01", "publish_time": "09:30", "notice_days": 7},
    )
    assert RatingPeriod.get_by_id(period.id).publish_at == stored.publish_at  # a past time is refused
    actions = [a for (a,) in AuditLog.select(AuditLog.action).order_by(AuditLog.id).tuples() if a.startswith("period.")]
    assert actions == ["period.created", "period.draft_computed", "period.scheduled"]
    audit_page = client.get("/console/admin/audit?action=period").get_data(as_text=True)
    assert "period.scheduled" in audit_page and "admin1" in audit_page
    assert quarter.quarter == 1


def _upload(client, world, rows, name="scores.xlsx"):
    data = imports.write_xlsx(rows)
    return client.post(
        "/console/imports/preview",
        data={"period": world["period"].id, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_console_import_bad_file_changes_nothing_then_good_file_imports(client, world):
    c = world["codes"]
    as_user(client, "town1")
    bad = _upload(
        client,
        world,
        [[c[0], "巴特尔", "appraisal_percent", 100, 1, "", "评议"], [c[1], "其其格", "study", 9, 1, "", "学习"]],
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "第3行「分值」" in text and "未写入任何数据" in text
    assert LedgerEntry.select().count() == 0
    good = _upload(
        client,
        world,
        [[c[0], "巴特尔", "appraisal_percent", 100, 1, "", "评议"], [c[1], "其其格", "study", 2, 1, "", "学习"]],
    )
    text = good.get_data(as_text=True)
    assert good.status_code == 200 and "1★ → 3★" in text and LedgerEntry.select().count() == 0
    fields = dict(re.findall(r'name="(period|sha|filename)" type="hidden" value="([^"]*)"', text))
    response = client.post("/console/imports/confirm", data=fields)
    assert response.status_code == 302
    batch = ImportBatch.get()
    assert batch.status == "done" and batch.rows_imported == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已导入 2 条" in page and 'http-equiv="refresh"' not in page
    assert AuditLog.select().where(AuditLog.action == "import.queued").count() == 1


def test_import_template_downloads(client, world):
    as_user(client, "admin1")
    response = client.get("/console/imports/templates/member_points.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    response = client.get("/console/imports/templates/member_points.csv")
    assert response.data.startswith(b"\xef\xbb\xbf") and "编码".encode() in response.data
    assert client.get("/console/imports/templates/nope.csv").status_code == 404


def _objection(world, n=1):
    plaque = PlaqueCode.get(PlaqueCode.code == world["codes"][0])
    return Objection.create(reference=f"YY2025{n:05d}", plaque=plaque, period=world["period"], text="得分有误")


def test_objection_reject_needs_reason_and_accept_rerates(client, world):
    period = world["period"]
    ratings.publish(period, datetime.datetime(2026, 1, 15, 1, 0))
    first = _objection(world, 1)
    second = _objection(world, 2)
    as_user(client, "other1")
    assert client.get(f"/console/admin/objections/{first.id}").status_code == 404  # another town
    client.get("/console/logout")
    as_user(client, "town1")
    client.post(f"/console/admin/objections/{first.id}", data={"decision": "reject", "reason": ""})
    assert Objection.get_by_id(first.id).status == "open"
    client.post(f"/console/admin/objections/{first.id}", data={"decision": "reject", "reason": "经核实得分无误"})
    assert Objection.get_by_id(first.id).status == "rejected"
    assert Objection.get_by_id(first.id).resolution == "经核实得分无误"
    member = world["members"][0]
    before = (
        Rating.select()
        .where(Rating.subject_id == member.id, Rating.subject_kind == "member", Rating.published == True)
        .count()
    )  # noqa: E712
    client.post(
        f"/console/admin/objections/{second.id}",
        data={"decision": "accept", "reason": "民主评议漏录", "item": "appraisal_percent", "points": "80"},
    )
    assert Objection.get_by_id(second.id).status == "accepted"
    latest = ratings.latest_published(period)[("member", member.id)]
    assert latest.supersedes_id is not None and latest.stars == 2  # 50 base + 80% × 0.2 = 66 points
    assert (
        Rating.select()
        .where(Rating.subject_id == member.id, Rating.subject_kind == "member", Rating.published == True)
        .count()
        == before + 1
    )  # noqa: E712
    assert AuditLog.select().where(AuditLog.action == "objection.accepted").count() == 1


def test_plaque_reissue_and_revoke(client, world):
    as_user(client, "town1")
    code = world["codes"][1]
    page = client.get(f"/console/admin/plaques?code={code.lower()}").get_data(as_text=True)
    assert "其其格" in page
    client.post(f"/console/admin/plaques/{code}", data={"action": "reissue", "reason": "牌子丢失"})
    old = PlaqueCode.get(PlaqueCode.code == code)
    assert old.status == "revoked" and old.replaced_by is not None
    client.post(f"/console/admin/plaques/{old.replaced_by.code}", data={"action": "revoke", "reason": "一票否决"})
    assert PlaqueCode.get_by_id(old.replaced_by_id).status == "revoked"
    assert {a for (a,) in AuditLog.select(AuditLog.action).tuples()} >= {"plaque.reissued", "plaque.revoked"}
    client.get("/console/logout")
    viewer = client.application.test_client()
    as_user(viewer, "view1")
    assert (
        viewer.post(f"/console/admin/plaques/{world['codes'][0]}", data={"action": "revoke", "reason": "x"}).status_code
        == 403
    )


def test_dashboard_shows_charts_calendar_and_stopped_plaques(client, world):
    period = world["period"]
    ratings.publish(period, datetime.datetime(2026, 1, 15, 1, 0))
    plaque = PlaqueCode.get(PlaqueCode.code == world["codes"][0])
    ScanCount.create(plaque=plaque, day=datetime.date.today() - datetime.timedelta(days=45), count=3)
    live = PlaqueCode.get(PlaqueCode.code == world["codes"][1])
    ScanCount.create(plaque=live, day=datetime.date.today() - datetime.timedelta(days=2), count=5)
    as_user(client, "admin1")
    page = client.get("/console/dashboard").get_data(as_text=True)
    assert page.count("<svg") >= 3 and "海流图镇党委" in page and "农村牧区" in page
    stopped = page.split('id="stopped"')[1].split("</ul>")[0]
    assert world["codes"][0] in stopped and world["codes"][1] not in stopped
    assert "公示截止" in page


def test_secretaries_have_no_api_token_page(app, world):
    client = as_user(app.test_client(), "sec1")
    assert "API令牌" not in client.get("/console/", follow_redirects=True).get_data(as_text=True)
    assert client.get("/console/tokens").status_code == 403


def test_api_tokens_page_creates_and_revokes(client, world):
    as_user(client, "town1")
    page = client.post("/console/tokens", data={"name": "导入脚本"}).get_data(as_text=True)
    token = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert client.get("/api/v1/periods", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    from starqr.models import ApiToken

    row = ApiToken.get()
    client.post(f"/console/tokens/{row.id}/revoke")
    assert client.get("/api/v1/periods", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_objection_contact_is_for_administrators_only(app, world):
    objection = _objection(world, 3)
    objection.contact = "13800138000 张三"
    objection.save()
    page = as_user(app.test_client(), "view1").get(f"/console/admin/objections/{objection.id}")
    assert page.status_code == 200 and "13800138000" not in page.get_data(as_text=True)
    page = as_user(app.test_client(), "town1").get(f"/console/admin/objections/{objection.id}")
    assert "13800138000" in page.get_data(as_text=True)
