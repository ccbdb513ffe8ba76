"""Fuzzing every door with hypothesis (issue 14, "what it must show"):

- 0 server errors, whatever the values, counts, dates, ids and texts;
- 0 rows changed by a refused request (every table counted before and after);
- 0 false "altered" from `ledger verify` after everything that was accepted.

Example counts are kept modest (the suite runs on SQLite and PostgreSQL, on 2 shared cores).
The hostile XLSX/CSV corpus is in test_hostile_files.py.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from starqr import ledger
from starqr.models import LedgerEntry, Member
from starqr.services import imports as importer
from tests.helpers import ledger_body, login, make_world, member_form, post_ledger, table_counts

FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY_TEXT = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(
        [
            "\x00",
            "学习\x00",
            "\u202e反向",
            "a\r\nb",
            "\x1b[31m",
            " ",
            "",
            "=1+1",
            "x" * 600,
            "身份证150222199001011234",
            "电话 139-1234-5678",
            "家住建设路12号",
            "\ufeff",
            "\ud7ff",
        ]
    ),
)
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from([-0.0, 0, 100.001, 1e-10, 1e400, 2**63]),
    st.text(max_size=12),
    st.booleans(),
    st.none(),
)


@pytest.fixture
def world(app):
    return make_world("fuzz")


def _verify_clean():
    checked, problems = ledger.verify()
    assert problems == [], [(p.kind, p.detail) for p in problems[:3]]
    return checked


def fuzz(**strategies):
    """hypothesis.given(**STRATEGIES) with FUZZ's settings."""
    return lambda test: FUZZ(given(**strategies)(test))


def _check(response, before, accepted_statuses):
    """No server error; a refused request changed no row; and whatever was accepted so far, the
    ledger still verifies."""
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code not in accepted_statuses:
        assert table_counts() == before, (response.status_code, response.get_data(as_text=True)[:300])
    _verify_clean()


def test_api_ledger_door(client, world):
    @fuzz(
        value=NUMBERS,
        count=NUMBERS,
        reason=NASTY_TEXT,
        item=st.sampled_from(["study", "appraisal_percent"]),
        occurred_on=st.one_of(st.none(), st.dates().map(str), st.text(max_size=12)),
    )
    def run(value, count, reason, item, occurred_on):
        body = ledger_body(world, item=item, value=value, count=count, reason=reason, occurred_on=occurred_on)
        before = table_counts()
        try:
            raw = json.dumps(body, default=str)
        except (ValueError, OverflowError):
            return
        response = client.post("/api/v1/ledger", data=raw, headers=world["headers"], content_type="application/json")
        _check(response, before, (201,))

    run()


def test_console_points_door(client, world):
    login(client, "sec")

    @fuzz(
        value=st.one_of(st.text(max_size=15), st.sampled_from(["-0", "NaN", "1e-10", "100.001", "-0.00", "5"])),
        count=st.one_of(st.text(max_size=6), st.integers(-5, 100).map(str)),
        reason=NASTY_TEXT,
        evidence=NASTY_TEXT,
        item=st.sampled_from(["study", "appraisal_percent"]),
    )
    def run(value, count, reason, evidence, item):
        before = table_counts()
        response = client.post(
            f"/console/members/{world['member'].id}/points",
            data={
                "period": world["period"].id,
                "item": item,
                "value": value,
                "count": count,
                "reason": reason,
                "evidence": evidence,
                "public_reason": "y",
            },
        )
        _check(response, before, (302,))

    run()


def test_console_member_texts_door(client, world):
    login(client, "sec")
    member = world["member"]

    @fuzz(honours=NASTY_TEXT, volunteer=NASTY_TEXT, post=NASTY_TEXT, name=NASTY_TEXT)
    def run(honours, volunteer, post, name):
        before = table_counts()
        kept = Member.get_by_id(member.id)
        response = client.post(
            f"/console/members/{member.id}/edit",
            data=member_form(name or "巴特尔", honours=honours, volunteer_service=volunteer, party_post=post),
        )
        assert response.status_code < 500
        if response.status_code != 302:
            assert table_counts() == before
            now = Member.get_by_id(member.id)
            assert (now.honours, now.volunteer_service, now.party_post) == (
                kept.honours,
                kept.volunteer_service,
                kept.party_post,
            )
        else:
            from starqr.validation import find_private_data

            now = Member.get_by_id(member.id)
            assert not any(find_private_data(t or "") for t in (now.honours, now.volunteer_service))

    run()


CELLS = st.one_of(NASTY_TEXT, NUMBERS.map(lambda v: "" if v is None else str(v)))


def test_importer_door(client, world):
    @fuzz(
        rows=st.lists(
            st.tuples(
                st.sampled_from([None, "code"]),
                CELLS,
                st.sampled_from(["study", "x", ""]),
                CELLS,
                CELLS,
                CELLS,
                NASTY_TEXT,
            ),
            min_size=1,
            max_size=5,
        )
    )
    def run(rows):
        table = [
            [world["code"] if code else "", name if name else "巴特尔", item, points, quantity, date, reason]
            for code, name, item, points, quantity, date, reason in rows
        ]
        try:
            data = importer.write_csv(table)
        except (UnicodeEncodeError, ValueError):
            return
        before = table_counts()
        response = client.post(f"/api/v1/imports?period_id={world['period'].id}", data=data, headers=world["headers"])
        _check(response, before, (201,))

    run()


def test_ids_through_every_route_kind(client, world):
    login(client, "admin1")

    @fuzz(
        number=st.one_of(st.integers(min_value=2**31 - 2, max_value=2**80), st.integers(-5, 5)),
        route=st.sampled_from(
            [
                "/console/members/{n}",
                "/console/branches/{n}",
                "/console/commitments/{n}",
                "/console/admin/tree?org={n}",
                "/console/admin/audit?page={n}",
                "/evidence/{n}/x.jpg",
                "/console/imports/{n}",
                "/console/entries/{n}/correct",
            ]
        ),
    )
    def run(number, route):
        response = client.get(route.format(n=number))
        assert response.status_code < 500, (route, number)
        response = client.get(f"/api/v1/members/{number}", headers=world["headers"])
        assert response.status_code < 500 and response.is_json

    run()


def test_negative_zero_everywhere_leaves_verify_clean(client, world):
    """The issue's first failure, through each door in turn, then verify."""
    login(client, "sec")
    assert post_ledger(client, world, value=-0.0).status_code == 201
    client.post(
        f"/console/members/{world['member'].id}/points",
        data={"period": world["period"].id, "item": "appraisal_percent", "value": "-0.00", "reason": "民主评议"},
    )
    data = importer.write_csv([[world["code"], "巴特尔", "appraisal_percent", "-0", 1, "2025-05-01", "评议"]])
    client.post(f"/api/v1/imports?period_id={world['period'].id}", data=data, headers=world["headers"])
    assert LedgerEntry.select().count() >= 1
    assert _verify_clean() >= 1
