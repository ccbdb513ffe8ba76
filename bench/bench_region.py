"""Region scale (issue 15): load a region once, keep it, measure it step by step, drop it.

A 1.7M-member load takes minutes on this machine, so the database is kept between steps
instead of being made and dropped per run (bench/bench_public.py's way). It is still a
database of the benchmark's own: `load` creates it (it refuses a name that exists), writes
an owner file with a random token into --dir and the same token into the database; every
other step refuses a name whose owner file and token do not match, and `drop` deletes only
that database and that file.

    B=".venv/bin/python -u bench/bench_region.py --dir /tmp/region"
    $B load   --name r_sqlite_10k --database sqlite   --members 10000 --ledger 2
    $B rate   --name r_sqlite_10k           # full rating run of this year's draft period
    $B build  --name r_sqlite_10k --workers 2   # full zh rebuild (starqr pages build's batch builder)
    $B cold   --name r_sqlite_10k           # cold renders of town / banner / region pages
    $B scan   --name r_sqlite_10k --duration 4 --rounds 2   # random codes direct vs hello-world
    $B drop   --name r_sqlite_10k

Each step prints its figure beside the floor measured in the same run and appends it to
<dir>/<name>.json.
"""

import argparse
import json
import os
import random
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path[:0] = [BENCH, ROOT]

import bulkgen  # noqa: E402
import scratch  # noqa: E402

NAME = re.compile(r"^[a-z][a-z0-9_]{2,40}$")


# ---------------------------------------------------------------- owned, kept databases


def _state_path(args):
    if not NAME.match(args.name):
        raise SystemExit("--name: lower-case letters, digits and _ (3 to 41 characters)")
    return os.path.join(args.dir, args.name + ".json")


def _read(args):
    path = _state_path(args)
    if not os.path.exists(path):
        raise SystemExit(f"refusing {args.name!r}: no owner file {path} (only databases `load` made are used)")
    with open(path) as handle:
        state = json.load(handle)
    if _marker(state["url"]) != state["token"]:
        raise SystemExit(f"refusing {state['url']!r}: its owner token does not match {path}")
    scratch._created.add(state["url"])  # this process may open it (scratch.owned)
    from starqr.migrations import migrate

    db = _open(state["url"])
    migrate(db)  # migrations landed since the load (the kept database is reused across them)
    db.close()
    return state


def _write(args, state):
    with open(_state_path(args), "w") as handle:
        json.dump(state, handle, ensure_ascii=False, indent=1)


def _marker(url):
    if url.startswith("sqlite"):
        import sqlite3

        path = url[len("sqlite:///") :]
        if not os.path.exists(path):
            return None
        connection = sqlite3.connect(path)
    else:
        import psycopg2

        connection = psycopg2.connect(url)
    try:
        cursor = connection.cursor()
        cursor.execute('SELECT "token" FROM "bench_region_owner"')
        row = cursor.fetchone()
        return row[0] if row else None
    except Exception:
        return None
    finally:
        connection.close()


def _open(url):
    from starqr.db import open_database

    return open_database(scratch.owned(url))


