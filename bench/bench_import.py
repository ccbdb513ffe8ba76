"""Import benchmark: a 100,000-row CSV and XLSX through the real imports.

The importer parses, validates every row (code, name, item, bounds, date), hashes each
row into its idempotency source, checks the ledger for sources already there and
appends the hash-chained entries in one transaction. The baseline, measured in the same
run on the same rows: a bare peewee `insert_many` of the same ledger rows (no parsing,
no validation, no hash chain). Target: at least 20,000 rows/s for CSV on SQLite.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--members 10000] [--database sqlite|postgres]
"""

import argparse
import datetime
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from starqr.db import bulk_insert_dicts, database, open_database  # noqa: E402
from starqr.migrations import migrate  # noqa: E402
from starqr.models import LedgerEntry, LedgerHead, Member, Organisation, PlaqueCode, RatingPeriod  # noqa: E402
from starqr.services import imports, rubrics  # noqa: E402
from starqr.services.plaques import CODE_ALPHABET  # noqa: E402

from scratch import owned, scratch_database  # noqa: E402  (bench/scratch.py: databases of our own)

ITEMS = [("study", 2), ("theme_party_day", 2), ("post_duty", 1), ("miss_meeting", -1), ("county_honour", 3)]


def build(members, rng):
    rubrics.sync_shipped()
    branches = max(1, members // 100)
    orgs = [dict(id=1, path="/1/", level="banner", domain="organ", name_zh="基准旗")]
    orgs += [
        dict(id=b + 2, parent=1, path=f"/1/{b + 2}/", level="branch", domain="rural", name_zh=f"基准支部{b}")
        for b in range(branches)
    ]
    bulk_insert_dicts(Organisation, orgs)
    bulk_insert_dicts(
        Member,
        [
            dict(id=m + 1, branch=2 + m % branches, name_zh=f"党员{m}", created_at=datetime.datetime(2026, 1, 1))
            for m in range(members)
        ],
    )
    codes = set()
    while len(codes) < members:
        codes.add("".join(rng.choice(CODE_ALPHABET) for _ in range(10)))
    codes = sorted(codes)
    bulk_insert_dicts(
        PlaqueCode,
        [
            dict(id=n + 1, code=code, subject_kind="member", subject_id=n + 1, issued_at=datetime.datetime(2026, 1, 1))
            for n, code in enumerate(codes)
        ],
    )
    period = RatingPeriod.create(
        name="2026年度", year=2026, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31)
    )
    return period, codes


def rows_for(count, codes, rng):
    rows = []
    for n in range(count):
        m = n % len(codes)
        item, points = ITEMS[n % len(ITEMS)]
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(0, 360))
        rows.append([codes[m], f"党员{m}", item, points, 1, day.isoformat(), f"事由{n % 97}"])
    return rows


def reset_ledger():
    with database.atomic():
        LedgerEntry.delete().execute()
        LedgerHead.delete().execute()


CPU = {}


def timed(label, function):
    """(value, wall seconds); CPU[label] keeps the process CPU seconds (SQLite runs in-process,
    so CPU time is the figure a busy shared machine does not distort)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    value = function()
    CPU[label] = time.process_time() - cpu_started
    return value, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    rng = random.Random(7)
    # A database of our own, unique name, dropped at the end (never a fixed or given name).
    with scratch_database(args.database, "import") as url:
        run(args, rng, owned(url))


def run(args, rng, url):
    db = open_database(url)
    migrate(db)
    period, codes = build(args.members, rng)
    rows = rows_for(args.rows, codes, rng)
    csv_bytes = imports.write_csv(rows)
    xlsx_bytes = imports.write_xlsx(rows)
    print(
        f"{args.database}: {args.rows:,} rows over {args.members:,} members; "
        f"CSV {len(csv_bytes) / 1e6:.1f} MB, XLSX {len(xlsx_bytes) / 1e6:.1f} MB"
    )

    results = {}
    for label, data, name in (("CSV", csv_bytes, "bench.csv"), ("XLSX", xlsx_bytes, "bench.xlsx")):
        reset_ledger()
        result, seconds = timed(label, lambda: imports.run(period, data, name, "bench", dry_run=False))
        assert result.ok and result.written == args.rows, (result.error_lines()[:5], result.written)
        results[label] = seconds
        print(
            f"  import {label:<5} {seconds:6.2f} s  {args.rows / seconds:>9,.0f} rows/s  (all-or-nothing, validated)"
            f"   CPU {CPU[label]:5.2f} s = {args.rows / CPU[label]:>7,.0f} rows/s"
        )
        if label == "CSV":
            again, seconds_again = timed("again", lambda: imports.run(period, data, name, "bench", dry_run=False))
            assert again.written == 0
            print(f"  same CSV again {seconds_again:6.2f} s  {args.rows / seconds_again:>9,.0f} rows/s  (0 written)")
    reset_ledger()
    dry, seconds = timed("dry", lambda: imports.run(period, csv_bytes, "bench.csv", "bench", dry_run=True))
    print(
        f"  dry run CSV  {seconds:6.2f} s  {args.rows / seconds:>9,.0f} rows/s  "
        f"(validation + star preview: {len(dry.moves):,} star moves)"
    )

    # Baseline: the same rows as ledger entries through one prepared statement (executemany, the
    # real floor for row-by-row writes; peewee's insert_many builds SQL text and is ~5x slower).
    reset_ledger()
    now = datetime.datetime(2026, 6, 1)
    subject_of = {code: n + 1 for n, code in enumerate(codes)}
    entries = [
        dict(
            subject_kind="member",
            subject_id=subject_of[r[0]],
            period=period.id,
            item=r[2],
            points=r[3],
            quantity=1,
            reason=r[6],
            recorded_by="bench",
            recorded_at=now,
            occurred_on=r[5],
            source=f"bare:{n}",
            entry_hash="0" * 64,
            previous_hash="0" * 64,
        )
        for n, r in enumerate(rows)
    ]

    def bare():
        bulk_insert_dicts(LedgerEntry, entries)  # executemany; fields the rows lack take their defaults

    _, baseline = timed("bare", bare)
    print(
        f"  bare executemany {baseline:6.2f} s  {args.rows / baseline:>9,.0f} rows/s  (no parsing, no checks)"
        f"   CPU {CPU['bare']:5.2f} s = {args.rows / CPU['bare']:>7,.0f} rows/s"
    )
    print(
        f"  CSV import / bare insert: {results['CSV'] / baseline:.2f}x the time; "
        f"XLSX: {results['XLSX'] / baseline:.2f}x"
    )
    if args.database == "sqlite":
        wall, cpu = args.rows / results["CSV"], args.rows / CPU["CSV"]
        print(
            f"  target ≥20,000 rows/s CSV on SQLite: wall {wall:,.0f} ({'met' if wall >= 20_000 else 'NOT met'}), "
            f"CPU {cpu:,.0f} ({'met' if cpu >= 20_000 else 'NOT met'}); load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} CPUs"
        )
    database.close()


if __name__ == "__main__":
    main()
