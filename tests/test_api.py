"""/api/v1: token auth, scope, JSON errors, imports, scheduling, and a schemathesis run."""

import datetime

import pytest

from starqr.models import LedgerEntry, RatingPeriod
from starqr.services import api_tokens, imports
from tests.helpers import issue_code, make_member, make_org, make_period, make_tree, make_user


@pytest.fixture
def world(app):
    """make_tree's banner plus another town down to its branch; two members with plaque codes in
    make_tree's branch and an outsider in the other branch; the 2025 period; a user and an API
    token per role. Keys: tree, other_branch, members, outsider, codes, period, users, tokens."""
    world = {"tree": make_tree()}
    tree = world["tree"]
    other_town = make_org(tree["banner"], "town", "rural", "川井苏木党委", "ᠴᠤᠸᠠᠨ ᠵᠢᠩ")
    other_unit = make_org(other_town, "unit", "rural", "乌兰嘎查", unit_kind="village")
    world["other_branch"] = make_org(other_unit, "branch", "rural", "乌兰嘎查党支部")
    world["members"] = [make_member(tree["branch"], name_zh=n) for n in ("巴特尔", "其其格")]
    world["outsider"] = make_member(world["other_branch"], name_zh="外人")
    world["codes"] = [issue_code(m).code for m in world["members"]]
    world["period"] = make_period(year=2025)
    world["users"] = {
        "admin": make_user("admin1", "admin"),
        "town": make_user("town1", "org_admin", tree["town"]),
        "secretary": make_user("sec1", "secretary", tree["branch"]),
        "viewer": make_user("view1", "viewer", tree["town"]),
        "other": make_user("other1", "org_admin", other_town),
    }
    world["tokens"] = {name: api_tokens.create(user, "test")[1] for name, user in world["users"].items()}
    return world


def auth(world, who):
    return {"Authorization": f"Bearer {world['tokens'][who]}"}


