"""Factories for tests: small, explicit rows instead of copy-pasted set-up."""

import datetime
import itertools
import json
from decimal import Decimal

from starqr import ledger
from starqr.models import (
    ALL_MODELS,
    MEMBER,
    ORGANISATION,
    Commitment,
    Member,
    MemberPrivate,
    Organisation,
    Post,
    Rating,
    RatingPeriod,
    User,
)
from starqr.plaque import PlaqueContent
from starqr.services import accounts, api_tokens, plaques, ratings, rubrics, scans

_counter = itertools.count(1)

PASSWORD = "correct-horse-battery"
# The private data make_member stores, and the same as the console's member form posts it.
MEMBER_PRIVATE = {
    "id_number": "15082419800101123X",
    "phone": "13912345678",
    "home_address": "团结路18号",
    "birth_date": datetime.date(1980, 1, 1),
}
MEMBER_PRIVATE_FORM = {name: str(value) for name, value in MEMBER_PRIVATE.items()}


def make_tree(domain="rural"):
    """banner → town → village → branch; returns a dict of the four."""
    rubrics.sync_shipped()
    banner = make_org(None, "banner", "organ", "乌拉特中旗委员会", "ᠤᠷᠠᠳ ᠳᠤᠮᠳᠠᠳᠤ ᠬᠣᠰᠢᠭᠤ")
    town = make_org(banner, "town", "rural", "海流图镇党委", "ᠬᠠᠶᠢᠯᠤᠲᠤ ᠪᠠᠯᠭᠠᠰᠤ")
    unit = make_org(town, "unit", domain, "仁宝勒格嘎查", "ᠷᠢᠨᠪᠣᠯᠭᠡ ᠭᠠᠴᠠᠭ᠎ᠠ", unit_kind="village")
    branch = make_org(
        unit,
        "branch",
        domain,
        "仁宝勒格嘎查党支部",
        "ᠷᠢᠨᠪᠣᠯᠭᠡ ᠭᠠᠴᠠᠭ᠎ᠠ ᠨᠠᠮ ᠤᠨ ᠡᠰ ᠪᠦᠯᠦᠭ",
        secretary_name="杨勇",
        venue_area_m2=320,
        venue_address="仁宝勒格嘎查党群服务中心",
        founded_on=datetime.date(1958, 7, 1),
        feature_projects="党建+合作社\n光伏发电集体经济项目",
        office_phone="0478-6212345",
    )
    return {"banner": banner, "town": town, "unit": unit, "branch": branch}


def make_org(parent, level, domain, name_zh, name_mn=None, **fields):
    org = Organisation.create(
        parent=parent, level=level, domain=domain, name_zh=name_zh, name_mn=name_mn, path="/", **fields
    )
    org.path = (parent.path if parent else "/") + f"{org.id}/"
    org.save()
    return org


def make_member(branch, name_zh=None, name_mn=None, with_private=True, **fields):
    n = next(_counter)
    member = Member.create(
        branch=branch,
        name_zh=name_zh or f"党员{n}",
        name_mn=name_mn,
        joined_on=fields.pop("joined_on", datetime.date(2001, 7, 1)),
        **fields,
    )
    if with_private:
        MemberPrivate.create(member=member, **MEMBER_PRIVATE)
    return member


def member_form(name_zh, category="ordinary", status="full", **fields):
    """The console's member form (new or edit) as posted: the three fields it requires, then FIELDS."""
    return {"name_zh": name_zh, "category": category, "status": status, **fields}


def make_post(member, title="环境卫生巡护岗", duties="巡查责任片区环境卫生"):
    return Post.create(member=member, title=title, duties=duties)


def make_commitment(subject, text="帮助结对户发展肉羊养殖", status="in_progress", year=None, **fields):
    kind = MEMBER if isinstance(subject, Member) else ORGANISATION
    return Commitment.create(
        subject_kind=kind,
        subject_id=subject.id,
        year=year or datetime.date.today().year,
        text=text,
        status=status,
        **fields,
    )


def make_period(year=None, state="draft", **fields):
    year = year or datetime.date.today().year
    return RatingPeriod.create(
        name=f"{year}年度",
        year=year,
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        state=state,
        **fields,
    )


def record(subject, period, item, points, reason="测试", by="tester", **extra):
    kind = MEMBER if isinstance(subject, Member) else ORGANISATION
    return ledger.record(kind, subject.id, period.id, item, points, reason, by, **extra)


def issue_code(subject):
    kind = MEMBER if isinstance(subject, Member) else ORGANISATION
    return plaques.issue(kind, subject.id, actor="tester")


def make_user(username, role, organisation=None, password=PASSWORD):
    return accounts.create_user(username, password, role, organisation)


