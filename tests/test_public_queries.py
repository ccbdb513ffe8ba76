"""Hot pages run a fixed number of queries, whatever the number of members, periods or entries."""

import contextlib
import datetime

import pytest

from starqr.db import database
from starqr.services import ratings
from tests.helpers import issue_code, make_commitment, make_member, make_period, make_post, make_tree, record
from tests.helpers import empty_page_cache

MEMBER_PAGE_QUERIES = 16
BRANCH_PAGE_QUERIES = 18  # +1: the ledger's signed checkpoint on notice pages (l09); +1: 比武争星 rankings (l13)


@contextlib.contextmanager
def count_queries():
    db = database.obj
    original = db.execute_sql
    counter = {"n": 0, "sql": []}

    def counting(sql, params=None, *args, **kwargs):
        counter["n"] += 1
        counter["sql"].append(sql)
        return original(sql, params, *args, **kwargs)

    db.execute_sql = counting
    try:
        yield counter
    finally:
        del db.execute_sql


def _queries(client, url):
    empty_page_cache()
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter["n"]


def _grow(branch, members, years, posts):
    today = datetime.date.today().year
    periods = [make_period(today - offset) for offset in range(years, -1, -1)]
    people = [make_member(branch, party_post="委员" if n == 0 else None) for n in range(members)]
    for person in people:
        for n in range(posts):
            make_post(person, title=f"岗位{n}")
            make_commitment(person, text=f"承诺{n}")
        for period in periods:
            record(person, period, "study", 2)
            record(person, period, "theme_party_day", 2)
    for period in periods[:-1]:
        ratings.publish(period)
    return people


pytestmark = pytest.mark.usefixtures("fresh_pages")


def test_member_page_query_count_is_bounded(client, app):
    small = make_tree()
    member = _grow(small["branch"], members=1, years=1, posts=1)[0]
    few = _queries(client, f"/Q/{issue_code(member).code}")
    big_tree = make_tree()
    big = _grow(big_tree["branch"], members=3, years=4, posts=4)[0]
    many = _queries(client, f"/Q/{issue_code(big).code}")
    assert few == many, (few, many)
    assert many <= MEMBER_PAGE_QUERIES


def test_branch_page_query_count_is_bounded(client, app):
    small = make_tree()
    _grow(small["branch"], members=1, years=1, posts=1)
    for m in small["branch"].members:
        issue_code(m)
    few = _queries(client, f"/Q/{issue_code(small['branch']).code}")
    big = make_tree()
    for m in _grow(big["branch"], members=25, years=3, posts=1):
        issue_code(m)
    many = _queries(client, f"/Q/{issue_code(big['branch']).code}")
    assert few == many, (few, many)
    assert many <= BRANCH_PAGE_QUERIES


def test_cached_page_costs_one_query(client, app):
    tree = make_tree()
    member = _grow(tree["branch"], members=1, years=1, posts=1)[0]
    url = f"/Q/{issue_code(member).code}"
    client.get(url)
    with count_queries() as counter:
        client.get(url, headers={"User-Agent": "Googlebot"})  # robots are not counted: no write
    assert counter["n"] == 1  # the revision stamp
