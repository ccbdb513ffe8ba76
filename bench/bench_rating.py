"""Rating run benchmark: 100,000 members with ~30 ledger entries each.

Prints entries per second and the full rating run (`services.ratings.rate`: one GROUP BY,
the rubric engine, drafts written) against a baseline measured in the same run: a plain
SQL SUM over the same entries, fetched. Targets: within 3x of the baseline, under 10 s
on SQLite here.

    .venv/bin/python bench/bench_rating.py [--members 100000] [--database sqlite|postgres]
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from starqr import ledger  # noqa: E402
from starqr.db import bulk_insert_dicts, database, open_database  # noqa: E402
from starqr.migrations import migrate  # noqa: E402
from starqr.models import Member, Organisation, RatingPeriod  # noqa: E402
from starqr.services import ratings, rubrics  # noqa: E402

from scratch import owned, scratch_database  # noqa: E402  (bench/scratch.py: databases of our own)


def build(members, rng):
    rubrics.sync_shipped()
    orgs = [dict(id=1, path="/1/", level="banner", domain="organ", name_zh="基准旗")]
    branches = max(1, members // 100)
    for b in range(branches):
        orgs.append(
            dict(id=b + 2, parent=1, path=f"/1/{b + 2}/", level="branch", domain="rural", name_zh=f"基准支部{b}")
        )
    bulk_insert_dicts(Organisation, orgs)
    bulk_insert_dicts(
        Member,
        [
            dict(id=m + 1, branch=2 + m % branches, name_zh=f"党员{m}", created_at=datetime.datetime(2026, 1, 1))
            for m in range(members)
        ],
    )
    period = RatingPeriod.create(
        name="2026年度", year=2026, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31)
    )
    plan = [
        ("study", 2, 7),
        ("theme_party_day", 2, 5),
        ("post_duty", 1, 12),
        ("miss_meeting", -1, 1),
        ("late_meeting", -0.5, 1),
        ("emergency_task", 3, 1),
    ]
    entries = []
    for m in range(1, members + 1):
        for item, points, most in plan:
            for _ in range(rng.randint(max(0, most - 2), most)):
                entries.append(ledger.NewEntry("member", m, period.id, item, points, "基准", "bench"))
        entries.append(
            ledger.NewEntry("member", m, period.id, "commitments_fulfilled", round(rng.random(), 2), "基准", "bench")
        )
        entries.append(
            ledger.NewEntry("member", m, period.id, "appraisal_percent", rng.randint(50, 100), "基准", "bench")
        )
        if len(entries) >= 200_000:
            ledger.append(entries, bump_revision=False)
            entries = []
    ledger.append(entries, bump_revision=False)
    return period


def baseline(period):
    cursor = database.execute_sql(
        "SELECT subject_kind, subject_id, item, SUM(points) FROM ledger_entry WHERE period_id = %s "
        "GROUP BY subject_kind, subject_id, item".replace("%s", database.param),
        (period.id,),
    )
    return len(cursor.fetchall())


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # A database of our own, unique name, dropped at the end (never the one a URL points at).
    with scratch_database(args.database, "rating") as url:
        db = open_database(owned(url))
        migrate(db)
        start = time.perf_counter()
        period = build(args.members, random.Random(7))
        built = time.perf_counter() - start
        entries = ledger.LedgerEntry.select().count()
        if args.database == "postgres":
            db.execute_sql("ANALYZE")
        print(
            f"database: {args.database}; {args.members:,} members, {entries:,} ledger entries "
            f"(~{entries / args.members:.0f} each), built and hash-chained in {built:.1f} s "
            f"({entries / built:,.0f} entries/s appended)"
        )
        base = timed(lambda: baseline(period), args.repeat)
        run = timed(lambda: ratings.rate(period), args.repeat)
        engine_only = timed(lambda: ratings.compute(period), args.repeat)
        print(f"baseline  SQL SUM ... GROUP BY, fetched:   {base:6.2f} s  {entries / base:12,.0f} entries/s")
        print(
            f"compute   GROUP BY + rubric engine:         {engine_only:6.2f} s  {entries / engine_only:12,.0f} entries/s  "
            f"{engine_only / base:4.2f}x baseline"
        )
        print(
            f"rate      compute + write {args.members:,} drafts:   {run:6.2f} s  {entries / run:12,.0f} entries/s  "
            f"{run / base:4.2f}x baseline (target <= 3x, < 10 s on SQLite)"
        )
        db.close()


if __name__ == "__main__":
    main()