def cmd_load(args):
    path = _state_path(args)
    if os.path.exists(path):
        raise SystemExit(f"{args.name} exists ({path}); drop it first")
    os.makedirs(args.dir, exist_ok=True)
    token = secrets.token_hex(8)
    if args.database == "sqlite":
        db_path = os.path.join(args.dir, args.name + ".db")
        if os.path.exists(db_path):
            raise SystemExit(f"{db_path} exists")
        url = f"sqlite:///{db_path}"
    else:
        scratch._admin(f'CREATE DATABASE "{args.name}"')  # fails rather than reuse a database
        url = scratch.ADMIN_URL.rsplit("/", 1)[0] + "/" + args.name
    state = {"url": url, "token": token, "database": args.database, "members": args.members}
    _write(args, state)
    scratch._created.add(url)
    from starqr.migrations import migrate

    db = _open(url)
    db.execute_sql('CREATE TABLE "bench_region_owner" ("token" TEXT)')
    db.execute_sql('INSERT INTO "bench_region_owner" VALUES (' + db.param + ")", (token,))
    migrate(db)
    started = time.perf_counter()
    loaded = bulkgen.load(args.members, ledger_per_member=args.ledger)
    total = time.perf_counter() - started
    floor = bulkgen.floor(loaded["rows"])
    db.close()
    rng = random.Random(5)
    state.update(
        members=loaded["members"],
        organisations=loaded["organisations"],
        plaques=loaded["plaques"],
        rows=loaded["rows"],
        ledger_entries=loaded["ledger_entries"],
        generate_s=loaded["generate_s"],
        load_s=loaded["load_s"],
        analyze_s=loaded["analyze_s"],
        total_s=total,
        floor_s=floor,
        db_bytes=scratch.database_size(url),
        sample=rng.sample(loaded["codes"], min(args.sample, len(loaded["codes"]))),
        big={"town": loaded["town_code"], "banner": loaded["banner_code"], "region": loaded["region_code"]},
    )
    _write(args, state)
    print(
        f"{args.name}: {state['members']:,} members, {state['rows']:,} rows loaded in {state['load_s']:.1f} s "
        f"({state['rows'] / state['load_s']:,.0f} rows/s; floor, same rows into a bare table: {floor:.1f} s "
        f"-> {state['load_s'] / floor:.1f}x); generated in {state['generate_s']:.1f} s, ANALYZE {state['analyze_s']:.1f} s, "
        f"{total:.1f} s in all; database {state['db_bytes'] / state['members']:,.0f} B/member"
    )


def cmd_drop(args):
    state = _read(args)
    url = state["url"]
    if url.startswith("sqlite"):
        db_path = url[len("sqlite:///") :]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db_path + suffix):
                os.remove(db_path + suffix)
    else:
        scratch._admin(f'DROP DATABASE IF EXISTS "{args.name}" WITH (FORCE)')
    os.remove(_state_path(args))
    print(f"dropped {args.name}")


# ---------------------------------------------------------------- steps


def _app(state, folder):
    os.environ["STARQR_INSTANCE_PATH"] = folder
    from starqr import create_app

    return create_app({"DATABASE_URL": scratch.owned(state["url"]), "SECRET_KEY": "bench", "DATABASE_POOL": False})


def cmd_rate(args):
    """The full rating run of this year's draft period, beside SUM ... GROUP BY fetched and
    the same number of rows written by COPY / executemany into a bare table."""
    state = _read(args)
    db = _open(state["url"])
    from starqr.db import database
    from starqr.models import LedgerEntry, Rating, RatingPeriod
    from starqr.services import ratings

    period = RatingPeriod.select().where(RatingPeriod.state == "draft").order_by(RatingPeriod.year.desc()).get()
    entries = LedgerEntry.select().where(LedgerEntry.period == period).count()
    p = database.param
    started = time.perf_counter()
    database.execute_sql(
        f"SELECT subject_kind, subject_id, item, SUM(points) FROM ledger_entry WHERE period_id = {p} "
        "GROUP BY subject_kind, subject_id, item",
        (period.id,),
    ).fetchall()
    read_floor = time.perf_counter() - started
    started = time.perf_counter()
    drafts = ratings.rate(period)
    run = time.perf_counter() - started
    written = Rating.select().where(Rating.period == period, Rating.published == False).count()  # noqa: E712
    write_floor = bulkgen.floor(written, width=18)
    db.close()
    result = dict(entries=entries, drafts=drafts, rate_s=run, read_floor_s=read_floor, write_floor_s=write_floor)
    state.setdefault("rate", []).append(result)
    _write(args, state)
    print(
        f"{args.name}: rate {drafts:,} subjects ({entries:,} ledger entries) in {run:.1f} s; floors from this run: "
        f"SUM..GROUP BY fetched {read_floor:.1f} s + {written:,} rows of 18 columns into a bare table "
        f"{write_floor:.1f} s = {read_floor + write_floor:.1f} s -> {run / (read_floor + write_floor):.1f}x"
    )


