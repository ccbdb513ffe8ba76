"""Several workers and several hosts: two gunicorn instances behind one nginx, sharing PostgreSQL.

- a write through one instance shows through the other and through nginx on the very next
  request after its commit (the bound is 0 s for pages served by the app: stored pages are
  checked against their versions in the query that reads them) and never flips back;
- two schedulers running at once never publish twice;
- scan counts survive worker recycling (max_requests=50 under load): counts equal scans served.
"""

import concurrent.futures
import datetime
import json
import subprocess
import sys

import pytest

from starqr.db import database
from starqr.models import Rating, RatingPeriod, ScanCount
from starqr.services import ratings, revision
from tests.helpers import issue_code, make_member, make_period, make_tree, member_on_notice, record
from tests.servers import ROOT, Gunicorn, Nginx, environment, get, post_objection

READS = 12  # reads after each write, spread over both instances, their workers and nginx


def _json(url):
    status, text, _ = get(url)
    assert status == 200, (url, status, text[:200])
    return json.loads(text)


def _everywhere(urls, check):
    """CHECK holds for READS reads round the instances: the first read after the commit included."""
    for n in range(READS):
        url = urls[n % len(urls)]
        assert check(_json(url)), (n, url)


def test_a_write_reaches_every_worker_and_host_at_once_and_never_flips_back(app, postgres, tmp_path):
    tree, member, period, code = member_on_notice()
    branch_code = issue_code(tree["branch"]).code
    hosts = [Gunicorn(postgres, tmp_path / "a"), Gunicorn(postgres, tmp_path / "b")]
    front = Nginx(tmp_path / "nginx", [h.port for h in hosts])
    urls = [h.url + f"/Q/{code}.json" for h in hosts] + [front.url + f"/Q/{code}.json"]
    try:
        _everywhere(urls, lambda p: p["objections"]["open"] == 0)
        # an objection through host A's public form ...
        assert post_objection(hosts[0].url, code) == 200
        # ... shows through host B and nginx at once, and stays
        _everywhere(urls[1:] + urls[:1], lambda p: p["objections"]["open"] == 1)
        # a ledger entry written on a third "host" (this process: console, API or import)
        period.state = "draft"
        period.save()
        revision.bump()
        record(member, period, "study", 2, reason="学习强国")
        _everywhere(urls, lambda p: p["live"] and any(e["reason"] == "学习强国" for e in p["live"]["entries"]))
        # a publication
        ratings.rate(RatingPeriod.get_by_id(period.id))
        ratings.publish(RatingPeriod.get_by_id(period.id))
        _everywhere(urls, lambda p: p["latest"] and p["latest"]["period_id"] == period.id)
        # a rename of an organisation above the member
        unit = tree["unit"]
        unit.name_zh = "改名后的嘎查"
        with database.atomic():
            unit.save()
            revision.bump(unit, subtree=True)
        _everywhere(urls, lambda p: any(o["name_zh"] == "改名后的嘎查" for o in p["organisations"]))
        # the branch page through nginx too (HTML)
        status, text, _ = get(front.url + f"/Q/{branch_code}")
        assert status == 200 and "改名后的嘎查" in text
    finally:
        front.stop()
        for host in hosts:
            host.stop()


def _starqr(database_url, instance, *args):
    return subprocess.Popen(
        [sys.executable, "-m", "starqr.cli", *args],
        cwd=ROOT,
        env=environment(database_url, instance),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_schedulers_at_once_never_publish_twice(app, postgres, tmp_path):
    tree = make_tree()
    members = [make_member(tree["branch"]) for _ in range(4)]
    for year in (2024, 2025):
        period = make_period(year=year)
        record(members[0], period, "study", 2)
        ratings.schedule(period, datetime.datetime(2020, 1, 1))  # long due
        schedulers = [_starqr(postgres, tmp_path / f"s{n}", "publish", "--due") for n in range(2)]
        outputs = [s.communicate(timeout=60) for s in schedulers]
        assert all(s.returncode == 0 for s in schedulers), outputs
        lines = [line for out, _ in outputs for line in out.splitlines() if line.startswith(period.name)]
        published = [line for line in lines if "已发布" in line and "已发布 0 " not in line]  # the CLI speaks zh
        assert len(published) == 1, outputs
        rows = Rating.select().where(Rating.period == period, Rating.published == True)  # noqa: E712
        assert rows.count() == len({(r.subject_kind, r.subject_id) for r in rows}) > 0
        assert RatingPeriod.get_by_id(period.id).state == "notice"


@pytest.mark.parametrize("counter", ["worker", "redis"])
def test_scan_counts_survive_worker_recycling(app, postgres, tmp_path, counter):
    tree = make_tree()
    codes = [issue_code(make_member(tree["branch"])).code for _ in range(5)]
    env = {"STARQR_SCAN_COUNTS_URL": "redis://127.0.0.1:6379/0"} if counter == "redis" else {}
    host = Gunicorn(postgres, tmp_path / "g", workers=2, max_requests=50, env=env)
    served = 0
    try:

        def scan(n):
            status, _, _ = get(host.url + f"/Q/{codes[n % len(codes)]}")
            return status == 200

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            served = sum(pool.map(scan, range(300)))
        assert served == 300
    finally:
        host.stop()  # graceful: the last workers write what they hold
    written = sum(c.count for c in ScanCount.select())
    assert written == served
