"""The demo banner's members, through the roster import (党员花名册) like a county's own file.

The roster (number, names in both scripts, branch code, category, dates, party post) is
generated in memory as CSV and imported by `imports.roster_apply.run`, which issues every
badge. What a roster does not carry, and must not (identity numbers, phones, home
addresses are refused by the import), is entered afterwards through the ordinary member
use cases with the administrator as actor: `members.edit_member` for the personal record
and the private data, `members.add_post` for each post (设岗定责).
"""

import datetime
from dataclasses import dataclass, field

from starqr.db import database
from starqr.models import Member
from starqr.services import demo_mongolian as mongolian
from starqr.services import demo_names as names
from starqr.services import member_posts
from starqr.services import members as member_service
from starqr.services import vocabulary as words
from starqr.services.imports import by_columns, roster, roster_apply, write_csv

CHUNK = 1000


@dataclass
class Person:
    number: str
    branch: object  # demo_tree.Org
    name_zh: str  # this and the next five: the roster columns' record fields (Person.cells: the rest)
    name_mn: str
    category: str
    joined_on: datetime.date
    full_member_on: object
    party_post: str
    record: dict  # edit_member fields beyond the roster
    private: dict  # identity number, phone, home address, birth date: never in a file
    posts: list = field(default_factory=list)
    id: int = None  # filled in after the import

    def cells(self):
        """The roster cells no field of this Person fills by the column's record_field."""
        return {
            roster.NUMBER: self.number,
            roster.BRANCH: self.branch.code,
            roster.CATEGORY: words.CATEGORY_NAMES[self.category],
        }


def allot(branches, total):
    """How many members each branch gets: by weight, the remainders to the largest fractions."""
    weights = sum(b.weight for b in branches)
    exact = [total * b.weight / weights for b in branches]
    allotted = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: allotted[i] - exact[i])[: total - sum(allotted)]:
        allotted[i] += 1
    return allotted


def generate(rng, branches, total, today):
    """[Person] of the banner, branch by branch."""
    people = []
    for branch, count in zip(branches, allot(branches, total)):
        for n in range(count):
            people.append(_person(rng, branch, n, len(people) + 1, today))
    return people


def _person(rng, branch, n, serial, today):
    mongolian_share = 0.45 if branch.domain == "rural" else 0.25
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
    joined_year = max(today.year - age + 18 + rng.randrange(0, 30), 1960)
    joined_year = min(joined_year, today.year - (0 if rng.random() < 0.04 else 1))
    joined = min(datetime.date(joined_year, rng.randrange(1, 13), 1), today)
    full = joined.replace(year=joined.year + 1) if joined.year + 1 <= today.year else None
    if full and full > today:
        full = None
    category = "special" if age >= 70 else rng.choices(["backbone", "ordinary", "mobile"], [0.2, 0.7, 0.1])[0]
    occupation = "retired" if age >= 62 else "farmer_herder" if branch.domain == "rural" else "employed"
    honours = rng.sample(names.HONOURS, rng.choice([0, 0, 0, 1, 1, 2]))
    service = rng.sample(names.VOLUNTEER_SERVICES, rng.choice([0, 1, 1, 2, 3]))
    record = dict(
        gender=rng.choice(["男", "男", "女"]),
        ethnicity=ethnicity,
        occupation=occupation,
        honours="\n".join(f"{today.year - rng.randrange(1, 6)}年 {h}" for h in honours) or None,
        volunteer_service="\n".join(service) or None,
        volunteer_hours=rng.randrange(0, 160) if service else 0,
        exempt=(category == "special" and rng.random() < 0.5),
    )
    birth = datetime.date(today.year - age, rng.randrange(1, 13), rng.randrange(1, 28))
    private = dict(
        id_number=_fake_id_number(rng, birth),
        phone=f"1{rng.choice('3578')}{rng.randrange(100000000, 999999999)}",
        home_address=f"{rng.choice(names.STREETS)}{rng.randrange(1, 300)}号",
        birth_date=birth,
    )
    posts = [
        dict(title=title, duties=duties, since=datetime.date(today.year - rng.randrange(0, 4), 3, 1))
        for title, duties in rng.sample(names.POSTS, rng.choice([1, 1, 2]))
    ]
    party_post = names.PARTY_POSTS[n] if n < len(names.PARTY_POSTS) else ""
    return Person(
        f"M{serial:06d}", branch, name_zh, name_mn, category, joined, full, party_post, record, private, posts
    )


def load(people, admin, fail, today):
    """Import PEOPLE as a roster file as ADMIN, then each one's record, private data and posts."""
    header, rows = by_columns(roster.COLUMNS, people, Person.cells)
    data = write_csv(rows, header=header)
    plan = roster_apply.run(data, "演示党员花名册.csv", admin, dry_run=False, today=today)
    if not plan.ok:
        fail("roster import", plan.error_lines())
    by_number = {m.member_number: m for m in Member.select().where(Member.member_number.is_null(False))}
    for start in range(0, len(people), CHUNK):  # each use case its own savepoint, a commit per chunk
        with database.atomic():
            for person in people[start : start + CHUNK]:
                member = by_number[person.number]
                person.id = member.id
                member_service.edit_member(admin, member, person.record, private=person.private)
                for post in person.posts:
                    member_posts.add_post(admin, member, post)
    return plan


def _fake_id_number(rng, birth):
    """An 18-digit identity number with a valid check digit (private data, never public)."""
    body = f"150824{birth:%Y%m%d}{rng.randrange(100, 999)}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check
