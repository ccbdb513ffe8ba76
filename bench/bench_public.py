"""Benchmark the public scan page /Q/<CODE>.

Prints:
  1. page bytes (raw and gzip) of the largest demo member page and branch page;
  2. requests/s and p50/p99 latency of /Q/<CODE> under gunicorn, measured with wrk on
     127.0.0.1, next to a Flask hello-world on the same gunicorn settings in the same run
     (target: at least 60% of hello-world's throughput);
  3. the same figure on a big SQLite database (e.g. 1.7 million members) against the 10k
     demo (target: within 1.2×), when a big database is given.

    .venv/bin/python bench/bench_public.py                       # builds a 10k demo in a temp dir
    .venv/bin/python bench/bench_public.py --big-db /data/big.db # also the big database
    STARQR_BENCH_BIG_DB=/data/big.db .venv/bin/python bench/bench_public.py

Make a big database once (takes a while):
    STARQR_DATABASE_URL=sqlite:////data/big.db starqr demo --members 1700000
"""
import argparse
import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)


def _tool(name):
    candidate = os.path.join(VENV_BIN, name)
    return candidate if os.path.exists(candidate) else shutil.which(name)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_demo(path, members):
    env = dict(os.environ, STARQR_DATABASE_URL=f"sqlite:///{path}", STARQR_INSTANCE_PATH=os.path.dirname(path))
    started = time.time()
    subprocess.run([_tool("starqr"), "demo", "--members", str(members)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"built a {members}-member demo in {time.time() - started:.0f} s: {path}")


def largest_pages(db_path):
    """(member code, raw, gzip), (branch code, raw, gzip) of the largest pages, via the test client."""
    os.environ["STARQR_DATABASE_URL"] = f"sqlite:///{db_path}"
    from peewee import fn
    from starqr import create_app
    from starqr.db import database
    from starqr.models import MEMBER, ORGANISATION, LedgerEntry, Member, Organisation, PlaqueCode
    app = create_app({"DATABASE_URL": f"sqlite:///{db_path}"})
    client = app.test_client()
    with app.app_context():
        database.connect(reuse_if_open=True)
        # Candidates: the members with the most ledger entries, the biggest branches.
        busiest = [sid for sid, in (LedgerEntry.select(LedgerEntry.subject_id)
                                    .where(LedgerEntry.subject_kind == MEMBER)
                                    .group_by(LedgerEntry.subject_id)
                                    .order_by(fn.COUNT(LedgerEntry.id).desc()).limit(40).tuples())]
        long_names = [m.id for m in Member.select(Member.id).order_by(fn.LENGTH(Member.name_mn).desc()).limit(10)]
        branches = [o.id for o in Organisation.select(Organisation.id).where(Organisation.level == "branch")]
        codes = {(k, i): c for k, i, c in PlaqueCode.select(PlaqueCode.subject_kind, PlaqueCode.subject_id,
                                                            PlaqueCode.code)
                 .where(PlaqueCode.status == "active").tuples()}
        database.close()
    result = {}
    for kind, ids in ((MEMBER, busiest + long_names), (ORGANISATION, branches)):
        best = None
        for subject_id in ids:
            code = codes.get((kind, subject_id))
            if not code:
                continue
            body = client.get(f"/Q/{code}").data
            size = (len(body), len(gzip.compress(body, 6)))
            if best is None or size[1] > best[2]:
                best = (code, *size)
        result[kind] = best
    return result


HELLO = textwrap.dedent('''
    from flask import Flask
    app = Flask(__name__)

    @app.route("/")
    def hello():
        return "Hello, World!"
''')


class Gunicorn:
    def __init__(self, module, env, workers, port):
        self.port = port
        self.process = subprocess.Popen(
            [_tool("gunicorn"), "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", module],
            env=env, cwd=env.get("BENCH_CWD", ROOT))

    def wait(self, path):
        import urllib.request
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2).read()
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def wrk(url, duration, connections, threads):
    output = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency",
                             "-H", "User-Agent: Mozilla/5.0 (Linux; Android 12) bench", url],
                            capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p50": percentile(50), "p99": percentile(99), "non2xx": int(errors.group(1)) if errors else 0}


def measure_profile(db_path, code, args, label):
    port = free_port()
    env = dict(os.environ, STARQR_DATABASE_URL=f"sqlite:///{db_path}", STARQR_INSTANCE_PATH=os.path.dirname(db_path),
               STARQR_ENV_NAME="bench")
    server = Gunicorn("starqr.wsgi:app", env, args.workers, port)
    try:
        server.wait(f"/Q/{code}")
        wrk(f"http://127.0.0.1:{port}/Q/{code}", 1, args.connections, args.threads)  # warm every worker
        figures = wrk(f"http://127.0.0.1:{port}/Q/{code}", args.duration, args.connections, args.threads)
    finally:
        server.stop()
    print(f"  {label:<34} {figures['rps']:>9.0f} req/s   p50 {figures['p50']:>7.2f} ms   p99 {figures['p99']:>7.2f} ms"
          + (f"   non-2xx {figures['non2xx']}" if figures["non2xx"] else ""))
    return figures


