"""The demo banner: deterministic, realistic data modelled on Urad Middle Banner, loaded
through the same doors a real banner uses, so every run of the demo proves onboarding.

1. `onboarding.init_banner`: the banner and its administrator (demo_history's logins follow).
2. The tree import (demo_tree): 9 towns and sumu, 87 嘎查村, communities, government organs,
   state and non-public enterprises and social organisations, a branch in each unit.
3. The roster import (demo_people): ~10,000 members by default, a badge each; their personal
   record, private data and posts through the member use cases.
4. The points import (demo_points), a file per period: three settled years published (the
   last under public notice) and a live current year scheduled for publication.
5. Commitments, objections, scans and logins through the ordinary use cases (demo_history).

Files are generated in memory (XLSX for the tree, CSV for the roster and the points). No
model is written directly: each step has its actor, its audit entry and its checks, so a
change that breaks an import breaks the demo too. Above 10,000 members the same banner
grows (more members per branch): one database holds one banner.
"""

import datetime
import random
import secrets
from dataclasses import dataclass

from starqr.db import analyze, is_postgres
from starqr.errors import N_, StarQRError
from starqr.phrases import Phrase
from starqr.migrations import migrate
from starqr.models import ALL_MODELS, MEMBER, ORGANISATION, Organisation, PlaqueCode, utcnow
from starqr.services import demo_history as history
from starqr.services import demo_people as people_module
from starqr.services import demo_points as points
from starqr.services import demo_tree, onboarding

MEMBERS_PER_BANNER = 10_000
ADMIN = "admin"


class DemoError(StarQRError):
    code = "demo_refused"


@dataclass
class DemoReport:
    members: int
    organisations: int
    ledger_entries: int
    ratings: int
    codes: list  # a few (kind, name, code) to print
    logins: list  # (username, password, role, scope)
    seconds: float


def reset_database(db):
    """Drop every table of the database (the models' and any a migration made), then migrate."""
    postgres = is_postgres(db)
    if postgres:
        found = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    else:
        found = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    tables = {m._meta.table_name for m in ALL_MODELS} | {row[0] for row in db.execute_sql(found).fetchall()}
    if postgres:
        db.execute_sql("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in sorted(tables)) + " CASCADE")
    else:
        # SQLite ignores this pragma inside a transaction, so it is set around it.
        db.execute_sql("PRAGMA foreign_keys = OFF")
        with db.atomic():
            for table in sorted(tables):
                db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
        db.execute_sql("PRAGMA foreign_keys = ON")
    migrate(db)


def _fail(step, lines):
    raise DemoError(
        N_("演示数据被拒绝(%(step)s):%(lines)s"), step=step, lines="; ".join(str(line) for line in list(lines)[:5])
    )


def build(members=MEMBERS_PER_BANNER, seed=2020, today=None, password=None, progress=None):
    """Load the demo into the (empty, migrated) database. Returns a DemoReport."""
    started = datetime.datetime.now()
    say = progress or (lambda line: None)

    def progress(code, template, **params):  # a Phrase: the CLI prints it in the operator's language
        seconds = f"{(datetime.datetime.now() - started).total_seconds():6.1f}"
        say(
            Phrase(
                "demo_progress", N_("%(seconds)s 秒  %(step)s"), seconds=seconds, step=Phrase(code, template, **params)
            )
        )

    if not onboarding.is_empty():
        raise DemoError(N_("数据库中已有组织;请用 starqr demo --reset 重新开始"), code="database_not_empty")
    if members < 50:
        raise DemoError(N_("演示数据至少需要 50 名党员"))
    rng = random.Random(seed)
    today = today or datetime.date.today()
    password = password or secrets.token_urlsafe(9)
    orgs = demo_tree.generate(rng)
    banner_zh, banner_mn = orgs[0].name_zh, orgs[0].name_mn
    _banner, admin, _ = onboarding.init_banner(banner_zh, ADMIN, banner_mn, password=password)

    demo_tree.load(orgs, admin, _fail)
    branches = [o for o in orgs if o.level == "branch"]
    progress(
        "tree",
        N_("组织树已导入:%(organisations)s 个组织,%(branches)s 个支部"),
        organisations=len(orgs),
        branches=len(branches),
    )

    people = people_module.generate(rng, branches, members, today)
    people_module.load(people, admin, _fail, today)
    progress(
        "roster", N_("花名册已导入:%(members)s 名党员,每人一枚胸牌;个人档案、隐私信息和岗位已录入"), members=len(people)
    )

    code_of = {
        (kind, subject_id): code
        for kind, subject_id, code in PlaqueCode.select(
            PlaqueCode.subject_kind, PlaqueCode.subject_id, PlaqueCode.code
        ).tuples()
    }
    subjects = points.subjects(rng, branches, people, code_of)
    rubric_of = points.Rubrics()
    periods = history.create_periods(admin, today)
    now = utcnow()
    years = sorted(periods)
    ledger_entries = rating_count = 0
    for year in years:
        period, live = periods[year], year == today.year
        last_day = today if live else period.ends_on
        tallied = year < years[-2]  # the two final years: one row per item
        rows = points.year_rows(rng, subjects, rubric_of, period, last_day, live, tallied)
        ledger_entries += points.load(period, rows, admin, _fail)
        quality = {(s.kind, s.id): s.quality for s in subjects}
        if year >= years[-2]:  # the year under notice and the live year: commitments
            made = history.commitments(
                rng,
                admin,
                history.subjects_of([b.id for b in branches], ORGANISATION, quality),
                year,
                today,
                live,
                (2, 5),
            )
            if live:
                made += history.commitments(
                    rng, admin, history.subjects_of([p.id for p in people], MEMBER, quality), year, today, live, (1, 3)
                )
        if live:
            history.schedule(period, admin, year)
        elif year == years[-2]:
            rating_count += history.publish(period, admin, now - datetime.timedelta(days=2), final=False)
        else:
            rating_count += history.publish(period, admin, datetime.datetime(year + 1, 1, 20, 2, 0), final=True)
        if live:
            progress("points", N_("%(period)s:已导入 %(rows)s 行积分"), period=period.name, rows=len(rows))
        else:
            progress("points", N_("%(period)s:已导入 %(rows)s 行积分,已发布"), period=period.name, rows=len(rows))
    history.objections_on(now)
    history.scans_of(rng, today)
    first_town = Organisation.get_by_id(orgs[1].id)
    first_branch = Organisation.get_by_id(branches[0].id)
    logins = history.logins(admin, password, first_town, first_branch)
    analyze()  # planner statistics after the bulk load
    return DemoReport(
        members=len(people),
        organisations=len(orgs),
        ledger_entries=ledger_entries,
        ratings=rating_count,
        codes=history.sample_codes(branches[0], people, code_of),
        logins=logins,
        seconds=(datetime.datetime.now() - started).total_seconds(),
    )
