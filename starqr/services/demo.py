"""The demo banner: deterministic, realistic data modelled on Urad Middle Banner.

One banner of ~10,000 members by default: 9 towns and sumu with 87 嘎查村, communities,
government organs, state and non-public enterprises and social organisations; members
with posts, commitments, three published years of ratings and a live current year.

Above 10,000 members the banner is repeated (模拟旗 2, 3, ...) so `--members 1700000`
builds a region-sized database for benchmarks. To stay within minutes at that size, only
the first banner gets an event-by-event ledger for every year; the other banners get the
current year's ledger as one tallied entry per item (quantity = events) and their past
years as published snapshots only.
"""

import datetime
import random
import secrets
from dataclasses import dataclass

from starqr.errors import StarQRError
from starqr import ledger, rating
from starqr.db import analyze, bulk_insert_dicts, database
from starqr.migrations import migrate
from starqr.models import (
    ALL_MODELS,
    MEMBER,
    ORGANISATION,
    Commitment,
    Member,
    MemberPrivate,
    Objection,
    Organisation,
    PlaqueCode,
    PlaqueEvent,
    Post,
    RatingPeriod,
    ScanCount,
    utcnow,
)
from starqr.services import accounts, revision, rubrics
from starqr.services import demo_mongolian as mongolian
from starqr.services import demo_names as names
from starqr.services.plaques import CODE_ALPHABET, CODE_LENGTH
from starqr.services.ratings import _insert as insert_ratings
from starqr.services.ratings import _row as rating_row

MEMBERS_PER_BANNER = 10_000
CHUNK = 5000


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


class _Ids:
    """Explicit primary keys, so bulk inserts need no round trip to learn ids."""

    def __init__(self):
        self.next = {}

    def take(self, model, count=1):
        start = self.next.get(model, 1)
        self.next[model] = start + count
        return start


