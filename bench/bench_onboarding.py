"""Onboarding benchmark: a 2,000-organisation tree and a 100,000-member roster (CSV and XLSX)
through the real imports, beside a bare executemany of the same rows in the same run.

The roster import reads the file, refuses private columns, validates every row (number,
name, branch, category, dates), looks up existing members, inserts the members, issues a
badge code and its "issued" event per member, all in one transaction. The baseline: the
same member rows through one prepared statement (executemany), nothing else. Target: the
roster import within 3x the bare insert.

    .venv/bin/python bench/bench_onboarding.py [--members 100000] [--organisations 2000] [--database sqlite|postgres]
"""

import argparse
import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from starqr.db import bulk_insert_dicts, database, open_database  # noqa: E402
from starqr.migrations import migrate  # noqa: E402
from starqr.models import Member, Organisation  # noqa: E402
from starqr.services import imports, onboarding  # noqa: E402
from starqr.services.imports import roster, roster_apply, tree  # noqa: E402

from scratch import owned, scratch_database  # noqa: E402  (bench/scratch.py: databases of our own)

DOMAINS = ["农村牧区", "社区", "机关", "国企", "非公企业", "社会组织"]
CATEGORIES = ["普通党员", "骨干党员", "流动党员", "特殊党员"]


def tree_rows(count):
    """1 banner, 20 towns, then units and branches (one branch per unit) up to COUNT rows."""
    rows = [["B0", "基准旗", "", "", "旗", "机关", "", ""]]
    rows += [[f"T{t}", f"第{t}镇", "", "B0", "苏木镇", "农村牧区", "", ""] for t in range(20)]
    units = (count - len(rows)) // 2
    for u in range(units):
        domain = DOMAINS[u % 6]
        rows.append([f"U{u}", f"单位{u}", "", f"T{u % 20}", "嘎查村社区", domain, "", ""])
        rows.append([f"P{u}", f"单位{u}党支部", "", f"U{u}", "支部", domain, 100 + u % 300, f"书记{u}"])
    return rows


def roster_rows(count, branches):
    rows = []
    for n in range(count):
        joined = datetime.date(1970 + n % 50, 1 + n % 12, 1 + n % 28)
        rows.append(
            [
                f"M{n:07d}",
                f"党员{n}",
                "",
                branches[n % len(branches)],
                CATEGORIES[n % 4],
                joined.isoformat(),
                joined.replace(year=joined.year + 1).isoformat(),
                "",
            ]
        )
    return rows


def timed(function):
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def fresh(url):
    db = open_database(url)
    migrate(db)
    onboarding.init_banner("基准旗", "bench", password="bench-password-1")
    return db


def run(kind, args):
    print(f"{kind}: {args.organisations:,}-organisation tree, {args.members:,}-member roster")
    header_tree = [c.name for c in tree.COLUMNS]
    header_roster = [c.name for c in roster.COLUMNS]
    orgs = tree_rows(args.organisations)
    branches = [r[0] for r in orgs if r[4] == "支部"]
    members = roster_rows(args.members, branches)
    files = {
        "CSV": imports.write_csv(members, header=header_roster),
        "XLSX": imports.write_xlsx(members, header=header_roster),
    }
    tree_file = imports.write_xlsx(orgs, header=header_tree)
    figures = {}
    for label, data in files.items():
        with scratch_database(kind, "onboarding") as url:
            fresh(owned(url))
            plan, seconds = timed(lambda: tree.run(tree_file, "tree.xlsx", "bench", dry_run=False))
            assert plan.ok and len(plan.created) == len(orgs) - 1, plan.error_lines()[:5]
            if label == "CSV":
                print(
                    f"  tree import XLSX  {seconds:6.2f} s  {len(orgs) / seconds:>9,.0f} rows/s"
                    f"  (with a code and an event per organisation)"
                )
                tree_rows_bare = [
                    dict(code=f"X{r[0]}", path="/", level="unit", domain="rural", name_zh=r[1]) for r in orgs
                ]
                _, bare = timed(lambda: bulk_insert_dicts(Organisation, tree_rows_bare))
                print(f"  tree bare executemany {bare:6.2f} s  {len(orgs) / bare:>9,.0f} rows/s")
            plan, seconds = timed(lambda: roster_apply.run(data, f"roster.{label.lower()}", "bench", dry_run=False))
            assert plan.ok and len(plan.created) == args.members, plan.error_lines()[:5]
            figures[label] = seconds
            print(
                f"  roster import {label:<4} {seconds:6.2f} s  {args.members / seconds:>9,.0f} rows/s"
                f"  (validated, all-or-nothing, badge code + event per member)"
            )
            again, seconds_again = timed(lambda: roster_apply.run(data, "again", "bench", dry_run=False))
            assert not again.applied and again.unchanged == args.members
            print(
                f"  same {label} again  {seconds_again:6.2f} s  {args.members / seconds_again:>9,.0f} rows/s"
                "  (nothing to write)"
            )
            if label == "CSV":
                branch_id = dict(Organisation.select(Organisation.code, Organisation.id).tuples())
                now = datetime.datetime(2026, 1, 1)
                bare_rows = [
                    dict(
                        branch=branch_id[r[3]],
                        name_zh=r[1],
                        category="ordinary",
                        status="full",
                        joined_on=datetime.date.fromisoformat(r[5]),
                        member_number="B" + r[0],
                        created_at=now,
                    )
                    for r in members
                ]
                _, bare = timed(lambda: bulk_insert_dicts(Member, bare_rows))
                figures["bare"] = bare
                print(
                    f"  roster bare executemany {bare:6.2f} s  {args.members / bare:>9,.0f} rows/s"
                    "  (member rows only: no file, no checks, no badges)"
                )
            database.close()
    for label in ("CSV", "XLSX"):
        ratio = figures[label] / figures["bare"]
        print(f"  roster {label} / bare: {ratio:.2f}x  (target ≤3x: {'met' if ratio <= 3 else 'NOT met'})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    run(args.database, args)


if __name__ == "__main__":
    main()
