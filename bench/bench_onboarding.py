"""Onboarding benchmark: a 2,000-organisation tree and a 100,000-member roster (CSV and XLSX)
through the real imports, beside the bare insert of the same member rows in the same run.

The roster import reads the file, refuses private columns, validates every row (number,
name, branch, category, dates), looks up existing members, inserts the members, issues a
badge code and its "issued" event per member, all in one transaction.

The floor: the very member tuples the import writes (roster_apply.member_rows: same columns,
same values, built before the clock starts) through the import's own writer (one
executemany on SQLite, COPY on PostgreSQL) into an identical fresh database (tree imported,
no member yet). Nothing else: no file, no checks, no badges. Each scenario runs ROUNDS
times in its own fresh database, interleaved; the best round of each is compared (wall
clock; SQLite also CPU time, steadier on a shared machine). Target: the roster import
within 3x the floor.

    .venv/bin/python bench/bench_onboarding.py [--members 100000] [--organisations 2000]
        [--database sqlite|postgres] [--rounds 2]
"""

import argparse
import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from starqr.db import database, open_database  # noqa: E402
from starqr.migrations import migrate  # noqa: E402
from starqr.models import Member, Organisation, utcnow  # noqa: E402
from starqr.services import onboarding  # noqa: E402
from starqr.services.imports import bulk_write, codes, roster, roster_apply, tree  # noqa: E402

from scratch import owned, scratch_database  # noqa: E402  (bench/scratch.py: databases of our own)
from tests.onboarding_files import DOMAINS, ROSTER_HEADER, TREE_HEADER, csv, roster_rows, xlsx  # noqa: E402


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


def timed(function):
    started, cpu = time.perf_counter(), time.process_time()
    value = function()
    return value, time.perf_counter() - started, time.process_time() - cpu


def fresh(url):
    db = open_database(url)
    migrate(db)
    onboarding.init_banner("基准旗", "bench", password="bench-password-1")
    return db


def _floor_rows(members):
    """The member tuples the import writes for MEMBERS, built before timing (ids reserved)."""
    branch_id = dict(Organisation.select(Organisation.code, Organisation.id).tuples())
    today = datetime.date.today()
    new = []
    for n, r in enumerate(members):
        joined, full = datetime.date.fromisoformat(r[5]), datetime.date.fromisoformat(r[6])
        new.append(roster.RosterRow(n + 2, r[0], r[1], r[2], branch_id[r[3]], "ordinary", joined, full, r[7], "full"))
    with database.atomic():
        ids = codes.reserve_ids(Member, len(new))
    assert full <= today
    return roster_apply.member_rows(ids, new, utcnow())


def _floor(rows):
    with database.atomic():
        bulk_write.write_rows(Member, *rows)


def run(kind, args):
    print(f"{kind}: {args.organisations:,}-organisation tree, {args.members:,}-member roster, {args.rounds} round(s)")
    orgs = tree_rows(args.organisations)
    branches = [r[0] for r in orgs if r[4] == "支部"]
    members = roster_rows(branches, args.members)
    files = {"CSV": csv(members, ROSTER_HEADER), "XLSX": xlsx(members, ROSTER_HEADER)}
    tree_file = xlsx(orgs, TREE_HEADER)
    best = {}  # scenario -> (wall, cpu), the best round

    def keep(name, wall, cpu):
        old = best.get(name)
        best[name] = (min(wall, old[0]), min(cpu, old[1])) if old else (wall, cpu)

    for round_number in range(args.rounds):
        for label in ("floor", "CSV", "XLSX"):
            with scratch_database(kind, "onboarding") as url:
                fresh(owned(url))
                plan, wall, cpu = timed(lambda: tree.run(tree_file, "tree.xlsx", "bench", dry_run=False))
                assert plan.ok and len(plan.created) == len(orgs) - 1, plan.error_lines()[:5]
                keep("tree", wall, cpu)
                if label == "floor":
                    rows = _floor_rows(members)
                    _, wall, cpu = timed(lambda: _floor(rows))
                    assert Member.select().count() == args.members
                    keep("floor", wall, cpu)
                else:
                    data = files[label]
                    plan, wall, cpu = timed(
                        lambda: roster_apply.run(data, f"roster.{label.lower()}", "bench", dry_run=False)
                    )
                    assert plan.ok and len(plan.created) == args.members, plan.error_lines()[:5]
                    keep(label, wall, cpu)
                    again, wall, cpu = timed(lambda: roster_apply.run(data, "again", "bench", dry_run=False))
                    assert not again.applied and again.unchanged == args.members
                    keep(f"{label} again", wall, cpu)
                database.close()
        print(f"  round {round_number + 1} done", flush=True)
    wall, cpu = best["tree"]
    print(
        f"  tree import XLSX       {wall:6.2f} s  {len(orgs) / wall:>9,.0f} rows/s  (a code and an event per organisation)"
    )
    floor_wall, floor_cpu = best["floor"]
    print(
        f"  roster floor           {floor_wall:6.2f} s  {args.members / floor_wall:>9,.0f} rows/s  cpu {floor_cpu:6.2f} s"
        f"  (the member rows alone, {'COPY' if kind == 'postgres' else 'executemany'})"
    )
    for label in ("CSV", "XLSX"):
        for name, note in (
            (label, "validated, all-or-nothing, badge code + event per member"),
            (f"{label} again", "nothing to write"),
        ):
            wall, cpu = best[name]
            print(
                f"  roster {name:<10}      {wall:6.2f} s  {args.members / wall:>9,.0f} rows/s  cpu {cpu:6.2f} s"
                f"  {wall / floor_wall:5.2f}x floor (cpu {cpu / floor_cpu:5.2f}x)  ({note})"
            )
    for label in ("CSV", "XLSX"):
        ratio = best[label][0] / floor_wall
        print(
            f"  roster {label} / floor: {ratio:.2f}x wall, {best[label][1] / floor_cpu:.2f}x cpu"
            f"  (target ≤3x: {'met' if ratio <= 3 else 'NOT met'})"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    run(args.database, args)


if __name__ == "__main__":
    main()