def reset_database(db):
    tables = [m._meta.table_name for m in ALL_MODELS] + ["import_batch", "schema_migration"]
    if db.__class__.__name__.startswith("Postgres"):
        db.execute_sql("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    else:
        # SQLite ignores this pragma inside a transaction, so it is set around it.
        db.execute_sql("PRAGMA foreign_keys = OFF")
        with db.atomic():
            for table in tables:
                db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
        db.execute_sql("PRAGMA foreign_keys = ON")
    migrate(db)


def build(members=MEMBERS_PER_BANNER, seed=2020, today=None, password=None, progress=None):
    """Load the demo into the (empty, migrated) database. Returns a DemoReport."""
    started = datetime.datetime.now()
    if Organisation.select().exists():
        raise DemoError("the database already holds organisations; use `starqr demo --reset` to start over")
    if members < 50:
        raise DemoError("the demo needs at least 50 members")
    rubrics.sync_shipped()
    builder = _Builder(random.Random(seed), today or datetime.date.today(), progress)
    builder.periods()
    banners = max(1, round(members / MEMBERS_PER_BANNER))
    for index in range(banners):
        share = members // banners + (1 if index < members % banners else 0)
        builder.banner(index, share, detailed=(index == 0))
    builder.finish()
    analyze()  # planner statistics after the bulk load
    logins = builder.users(password)
    return DemoReport(
        members=builder.member_count,
        organisations=builder.organisation_count,
        ledger_entries=builder.ledger_count,
        ratings=builder.rating_count,
        codes=builder.sample_codes,
        logins=logins,
        seconds=(datetime.datetime.now() - started).total_seconds(),
    )


class _Builder:
    def __init__(self, rng, today, progress):
        self.rng = rng
        self.today = today
        self.progress = progress or (lambda message: None)
        self.ids = _Ids()
        self.member_count = 0
        self.organisation_count = 0
        self.ledger_count = 0
        self.rating_count = 0
        self.sample_codes = []
        self.used_codes = set()
        self.first_branch = None
        self.first_town = None
        self.now = utcnow()
        self.rubric_cache = {}

    # ---- periods --------------------------------------------------------------------------

    def periods(self):
        """Three settled years (the last one under public notice) and the live current year."""
        year = self.today.year
        self.period_by_year = {}
        for offset in (3, 2, 1, 0):
            y = year - offset
            period = RatingPeriod.create(
                name=f"{y}年度",
                kind="year",
                year=y,
                starts_on=datetime.date(y, 1, 1),
                ends_on=datetime.date(y, 12, 31),
                notice_days=5,
            )
            self.period_by_year[y] = period
        for y in (year - 3, year - 2):
            p = self.period_by_year[y]
            published = datetime.datetime(y + 1, 1, 20, 2, 0)
            p.state, p.publish_at, p.published_at = "final", published, published
            p.notice_ends_at = published + datetime.timedelta(days=5)
            p.finalised_at = p.notice_ends_at
            p.save()
        last = self.period_by_year[year - 1]
        last.state = "notice"
        last.published_at = last.publish_at = self.now - datetime.timedelta(days=2)
        last.notice_ends_at = last.published_at + datetime.timedelta(days=last.notice_days)
        last.save()
        current = self.period_by_year[year]
        current.state = "scheduled"
        current.publish_at = datetime.datetime(year + 1, 1, 15, 1, 0)  # 09:00 in Inner Mongolia
        current.save()
        self.settled_years = [year - 3, year - 2, year - 1]
        self.current_year = year

    # ---- organisations --------------------------------------------------------------------

    def _org(self, rows, parent, level, domain, name_zh, name_mn, unit_kind=None, **extra):
        org_id = self.ids.take(Organisation)
        path = (parent["path"] if parent else "/") + f"{org_id}/"
        row = dict(
            id=org_id,
            parent=parent["id"] if parent else None,
            path=path,
            level=level,
            unit_kind=unit_kind,
            domain=domain,
            name_zh=name_zh,
            name_mn=name_mn,
            sort_order=len(rows),
            **extra,
        )
        rows.append(row)
        return row

    def _branch_details(self, area_range=(80, 600)):
        rng = self.rng
        return dict(
            secretary_name=rng.choice(names.HAN_SURNAMES) + rng.choice(names.HAN_GIVEN) + rng.choice(names.HAN_GIVEN),
            venue_area_m2=rng.randrange(*area_range),
            founded_on=datetime.date(rng.randrange(1950, 2015), rng.randrange(1, 13), rng.randrange(1, 28)),
            feature_projects="\n".join(rng.sample(names.FEATURE_PROJECTS, rng.randrange(1, 3))),
            office_phone=f"0478-{rng.randrange(6200000, 6299999)}",
        )

    def _tree(self, index):
        """The organisations of one banner: returns (rows, branches with a member weight)."""
        rng = self.rng
        rows, branches = [], []
        if index == 0:
            banner_zh, banner_mn = names.BANNER
        else:
            banner_zh, banner_mn = f"模拟旗{index + 1:03d}", f"ᠬᠣᠰᠢᠭᠤ {index + 1}"
        banner = self._org(
            rows,
            None,
            "banner",
            "organ",
            banner_zh + "委员会",
            banner_mn,
            venue_address=f"{banner_zh}海流图镇乌拉特大街1号",
        )
        village_names = [(p[0] + s[0], p[1] + s[1]) for p in names.VILLAGE_PREFIXES for s in names.VILLAGE_SUFFIXES]
        rng.shuffle(village_names)
        towns = []
        for town_zh, town_mn in names.TOWNS:
            town = self._org(
                rows, banner, "town", "rural", f"{town_zh}党委", town_mn, venue_address=f"{town_zh}政府院内"
            )
            towns.append((town, town_zh))
        if index == 0:
            self.first_town = towns[0][0]
        # 87 嘎查村, spread over the towns.
        for n in range(87):
            town, town_zh = towns[n % len(towns)]
            vzh, vmn = village_names[n]
            kind_zh = "嘎查" if rng.random() < 0.6 else "村"
            unit = self._org(
                rows, town, "unit", "rural", f"{vzh}{kind_zh}", f"{vmn} {names.GACHA_MN}", unit_kind="village"
            )
            branch = self._org(
                rows,
                unit,
                "branch",
                "rural",
                f"{vzh}{kind_zh}党支部",
                f"{vmn} {names.GACHA_MN} {names.BRANCH_MN}",
                venue_address=f"{town_zh}{vzh}{kind_zh}党群服务中心",
                **self._branch_details((120, 900)),
            )
            branches.append((branch, 1.0))
        for n, cname in enumerate(names.COMMUNITY_NAMES):
            town, town_zh = towns[0] if n < 8 else towns[n % len(towns)]
            unit = self._org(
                rows, town, "unit", "community", f"{cname}社区", mongolian.community(cname), unit_kind="community"
            )
            branch = self._org(
                rows,
                unit,
                "branch",
                "community",
                f"{cname}社区党支部",
                f"{mongolian.community(cname)} {names.BRANCH_MN}",
                venue_address=f"{town_zh}{cname}社区党群服务中心",
                **self._branch_details((200, 1200)),
            )
            branches.append((branch, 1.3))
        groups = [
            ("旗直机关工委", "organ", "organ", names.ORGAN_NAMES, 0.7),
            ("旗国资委党委", "state_enterprise", "state_enterprise", names.STATE_ENTERPRISES, 1.1),
            ("非公有制经济组织党委", "private_enterprise", "private_enterprise", names.PRIVATE_ENTERPRISES, 0.4),
            ("社会组织党委", "social", "social", names.SOCIAL_ORGANISATIONS, 0.3),
        ]
        for group_zh, domain, unit_kind, unit_names, weight in groups:
            group = self._org(
                rows,
                banner,
                "town",
                domain,
                group_zh,
                mongolian.group(group_zh, banner_mn),
                venue_address=f"{banner_zh}政务服务中心",
            )
            local = "乌拉特中" if index == 0 else f"模拟{index + 1:03d}"
            for uname in unit_names:
                full = local + uname if uname.startswith("旗") else uname
                unit_mn = mongolian.unit(uname, banner_mn)
                unit = self._org(rows, group, "unit", domain, full, unit_mn, unit_kind=unit_kind)
                branch = self._org(
                    rows,
                    unit,
                    "branch",
                    domain,
                    f"{full}党支部",
                    f"{unit_mn} {names.BRANCH_MN}",
                    venue_address=f"{full}办公楼",
                    **self._branch_details((60, 300)),
                )
                branches.append((branch, weight))
        return rows, branches

    # ---- one banner -----------------------------------------------------------------------

    def banner(self, index, member_total, detailed):
        rows, branches = self._tree(index)
        bulk_insert_dicts(Organisation, rows)
        self.organisation_count += len(rows)
        if self.first_branch is None:
            self.first_branch = branches[0][0]
        weights = sum(w for _, w in branches)
        exact = [member_total * w / weights for _, w in branches]
        allotted = [int(x) for x in exact]
        by_remainder = sorted(range(len(exact)), key=lambda i: allotted[i] - exact[i])
        for i in by_remainder[: member_total - sum(allotted)]:
            allotted[i] += 1
        members = []
        for (branch, _), count in zip(branches, allotted):
            members.extend(self._members(branch, count))
        self._write_members(members)
        self._codes(
            [(ORGANISATION, b["id"], b["name_zh"]) for b in rows if b["level"] in ("branch", "banner", "town", "unit")]
            + [(MEMBER, m["id"], m["name_zh"]) for m in members]
        )
        self._years(branches, members, detailed)
        self.member_count += len(members)
        self.progress(f"banner {index + 1}: {len(rows)} organisations, {len(members)} members")

    def _members(self, branch, count):
        rng = self.rng
        mongolian_share = 0.45 if branch["domain"] == "rural" else 0.25
        result = []
        start = self.ids.take(Member, count)
        for n in range(count):
            if rng.random() < mongolian_share:
                first, first_mn = rng.choice(names.MONGOLIAN_NAMES)
                if rng.random() < 0.5:
                    second, second_mn = rng.choice(names.MONGOLIAN_NAMES)
                    first, first_mn = first + second, first_mn + second_mn
                name_zh, name_mn, ethnicity = first, first_mn, "蒙古族"
            else:
                given = rng.choice(names.HAN_GIVEN) + (rng.choice(names.HAN_GIVEN) if rng.random() < 0.7 else "")
                name_zh = rng.choice(names.HAN_SURNAMES) + given
                name_mn, ethnicity = mongolian.person(name_zh), "汉族"
            age = rng.randrange(22, 86)
            joined_year = max(self.today.year - age + 18 + rng.randrange(0, 30), 1960)
            joined_year = min(joined_year, self.today.year - (0 if rng.random() < 0.04 else 1))
            category = "special" if age >= 70 else rng.choices(["backbone", "ordinary", "mobile"], [0.2, 0.7, 0.1])[0]
            occupation = "retired" if age >= 62 else "farmer_herder" if branch["domain"] == "rural" else "employed"
            honours = rng.sample(names.HONOURS, rng.choice([0, 0, 0, 1, 1, 2]))
            service = rng.sample(names.VOLUNTEER_SERVICES, rng.choice([0, 1, 1, 2, 3]))
            result.append(
                dict(
                    id=start + n,
                    branch=branch["id"],
                    name_zh=name_zh,
                    name_mn=name_mn,
                    gender=rng.choice(["男", "男", "女"]),
                    ethnicity=ethnicity,
                    category=category,
                    status="probationary" if joined_year >= self.today.year else "full",
                    occupation=occupation,
                    joined_on=datetime.date(joined_year, rng.randrange(1, 13), 1),
                    party_post=names.PARTY_POSTS[n] if n < len(names.PARTY_POSTS) else None,
                    honours="\n".join(f"{self.today.year - rng.randrange(1, 6)}年 {h}" for h in honours) or None,
                    volunteer_service="\n".join(service) or None,
                    volunteer_hours=rng.randrange(0, 160) if service else 0,
                    consent_photo=False,
                    exempt=(category == "special" and rng.random() < 0.5),
                    active=True,
                    created_at=self.now,
                    _age=age,
                )
            )
        return result

    def _write_members(self, members):
        rng = self.rng
        private_rows, post_rows = [], []
        for m in members:
            age = m.pop("_age")
            birth = datetime.date(self.today.year - age, rng.randrange(1, 13), rng.randrange(1, 28))
            private_rows.append(
                dict(
                    member=m["id"],
                    id_number=_fake_id_number(rng, birth),
                    phone=f"1{rng.choice('3578')}{rng.randrange(100000000, 999999999)}",
                    home_address=f"{rng.choice(names.STREETS)}{rng.randrange(1, 300)}号",
                    birth_date=birth,
                )
            )
            for title, duties in rng.sample(names.POSTS, rng.choice([1, 1, 2])):
                post_rows.append(
                    dict(
                        id=self.ids.take(Post),
                        member=m["id"],
                        title=title,
                        duties=duties,
                        since=datetime.date(self.today.year - rng.randrange(0, 4), 3, 1),
                        active=True,
                    )
                )
        with database.atomic():
            bulk_insert_dicts(Member, members)
            bulk_insert_dicts(MemberPrivate, private_rows)
            bulk_insert_dicts(Post, post_rows)

    def _codes(self, subjects):
        rows, events = [], []
        issued = datetime.datetime(self.settled_years[0], 3, 1, 2, 0)
        for kind, subject_id, name in subjects:
            code = self._unique_code()
            code_id = self.ids.take(PlaqueCode)
            rows.append(
                dict(
                    id=code_id,
                    code=code,
                    subject_kind=kind,
                    subject_id=subject_id,
                    version=1,
                    status="active",
                    issued_at=issued,
                    issued_by="demo",
                )
            )
            events.append(dict(plaque=code_id, action="issued", actor="demo", reason="首次挂牌", at=issued))
            if (
                len(self.sample_codes) < 3
                and kind == ORGANISATION
                and subject_id == (self.first_branch or {}).get("id")
            ):
                self.sample_codes.append((kind, name, code))
            elif kind == MEMBER and len([c for c in self.sample_codes if c[0] == MEMBER]) < 2:
                self.sample_codes.append((kind, name, code))
        with database.atomic():
            bulk_insert_dicts(PlaqueCode, rows)
            bulk_insert_dicts(PlaqueEvent, events)

    def _unique_code(self):
        while True:
            code = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    # ---- ledger, commitments and ratings --------------------------------------------------

    def _years(self, branches, members, detailed):
        rng = self.rng
        branch_subjects = [(ORGANISATION, b["id"], None, b["domain"]) for b, _ in branches]
        domain_by_branch = {b["id"]: b["domain"] for b, _ in branches}
        member_subjects = [
            (MEMBER, m["id"], rubrics.rating_category(m["category"], m["exempt"]), domain_by_branch[m["branch"]])
            for m in members
        ]
        subjects = branch_subjects + member_subjects
        # A latent quality per subject that drifts a little each year, so stars move.
        quality = {(k, i): min(0.98, max(0.05, rng.betavariate(5, 2))) for k, i, _, _ in subjects}
        for year in self.settled_years + [self.current_year]:
            live = year == self.current_year
            period = self.period_by_year[year]
            for key in quality:
                quality[key] = min(0.99, max(0.02, quality[key] + rng.uniform(-0.08, 0.08)))
            if live or (detailed and year == self.settled_years[-1]):
                self._commitments(subjects, year, quality, live)
            values = {}
            entries = []
            keep = detailed or live
            for kind, subject_id, category, domain in subjects:
                rubric = self._rubric(kind, domain)
                values[(kind, subject_id)] = self._events(
                    rubric,
                    kind,
                    subject_id,
                    period,
                    year,
                    quality[(kind, subject_id)],
                    live,
                    tallied=not detailed,
                    entries=entries if keep else None,
                )
            for start in range(0, len(entries), 50_000):
                self.ledger_count += ledger.append(entries[start : start + 50_000], bump_revision=False)
            if not live:
                self._publish(period, subjects, values)

    def _rubric(self, kind, domain):
        if (kind, domain) not in self.rubric_cache:
            self.rubric_cache[(kind, domain)] = self._load_rubric(kind, domain)
        return self.rubric_cache[(kind, domain)]

    def _load_rubric(self, kind, domain):
        key = rating.DOMAIN_RUBRICS[domain] if kind == ORGANISATION else rating.MEMBER_RUBRIC_BY_DOMAIN[domain]
        return rubrics.current_rubric(key)

    def _events(self, rubric_pair, kind, subject_id, period, year, q, live, tallied, entries):
        """The item sums of one subject-year; the ledger entries behind them go to ENTRIES
        (None: only the sums are wanted, for years kept as snapshots only)."""
        rng = self.rng
        _, rubric = rubric_pair
        last_day = self.today if live else datetime.date(year, 12, 31)
        span = (last_day - datetime.date(year, 1, 1)).days
        values = {}

        def add(item, points, quantity, reason, day, public=True):
            values[item.id] = values.get(item.id, 0.0) + points
            if entries is None:
                return
            entries.append(
                ledger.NewEntry(
                    subject_kind=kind,
                    subject_id=subject_id,
                    period_id=period.id,
                    item=item.id,
                    points=round(points, 2),
                    quantity=quantity,
                    reason=reason,
                    public_reason=public,
                    recorded_by="demo",
                    occurred_on=day.isoformat(),
                    recorded_at=datetime.datetime.combine(day, datetime.time(9, 30)),
                )
            )

        def day_in_year():
            return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(0, max(1, span)))

        year_share = span / 365.0
        for item in rubric.items:
            if item.kind in ("event", "bonus"):
                points = item.points or 1.0
                if points > 0:
                    chance = q if item.kind == "event" else q * 0.15
                    most = int((item.cap or abs(points) * 6) / abs(points)) + (1 if item.kind == "event" else 0)
                    count = int(most * chance * year_share + rng.random())
                else:
                    count = int(4 * (1 - q) * 0.35 * year_share + rng.random() * 0.9)
                if not count:
                    continue
                if tallied:
                    add(item, points * count, count, f"{item.name}(共{count}次)", last_day)
                else:
                    for n in range(count):
                        add(
                            item,
                            points,
                            1,
                            f"{item.name}",
                            day_in_year(),
                            public=item.id not in ("gambling", "breach_village_rules"),
                        )
            elif item.kind == "value" and not live:
                low, high = item.min, item.max
                value = low + (high - low) * min(1.0, max(0.0, q + rng.uniform(-0.12, 0.12)))
                value = round(value, 2) if high <= 1 else round(value, 1)
                add(item, value, 1, f"{year}年度{item.name}", datetime.date(year, 12, 20))
            elif item.kind == "gate" and not live:
                if rng.random() < 0.97:
                    add(item, 1, 1, f"{year}年度{item.name}达标", datetime.date(year, 12, 20))
            elif item.kind == "veto" and rng.random() < 0.002:
                add(item, 1, 1, item.name, day_in_year(), public=True)
        return values

    def _publish(self, period, subjects, values):
        by_rubric = {}
        for kind, subject_id, category, domain in subjects:
            by_rubric.setdefault((kind, domain), []).append((subject_id, category))
        published_at = period.published_at
        rows = []
        for (kind, domain), group in by_rubric.items():
            version, rubric = self._rubric(kind, domain)
            inputs = [rating.SubjectInput(sid, values.get((kind, sid), {}), category) for sid, category in group]
            for sid, result in rating.rate_all(rubric, inputs).items():
                rows.append(rating_row(period, kind, sid, version, result, published_at=published_at))
        with database.atomic():
            insert_ratings(rows)
        self.rating_count += len(rows)

    def _commitments(self, subjects, year, quality, live):
        rng = self.rng
        rows = []
        for kind, subject_id, _, _ in subjects:
            q = quality[(kind, subject_id)]
            for text in rng.sample(names.COMMITMENTS, rng.randrange(2, 6)):
                deadline = datetime.date(year, rng.choice([6, 9, 12]), 30 if rng.random() < 0.5 else 15)
                if live and deadline > self.today:
                    status = "in_progress" if rng.random() < 0.8 else "not_started"
                else:
                    status = "done" if rng.random() < q + 0.1 else "not_done"
                notes = [{"date": datetime.date(year, 3, 10).isoformat(), "text": "已向支部公开承诺"}]
                if status in ("in_progress", "done", "not_done"):
                    notes.append({"date": datetime.date(year, 6, 28).isoformat(), "text": "年中检视:按计划推进"})
                rows.append(
                    dict(
                        subject_kind=kind,
                        subject_id=subject_id,
                        year=year,
                        text=text,
                        deadline=deadline,
                        status=status,
                        progress_notes=notes,
                        evidence=[{"kind": "text", "value": "支部会议记录、现场照片已存档"}]
                        if status == "done"
                        else [],
                        evaluation="群众满意" if status == "done" else None,
                        reason_not_kept=rng.choice(names.NOT_KEPT_REASONS) if status == "not_done" else None,
                        updated_at=self.now,
                    )
                )
        bulk_insert_dicts(Commitment, rows)

    # ---- finishing ------------------------------------------------------------------------

    def finish(self):
        """Sequences past the explicit ids, a few scans and objections, the revision stamp."""
        db = database.obj
        if db.__class__.__name__.startswith("Postgres"):
            for model in (Organisation, Member, Post, PlaqueCode):
                table = model._meta.table_name
                db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                )
        rng = self.rng
        codes = list(PlaqueCode.select(PlaqueCode.id).limit(20_000).tuples())
        scans = {}
        for (code_id,) in codes:
            for _ in range(rng.choice([0, 0, 1, 2, 4, 8])):
                day = self.today - datetime.timedelta(days=rng.randrange(0, 60))
                scans[(code_id, day)] = scans.get((code_id, day), 0) + rng.randrange(1, 6)
        rows = [dict(plaque=c, day=d, count=n) for (c, d), n in scans.items()]
        with database.atomic():
            bulk_insert_dicts(ScanCount, rows)
            notice = self.period_by_year[self.settled_years[-1]]
            member_codes = PlaqueCode.select().where(PlaqueCode.subject_kind == MEMBER).order_by(PlaqueCode.id).limit(3)
            texts = [
                "该党员今年参加集体劳动次数与实际不符,请核实。",
                "承诺帮扶的事项我们村里都看到了,建议加分。",
                "评议得票情况希望再公布详细一些。",
            ]
            for n, (plaque, text) in enumerate(zip(member_codes, texts)):
                Objection.create(
                    reference=f"YY{self.today.year}{n + 1:05d}",
                    plaque=plaque,
                    period=notice,
                    text=text,
                    contact=None,
                    created_at=self.now - datetime.timedelta(hours=20 - n),
                )
            revision.bump()

    def users(self, password):
        password = password or secrets.token_urlsafe(9)
        first_branch = Organisation.get_by_id(self.first_branch["id"])
        first_town = Organisation.get_by_id(self.first_town["id"])
        plan = [
            ("admin", "admin", None, "全部"),
            ("town_admin", "org_admin", first_town, first_town.name_zh),
            ("secretary", "secretary", first_branch, first_branch.name_zh),
            ("viewer", "viewer", first_town, first_town.name_zh),
        ]
        logins = []
        for username, role, organisation, scope in plan:
            accounts.create_user(username, password, role, organisation=organisation)
            logins.append((username, password, role, scope))
        return logins


def _fake_id_number(rng, birth):
    """An 18-digit identity number with a valid check digit (private data, never public)."""
    body = f"150824{birth:%Y%m%d}{rng.randrange(100, 999)}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check
