"""Benchmark the public scan page /Q/<CODE> at region scale, on SQLite and PostgreSQL.

For each database and size it loads a generated region (bench/bulkgen.py: COPY/executemany,
timed against the same path into a bare table), builds the stored pages, and measures with
wrk, interleaving rounds and reporting medians:

    static       nginx sending a 5 KB file                 (the floor for anything through nginx)
    hello        a Flask hello-world under the same gunicorn (the floor for anything direct)
    random-nginx a different code on every request, through nginx   (target >= 50% of static)
    random-app   the same, straight to gunicorn                     (target >= 50% of hello)
    random-store the same, to a gunicorn without exported files (one query per scan)
    hot-nginx / hot-app   one code over and over

nginx and the app answer from the files `starqr pages export --follow 1` keeps (l15s), running
beside them for the whole measurement and counting nginx's scan log, as deployed.

and in-process: the cold render of town / banner / region pages (the biggest pages), the
full page rebuild rate, database and page-store bytes per member, and which index the ratings
lookup uses. Every database is its own (bench/scratch.py) and dropped at the end.

    .venv/bin/python bench/bench_public.py --sizes 10000,200000 --databases sqlite,postgres
    .venv/bin/python bench/bench_public.py --sizes 10000 --duration 3 --rounds 1      # quick look

Gunicorn runs 2 sync workers per app (the issue's set-up); nginx is deploy/nginx.conf made
plain-HTTP by deploy/nginx_http_variant.py (1 worker, rate limits off); wrk -t2 -c32.
"""

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path[:0] = [BENCH, ROOT]

from scratch import database_size, owned, scratch_database  # noqa: E402
import bulkgen  # noqa: E402
from tests.servers import free_port, gunicorn_command, stop, wait_for  # noqa: E402  (the tests' server helpers)

BROWSER = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Mobile Safari/537.36"
SCENARIOS = ("static", "hello", "random-nginx", "random-app", "random-store", "hot-nginx", "hot-app")
FLOOR = {
    "random-nginx": "static",
    "hot-nginx": "static",
    "random-app": "hello",
    "random-store": "hello",
    "hot-app": "hello",
}


class Server:
    def __init__(self, command, env, url, log):
        self.log = open(log, "w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        wait_for(url, 60)

    def stop(self):
        stop(self.process)
        self.log.close()


def gunicorn(app, port, env, folder, workers=2):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + folder, **env)
    command = gunicorn_command(app, port, workers)  # no max_requests: a recycling worker would stall a 5 s run
    return Server(command, env, f"http://127.0.0.1:{port}/", os.path.join(folder, f"gunicorn-{port}.log"))


def nginx_conf(folder, port, app_port, pages):
    """deploy/nginx.conf as deployed, through l11's HTTP variant (deploy/nginx_http_variant.py):
    plain HTTP on PORT, gunicorn at APP_PORT, /static/ from FOLDER, rate limits off (wrk is one address)."""
    sys.path.insert(0, os.path.join(ROOT, "deploy"))
    import nginx_http_variant

    with open(os.path.join(ROOT, "deploy", "nginx.conf")) as handle:
        text = handle.read()
    return nginx_http_variant.variant(text, port, f"127.0.0.1:{app_port}", folder, folder, pages)


def exporter(env, pages, scan_log, folder, expected, seconds=600):
    """`starqr pages export --follow 1` for this run; returns it once EXPECTED zh files exist."""
    env = dict(os.environ, PYTHONPATH=ROOT, **env)
    env.pop("STARQR_PAGE_EXPORT_DIR", None)
    log = open(os.path.join(folder, "exporter.log"), "w")
    command = [sys.executable, "-m", "starqr.cli", "pages", "export", "--dir", pages, "--follow", "1"]
    process = subprocess.Popen(command + ["--scan-log", scan_log], cwd=ROOT, env=env, stdout=log, stderr=log)
    started = time.perf_counter()
    empty = started  # the last look that found no file: the rate leaves out start-up
    while True:
        zh = os.path.join(pages, "current", "zh")
        count = sum(len(files) for _, _, files in os.walk(zh)) if os.path.isdir(zh) else 0
        if not count:
            empty = time.perf_counter()
        if count >= expected:
            return process, log, count / (time.perf_counter() - empty)
        if process.poll() is not None or time.perf_counter() - started > seconds:
            process.terminate()
            process.wait(30)
            log.close()
            raise RuntimeError(f"the exporter wrote {count} of {expected} pages; see {log.name}")
        time.sleep(0.05)


