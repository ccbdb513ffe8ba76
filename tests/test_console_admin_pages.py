"""Administrators' pages that tell what to do next: audit in words, stuck queue, objection
page, period charts by rubric, new-period suggestion, never-scanned plaques."""

import datetime

import pytest

from starqr.models import ImportBatch, Objection, PlaqueCode, ScanCount, User, WorkerHeartbeat, utcnow
from starqr.db import bulk_insert_dicts
from starqr.services import access, ratings
from tests.helpers import issue_code, login, make_member, make_org, make_period, make_tree, make_user, record


@pytest.fixture
def world(app):
    tree = make_tree()
    village = make_org(tree["town"], "unit", "rural", "巴音嘎查", unit_kind="village")
    make_org(village, "branch", "rural", "巴音嘎查党支部")
    members = [make_member(tree["branch"], name_zh=n) for n in ("巴特尔", "其其格")]
    codes = [issue_code(m).code for m in members]
    issue_code(tree["branch"])
    period = make_period(year=2025)
    make_user("admin1", "admin")
    make_user("town1", "org_admin", tree["town"])
    make_user("sec1", "secretary", tree["branch"])
    return {**tree, "members": members, "codes": codes, "period": period}


def as_user(app, username):
    client = app.test_client()
    assert login(client, username).status_code in (302, 303)
    return client


def entries(response):
    return response.get_data(as_text=True).split('<ol class="audit-entries">')[1]


def test_audit_entry_in_words_with_filters_and_csv(app, world):
    sec = as_user(app, "sec1")
    member = world["members"][0]
    sec.post(
        f"/console/members/{member.id}/edit",
        data={"name_zh": "巴特尔", "category": "backbone", "status": "full", "party_post": "组织委员"},
    )
    admin = as_user(app, "admin1")
    page = entries(admin.get("/console/admin/audit"))
    assert "修改党员信息" in page and "巴特尔（仁宝勒格嘎查党支部）" in page
    assert "党内职务" in page and "组织委员" in page and "\\u" not in page
    assert "→" in page
    narrowed = entries(admin.get(f"/console/admin/audit?actor=sec1&org={world['town'].id}"))
    assert "修改党员信息" in narrowed
    elsewhere = make_org(world["banner"], "town", "rural", "别的苏木")
    assert "修改党员信息" not in entries(admin.get(f"/console/admin/audit?org={elsewhere.id}"))
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    assert "修改党员信息" not in entries(admin.get(f"/console/admin/audit?from={tomorrow}"))
    csv_text = admin.get("/console/admin/audit.csv?action=member.edit").get_data(as_text=True)
    assert "党内职务" in csv_text and "组织委员" in csv_text and "sec1" in csv_text


def test_stuck_queue_warning_names_the_fix(app, world):
    batch = ImportBatch.create(file_sha256="0" * 64, filename="积分.xlsx", period=world["period"], created_by="admin1")
    admin = as_user(app, "admin1")
    page = admin.get(f"/console/imports/{batch.id}").get_data(as_text=True)
    assert 'id="stuck-queue"' in page and "starqr scheduler" in page and "立即运行" in page
    # a consumer seen a minute ago: no warning; seen three minutes ago: the warning again
    WorkerHeartbeat.create(name="consumer", holder="host:1", beat_at=utcnow() - datetime.timedelta(seconds=60))
    WorkerHeartbeat.create(name="periodic", holder="host:1", beat_at=utcnow() - datetime.timedelta(seconds=60))
    assert 'id="stuck-queue"' not in admin.get(f"/console/imports/{batch.id}").get_data(as_text=True)
    WorkerHeartbeat.update(beat_at=utcnow() - datetime.timedelta(seconds=180)).execute()
    assert 'id="stuck-queue"' in admin.get("/console/imports").get_data(as_text=True)
    # "run now" runs it in the request (here the stored file is missing: it fails, with a reason)
    admin.post(f"/console/imports/{batch.id}/run-now")
    assert ImportBatch.get_by_id(batch.id).status in ("done", "failed")


def test_failed_job_shows_its_reason(app, world):
    ImportBatch.create(
        file_sha256="1" * 64,
        filename="坏文件.xlsx",
        period=world["period"],
        created_by="admin1",
        status="failed",
        finished_at=utcnow(),
        errors=[{"row": 0, "code": "worker_died", "text": "后台任务进程在导入过程中停止"}],
    )
    page = as_user(app, "admin1").get("/console/imports").get_data(as_text=True)
    assert "坏文件.xlsx" in page and "后台任务进程在导入过程中停止" in page