def login(client, username, password=PASSWORD):
    """Log in through the real form (CSRF is off in the test app unless a test turns it on)."""
    return client.post("/console/login", data={"username": username, "password": password}, follow_redirects=False)


def login_new_user(client, username, role, organisation=None):
    """make_user, then login as her: the user."""
    user = make_user(username, role, organisation)
    login(client, username)
    return user


__all__ = [
    "make_tree",
    "make_org",
    "make_member",
    "member_form",
    "MEMBER_PRIVATE",
    "MEMBER_PRIVATE_FORM",
    "make_post",
    "make_commitment",
    "make_period",
    "record",
    "issue_code",
    "make_user",
    "login",
    "login_new_user",
    "PASSWORD",
    "User",
]


def make_world(token_name="test"):
    """A banner tree with one member and her plaque code, a 2025 period, an administrator with
    an API token (headers) and the branch's secretary "sec" (for the doors' hostile tests)."""
    tree = make_tree()
    member = make_member(tree["branch"], name_zh="巴特尔")
    code = issue_code(member).code
    period = make_period(year=2025)
    admin = make_user("admin1", "admin")
    make_user("sec", "secretary", tree["branch"])
    token = api_tokens.create(admin, token_name)[1]
    return dict(tree=tree, member=member, code=code, period=period, headers={"Authorization": f"Bearer {token}"})


def ledger_body(world, **fields):
    """A body for POST /api/v1/ledger: an appraisal of make_world's member in its period, with a
    reason, then FIELDS."""
    return {
        "subject_kind": "member",
        "subject_id": world["member"].id,
        "period_id": world["period"].id,
        "item": "appraisal_percent",
        "reason": "民主评议",
        **fields,
    }


def post_ledger(client, world, **fields):
    """POST ledger_body(WORLD, **FIELDS) to the API with make_world's administrator token."""
    body = json.dumps(ledger_body(world, **fields))
    return client.post("/api/v1/ledger", data=body, headers=world["headers"], content_type="application/json")


def table_counts():
    """{model name: rows} of every table: equal before and after means a refusal changed nothing."""
    return {model.__name__: model.select().count() for model in ALL_MODELS}


def member_rating(member, period, published=True):
    """The newest published (or draft) rating of MEMBER in PERIOD, or None."""
    return (
        Rating.select()
        .where(
            Rating.subject_kind == MEMBER,
            Rating.subject_id == member.id,
            Rating.period == period,
            Rating.published == published,
        )
        .order_by(Rating.id.desc())
        .first()
    )


def store_rating(subject_kind, subject_id, period, version, result, published_at):
    """RESULT (the subject's rating.rate_all result under rubric VERSION) stored as its rating in
    PERIOD, published at PUBLISHED_AT: the row the rating run writes (services/ratings._row)."""
    return Rating.create(**ratings._row(period, subject_kind, subject_id, version, result, published_at))


def publish_rated_member(name_zh, appraisal, now, year=2025):
    """A member with an appraisal score and a plaque code, her period published (on notice) at
    NOW: (period, member, code)."""
    tree = make_tree()
    period = make_period(year)
    member = make_member(tree["branch"], name_zh)
    record(member, period, "appraisal_percent", appraisal)
    code = issue_code(member)
    ratings.publish(period, now)
    return period, member, code


def make_unratable_member():
    """A 2025 period with two members of one branch: BROKEN's appraisal is an old delta-style
    value (160, outside 0..100) written straight into the ledger, so she cannot be rated; FINE
    has 90. Returns (tree, period, broken, fine)."""
    tree = make_tree()
    period = make_period(2025)
    broken = make_member(tree["branch"], "坏数据")
    fine = make_member(tree["branch"], "好数据")
    ledger.append([ledger.NewEntry(MEMBER, broken.id, period.id, "appraisal_percent", Decimal(160), "旧数据", "x")])
    record(fine, period, "appraisal_percent", 90)
    return tree, period, broken, fine


def empty_page_cache():
    """Forget the scan counts this process buffered (pages live in the page store, not in a process)."""
    scans.reset()


def member_on_notice(name_zh="王芳"):
    """A member with a post on a fresh tree and a period on notice (objections open), for the
    multi-host tests: (tree, member, period, the member's plaque code)."""
    tree = make_tree()
    member = make_member(tree["branch"], name_zh)
    make_post(member)
    period = make_period(state="notice")
    return tree, member, period, issue_code(member).code


def plaque_content(code, kind, name, parent, base="https://starqr.example.cn/Q/"):
    """What the plaque of CODE shows: NAME and PARENT are (Chinese, Mongolian) pairs, the URL is BASE + CODE."""
    (name_zh, name_mn), (parent_zh, parent_mn) = name, parent
    return PlaqueContent(code, base + code, kind, name_zh, name_mn, parent_zh, parent_mn)