HELLO = textwrap.dedent("""
    from flask import Flask
    app = Flask(__name__)

    @app.route("/")
    def hello():
        return "hello, world"
""")

LUA = textwrap.dedent("""
    local codes = {{}}
    for line in io.lines("{path}") do codes[#codes + 1] = line end
    math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16))
    local headers = {{["User-Agent"] = "{agent}", ["Accept-Encoding"] = "gzip"}}
    request = function()
        return wrk.format("GET", "/Q/" .. codes[math.random(#codes)], headers)
    end
""")


def wrk(url, duration, connections, threads, script=None):
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency"]
    if script:
        command += ["-s", script]
    else:
        command += ["-H", f"User-Agent: {BROWSER}", "-H", "Accept-Encoding: gzip"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rate": rate, "p50": float(p50.group(1)) * scale, "errors": int(non2xx.group(1)) if non2xx else 0}


def in_process(url, codes, sample, folder):
    """Build the pages of SAMPLE codes, time cold renders of the big pages; sizes and plans."""
    os.environ["STARQR_INSTANCE_PATH"] = folder
    from starqr import create_app
    from starqr.db import database
    from starqr.services import pages
    from starqr.views import public

    app = create_app({"DATABASE_URL": owned(url), "SECRET_KEY": "bench", "DATABASE_POOL": False})
    result = {}
    with app.app_context():
        database.connect(reuse_if_open=True)
        started = time.perf_counter()
        for lang_codes in (sample,):
            with app.test_request_context("/Q/"):
                for code in lang_codes:
                    public.render_page(code, "zh")
        build = time.perf_counter() - started
        result["pages_per_s"] = len(sample) / build
        count, compressed, plain = pages.size_summary()
        result["store_bytes_per_page"] = compressed / max(count, 1)
        result["plain_bytes_per_page"] = plain / max(count, 1)
        # cold renders of the biggest pages: the subject's version moves on before each
        result.update(cold_renders(app, codes, 5))
        # which index answers the ratings lookup of a member's archive
        p = database.obj.param
        sql = (
            f'SELECT * FROM "rating" WHERE "subject_kind" = {p} AND "subject_id" = {p} AND "published" = {p} '
            f'AND "period_id" IN ({p})'
        )
        explain = "EXPLAIN QUERY PLAN " if url.startswith("sqlite") else "EXPLAIN "
        plan = database.execute_sql(explain + sql, ("member", 5, True, 1)).fetchall()
        result["ratings_plan"] = " | ".join(str(row[-1]) for row in plan)[:160]
        database.close()
    return result


def cold_renders(app, codes, repeat):
    """{"<label>_ms": median ms} of REPEAT cold renders (the view's own render_page) of each of CODES
    ({label: code}): the subject's version moves on before each. Inside APP's context, connected."""
    from starqr.db import database
    from starqr.services import pages, revision
    from starqr.views import public

    result = {}
    for label, code in codes.items():
        plaque, _ = pages.resolve(code)
        times = []
        for _ in range(repeat):
            with database.atomic():
                revision.bump((plaque.subject_kind, plaque.subject_id))
            with app.test_request_context("/Q/"):
                started = time.perf_counter()
                public.render_page(code, "zh")
                times.append((time.perf_counter() - started) * 1000)
        result[f"{label}_ms"] = statistics.median(times)
    return result


def run_one(kind, size, args, hello_url, static_folder):
    with scratch_database(kind, f"public{size}") as url:
        from starqr.db import open_database
        from starqr.migrations import migrate

        db = open_database(owned(url))
        migrate(db)
        loaded = bulkgen.load(size)
        floor = bulkgen.floor(loaded["rows"])
        db.close()
        rng = random.Random(5)
        sample = rng.sample(loaded["codes"], min(args.pages, len(loaded["codes"])))
        big = {"town": loaded["town_code"], "banner": loaded["banner_code"], "region": loaded["region_code"]}
        folder = tempfile.mkdtemp(prefix="starqr_bench_public_")
        os.chmod(folder, 0o755)  # nginx's worker user reads the static file
        try:
            stats = in_process(url, big, sample, folder)
            stats.update(
                load_s=loaded["load_s"],
                floor_s=floor,
                rows=loaded["rows"],
                members=loaded["members"],
                db_bytes_per_member=database_size(url) / loaded["members"],
                full_rebuild_s=(loaded["plaques"]) / stats["pages_per_s"],
            )
            codes_file = os.path.join(folder, "codes.txt")
            with open(codes_file, "w") as handle:
                handle.write("\n".join(sample))
            script = os.path.join(folder, "random.lua")
            with open(script, "w") as handle:
                handle.write(LUA.format(path=codes_file, agent=BROWSER))
            app_port, store_port, nginx_port = free_port(), free_port(), free_port()
            pages = os.path.join(folder, "pages")
            env = {
                "STARQR_DATABASE_URL": url,
                "STARQR_INSTANCE_PATH": folder,
                "STARQR_SECRET_KEY": "bench",
                "STARQR_SCAN_COUNTS_URL": "redis://127.0.0.1:6379/0",
            }
            export, export_log, stats["export_pages_per_s"] = exporter(
                env, pages, os.path.join(folder, "nginx-scans.log"), folder, len(sample)
            )
            app = gunicorn("starqr.wsgi:app", app_port, dict(env, STARQR_PAGE_EXPORT_DIR=pages), folder)
            store = gunicorn("starqr.wsgi:app", store_port, env, folder)
            shutil.copy(os.path.join(static_folder, "static5k.html"), folder)
            os.chmod(os.path.join(folder, "static5k.html"), 0o644)
            conf = os.path.join(folder, "nginx.conf")
            with open(conf, "w") as handle:
                handle.write(nginx_conf(folder, nginx_port, app_port, pages))
            nginx = Server(
                ["nginx", "-p", folder, "-c", conf, "-e", os.path.join(folder, "e.log"), "-g", "daemon off;"],
                dict(os.environ),
                f"http://127.0.0.1:{nginx_port}/static/static5k.html",
                os.path.join(folder, "nginx.log"),
            )
            hot = sample[0]
            urls = {
                "static": (f"http://127.0.0.1:{nginx_port}/static/static5k.html", None),
                "hello": (hello_url, None),
                "random-nginx": (f"http://127.0.0.1:{nginx_port}/", script),
                "random-app": (f"http://127.0.0.1:{app_port}/", script),
                "random-store": (f"http://127.0.0.1:{store_port}/", script),
                "hot-nginx": (f"http://127.0.0.1:{nginx_port}/Q/{hot}", None),
                "hot-app": (f"http://127.0.0.1:{app_port}/Q/{hot}", None),
            }
            figures = {name: [] for name in SCENARIOS}
            try:
                for name, (target, lua) in urls.items():  # warm every worker and connection
                    wrk(target, 1, args.connections, args.threads, lua)
                for _ in range(args.rounds):  # interleaved rounds: noise hits every scenario alike
                    for name in SCENARIOS:
                        target, lua = urls[name]
                        figures[name].append(wrk(target, args.duration, args.connections, args.threads, lua))
            finally:
                nginx.stop()
                app.stop()
                store.stop()
                export.terminate()
                export.wait(30)
                export_log.close()
            for name in SCENARIOS:
                stats[name] = {
                    "rate": statistics.median(f["rate"] for f in figures[name]),
                    "p50": statistics.median(f["p50"] for f in figures[name]),
                    "errors": sum(f["errors"] for f in figures[name]),
                }
            return stats
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def report(kind, size, s):
    print(f"\n== {kind}, {size:,} members ({s['rows']:,} rows)")
    print(
        f"load (COPY/executemany, indexes, triggers) {s['load_s']:7.2f} s  {s['rows'] / s['load_s']:>9,.0f} rows/s  "
        f"floor (same rows, bare table) {s['floor_s']:6.2f} s  -> {s['load_s'] / s['floor_s']:.1f}x the floor"
    )
    print(
        f"database {s['db_bytes_per_member']:,.0f} B/member; page store {s['store_bytes_per_page']:,.0f} B/page gzip "
        f"({s['plain_bytes_per_page']:,.0f} B plain); page build {s['pages_per_s']:,.0f} pages/s in one process "
        f"-> full rebuild of every zh page ~{s['full_rebuild_s'] / 60:.1f} min; "
        f"export {s['export_pages_per_s']:,.0f} files/s (after start-up)"
    )
    print(
        f"cold render: town {s['town_ms']:.1f} ms, banner {s['banner_ms']:.1f} ms, region {s['region_ms']:.1f} ms; "
        f"ratings lookup plan: {s['ratings_plan']}"
    )
    print(f"{'scenario':<14}{'req/s':>10}{'p50 ms':>9}  vs floor   errors")
    for name in SCENARIOS:
        f = s[name]
        ratio = f"{f['rate'] / s[FLOOR[name]]['rate']:.2f} of {FLOOR[name]}" if name in FLOOR else ""
        print(f"{name:<14}{f['rate']:>10,.0f}{f['p50']:>9.2f}  {ratio:<16}{f['errors']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="members, comma-separated (the first is the reference)")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--pages", type=int, default=10_000, help="member pages built and scanned at random")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: still stop servers, drop databases
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed")
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = [k for k in args.databases.split(",") if k]
    shared = tempfile.mkdtemp(prefix="starqr_bench_public_shared_")
    with open(os.path.join(shared, "hello_app.py"), "w") as handle:
        handle.write(HELLO)
    with open(os.path.join(shared, "static5k.html"), "w") as handle:
        handle.write(("<p>" + "星" * 40 + "</p>\n") * 40)
    hello_port = free_port()
    hello = gunicorn("hello_app:app", hello_port, {}, shared)
    results = {}
    try:
        for kind in kinds:
            for size in sizes:
                results[(kind, size)] = run_one(kind, size, args, f"http://127.0.0.1:{hello_port}/", shared)
                report(kind, size, results[(kind, size)])
    finally:
        hello.stop()
        shutil.rmtree(shared, ignore_errors=True)
    print(f"\n== targets (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    for kind in kinds:
        small = results[(kind, sizes[0])]
        for size in sizes:
            s = results[(kind, size)]
            line = (
                f"{kind:<9}{size:>10,}  random-nginx {s['random-nginx']['rate'] / s['static']['rate']:.2f} of static "
                f"(>= 0.5)  random-app {s['random-app']['rate'] / s['hello']['rate']:.2f} of hello (>= 0.5)  "
                f"random-store {s['random-store']['rate'] / s['hello']['rate']:.2f} of hello"
            )
            if size != sizes[0]:
                line += (
                    f"  p50 vs {sizes[0]:,}: random-app {s['random-app']['p50'] / small['random-app']['p50']:.2f}x "
                    f"random-nginx {s['random-nginx']['p50'] / small['random-nginx']['p50']:.2f}x (<= 1.2)  "
                    f"town {s['town_ms'] / small['town_ms']:.2f}x banner {s['banner_ms'] / small['banner_ms']:.2f}x"
                )
            print(line)


if __name__ == "__main__":
    main()
