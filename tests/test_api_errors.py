"""/api/v1's error edge: one body {error, message, params[, field]}, the message from the
catalogue in the caller's language (zh by default), for refusals the API makes itself
(unknown paths, wrong methods, werkzeug's HTTP errors) as for the services' errors."""

import pytest

from tests.helpers import make_member, make_org, make_period, make_tree, make_user
from starqr.services import accounts


@pytest.fixture
def api(app):
    tree = make_tree()
    other_branch = make_org(tree["unit"], "branch", "rural", "另一个党支部")
    _, token = accounts.create_api_token(make_user("sec_api", "secretary", tree["branch"]), "t")
    return dict(
        tree=tree,
        member=make_member(tree["branch"]),
        outsider=make_member(other_branch),
        other_branch=other_branch,
        period=make_period(year=2025),
        headers={"Authorization": f"Bearer {token}"},
    )


def _ledger_body(api, kind, subject_id):
    return {
        "subject_kind": kind,
        "subject_id": subject_id,
        "period_id": api["period"].id,
        "item": "study",
        "count": 1,
        "reason": "学习",
    }


@pytest.mark.parametrize(
    "kind, key, zh",
    [("member", "outsider", "没有编号为 %s 的党员"), ("organisation", "other_branch", "没有编号为 %s 的组织")],
)
def test_a_ledger_subject_outside_the_scope_is_the_same_404_as_its_own_route(client, api, kind, key, zh):
    subject_id = api[key].id
    own_route = client.get(f"/api/v1/{kind}s/{subject_id}", headers=api["headers"])
    listed = client.get(f"/api/v1/ledger?subject_kind={kind}&subject_id={subject_id}", headers=api["headers"])
    recorded = client.post("/api/v1/ledger", json=_ledger_body(api, kind, subject_id), headers=api["headers"])
    for response in (own_route, listed, recorded):
        assert response.status_code == 404
        assert response.json == {"error": "not_found", "message": zh % subject_id, "params": {"id": subject_id}}


def test_a_ledger_subject_in_scope_is_found(client, api):
    member = api["member"].id
    assert (
        client.post("/api/v1/ledger", json=_ledger_body(api, "member", member), headers=api["headers"]).status_code
        == 201
    )
    listed = client.get(f"/api/v1/ledger?subject_kind=member&subject_id={member}", headers=api["headers"])
    assert listed.status_code == 200 and listed.json["total"] == 1


@pytest.mark.parametrize(
    "lang, found, method",
    [
        (None, "没有 /api/v1/nothing-here 这个接口", "/api/v1/periods 不支持 DELETE(可用:GET)"),
        ("en", "There is no /api/v1/nothing-here endpoint", "/api/v1/periods does not support DELETE (allowed: GET)"),
        (
            "mn",
            "/api/v1/nothing-here ᠭᠡᠰᠡᠨ ᠵᠠᠭᠠᠭ ᠦᠭᠡᠢ",
            "/api/v1/periods ᠨᠢ DELETE ᠢ ᠳᠡᠮᠵᠢᠬᠦ ᠦᠭᠡᠢ (ᠬᠡᠷᠡᠭᠯᠡᠵᠦ ᠪᠣᠯᠬᠤ: GET)",
        ),
    ],
)
def test_unknown_paths_and_methods_read_from_the_catalogue(client, api, lang, found, method):
    headers = dict(api["headers"], **({"Accept-Language": lang} if lang else {}))
    response = client.get("/api/v1/nothing-here", headers=headers)
    assert response.status_code == 404
    assert response.json == {"error": "not_found", "message": found, "params": {"path": "/api/v1/nothing-here"}}
    response = client.delete("/api/v1/periods", headers=headers)
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert response.json == {
        "error": "method_not_allowed",
        "message": method,
        "params": {"path": "/api/v1/periods", "method": "DELETE", "allowed": "GET"},
    }


def test_a_post_only_route_names_post(client, api):
    response = client.get(f"/api/v1/periods/{api['period'].id}/schedule", headers=api["headers"])
    assert response.status_code == 405 and response.headers["Allow"] == "POST"


def test_werkzeugs_own_http_errors_are_not_answered_in_english(client, api):
    # An id beyond any column is refused by the app's url preprocessor with a bare abort(404).
    response = client.get(f"/api/v1/members/{2**40}?lang=mn", headers=api["headers"])
    assert response.status_code == 404
    assert response.json == {"error": "not_found", "message": "ᠣᠯᠳᠠᠭᠰᠠᠨ ᠦᠭᠡᠢ", "params": {}}


@pytest.mark.parametrize(
    "query, zh, en",
    [
        ("limit=x", "「limit」应为整数", "“limit” must be a whole number"),
        ("limit=100000", "「limit」超出允许范围", None),
        ("level=galaxy", "「level」应为 'banner', 'town', 'unit', 'branch' 之一", None),
    ],
)
def test_schema_refusals_read_from_the_catalogue(client, api, query, zh, en):
    response = client.get(f"/api/v1/organisations?{query}", headers=api["headers"])
    field = query.split("=")[0]
    assert response.status_code == 400 and response.json["error"] == "bad_request"
    assert response.json["message"] == zh and response.json["field"] == field
    assert response.json["params"]["label"] == field
    if en:
        english = client.get(f"/api/v1/organisations?{query}&lang=en", headers=api["headers"])
        assert english.json["message"] == en


def test_a_refused_ledger_value_keeps_its_code_field_and_params(client, api):
    body = dict(_ledger_body(api, "member", api["member"].id), count=0)
    response = client.post("/api/v1/ledger?lang=en", json=body, headers=api["headers"])
    assert response.status_code == 422 and response.json["field"] == "count"
    assert response.json["error"] == "out_of_range" and response.json["params"]["maximum"]
    assert response.json["message"] == "“Times” must be between 1 and 50"
    # Refused inside the service (member_rules.MemberError wrapping the value rule): the same shape.
    body = dict(_ledger_body(api, "member", api["member"].id), reason="身份证 110101199003071234")
    response = client.post("/api/v1/ledger?lang=en", json=body, headers=api["headers"])
    assert response.status_code == 422 and response.json["field"] == "reason", response.json
    assert response.json["params"]["label"] == "事由" and "“Reason”" in response.json["message"]


def test_every_api_error_carries_params(client, api):
    for response in (
        client.get("/api/v1/organisations"),
        client.get("/api/v1/organisations", headers={"Authorization": "Bearer nope"}),
        client.post("/api/v1/ledger", data="not json", headers=api["headers"]),
        client.get("/api/v1/nothing", headers=api["headers"]),
        client.post("/api/v1/ledger", json={"reason": "a\x00b"}, headers=api["headers"]),
        client.get("/api/v1/organisations?q=a%00b", headers=api["headers"]),
    ):
        assert set(response.json) >= {"error", "message", "params"}, response.json
