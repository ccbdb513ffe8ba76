"""The checks of deploy/smoke, each named in the output: run with the deployed venv's python and
the deployment's environment (STARQR_* from starqr.env) against a running stack.

PASS/FAIL lines; exit 1 when any check failed. Standard library + the installed starqr only.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse

results = []


def check(name):
    def decorator(function):
        def run(*args, **kwargs):
            started = time.monotonic()
            try:
                detail = function(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 (every failure is reported as this check's)
                results.append((name, False))
                print(f"FAIL  {name}: {type(error).__name__}: {error}", flush=True)
                return None
            results.append((name, True))
            print(f"PASS  {name} ({time.monotonic() - started:.1f} s){': ' + detail if detail else ''}", flush=True)
            return detail

        return run

    return decorator


def request(base, path, method="GET", body=None, headers=None):
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def demo_codes(path):
    """[(name, kind, code)] from `starqr demo`'s output."""
    found = []
    for line in open(path, encoding="utf-8"):
        match = re.match(r"\s+(\S+) \((党组织|党员)\): \S+/Q/(\w+)", line)
        if match:
            found.append(match.groups())
    return found


# ---------------------------------------------------------------- pages through nginx


@check("healthz through nginx: database, queue and scheduler")
def healthz(base):
    deadline = time.monotonic() + 60
    while True:
        status, _, body = request(base, "/healthz")
        report = json.loads(body) if status in (200, 503) else {}
        if status == 200 and report["checks"]["scheduler"].get("ok") is not False or time.monotonic() > deadline:
            break
        time.sleep(1)
    expect(status == 200, f"status {status}: {body[:300]!r}")
    expect(report["checks"]["database"]["ok"] and report["checks"]["queue"]["ok"], report)
    expect("Redis" in report["checks"]["queue"]["backend"], report["checks"]["queue"])
    return (
        f"{report['status']}, queue {report['checks']['queue']['backend']}, scheduler {report['checks']['scheduler']}"
    )


@check("scan pages through nginx (organisation and member, zh/mn/en, JSON)")
def scan_pages(base, codes):
    for name, _, code in codes:
        for suffix in ("", "?lang=mn", "?lang=en"):
            status, _, body = request(base, f"/Q/{code}{suffix}")
            expect(status == 200, f"/Q/{code}{suffix}: {status}")
        expect(name in request(base, f"/Q/{code}")[2].decode(), f"{name} not on /Q/{code}")
        status, headers, body = request(base, f"/Q/{code}.json")
        expect(status == 200 and json.loads(body), f"/Q/{code}.json: {status}")
    status, _, _ = request(base, "/q/" + codes[0][2].lower())
    expect(status == 200, f"lower-case code: {status}")
    return f"{len(codes)} codes"


@check("unknown code answers 404 through nginx")
def unknown_code(base):
    status, _, _ = request(base, "/Q/ZZZZZZZZZZ")
    expect(status == 404, f"status {status}")


@check("static files served by nginx from the installed package")
def static_files(base):
    for path in ("/static/console.css", "/static/fonts/NotoSansMongolian-subset.woff2"):
        status, headers, body = request(base, path)
        expect(status == 200 and body, f"{path}: {status}")
        expect("immutable" in headers.get("Cache-Control", ""), f"{path} not served by nginx: {headers}")
    status, _, _ = request(base, "/static/no-such-file.css")
    expect(status == 404, f"missing static file: {status}")


@check("/metrics is refused through nginx")
def metrics_hidden(base):
    status, _, _ = request(base, "/metrics")
    expect(status == 404, f"status {status}")


# ---------------------------------------------------------------- the scheduler


def _app():
    from starqr import create_app
    from starqr.db import database

    app = create_app()
    context = app.app_context()
    context.push()
    database.connect(reuse_if_open=True)
    return app


