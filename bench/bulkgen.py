"""A region of any size, loaded fast: COPY on PostgreSQL, executemany on SQLite.

Region → banners (10,000 members each) → 17 towns → 20 villages → one branch of ~30 members.
Every member and organisation has an active plaque code; last year is published (a rating
per member and branch, no ledger entries: the live ledger is bench_import/bench_rating's
subject); this year is a draft. Ids are assigned here, so no row waits for a round trip.

    load(members, seed) -> dict of counts and seconds   (inside an open, migrated database)
"""

import datetime
import io
import random
import time

from peewee import SqliteDatabase

from starqr.db import database
from starqr.models import MEMBER, ORGANISATION, LedgerEntry, Member, Organisation, PlaqueCode, Rating, RatingPeriod
from starqr.services import rubrics
from starqr.services.imports.bulk_write import copy_text

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BANNER_MEMBERS = 10_000
TOWNS, VILLAGES, BRANCH_MEMBERS = 17, 20, 30
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文斌宇浩凯鹏飞云峰亮林"


def _rows(model, dicts):
    """Tuples in column order for every field (defaults filled), through each field's db_value."""
    pk = model._meta.primary_key
    fields = [f for f in model._meta.sorted_fields if f is not pk or pk.name in dicts[0]]
    out = []
    for row in dicts:
        values = []
        for f in fields:
            if f.name in row:
                value = row[f.name]
            elif f.default is not None:
                value = f.default() if callable(f.default) else f.default
            else:
                value = None
            values.append(f.db_value(value) if value is not None else None)
        out.append(values)
    return fields, out


def _copy(model, dicts, chunk=100_000):
    """Write DICTS into MODEL's table by the fastest plain path: COPY (PostgreSQL) or executemany,
    CHUNK rows at a time (a 1.7M-member region does not hold every converted row at once)."""
    written = 0
    for start in range(0, len(dicts), chunk):
        written += _copy_chunk(model, dicts[start : start + chunk])
    return written


def _copy_chunk(model, dicts):
    if not dicts:
        return 0
    fields, rows = _rows(model, dicts)
    db = database.obj
    table = model._meta.table_name
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    cursor = db.cursor()
    if not isinstance(db, SqliteDatabase):
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(map(copy_text, row)))
            buffer.write("\n")
        buffer.seek(0)
        cursor.copy_expert(f'COPY "{table}" ({columns}) FROM STDIN', buffer)
    else:
        placeholders = ", ".join("?" * len(fields))
        cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({placeholders})', rows)
    return len(rows)


