"""Scan pages sent by nginx from exported files (deploy/nginx.conf as deployed, made plain HTTP by
deploy/nginx_http_variant.py), with `starqr pages export --follow` running beside two app instances:

- a write (objection, ledger entry, publication, rename) reaches the page through nginx within
  the bound (commit + follow interval + one tick's work) and never flips back;
- a revoked code answers 410 through nginx at once on the revoking host, within the bound elsewhere;
- the headers nginx sends with a file are the app's, the language is the one the app would pick
  (or nginx leaves the request to the app), and scans nginx answered are counted exactly once.
"""

import gzip
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from starqr.db import database
from starqr.models import PublicPage, RatingPeriod, ScanCount
from starqr.services import page_export, plaques, ratings, revision
from tests.helpers import issue_code, make_member, make_tree, member_on_notice, record
from tests.servers import BROWSER, ROOT, Gunicorn, environment, free_port, post_objection, run_nginx, stop, wait_for

FOLLOW = 0.5
BOUND = FOLLOW + 2.5  # the follow interval + one tick's work, with room for this loaded 2-core machine
READS = 12


def fetch(url, headers=None):
    """(status, body bytes, headers) as a browser sends it (gzip accepted)."""
    sent = {"User-Agent": BROWSER, "Accept-Encoding": "gzip", **(headers or {})}
    request = urllib.request.Request(url, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def text(body, headers):
    return (gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body).decode()


def from_file(headers):
    """nginx's ETag for a file is "mtime-size" in hex; the app's store ETag starts with p."""
    return re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', headers.get("ETag") or "") is not None


class Stack:
    """Gunicorn hosts with this host's export folder, the exporter, nginx in front of them."""

    def __init__(self, database_url, folder, hosts=1):
        self.hosts, self.exporter, self.nginx, self.exporter_log = [], None, None, None
        try:
            self._start(database_url, folder, hosts)
        except BaseException:
            self.stop()
            raise

    def _start(self, database_url, folder, hosts):
        self.folder = folder
        self.pages = os.path.join(folder, "pages")
        self.logs = os.path.join(folder, "logs")
        os.makedirs(self.logs)
        # The hosts answer from the page store only (their own file path is tested in
        # test_page_export.py): an answer with a file's ETag here was sent by nginx.
        for n in range(hosts):
            self.hosts.append(Gunicorn(database_url, os.path.join(folder, f"host{n}")))
        self.env = environment(database_url, os.path.join(folder, "exporter"))
        self.exporter_log = open(os.path.join(self.logs, "exporter.log"), "w")
        self.exporter = subprocess.Popen(
            [sys.executable, "-m", "starqr.cli", "pages", "export", "--dir", self.pages]
            + ["--follow", str(FOLLOW), "--scan-log", os.path.join(self.logs, "nginx-scans.log")],
            cwd=ROOT,
            env=self.env,
            stdout=self.exporter_log,
            stderr=self.exporter_log,
        )
        sys.path.insert(0, os.path.join(ROOT, "deploy"))
        import nginx_http_variant

        self.port = free_port()
        with open(os.path.join(ROOT, "deploy", "nginx.conf")) as handle:
            conf = nginx_http_variant.variant(handle.read(), self.port, "UPSTREAM", folder, self.logs, self.pages)
        for host in self.hosts + self.hosts[:1] * (2 - len(self.hosts)):
            conf = conf.replace("server UPSTREAM", f"server 127.0.0.1:{host.port}", 1)
        self.conf = os.path.join(folder, "nginx.conf")
        with open(self.conf, "w") as handle:
            handle.write(conf)
        self.nginx = run_nginx(folder, self.conf, os.path.join(self.logs, "e.log"))
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for(self.url + "/Q/", 20)

    def until_file(self, path, seconds=20, **kwargs):
        """Ask nginx for PATH until it answers from a file (the exporter wrote it)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status, body, headers = fetch(self.url + path, **kwargs)
            if status == 200 and from_file(headers):
                return body, headers
            time.sleep(0.1)
        raise AssertionError(f"{path} never came from a file")

    def stop(self):
        for process, sig in ((self.nginx, signal.SIGQUIT), (self.exporter, signal.SIGTERM)):
            if process is not None:
                stop(process, sig, 15)
        if self.exporter_log:
            self.exporter_log.close()
        for host in self.hosts:
            host.stop()


@pytest.fixture
def folder():
    # nginx's workers (nobody) read the files: a world-readable folder of this lane's own
    path = tempfile.mkdtemp(prefix="starqr_l15s_export_")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _json(url):
    status, body, headers = fetch(url)
    assert status == 200, (url, status)
    import json

    return json.loads(text(body, headers))


def _within_bound(stack, path, check, urls):
    """The first read through nginx showing CHECK comes within BOUND of the commit; then READS
    reads round nginx and both hosts all show it (never flips back)."""
    committed = time.monotonic()
    while not check(_json(stack.url + path)):
        assert time.monotonic() - committed <= BOUND, f"{path}: not within {BOUND} s of the commit"
        time.sleep(0.05)
    seen = time.monotonic() - committed
    for n in range(READS):
        assert check(_json(urls[n % len(urls)] + path)), (n, urls[n % len(urls)])
    return seen


def test_writes_reach_nginx_files_within_the_bound_and_never_flip_back(app, postgres, folder):
    tree, member, period, code = member_on_notice()
    other = issue_code(make_member(tree["branch"], "李明")).code
    stack = Stack(postgres, folder, hosts=2)
    urls = [stack.url] + [h.url for h in stack.hosts]
    path = f"/Q/{code}.json"
    seen = []
    try:
        stack.until_file(path)
        # an objection through host A's public form
        assert post_objection(stack.hosts[0].url, code) == 200
        seen.append(_within_bound(stack, path, lambda p: p["objections"]["open"] == 1, urls))
        stack.until_file(path)
        # a ledger entry written on a third "host" (this process)
        period.state = "draft"
        period.save()
        revision.bump()
        record(member, period, "study", 2, reason="学习强国")
        seen.append(
            _within_bound(
                stack, path, lambda p: p["live"] and any(e["reason"] == "学习强国" for e in p["live"]["entries"]), urls
            )
        )
        stack.until_file(path)
        # a publication (a new generation)
        ratings.rate(RatingPeriod.get_by_id(period.id))
        ratings.publish(RatingPeriod.get_by_id(period.id))
        seen.append(_within_bound(stack, path, lambda p: p["latest"] and p["latest"]["period_id"] == period.id, urls))
        stack.until_file(path)
        # a rename high above the member
        unit = tree["unit"]
        unit.name_zh = "改名后的嘎查"
        with database.atomic():
            unit.save()
            revision.bump(unit, subtree=True)
        seen.append(
            _within_bound(stack, path, lambda p: any(o["name_zh"] == "改名后的嘎查" for o in p["organisations"]), urls)
        )
        # revoked on this host (nginx's): 410 through nginx on the very next read
        stack.until_file(f"/Q/{code}")
        page_export.configure(stack.pages)
        plaques.revoke(code, "admin", "牌子丢失")
        assert fetch(stack.url + f"/Q/{code}")[0] == 410
        assert fetch(stack.url + f"/Q/{code}.json")[0] == 410
        # revoked on another host: within the bound here
        page_export.configure(None)
        stack.until_file(f"/Q/{other}")
        plaques.revoke(other, "admin", "牌子丢失")
        committed = time.monotonic()
        while fetch(stack.url + f"/Q/{other}")[0] != 410:
            assert time.monotonic() - committed <= BOUND
            time.sleep(0.05)
        assert all(fetch(stack.url + f"/Q/{other}")[0] == 410 for _ in range(READS))
    finally:
        page_export.configure(None)
        stack.stop()
    print(f"write -> page through nginx: {', '.join(f'{s:.2f}' for s in seen)} s (bound {BOUND} s)")


# Accept-Language headers (and queries) a phone may send; nginx decides some, the app the rest.
LANGUAGE_CASES = [
    ("", None),
    ("zh-CN,zh;q=0.9", None),
    ("zh-CN,zh;q=0.9,en;q=0.8", None),
    ("zh-CN,zh;q=0.9,en-US;q=0.8,en;q=0.7", None),
    ("zh-CN,en;q=0.9", None),
    ("en-US,en;q=0.9", None),
    ("en,zh", None),
    ("mn-MN", None),
    ("mn;q=0.5,en;q=0.6", None),
    ("fr-FR,fr;q=0.9", None),
    ("*", None),
    ("zh-CN", "lang=en"),
    ("en-US", "lang=mn"),
    ("en-US", "lang=zh"),
    ("en-US", "lang=fr"),
]


def _expected_lang(header, query):
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    asked = (query or "").partition("=")[2]
    if asked in ("zh", "mn", "en"):
        return asked
    if not header:
        return "zh"
    return parse_accept_header(header, LanguageAccept).best_match(["zh", "mn", "en"]) or "zh"


def test_nginx_sends_the_apps_headers_language_and_counts_each_scan_once(app, database_url, folder):
    member = make_member(make_tree()["branch"], "王芳")
    code = issue_code(member).code
    stack = Stack(database_url, folder)
    robot = {"User-Agent": "curl/8"}
    try:
        # first answers come from the app (rendered, stored); robots: nothing counted yet
        for suffix in ("", "?lang=mn", "?lang=en", ".json"):
            assert fetch(stack.url + f"/Q/{code}{suffix}", robot)[0] == 200
        status, app_body, app_headers = fetch(stack.url + f"/Q/{code}", robot)
        assert not from_file(app_headers)
        body, headers = stack.until_file(f"/Q/{code}", headers=robot)
        assert body == app_body
        names = {n.lower() for n in headers.keys()} - {"strict-transport-security"}
        assert names == {n.lower() for n in app_headers.keys()}, (dict(headers), dict(app_headers))
        for name in names - {"date", "etag"}:
            assert headers[name] == app_headers[name], name
        assert fetch(stack.url + f"/Q/{code}", {"If-None-Match": headers["ETag"], **robot})[0] == 304
        json_body, json_headers = stack.until_file(f"/Q/{code}.json", headers=robot)
        assert json_headers["Content-Type"] == "application/json" and '"name_zh":"王芳"' in text(
            json_body, json_headers
        )
        # the language: the page the app would answer, from a file or from the app
        stored = {
            p.lang: gzip.decompress(bytes(p.gz)).decode() for p in PublicPage.select().where(PublicPage.code == code)
        }
        for lang in ("mn", "en"):
            stack.until_file(f"/Q/{code}?lang={lang}", headers=robot)
        decided = 0
        for header, query in LANGUAGE_CASES:
            status, body, got = fetch(
                stack.url + f"/Q/{code}" + (f"?{query}" if query else ""), {"Accept-Language": header, **robot}
            )
            assert status == 200 and text(body, got) == stored[_expected_lang(header, query)], (header, query)
            decided += from_file(got)
        assert decided >= 8
        for path in (f"/q/{code}", f"/Q/{code.lower()}", f"/q/{code.lower()}"):  # the app's answer, any case
            status, body, got = fetch(stack.url + path, robot)
            assert status == 200 and text(body, got) == stored["zh"], path
        # scans: N through nginx's files, robots and revalidations not counted, each counted once
        scans = 30
        for n in range(scans):
            status, _, got = fetch(stack.url + f"/Q/{code}")
            assert status == 200
        fetch(stack.url + f"/Q/{code}", {"User-Agent": "Googlebot/2.1"})
        fetch(stack.url + f"/Q/{code}", {"If-None-Match": headers["ETag"]})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and sum(c.count for c in ScanCount.select()) < scans:
            time.sleep(0.2)
    finally:
        stack.stop()  # the app's workers write what they counted themselves
    assert sum(c.count for c in ScanCount.select()) == scans
    with open(os.path.join(stack.logs, "nginx-scans.log")) as handle:
        log = handle.read()
    assert "127.0.0.1" not in log and log.count(code) == scans


def test_nginx_decides_like_the_app_or_leaves_it_to_the_app():
    """The Accept-Language map against werkzeug's best_match on 30,000 generated headers; the
    robot pattern and the CSP are the app's own."""
    import random

    from starqr.security import CONTENT_SECURITY_POLICY
    from starqr.services import scans

    with open(os.path.join(ROOT, "deploy", "nginx.conf")) as handle:
        conf = handle.read()
    block = re.search(r"map \$http_accept_language \$starqr_header_lang \{(.*?)\n\}", conf, re.S).group(1)
    rules = [(m.group(1), m.group(2)) for m in re.finditer(r'^\s*"~(.*)" (\w+);', block, re.M)]
    assert len(rules) >= 6 and '"" zh;' in block

    def nginx(header):
        if not header:
            return "zh"
        return next((value for pattern, value in rules if re.search(pattern, header)), "")

    tags = ["zh", "zh-CN", "ZH-tw", "zh-Hans-CN", "zh_CN", "en", "en-US", "EN", "mn", "mn-MN", "fr", "de-DE", "*"]
    params = ["", ";q=0.9", ";q=0.8", ";q=0.5", ";q=1", ";q=0", ";q=0.0", ";q=0.95", ";q=0.5000", ";q=1.5"]
    params += [";Q=0.5", "; q=0.7", ";q=abc", ";level=1"]
    rng = random.Random(15)
    headers = [h for h, _ in LANGUAGE_CASES] + [
        rng.choice([",", ", "]).join(rng.choice(tags) + rng.choice(params) for _ in range(rng.randint(1, 4)))
        for _ in range(30_000)
    ]
    decided = 0
    for header in headers:
        value = nginx(header)
        if value:
            decided += 1
            assert value == _expected_lang(header, None), header
    assert decided > 3_000
    robot = re.search(r'map \$http_user_agent \$starqr_robot \{\s*"~\*\((.*?)\)" 1;', conf).group(1)
    assert robot == scans.ROBOT_AGENT.pattern
    assert conf.count(f'add_header Content-Security-Policy "{CONTENT_SECURITY_POLICY}"') == 3  # static + 2 page kinds
