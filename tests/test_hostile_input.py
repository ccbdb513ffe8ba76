"""Issue 14's failures, reproduced through the doors they came in by, and answered clearly.

1 -0 broke `ledger verify`; 2 chunked bodies over the limit were cut and imported;
5 identity/phone numbers in public free text were published; 9 NaN, count 0, 100.001,
1e-10 and ids ≥ 2^63; 10 NUL in a JSON body or an import reason.
"""

import datetime
import io
import json
from decimal import Decimal

import pytest

from starqr import ledger
from starqr.models import AuditLog, Commitment, LedgerEntry, Member
from starqr.services import imports as importer
from starqr.services import members as member_service
from starqr.services import commitments
from starqr.services import member_rules
from starqr.services import points_events
from tests.helpers import ledger_body, login, make_commitment, make_world, post_ledger, table_counts

HUGE_IDS = (2**31, 2**63, 99999999999999999999)


@pytest.fixture
def world(app):
    return make_world("test")


# ---------------------------------------------------------------- 1: -0 and ledger verify


def test_negative_zero_through_the_api_keeps_the_ledger_verifiable(client, world, cli, monkeypatch):
    response = post_ledger(client, world, value=-0.0)
    assert response.status_code == 201, response.json
    assert LedgerEntry.get().points == 0
    monkeypatch.setenv("STARQR_LANG", "en")
    result = cli("ledger", "verify")
    assert result.exit_code == 0 and "ledger intact: 1" in result.output
    monkeypatch.setenv("STARQR_LANG", "zh")
    result = cli("ledger", "verify")
    assert result.exit_code == 0 and "台账完好:已校验 1 条记录" in result.output


def test_negative_zero_through_the_console_and_the_importer(client, world, cli):
    login(client, "sec")
    response = client.post(
        f"/console/members/{world['member'].id}/points",
        data={"period": world["period"].id, "item": "appraisal_percent", "value": "-0", "reason": "民主评议"},
    )
    assert response.status_code == 302
    ledger.record("member", world["member"].id, world["period"].id, "study", Decimal("-0.00"), "x", "t")
    assert cli("ledger", "verify").exit_code == 0


def test_entries_hashed_with_negative_zero_before_the_fix_still_verify(app, world):
    entry = ledger.record("member", world["member"].id, world["period"].id, "study", Decimal("2"), "x", "t")
    legacy = ledger.stored_digest(entry, points=ledger._LEGACY_NEGATIVE_ZERO)
    LedgerEntry.update(points=0, entry_hash=legacy).where(LedgerEntry.id == entry.id).execute()
    from starqr.models import LedgerHead

    LedgerHead.update(last_hash=legacy).execute()
    assert ledger.verify() == (1, [])
    LedgerEntry.update(points=1).where(LedgerEntry.id == entry.id).execute()
    assert [p.kind for p in ledger.verify()[1]] == ["altered"]


# ---------------------------------------------------------------- 9: numbers


