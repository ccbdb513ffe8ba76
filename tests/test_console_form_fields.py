"""Console forms made by the field helpers keep the fields, their order and their rules."""

import pytest

from tests.helpers import login, make_member, make_tree, make_user


@pytest.fixture
def secretary(app, client):
    tree = make_tree()
    make_user("form_sec", "secretary", tree["branch"])
    login(client, "form_sec")
    return make_member(tree["branch"])


def test_the_retire_page_asks_the_day_then_the_reason(client, secretary):
    page = client.get(f"/console/members/{secretary.id}/retire").get_data(as_text=True)
    assert page.index('name="left_on"') < page.index('name="reason"') < page.index(">移出名册</button>")


def test_a_dated_entry_needs_both_its_day_and_its_text(client, secretary):
    for data in ({"reason": "去世"}, {"left_on": "2025-03-01"}):
        response = client.post(f"/console/members/{secretary.id}/retire", data=data)
        assert response.status_code in (200, 400)
        assert type(secretary).get_by_id(secretary.id).active
