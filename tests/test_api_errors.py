"""/api/v1's error edge: one body {error, message, params[, field]}, the message from the
catalogue in the caller's language (zh by default), for refusals the API makes itself
(unknown paths, wrong methods, werkzeug's HTTP errors) as for the services' errors."""

import pytest

from helpers import make_member, make_org, make_period, make_tree, make_user
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