def _codes(rng, count, taken):
    codes = []
    while len(codes) < count:
        code = "".join(rng.choice(ALPHABET) for _ in range(10))
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def build(members, seed=17, today=None):
    """Row dicts for a region of MEMBERS members (in foreign-key order)."""
    rng = random.Random(seed)
    today = today or datetime.date.today()
    organisations, people = [], []
    next_org = iter(range(1, 10**9)).__next__
    region = dict(id=next_org(), parent=None, level="banner", domain="organ", name_zh="巴彦淖尔市委", path=None)
    region["path"] = f"/{region['id']}/"
    organisations.append(region)

    def child(parent, level, domain, name_zh, **columns):
        organisation = dict(id=next_org(), parent=parent["id"], level=level, domain=domain, name_zh=name_zh, **columns)
        organisation["path"] = f"{parent['path']}{organisation['id']}/"
        return organisation

    banners = max(1, round(members / BANNER_MEMBERS))
    member_id = 0
    branches = []
    for b in range(banners):
        share = members // banners + (1 if b < members % banners else 0)
        banner = child(region, "banner", "organ", f"第{b + 1}旗委员会")
        organisations.append(banner)
        left = share
        branch_count = max(1, round(share / BRANCH_MEMBERS))
        per_town = max(1, -(-branch_count // TOWNS))
        town = None
        for n in range(branch_count):
            if n % per_town == 0:
                town = child(banner, "town", "rural", f"第{b + 1}旗第{n // per_town + 1}镇党委")
                organisations.append(town)
            unit = child(town, "unit", "rural", f"第{n + 1}嘎查", unit_kind="village")
            branch = child(
                unit,
                "branch",
                "rural",
                f"第{b + 1}旗第{n + 1}嘎查党支部",
                secretary_name=rng.choice(SURNAMES) + "书记",
                venue_address=f"第{n + 1}嘎查党群服务中心",
                feature_projects="党建+合作社",
            )
            organisations += [unit, branch]
            branches.append(branch)
            size = left // (branch_count - n)
            left -= size
            for k in range(size):
                member_id += 1
                people.append(
                    dict(
                        id=member_id,
                        branch=branch["id"],
                        name_zh=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                        joined_on=datetime.date(rng.randrange(1975, 2024), rng.randrange(1, 13), 1),
                        party_post="支部书记" if k == 0 else None,
                        occupation=rng.choice(["farmer", "herder", "worker", "retired"]),
                        created_at=datetime.datetime(2026, 1, 1),
                    )
                )
    taken = set()
    codes = _codes(rng, len(people) + len(organisations), taken)
    plaques = [
        dict(id=n + 1, code=code, subject_kind=kind, subject_id=subject_id, issued_at=datetime.datetime(2026, 1, 1))
        for n, (code, (kind, subject_id)) in enumerate(
            zip(codes, [(MEMBER, p["id"]) for p in people] + [(ORGANISATION, o["id"]) for o in organisations])
        )
    ]
    return organisations, people, plaques, branches


LEDGER_ITEMS = (("study", 2), ("appraisal_percent", None))  # per member in this year's draft period


def ledger_entries(people, period_id, per_member, rng, first_id=1):
    """PER_MEMBER live ledger entries per member (cycling LEDGER_ITEMS), for the rating run.
    Written by COPY like the rest: the hash chain is not computed (nothing here verifies it)."""
    recorded = datetime.datetime(datetime.date.today().year, 3, 1)
    entries = []
    for p in people:
        for k in range(per_member):
            item, points = LEDGER_ITEMS[k % len(LEDGER_ITEMS)]
            entries.append(
                dict(
                    id=first_id + len(entries),
                    subject_kind=MEMBER,
                    subject_id=p["id"],
                    period=period_id,
                    item=item,
                    points=points if points is not None else rng.randrange(60, 101),
                    reason="学习" if points else "民主评议",
                    recorded_by="bench",
                    recorded_at=recorded,
                    occurred_on=recorded.date().isoformat(),
                    entry_hash="0" * 64,
                    previous_hash="0" * 64,
                )
            )
    return entries


def load(members, seed=17, ledger_per_member=0):
    """Generate and load a region; returns timings and counts. The database must be migrated and empty.
    LEDGER_PER_MEMBER > 0 adds that many live ledger entries per member to this year's draft period."""
    rubrics.sync_shipped()
    started = time.perf_counter()
    organisations, people, plaques, branches = build(members, seed)
    generated = time.perf_counter() - started
    year = datetime.date.today().year
    last = RatingPeriod.create(
        name=f"{year - 1}年度",
        year=year - 1,
        starts_on=datetime.date(year - 1, 1, 1),
        ends_on=datetime.date(year - 1, 12, 31),
        state="final",
        published_at=datetime.datetime(year, 1, 15),
        finalised_at=datetime.datetime(year, 1, 20),
    )
    current = RatingPeriod.create(
        name=f"{year}年度", year=year, starts_on=datetime.date(year, 1, 1), ends_on=datetime.date(year, 12, 31)
    )
    member_rubric = rubrics.latest_version("member_points")
    branch_rubric = rubrics.latest_version(rubrics.organisation_rubric_key(Organisation(domain="rural")))
    rng = random.Random(seed + 1)
    ratings = []
    published = datetime.datetime(year, 1, 15)
    # last year's published ratings: members, then branches (stars drawn in that order)
    for subjects, kind, rubric, choices, base, step in (
        (people, MEMBER, member_rubric, [3, 4, 4, 5, 5, 5], 60, 7),
        (branches, ORGANISATION, branch_rubric, [3, 4, 5], 70, 5),
    ):
        for subject in subjects:
            stars = rng.choice(choices)
            ratings.append(
                dict(
                    period=last.id,
                    subject_kind=kind,
                    subject_id=subject["id"],
                    rubric=rubric.id,
                    total=base + stars * step,
                    stars=stars,
                    max_stars=5,
                    published=True,
                    published_at=published,
                    created_at=published,
                )
            )
    entries = ledger_entries(people, current.id, ledger_per_member, random.Random(seed + 2))
    started = time.perf_counter()
    rows = 0
    tables = [(Organisation, organisations), (Member, people), (PlaqueCode, plaques), (Rating, ratings)]
    if entries:
        tables.append((LedgerEntry, entries))
    with database.atomic():
        for model, dicts in tables:
            rows += _copy(model, dicts)
    loaded = time.perf_counter() - started
    db = database.obj
    if not isinstance(db, SqliteDatabase):
        for model, _ in tables:
            table = model._meta.table_name
            db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
            )
    started = time.perf_counter()
    db.execute_sql("ANALYZE")
    analyzed = time.perf_counter() - started
    return dict(
        members=len(people),
        organisations=len(organisations),
        plaques=len(plaques),
        ratings=len(ratings),
        ledger_entries=len(entries),
        rows=rows,
        generate_s=generated,
        load_s=loaded,
        analyze_s=analyzed,
        codes=[p["code"] for p in plaques if p["subject_kind"] == MEMBER],
        town_code=next(
            p["code"]
            for p in plaques
            if p["subject_kind"] == ORGANISATION
            and organisations_by_id(organisations)[p["subject_id"]]["level"] == "town"
        ),
        banner_code=next(
            p["code"]
            for p in plaques
            if p["subject_kind"] == ORGANISATION and p["subject_id"] == organisations[1]["id"]
        ),
        region_code=next(
            p["code"]
            for p in plaques
            if p["subject_kind"] == ORGANISATION and p["subject_id"] == organisations[0]["id"]
        ),
    )


_by_id = {}


def organisations_by_id(organisations):
    if not _by_id or len(_by_id) != len(organisations):
        _by_id.clear()
        _by_id.update({o["id"]: o for o in organisations})
    return _by_id


def floor(rows, width=8, chunk=100_000):
    """The floor for loading ROWS rows of WIDTH columns: the same path into a bare table, no index."""
    db = database.obj
    db.execute_sql(f'CREATE TABLE "bench_floor" ({", ".join(f"c{i} TEXT" for i in range(width))})')
    postgres = not isinstance(db, SqliteDatabase)
    batches = []
    for start in range(0, rows, chunk):  # made before the clock starts, like the region's rows
        data = [[f"v{n}_{i}" for i in range(width)] for n in range(start, min(rows, start + chunk))]
        batches.append("".join("\t".join(r) + "\n" for r in data) if postgres else data)
    started = time.perf_counter()
    with database.atomic():
        cursor = db.cursor()
        for batch in batches:
            if postgres:
                cursor.copy_expert('COPY "bench_floor" FROM STDIN', io.StringIO(batch))
            else:
                cursor.executemany(f'INSERT INTO "bench_floor" VALUES ({", ".join("?" * width)})', batch)
    seconds = time.perf_counter() - started
    db.execute_sql('DROP TABLE "bench_floor"')
    return seconds