def test_objection_page_has_no_preselected_verdict_and_shows_context(app, world):
    member = world["members"][0]
    record(member, world["period"], "miss_meeting", -1, reason="三月缺席")
    ratings.publish(world["period"], datetime.datetime(2026, 1, 15, 1, 0))
    plaque = PlaqueCode.get(PlaqueCode.code == world["codes"][0])
    objection = Objection.create(reference="YY202500001", plaque=plaque, period=world["period"], text="缺席有假条")
    admin = as_user(app, "town1")
    page = admin.get(f"/console/admin/objections/{objection.id}").get_data(as_text=True)
    decision = page.split('name="decision"')
    assert len(decision) == 3 and "checked" not in page.split("<form")[-1].split('name="reason"')[0]
    assert "三月缺席" in page and "公示截止" in page and 'id="current-result"' in page and "★" in page
    response = admin.post(f"/console/admin/objections/{objection.id}", data={"decision": "accept", "reason": ""})
    assert response.status_code == 200 and Objection.get_by_id(objection.id).status == "open"
    assert "请填写理由" in response.get_data(as_text=True)
    response = admin.post(f"/console/admin/objections/{objection.id}", data={"reason": "核实"})
    assert Objection.get_by_id(objection.id).status == "open" and "请选择处理结果" in response.get_data(as_text=True)


def test_period_charts_split_by_rubric_and_new_period_year_is_free(app, world):
    make_period(year=datetime.date.today().year)
    admin = as_user(app, "admin1")
    page = admin.get("/console/admin/periods").get_data(as_text=True)
    next_year = datetime.date.today().year + 1
    assert f'value="{next_year}"' in page and f"{next_year}年度" in page
    ratings.rate(world["period"])
    page = admin.get(f"/console/admin/periods/{world['period'].id}").get_data(as_text=True)
    rubrics_shown = page.count('class="card chart-card"')
    assert rubrics_shown >= 2 and "village_ten_star" in page and "member_points" in page
    assert page.index("village_ten_star") < page.index("member_points")  # ten-star first, apart


def test_never_scanned_list_per_organisation_and_export(app, world):
    scanned = PlaqueCode.get(PlaqueCode.code == world["codes"][0])
    ScanCount.create(plaque=scanned, day=datetime.date.today(), count=4)
    old = PlaqueCode.get(PlaqueCode.code == world["codes"][1])
    ScanCount.create(plaque=old, day=datetime.date.today() - datetime.timedelta(days=200), count=2)
    admin = as_user(app, "town1")
    never = admin.get("/console/admin/plaques/scans?list=never").get_data(as_text=True)
    listed = never.split('id="scan-list"')[1]
    assert world["codes"][0] not in listed and world["codes"][1] not in listed
    branch_code = PlaqueCode.get(
        PlaqueCode.subject_kind == "organisation", PlaqueCode.subject_id == world["branch"].id
    ).code
    assert branch_code in listed
    stale = admin.get("/console/admin/plaques/scans?list=stale").get_data(as_text=True).split('id="scan-list"')[1]
    assert world["codes"][1] in stale and world["codes"][0] not in stale
    everything = admin.get("/console/admin/plaques/scans?list=all").get_data(as_text=True)
    assert world["codes"][0] in everything
    exported = admin.get("/console/admin/plaques/scans.csv?list=all").get_data(as_text=True)
    line = next(row for row in exported.splitlines() if world["codes"][0] in row)
    assert line.endswith(f",4,4,{datetime.date.today().isoformat()}")


def test_the_objection_list_reads_its_subjects_in_a_fixed_number_of_queries(world):
    from starqr.services.consoles import admin_pages
    from tests.test_public_queries import count_queries

    def filed(count):
        for n in range(count):
            member = make_member(world["branch"], name_zh=f"异议人{n}")
            Objection.create(
                reference=f"YQ{Objection.select().count():05d}",
                plaque=issue_code(member),
                period=world["period"],
                text="x",
            )
        Objection.create(reference="YQB", plaque=issue_code(world["town"]), period=world["period"], text="x")
        with count_queries() as counter:
            rows = admin_pages.objections(access.SYSTEM, "open")
        Objection.delete().execute()
        return counter["n"], rows

    few, rows = filed(1)
    many, more = filed(6)
    assert few == many and len(more) == 7
    by_kind = {(row.plaque.subject_kind, subject.name_zh, org.id) for row, subject, org in more}
    assert ("organisation", world["town"].name_zh, world["town"].id) in by_kind
    assert {org for kind, _name, org in by_kind if kind == "member"} == {world["branch"].id}


def test_an_organisation_administrator_sees_the_objections_in_scope_behind_many_newer_ones_outside(app, world):
    mine = Objection.create(
        reference="YQMINE",
        plaque=PlaqueCode.get(PlaqueCode.code == world["codes"][0]),
        period=world["period"],
        text="x",
        created_at=utcnow() - datetime.timedelta(days=1),
    )
    elsewhere = issue_code(make_org(world["banner"], "town", "rural", "别的苏木"))
    bulk_insert_dicts(
        Objection,
        [
            {"reference": f"YQX{n:05d}", "plaque": elsewhere.id, "period": world["period"].id, "text": "x"}
            for n in range(450)
        ],
    )
    town1 = access.actor_for(User.get(User.username == "town1"))
    from starqr.services.consoles import admin_pages

    assert [row.id for row, _subject, _org in admin_pages.objections(town1, "open")] == [mine.id]
    page = as_user(app, "town1").get("/console/admin/objections").get_data(as_text=True)
    assert "YQMINE" in page and "YQX00001" not in page
    everything = admin_pages.objections(access.SYSTEM, "open")
    assert len(everything) == 200 and mine.id not in {row.id for row, _subject, _org in everything}