def measure_hello(args, workdir):
    with open(os.path.join(workdir, "bench_hello.py"), "w") as f:
        f.write(HELLO)
    port = free_port()
    env = dict(os.environ, BENCH_CWD=workdir, PYTHONPATH=workdir)
    server = Gunicorn("bench_hello:app", env, args.workers, port)
    try:
        server.wait("/")
        wrk(f"http://127.0.0.1:{port}/", 1, args.connections, args.threads)
        figures = wrk(f"http://127.0.0.1:{port}/", args.duration, args.connections, args.threads)
    finally:
        server.stop()
    print(f"  {'Flask hello-world':<34} {figures['rps']:>9.0f} req/s   p50 {figures['p50']:>7.2f} ms"
          f"   p99 {figures['p99']:>7.2f} ms")
    return figures


def _median(figures):
    ordered = sorted(figures, key=lambda f: f["rps"])
    return ordered[len(ordered) // 2]


def _big_code(big_db, code):
    """The same page on the big database: the demo's first banner is built identically for
    the same seed, so the 10k demo's code usually exists there too. Otherwise any member of
    the first banner (finding the largest page would render millions of pages)."""
    import sqlite3
    connection = sqlite3.connect(f"file:{big_db}?mode=ro", uri=True)
    try:
        if connection.execute("SELECT 1 FROM plaque_code WHERE code = ?", (code,)).fetchone():
            return code
        row = connection.execute("SELECT code FROM plaque_code WHERE subject_kind = 'member' AND status = 'active' "
                                 "ORDER BY id LIMIT 1 OFFSET 100").fetchone()
        return row[0]
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="an existing 10k demo SQLite file (default: build one in a temp dir)")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--big-db", default=os.environ.get("STARQR_BENCH_BIG_DB"),
                        help="a big SQLite demo file, e.g. 1.7M members (or STARQR_BENCH_BIG_DB)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--rounds", type=int, default=3, help="interleaved measurement rounds")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="starqr-bench-")
    try:
        db_path = args.db
        if not db_path:
            db_path = os.path.join(workdir, "demo10k.db")
            build_demo(db_path, args.members)

        print("\n== page bytes (largest demo pages) ==")
        pages = largest_pages(db_path)
        for kind, label in (("member", "member page"), ("organisation", "branch page")):
            code, raw, zipped = pages[kind]
            verdict = "ok" if zipped <= 14 * 1024 else "OVER 14 KB"
            print(f"  {label:<12} /Q/{code}: {raw:>7} bytes raw, {zipped:>6} bytes gzip ({verdict})")

        member_code = pages["member"][0]
        big_code = _big_code(args.big_db, member_code) if args.big_db else None
        print(f"\n== throughput: gunicorn -w {args.workers} (sync), wrk -t{args.threads} -c{args.connections} "
              f"-d{args.duration}s on 127.0.0.1, {args.rounds} interleaved rounds, medians ==")
        # Interleaved rounds: a busy neighbour on this shared machine then slows every
        # contender alike instead of whichever happened to run during the noise.
        runs = {"hello": [], "scan": [], "big": []}
        for _ in range(args.rounds):
            runs["hello"].append(measure_hello(args, workdir))
            runs["scan"].append(measure_profile(db_path, member_code, args, f"/Q/<CODE> ({args.members // 1000}k demo)"))
            if big_code:
                runs["big"].append(measure_profile(args.big_db, big_code, args, "/Q/<CODE> (big database)"))
        hello, scan = _median(runs["hello"]), _median(runs["scan"])
        print(f"  median: hello-world {hello['rps']:.0f} req/s, /Q/<CODE> {scan['rps']:.0f} req/s "
              f"(p50 {scan['p50']:.2f} ms, p99 {scan['p99']:.2f} ms)")
        print(f"  /Q/<CODE> is {100 * scan['rps'] / hello['rps']:.0f}% of hello-world (target >= 60%)")

        print("\n== big database ==")
        if big_code:
            big = _median(runs["big"])
            print(f"  same page /Q/{big_code} on the big database: {big['rps']:.0f} req/s "
                  f"(p50 {big['p50']:.2f} ms, p99 {big['p99']:.2f} ms)")
            print(f"  10k demo / big database throughput: {scan['rps'] / big['rps']:.2f}x (target <= 1.2x); "
                  f"p50 {big['p50'] / scan['p50']:.2f}x")
        else:
            print("  skipped: pass --big-db PATH or STARQR_BENCH_BIG_DB=PATH. Make one with\n"
                  "    STARQR_DATABASE_URL=sqlite:////path/big.db starqr demo --members 1700000")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