@pytest.mark.parametrize(
    "body, field",
    [
        ('{"value": NaN}', "value"),
        ('{"value": Infinity}', "value"),
        ('{"value": 100.001}', "value"),
        ('{"value": 1e-10}', "value"),
        ('{"value": 1e400}', "value"),
        ('{"value": 5, "count": 0}', "count"),
        ('{"value": 5, "count": -3}', "count"),
        ('{"value": 5, "occurred_on": "2025-02-30"}', "occurred_on"),
    ],
)
def test_bad_numbers_through_the_api_are_422_naming_the_field(client, world, body, field):
    raw = body[:-1] + ", " + json.dumps(ledger_body(world))[1:]
    before = table_counts()
    response = client.post("/api/v1/ledger", data=raw, headers=world["headers"], content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["field"] == field and response.json["message"]
    assert table_counts() == before


def test_count_zero_on_an_event_item_is_refused_not_made_one(client, world):
    response = post_ledger(client, world, item="study", count=0)
    assert response.status_code == 422 and response.json["field"] == "count"
    assert LedgerEntry.select().count() == 0


@pytest.mark.parametrize("value", ["NaN", "100.001", "1e-10", "inf", "-Infinity", "sNaN"])
def test_bad_numbers_through_the_console_are_refused(client, world, value):
    login(client, "sec")
    before = table_counts()
    response = client.post(
        f"/console/members/{world['member'].id}/points",
        data={"period": world["period"].id, "item": "appraisal_percent", "value": value, "reason": "民主评议"},
    )
    assert response.status_code == 200
    assert table_counts() == before


def test_refusals_name_the_field_in_the_users_language(client, world):
    login(client, "sec")
    data = {"period": world["period"].id, "item": "appraisal_percent", "value": "100.001", "reason": "民主评议"}
    response = client.post(f"/console/members/{world['member'].id}/points", data=data)
    assert "「分值」最多两位小数" in response.get_data(as_text=True)
    response = client.post(f"/console/members/{world['member'].id}/points?lang=en", data=data)
    assert "“Points” may have at most two decimals" in response.get_data(as_text=True)
    response = post_ledger(client, world, value=100.001)
    assert response.json["message"].startswith("「分值」")
    response = client.post(
        "/api/v1/ledger?lang=en",
        headers=world["headers"],
        content_type="application/json",
        data=json.dumps(
            {
                "subject_kind": "member",
                "subject_id": world["member"].id,
                "period_id": world["period"].id,
                "item": "study",
                "reason": "x",
                "count": 0,
            }
        ),
    )
    assert response.json["message"] == "“Times” must be between 1 and 50"


def test_service_refuses_more_than_two_decimals_instead_of_rounding(world):
    with pytest.raises(member_rules.MemberError, match="两位小数"):
        points_events.record_points("sec", world["member"], world["period"], "appraisal_percent", "x", value="100.001")
    assert LedgerEntry.select().count() == 0


CONSOLE_ID_ROUTES = (
    "/console/branches/{id}",
    "/console/branches/{id}/edit",
    "/console/branches/{id}/members/new",
    "/console/members/{id}",
    "/console/members/{id}/edit",
    "/console/members/{id}/transfer",
    "/console/members/{id}/retire",
    "/console/members/{id}/points",
    "/console/commitments/{id}",
    "/console/entries/{id}/correct",
    "/console/branches/{id}/plaques",
    "/console/admin/periods/{id}",
    "/console/imports/{id}",
    "/console/admin/objections/{id}",
)


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_ids_beyond_the_database_range_are_404_not_500(client, world, huge):
    login(client, "admin1")
    for route in CONSOLE_ID_ROUTES:
        response = client.get(route.format(id=huge))
        assert response.status_code == 404, (route, response.status_code)
    assert client.get(f"/evidence/{huge}/x.jpg").status_code == 404
    assert client.get(f"/console/admin/tree?org={huge}").status_code < 500
    assert client.get(f"/console/admin/audit?page={huge}").status_code < 500
    response = client.get(f"/api/v1/members/{huge}", headers=world["headers"])
    assert response.status_code == 404 and response.is_json


def test_ids_beyond_range_in_forms_are_refused(client, world):
    login(client, "admin1")
    response = client.post(
        "/console/imports/confirm", data={"period": str(2**63), "sha": "0" * 64, "filename": "x.csv"}
    )
    assert response.status_code in (400, 404)
    response = client.post(
        "/console/imports/preview",
        data={"period": str(2**63), "file": (io.BytesIO(b"x"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code < 500


# ---------------------------------------------------------------- 10: NUL


def test_nul_in_a_json_body_is_400(client, world):
    before = table_counts()
    response = post_ledger(client, world, value=5, reason="民主\u0000评议")
    assert response.status_code == 400 and response.json["error"] == "bad_request"
    assert table_counts() == before


def test_nul_in_an_import_reason_is_a_row_error(client, world):
    data = importer.write_csv([[world["code"], "巴特尔", "study", "", 1, "2025-05-01", "学习\x00"]])
    result = importer.run(world["period"], data, "x.csv", "admin", dry_run=True)
    assert result.errors and result.errors[0].column == "事由"
    response = client.post(f"/api/v1/imports?period_id={world['period'].id}", data=data, headers=world["headers"])
    assert response.status_code == 422 and LedgerEntry.select().count() == 0


def test_long_import_reason_is_refused_not_cut(world):
    data = importer.write_csv([[world["code"], "巴特尔", "study", "", 1, "2025-05-01", "学" * 501]])
    result = importer.run(world["period"], data, "x.csv", "admin", dry_run=True)
    assert result.errors and "500" in result.errors[0].message


# ---------------------------------------------------------------- 2: bodies whole or refused


def _chunked(client, path, body, headers=None):
    """What gunicorn hands a WSGI app for Transfer-Encoding: chunked: no length, a terminated stream."""
    return client.open(
        path,
        method="POST",
        input_stream=io.BytesIO(body),
        headers=headers or {},
        environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"},
    )


@pytest.fixture
def small_app(database_url, tmp_path):
    from starqr import create_app
    from starqr.db import database

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "x" * 32,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "HUEY_IMMEDIATE": True,
            "PASSWORD_METHOD": "pbkdf2:sha256:1000",
            "WTF_CSRF_ENABLED": False,
            "MAX_CONTENT_LENGTH": 4000,
        }
    )
    database.connect(reuse_if_open=True)
    yield app


def _import_rows(code, rows):
    return importer.write_csv([[code, "巴特尔", "study", "", 1, "2025-05-01", f"学习{i:04d}"] for i in range(rows)])


def test_a_chunked_import_over_the_limit_is_413_and_imports_nothing(small_app, world):
    client = small_app.test_client()
    body = _import_rows(world["code"], 120)
    assert len(body) > 4000
    before = table_counts()
    response = _chunked(client, f"/api/v1/imports?period_id={world['period'].id}", body, world["headers"])
    assert response.status_code == 413 and response.is_json
    assert table_counts() == before
    # The same with a Content-Length: 413 too.
    response = client.post(f"/api/v1/imports?period_id={world['period'].id}", data=body, headers=world["headers"])
    assert response.status_code == 413
    assert table_counts() == before


def test_a_chunked_import_within_the_limit_is_read_whole(small_app, world):
    client = small_app.test_client()
    body = _import_rows(world["code"], 30)
    assert len(body) < 4000
    response = _chunked(client, f"/api/v1/imports?period_id={world['period'].id}", body, world["headers"])
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["written"] == 30


def test_a_broken_chunked_body_is_400(small_app, world):
    class Broken(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            raise OSError("connection reset")

        def tell(self):
            return 0

        def seek(self, *args):
            return 0

    client = small_app.test_client()
    response = client.open(
        f"/api/v1/imports?period_id={world['period'].id}",
        method="POST",
        input_stream=Broken(),
        headers=world["headers"],
        environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"},
    )
    assert response.status_code == 400 and LedgerEntry.select().count() == 0


def test_small_routes_have_small_limits(small_app, world):
    client = small_app.test_client()
    response = _chunked(
        client, "/api/v1/ledger", b"{" + b" " * 3000 + b"}", {**world["headers"], "Content-Type": "application/json"}
    )
    assert response.status_code == 422 or response.status_code == 400  # within the 1 MB API limit
    response = client.post(f"/Q/{world['code']}/objection", data={"text": "x" * 70000})
    assert response.status_code == 413


# ---------------------------------------------------------------- 5: private data in public free text

PRIVATE = ("身份证150222199001011234", "电话13912345678", "家住海流图镇建设路12号3单元402室")


@pytest.mark.parametrize("text", PRIVATE)
def test_private_data_in_honours_is_refused_through_the_console(client, world, text):
    login(client, "sec")
    member = world["member"]
    before = table_counts()
    response = client.post(
        f"/console/members/{member.id}/edit",
        data={"name_zh": member.name_zh, "category": "ordinary", "status": "full", "honours": f"优秀党员;{text}"},
    )
    assert response.status_code == 200
    assert "公开显示" in response.get_data(as_text=True)
    assert Member.get_by_id(member.id).honours is None
    assert table_counts() == before


@pytest.mark.parametrize("text", PRIVATE)
def test_private_data_in_public_texts_is_refused_by_the_services(world, text, app):
    member, period = world["member"], world["period"]
    commitment = make_commitment(member)
    calls = [
        lambda: member_service.edit_member("sec", member, {"honours": text}),
        lambda: commitments.add_commitment("sec", member, {"text": text}),
        lambda: commitments.edit_commitment("sec", commitment, {"text": text}),
        lambda: commitments.add_progress("sec", commitment, None, text),
        lambda: commitments.set_outcome("sec", commitment, "not_done", reason_not_kept=text),
        lambda: points_events.record_points("sec", member, period, "study", text),
        lambda: points_events.record_points("sec", member, period, "study", "学习", evidence=text),
    ]
    before = table_counts()
    for call in calls:
        with pytest.raises(member_rules.MemberError, match="公开显示"):
            call()
    assert table_counts() == before
    assert Commitment.get_by_id(commitment.id).progress_notes == []


def test_private_reason_may_hold_what_a_public_one_may_not(world):
    entries = points_events.record_points(
        "sec", world["member"], world["period"], "study", "电话13912345678 核实", public_reason=False
    )
    assert len(entries) == 1


@pytest.mark.parametrize("text", PRIVATE)
def test_private_data_in_an_import_reason_is_a_row_error(client, world, text):
    data = importer.write_csv([[world["code"], "巴特尔", "study", "", 1, "2025-05-01", text]])
    response = client.post(f"/api/v1/imports?period_id={world['period'].id}", data=data, headers=world["headers"])
    assert response.status_code == 422
    assert "公开显示" in response.json["errors"][0]["message"]


@pytest.mark.parametrize("text", PRIVATE)
def test_private_data_through_the_api_is_422(client, world, text):
    response = post_ledger(client, world, item="study", reason=text)
    assert response.status_code == 422 and "公开显示" in response.json["message"]


def test_ordinary_texts_are_not_mistaken_for_private_data():
    from starqr.validation import find_private_data

    for text in (
        "2023年度优秀共产党员",
        "带领12户牧民发展肉羊养殖",
        "学习中央1号文件精神",
        "获评2019-2020年度先进",
        "完成植树1200棵,帮扶困难户3户",
        "组织5次志愿活动,服务120小时",
        "嘎查党群服务中心",
        "党费 150.00 元",
        "第3组环境整治",
        "2025-06-30 完成",
        "ᠰᠠᠢᠨ ᠠᠵᠢᠯᠯᠠᠭ᠎ᠠ",
    ):
        assert find_private_data(text) is None, text


def test_audit_keeps_no_refused_text(world):
    with pytest.raises(member_rules.MemberError):
        member_service.edit_member("sec", world["member"], {"honours": PRIVATE[0]})
    assert not any(PRIVATE[0] in str(a.after) for a in AuditLog.select())
    assert datetime.date.today()  # keeps the import used where dates are made


# ---------------------------------------------------------------- the roster importer (l08's door)


@pytest.mark.parametrize(
    "column, value, words",
    [
        (1, "巴特\x00尔", "控制字符"),
        (2, "ᠪ" * 161, "不能超过 160"),
        (7, "书记 13912345678", "公开显示"),
        (7, "组" * 61, "不能超过 60"),
    ],
)
def test_roster_texts_are_refused_not_cut(app, column, value, words):
    from starqr.services import onboarding
    from starqr.services.imports import roster_apply, tree
    from tests import onboarding_files as files

    onboarding.init_banner("测试旗委员会", "chief", password="a-long-password-1")
    rows, branches = files.tree_rows()
    assert tree.run(files.xlsx(rows, files.TREE_HEADER), "tree.xlsx", "chief", dry_run=False).ok
    roster = [list(row) for row in files.roster_rows(branches, 3)]
    roster[1][column] = value
    before = table_counts()
    plan = roster_apply.run(files.csv(roster, files.ROSTER_HEADER), "r.csv", "chief", dry_run=False)
    assert not plan.applied and any(words in e.message for e in plan.errors), [e.message for e in plan.errors]
    assert table_counts() == before


def test_a_real_chunked_upload_over_the_limit_is_413_from_a_real_server(small_app, world):
    """The same as above through a real HTTP server and Transfer-Encoding: chunked on the wire."""
    import http.client
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, small_app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:

        def send(body):
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
            chunks = (body[i : i + 500] for i in range(0, len(body), 500))
            connection.request(
                "POST",
                f"/api/v1/imports?period_id={world['period'].id}",
                body=chunks,
                headers={**world["headers"], "Content-Type": "text/csv"},
                encode_chunked=True,
            )
            response = connection.getresponse()
            answer = (response.status, response.read())
            connection.close()
            return answer

        before = table_counts()
        status, _ = send(_import_rows(world["code"], 120))
        assert status == 413 and table_counts() == before
        status, text = send(_import_rows(world["code"], 30))
        assert status == 201, text[:300]
        assert json.loads(text)["written"] == 30
    finally:
        server.shutdown()
        server.server_close()