class Browser:
    """Just enough of a browser for the console: a cookie jar, forms, multipart uploads."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}

    def go(self, path, method="GET", form=None, files=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if files:
            boundary = "----starqr-smoke-boundary"
            parts = []
            for key, value in (form or {}).items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                )
            for key, (filename, data) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
                    f"Content-Type: text/csv\r\n\r\n".encode()
                    + data
                    + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, content = request(self.base, path, method, body, headers)
        for key, value in response_headers.items():
            if key.lower() == "set-cookie":
                name, _, rest = value.split(";", 1)[0].partition("=")
                self.cookies[name] = rest
        return status, response_headers, content.decode(errors="replace")


def hidden_fields(html, form_action):
    """The named inputs of the form posting to FORM_ACTION."""
    match = re.search(r'<form[^>]*action="' + re.escape(form_action) + r'"[^>]*>(.*?)</form>', html, re.S)
    expect(match, f"no form posting to {form_action}")
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', match.group(1)))


@check("console log-in through nginx")
def console_login(browser, password):
    status, _, html = browser.go("/console/login")
    expect(status == 200, f"login page: {status}")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    form = {"username": "admin", "password": password}
    if token:
        form["csrf_token"] = token.group(1)
    status, headers, _ = browser.go("/console/login", "POST", form)
    expect(status == 302 and "login" not in headers.get("Location", "login"), f"log-in answered {status}")
    status, _, _ = browser.go("/console/")
    expect(status == 200, f"console after log-in: {status}")
    return "admin logged in, /console/ 200"


@check("import uploaded in the console, queued in Redis and run by the scheduler")
def scheduled_import(browser, member):
    from starqr.db import database
    from starqr.models import ImportBatch, LedgerEntry
    from starqr.services import imports

    name, _, code = member
    year = datetime.date.today().year
    before = LedgerEntry.select().count()
    status, _, html = browser.go("/console/imports")
    expect(status == 200, f"imports page: {status}")
    period = re.search(r'<option value="(\d+)"[^>]*>\s*' + str(year), html)
    expect(period, f"no {year} period offered")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    data = imports.write_csv([[code, name, "study", "", 2, datetime.date.today().isoformat(), "部署冒烟测试:集中学习"]])
    form = {"period": period.group(1), **({"csrf_token": token.group(1)} if token else {})}
    status, _, html = browser.go("/console/imports/preview", "POST", form, {"file": ("smoke.csv", data)})
    expect(status == 200, f"preview answered {status}")
    status, headers, _ = browser.go("/console/imports/confirm", "POST", hidden_fields(html, "/console/imports/confirm"))
    expect(status == 302, f"confirm answered {status}")
    batch_id = int(re.search(r"/imports/(\d+)", headers["Location"]).group(1))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        database.close()
        database.connect()
        batch = ImportBatch.get_by_id(batch_id)
        if batch.status not in ("pending", "running"):
            break
        time.sleep(0.5)
    expect(batch.status == "done", f"batch {batch.id} is {batch.status}")
    expect(LedgerEntry.select().count() == before + 1, "the ledger did not grow by one entry")
    status, _, _ = browser.go(f"/console/imports/{batch_id}")
    expect(status == 200, f"batch page: {status}")
    return f"batch {batch.id} done, 1 ledger entry"


@check("publication scheduled two seconds from now")
def schedule_publication(app):
    from starqr.models import RatingPeriod, utcnow
    from starqr.services import ratings

    period = RatingPeriod.get(RatingPeriod.year == datetime.date.today().year)
    ratings.schedule(period, utcnow() + datetime.timedelta(seconds=2))
    return str(period.id)


@check("scheduled publication published by the scheduler")
def publication(app, period_id):
    expect(period_id, "nothing was scheduled")
    from starqr.db import database
    from starqr.models import RatingPeriod

    deadline = time.monotonic() + 150  # the minute task runs once a minute
    while time.monotonic() < deadline:
        database.close()
        database.connect()
        period = RatingPeriod.get_by_id(int(period_id))
        if period.state == "notice":
            return f"{period.name} published at {period.published_at:%H:%M:%S} UTC"
        time.sleep(2)
    raise AssertionError(f"period still {period.state} after 150 s")


# ---------------------------------------------------------------- under load


def _workers(master):
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True, check=False
    ).stdout.split()
    return sorted(int(pid) for pid in children)


def _wrk(url, seconds, during):
    # --timeout 15s: on a loaded 2-core machine a response may take seconds while a worker boots;
    # slow is not failed. Failed = an error status or a broken connection.
    process = subprocess.Popen(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "15s", "--latency", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(seconds / 3)
    during()
    output, _ = process.communicate(timeout=seconds + 30)
    total = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(bad.group(1)) if bad else 0) + (sum(int(n) for n in errors.groups()) if errors else 0)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)
    expect(
        total > 0 and failed == 0, f"{failed} failed of {total}:\n{output}\n{_database_activity()}\n{_nginx_errors()}"
    )
    return total, rate


def _nginx_errors():
    logs = os.environ.get("SMOKE_LOGS", "")
    path = os.path.join(logs, "nginx-error.log")
    if not logs or not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as handle:
        return "nginx errors:\n" + "".join(handle.readlines()[-15:])


def _database_activity():
    """What the deployment's database sessions are doing (for a failed load check)."""
    url = os.environ.get("STARQR_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return ""
    query = (
        "SELECT pid, state, wait_event_type, wait_event, now() - xact_start AS in_transaction, "
        "left(regexp_replace(query, '\\s+', ' ', 'g'), 100) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    result = subprocess.run(
        ["psql", url.replace("+pool", ""), "-Atc", query], capture_output=True, text=True, check=False
    )
    return "database sessions:\n" + (result.stdout or result.stderr)


@check("graceful reload (HUP) under wrk load: no failed request")
def reload_under_load(base, code, master):
    before = _workers(master)
    total, rate = _wrk(f"{base}/Q/{code}", 9, lambda: os.kill(master, signal.SIGHUP))
    time.sleep(2)
    after = _workers(master)
    expect(set(before).isdisjoint(after), f"workers not replaced: {before} → {after}\n{_database_activity()}")
    return f"{total} requests, {rate}/s, 0 failed; workers {before} → {after}"


@check("kill -9 of one worker under wrk load: no failed request")
def kill_under_load(base, code, master):
    victims = []

    def kill_one():
        victims.append(_workers(master)[0])
        os.kill(victims[0], signal.SIGKILL)

    before = _workers(master)
    total, rate = _wrk(f"{base}/Q/{code}", 9, kill_one)
    time.sleep(2)
    after = _workers(master)
    expect(victims[0] not in after and len(after) == len(before), f"worker not replaced: {before} → {after}")
    return f"{total} requests, {rate}/s, 0 failed; killed {victims[0]}, workers {after}"


@check("Prometheus metrics summed over workers and the scheduler")
def metrics(app_url):
    status, _, body = request(app_url, "/metrics")
    expect(status == 200, f"status {status}")
    text = body.decode()
    requests = sum(
        float(v)
        for v in re.findall(r'^starqr_http_requests_total\{[^}]*endpoint="public.scan"[^}]*\} (\S+)', text, re.M)
    )
    jobs = re.findall(r'^starqr_jobs_total\{[^}]*outcome="complete"[^}]*\} (\S+)', text, re.M)
    publications = re.findall(r"^starqr_publications_total\{[^}]*\} (\S+)", text, re.M)
    expect(requests > 100, f"scan requests counted: {requests}")
    expect(jobs and sum(float(v) for v in jobs) >= 1, "no completed job counted")
    expect(publications, "no publication counted")
    return f"{requests:.0f} scans, {sum(float(v) for v in jobs):.0f} jobs, publications counted"


@check("JSON logs from gunicorn and the scheduler")
def json_logs(work):
    for name in ("gunicorn.log", "scheduler.log"):
        lines = [line for line in open(os.path.join(work, "logs", name), encoding="utf-8") if line.strip()]
        parsed = [json.loads(line) for line in lines if line.startswith("{")]
        expect(parsed and len(parsed) >= len(lines) * 0.9, f"{name}: {len(parsed)} JSON of {len(lines)} lines")
        expect(
            not any(
                re.search(r"\b127\.0\.0\.1\b", p.get("message", ""))
                for p in parsed
                if p.get("logger") == "gunicorn.access"
            ),
            f"{name}: client address logged",
        )
    return "every line a JSON object"


@check("backup (pg_dump) restores into a fresh database; ledger verify passes")
def backup_restore(work, restore_url):
    output = os.path.join(work, "nightly.starqr-backup")

    def run(*args, **env):
        return subprocess.run(["starqr", *args], capture_output=True, text=True, check=False, env={**os.environ, **env})

    result = run("backup", "-o", output)
    expect(result.returncode == 0, result.stderr)
    admin = restore_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-qAtc", f'CREATE DATABASE "{restore_url.rsplit("/", 1)[1]}"'], check=True)
    restored_instance = os.path.join(work, "restored-instance")
    result = run("restore", output, STARQR_DATABASE_URL=restore_url, STARQR_INSTANCE_PATH=restored_instance)
    expect(result.returncode == 0, result.stderr + result.stdout)
    result = run("ledger", "verify", STARQR_DATABASE_URL=restore_url, STARQR_INSTANCE_PATH=restored_instance)
    expect(result.returncode == 0, result.stderr)
    return result.stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    for option in ("--base", "--app", "--demo", "--gunicorn-pid-file", "--work", "--restore-url"):
        parser.add_argument(option, required=True)
    args = parser.parse_args()
    codes = demo_codes(args.demo)
    if not codes:
        sys.exit(f"no codes in {args.demo}")
    deadline = time.monotonic() + 60
    while not os.path.exists(args.gunicorn_pid_file) and time.monotonic() < deadline:
        time.sleep(0.2)
    master = int(open(args.gunicorn_pid_file).read().strip())
    while time.monotonic() < deadline:
        try:
            if request(args.base, "/healthz")[0] in (200, 503):
                break
        except OSError:
            pass
        time.sleep(0.5)
    organisation = next(c for c in codes if c[1] == "党组织")
    member = next(c for c in codes if c[1] == "党员")

    healthz(args.base)
    scan_pages(args.base, codes)
    unknown_code(args.base)
    static_files(args.base)
    metrics_hidden(args.base)
    browser = Browser(args.base)
    console_login(browser, os.environ["STARQR_DEMO_PASSWORD"])
    app = _app()
    scheduled_import(browser, member)
    period_id = schedule_publication(app)
    reload_under_load(args.base, organisation[2], master)
    kill_under_load(args.base, member[2], master)
    publication(app, period_id)
    metrics(args.app)
    json_logs(args.work)
    backup_restore(args.work, args.restore_url)

    failed = [name for name, ok in results if not ok]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