def cmd_build(args):
    """A full zh rebuild: every stored page dropped, then `starqr pages build --workers N` (with
    --limit: that many pages, and the full rebuild extrapolated from their rate)."""
    state = _read(args)
    folder = tempfile.mkdtemp(prefix=f"{args.name}_build_")
    try:
        db = _open(state["url"])
        from starqr.db import database

        database.execute_sql('DELETE FROM "public_page"')
        db.close()
        env = dict(
            os.environ,
            PYTHONPATH=ROOT,
            STARQR_DATABASE_URL=state["url"],
            STARQR_INSTANCE_PATH=folder,
            STARQR_SECRET_KEY="bench",
        )
        command = [sys.executable, "-m", "starqr.cli", "pages", "build", "--workers", str(args.workers)]
        if args.limit:
            command += ["--limit", str(args.limit)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        output = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the builder and its worker processes
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if output.returncode:
            raise SystemExit(output.stdout + output.stderr)
        db = _open(state["url"])
        from starqr.services import pages

        count, compressed, plain = pages.size_summary()
        db.close()
        db_bytes = scratch.database_size(state["url"])
        org_cpu = _organisation_pages(state, folder, args.org_sample) if args.org_sample else None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = dict(
        workers=args.workers,
        pages=count,
        seconds=seconds,
        pages_per_s=count / seconds,
        cpu_ms_per_page=cpu * 1000 / max(count, 1),
        full_rebuild_min=state["plaques"] / (count / seconds) / 60,
        full_rebuild_2cores_min=state["plaques"] * cpu / max(count, 1) / 2 / 60,
        org_cpu_ms_per_page=org_cpu,
        gz_bytes_per_page=compressed / max(count, 1),
        plain_bytes_per_page=plain / max(count, 1),
        db_bytes_with_store=db_bytes,
    )
    state.setdefault("build", []).append(result)
    _write(args, state)
    print(
        f"{args.name}: {count:,} zh pages built in {seconds:.1f} s ({count / seconds:,.0f} pages/s, "
        f"--workers {args.workers}; {result['cpu_ms_per_page']:.1f} ms of builder CPU per page); all "
        f"{state['plaques']:,} pages at that rate: {result['full_rebuild_min']:.1f} min, on 2 free cores "
        f"{result['full_rebuild_2cores_min']:.1f} min; store {result['gz_bytes_per_page']:,.0f} B/page gzip "
        f"({result['plain_bytes_per_page']:,.0f} B plain); database with the store "
        f"{db_bytes / state['members']:,.0f} B/member. {output.stdout.strip()}"
    )
    if org_cpu is not None:
        members, orgs = state["members"], state["plaques"] - state["members"]
        mixed = (members * result["cpu_ms_per_page"] + orgs * org_cpu) / 1000
        print(
            f"  organisation pages ({args.org_sample:,} in one process): {org_cpu:.1f} ms CPU/page; every page "
            f"({members:,} member, {orgs:,} organisation) on 2 free cores ~{mixed / 2 / 60:.1f} min of builder CPU"
        )


def _organisation_pages(state, folder, sample):
    """Builder CPU per organisation page: SAMPLE organisation codes (every kind) built in this process."""
    app = _app(state, folder)
    from starqr.db import database
    from starqr.views import page_builder

    with app.app_context():
        database.connect(reuse_if_open=True)
        codes = [
            code
            for (code,) in database.execute_sql(
                "SELECT code FROM plaque_code WHERE subject_kind = 'organisation' AND status = 'active' ORDER BY id"
            ).fetchall()
        ]
        codes = random.Random(3).sample(codes, min(sample, len(codes)))
        started = time.process_time()
        built = page_builder.build_codes(app, codes, "zh")
        cpu = time.process_time() - started
        database.close()
    return cpu * 1000 / max(built, 1)


def cmd_cold(args):
    """Cold renders (the view's own render_page) of the town, banner and region pages, median of 5."""
    import bench_public

    state = _read(args)
    folder = tempfile.mkdtemp(prefix=f"{args.name}_cold_")
    try:
        app = _app(state, folder)
        from starqr.db import database

        with app.app_context():
            database.connect(reuse_if_open=True)
            result = bench_public.cold_renders(app, state["big"], args.repeat)
            database.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    state.setdefault("cold", []).append(result)
    _write(args, state)
    print(f"{args.name}: cold render (median of {args.repeat}) " + ", ".join(f"{k} {v:.1f}" for k, v in result.items()))


def cmd_scan(args):
    """Random member codes straight to gunicorn (2 sync workers) beside a hello-world under the same
    gunicorn, interleaved rounds (bench_public's wrk set-up). Pages of the sample are built first."""
    import bench_public

    state = _read(args)
    folder = tempfile.mkdtemp(prefix=f"{args.name}_scan_")
    servers = []
    try:
        app = _app(state, folder)
        from starqr.db import database
        from starqr.views import page_builder

        with app.app_context():
            database.connect(reuse_if_open=True)
            page_builder.build_codes(app, state["sample"], "zh")
            database.close()
        with open(os.path.join(folder, "hello_app.py"), "w") as handle:
            handle.write(bench_public.HELLO)
        codes_file = os.path.join(folder, "codes.txt")
        with open(codes_file, "w") as handle:
            handle.write("\n".join(state["sample"]))
        script = os.path.join(folder, "random.lua")
        with open(script, "w") as handle:
            handle.write(bench_public.LUA.format(path=codes_file, agent=bench_public.BROWSER))
        hello_port, app_port = bench_public.free_port(), bench_public.free_port()
        servers.append(bench_public.gunicorn("hello_app:app", hello_port, {}, folder))
        env = {"STARQR_DATABASE_URL": state["url"], "STARQR_INSTANCE_PATH": folder, "STARQR_SECRET_KEY": "bench"}
        servers.append(bench_public.gunicorn("starqr.wsgi:app", app_port, env, folder))
        urls = {
            "hello": (f"http://127.0.0.1:{hello_port}/", None),
            "random-app": (f"http://127.0.0.1:{app_port}/", script),
        }
        figures = {name: [] for name in urls}
        for target, lua in urls.values():
            bench_public.wrk(target, 1, args.connections, args.threads, lua)
        for _ in range(args.rounds):
            for name, (target, lua) in urls.items():
                figures[name].append(bench_public.wrk(target, args.duration, args.connections, args.threads, lua))
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    result = {
        name: {
            "rate": statistics.median(f["rate"] for f in runs),
            "p50": statistics.median(f["p50"] for f in runs),
            "errors": sum(f["errors"] for f in runs),
        }
        for name, runs in figures.items()
    }
    result["load_average"] = os.getloadavg()[0]
    state.setdefault("scan", []).append(result)
    _write(args, state)
    hello, scan = result["hello"], result["random-app"]
    print(
        f"{args.name}: random codes direct {scan['rate']:,.0f} req/s p50 {scan['p50']:.1f} ms "
        f"({scan['errors']} errors) beside hello-world {hello['rate']:,.0f} req/s p50 {hello['p50']:.1f} ms "
        f"-> {scan['rate'] / hello['rate']:.2f} of hello's rate, p50 {scan['p50'] / hello['p50']:.2f}x; "
        f"load average {result['load_average']:.1f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=os.environ.get("STARQR_BENCH_DIR") or tempfile.gettempdir())
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load")
    load.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    load.add_argument("--members", type=int, required=True)
    load.add_argument("--ledger", type=int, default=2, help="live ledger entries per member (this year)")
    load.add_argument("--sample", type=int, default=2000, help="member codes kept for the scan step")
    build = commands.add_parser("build")
    build.add_argument("--workers", type=int, default=2)
    build.add_argument("--limit", type=int, default=None)
    build.add_argument("--org-sample", type=int, default=0, help="also time this many organisation pages")
    cold = commands.add_parser("cold")
    cold.add_argument("--repeat", type=int, default=5)
    scan = commands.add_parser("scan")
    scan.add_argument("--duration", type=int, default=4)
    scan.add_argument("--rounds", type=int, default=2)
    scan.add_argument("--connections", type=int, default=32)
    scan.add_argument("--threads", type=int, default=2)
    commands.add_parser("rate")
    commands.add_parser("drop")
    for sub in commands.choices.values():
        sub.add_argument("--name", required=True, help="the kept database's name (and its owner file's)")
    args = parser.parse_args()
    globals()["cmd_" + args.command](args)


if __name__ == "__main__":
    main()