def test_no_token_or_bad_token_is_401_json(client, world):
    response = client.get("/api/v1/organisations")
    assert response.status_code == 401 and response.json["error"] == "unauthorized"
    response = client.get("/api/v1/organisations", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and "message" in response.json


def test_revoked_token_is_refused(client, world):
    from starqr.models import ApiToken

    token = ApiToken.select().where(ApiToken.user == world["users"]["viewer"]).first()
    api_tokens.revoke(token, "tester")
    assert client.get("/api/v1/periods", headers=auth(world, "viewer")).status_code == 401


def test_unknown_paths_and_methods_answer_json(client, world):
    response = client.get("/api/v1/nothing-here", headers=auth(world, "admin"))
    assert response.status_code == 404 and response.json["error"] == "not_found"
    response = client.delete("/api/v1/periods", headers=auth(world, "admin"))
    assert response.status_code == 405 and response.json["error"] == "method_not_allowed"


def test_organisations_and_members_are_scoped(client, world):
    everything = client.get("/api/v1/organisations", headers=auth(world, "admin")).json
    town = client.get("/api/v1/organisations", headers=auth(world, "town")).json
    secretary = client.get("/api/v1/organisations", headers=auth(world, "secretary")).json
    assert everything["total"] == 7
    assert {o["name_zh"] for o in town["items"]} == {"海流图镇党委", "仁宝勒格嘎查", "仁宝勒格嘎查党支部"}
    assert [o["name_zh"] for o in secretary["items"]] == ["仁宝勒格嘎查党支部"]
    branch_id = world["other_branch"].id
    assert client.get(f"/api/v1/organisations/{branch_id}", headers=auth(world, "town")).status_code == 404
    assert client.get(f"/api/v1/organisations/{branch_id}", headers=auth(world, "other")).status_code == 200
    outsider = world["outsider"].id
    assert client.get(f"/api/v1/members/{outsider}", headers=auth(world, "secretary")).status_code == 404
    mine = client.get("/api/v1/members", headers=auth(world, "secretary")).json
    assert {m["name_zh"] for m in mine["items"]} == {"巴特尔", "其其格"}
    assert "phone" not in mine["items"][0] and "id_number" not in mine["items"][0]
    found = client.get("/api/v1/organisations?q=ᠴᠤᠸᠠᠨ", headers=auth(world, "admin")).json
    assert [o["name_zh"] for o in found["items"]] == ["川井苏木党委"]


def test_ledger_create_respects_role_and_scope(client, world):
    member = world["members"][0]
    body = {
        "subject_kind": "member",
        "subject_id": member.id,
        "period_id": world["period"].id,
        "item": "study",
        "count": 2,
        "reason": "参加集中学习",
        "occurred_on": "2025-03-01",
    }
    response = client.post("/api/v1/ledger", json=body, headers=auth(world, "secretary"))
    assert response.status_code == 201, response.json
    assert [e["points"] for e in response.json["items"]] == [2.0, 2.0]
    assert client.post("/api/v1/ledger", json=body, headers=auth(world, "viewer")).status_code == 403
    assert client.post("/api/v1/ledger", json=body, headers=auth(world, "other")).status_code == 404
    bad = dict(body, item="flying")
    response = client.post("/api/v1/ledger", json=bad, headers=auth(world, "secretary"))
    assert response.status_code == 422 and response.json["error"] == "invalid"
    response = client.post("/api/v1/ledger", data="not json", headers=auth(world, "secretary"))
    assert response.status_code == 400 and response.json["error"] == "bad_request"
    listed = client.get(f"/api/v1/ledger?subject_kind=member&subject_id={member.id}", headers=auth(world, "town"))
    assert listed.json["total"] == 2
    assert client.get("/api/v1/ledger", headers=auth(world, "other")).json["total"] == 0


def test_imports_dry_run_commit_and_errors(client, world):
    c = world["codes"]
    data = imports.write_csv(
        [
            [c[0], "巴特尔", "appraisal_percent", 100, 1, "", "民主评议"],
            [c[1], "其其格", "study", "", 2, "2025-05-01", "学习"],
        ]
    )
    url = f"/api/v1/imports?period_id={world['period'].id}&filename=scores.csv"
    response = client.post(url + "&dry_run=true", data=data, headers=auth(world, "town"))
    assert response.status_code == 200 and response.json["new_entries"] == 2
    assert response.json["star_moves"][0]["before_stars"] == 1 and LedgerEntry.select().count() == 0
    response = client.post(url, data=data, headers=auth(world, "admin"))
    assert response.status_code == 201 and response.json["written"] == 2
    assert client.post(url, data=data, headers=auth(world, "admin")).json["written"] == 0
    bad = imports.write_csv([[c[0], "别人", "study", "", 1, "", ""]])
    response = client.post(url, data=bad, headers=auth(world, "admin"))
    assert response.status_code == 422 and response.json["errors"][0]["column"] == "姓名"
    # Another town's administrator cannot import into this subtree.
    response = client.post(url, data=data, headers=auth(world, "other"))
    assert response.status_code == 422 and "管理范围" in response.json["errors"][0]["message"]
    assert client.post(url, data=data, headers=auth(world, "secretary")).status_code == 403


def test_background_import_reports_progress(client, world):
    c = world["codes"]
    data = imports.write_csv([[c[0], "巴特尔", "study", "", 1, "", "学习"]])
    response = client.post(
        f"/api/v1/imports?period_id={world['period'].id}&background=1", data=data, headers=auth(world, "admin")
    )
    assert response.status_code == 202 and response.json["status"] == "done"  # immediate mode in tests
    batch = client.get(response.headers["Location"], headers=auth(world, "admin")).json
    assert batch["rows_imported"] == 1


def test_schedule_period_takes_beijing_time(client, world):
    period = world["period"]
    when = (datetime.datetime.now() + datetime.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    url = f"/api/v1/periods/{period.id}/schedule"
    body = {"publish_at": when.isoformat(timespec="minutes"), "notice_days": 7}
    assert client.post(url, json=body, headers=auth(world, "town")).status_code == 403
    response = client.post(url, json=body, headers=auth(world, "admin"))
    assert response.status_code == 200, response.json
    stored = RatingPeriod.get_by_id(period.id)
    assert stored.state == "scheduled" and stored.notice_days == 7
    assert stored.publish_at == when - datetime.timedelta(hours=8)
    assert response.json["publish_at_local"].startswith(when.isoformat(timespec="minutes"))
    past = client.post(url, json={"publish_at": "2001-01-01T09:00"}, headers=auth(world, "admin"))
    assert past.status_code == 422 and past.json["error"] == "invalid"


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.") and "/api/v1/imports" in document["paths"]


def test_responses_conform_to_the_generated_document(app, world):
    """schemathesis: every operation, checked for server errors AND for responses that break the
    document (status codes, content types, body schemas). The document is generated from the
    same pydantic schemas that validate the requests, so a drift fails here."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from starqr.views.api import document

    with app.app_context():
        schema = schemathesis.openapi.from_dict(document())
    client = app.test_client()
    headers = auth(world, "admin")
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            kwargs = case.as_transport_kwargs(base_url="http://localhost")
            response = client.open(
                kwargs["url"].replace("http://localhost", ""),
                method=kwargs["method"],
                headers={**(kwargs.get("headers") or {}), **headers},
                query_string=kwargs.get("params"),
                json=kwargs.get("json"),
                data=kwargs.get("data"),
            )
            try:
                case.validate_response(response, checks=checks)
            except Exception as error:  # schemathesis raises one failure group per case
                failures.append((operation.label, response.status_code, str(error)[:600]))

        check()
    assert operations >= 10
    assert not failures, failures[:3]


def test_the_document_is_the_schemas(app):
    """The real POST /ledger 201 answer matches the document (the hand-written one did not)."""
    from starqr.views.api import document

    with app.app_context():
        spec = document()
    created = spec["paths"]["/api/v1/ledger"]["post"]["responses"]["201"]
    schema = created["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("LedgerEntries")
    assert "recorded_at" in str(spec["components"]["schemas"])


def test_answer_times_carry_their_offset(client, world):
    """RFC 3339 times, as the document promises: stored UTC ends in Z, Beijing time in +08:00."""
    period = world["period"]
    when = (datetime.datetime.now() + datetime.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    url = f"/api/v1/periods/{period.id}/schedule"
    scheduled = client.post(url, json={"publish_at": when.isoformat(timespec="minutes")}, headers=auth(world, "admin"))
    assert scheduled.status_code == 200, scheduled.json
    assert scheduled.json["publish_at"].endswith("Z")
    assert scheduled.json["publish_at_local"] == when.isoformat() + "+08:00"
    assert datetime.datetime.fromisoformat(
        scheduled.json["publish_at"].replace("Z", "+00:00")
    ) == datetime.datetime.fromisoformat(scheduled.json["publish_at_local"])
    queued = client.post(
        f"/api/v1/imports?period_id={period.id}&filename=x.csv&background=true",
        data=b"",
        headers=auth(world, "admin"),
    )
    assert queued.status_code == 202, queued.json
    assert queued.json["created_at"].endswith("Z")
