"""The demo banner and the operator commands."""

import datetime
import random
import re
from types import SimpleNamespace

import pytest

from starqr import ledger
from starqr.models import MEMBER, Member, MemberPrivate, Organisation, PlaqueCode, Rating, RatingPeriod, User
from starqr.services import demo, demo_people, demo_tree
from starqr.services.imports import by_columns, roster
from starqr.services.imports import tree_columns as tree
from starqr.services.plaques import CODE_ALPHABET


def test_demo_banner_is_realistic_and_consistent(app):
    report = demo.build(members=300, seed=5, password="demo-password-1")
    assert report.members == Member.select().count() == 300
    assert Organisation.select().where(Organisation.level == "branch").count() >= 87 + 12
    villages = Organisation.select().where(Organisation.unit_kind == "village").count()
    assert villages == 87
    assert Organisation.select().where(Organisation.name_mn.is_null(False)).count() > 100
    assert MemberPrivate.select().count() == 300
    # Three settled years published, the last under public notice, the current year live.
    states = [p.state for p in RatingPeriod.select().order_by(RatingPeriod.year)]
    assert states == ["final", "final", "notice", "scheduled"]
    published_years = {r.period.year for r in Rating.select().where(Rating.published == True)}  # noqa: E712
    assert len(published_years) == 3
    # Every member and branch has an active code of the contract's shape.
    codes = list(PlaqueCode.select())
    assert PlaqueCode.select().where(PlaqueCode.subject_kind == MEMBER).count() == 300
    assert all(re.fullmatch(f"[{CODE_ALPHABET}]{{10}}", c.code) for c in codes)
    assert ledger.verify()[1] == []
    assert {u.role for u in User.select()} == {"admin", "org_admin", "secretary", "viewer"}


def test_demo_is_deterministic(app):
    demo.build(members=120, seed=9, password="demo-password-1")
    first = [(m.name_zh, m.category) for m in Member.select().order_by(Member.id)]
    demo.reset_database(app_database())
    demo.build(members=120, seed=9, password="demo-password-1")
    assert [(m.name_zh, m.category) for m in Member.select().order_by(Member.id)] == first


def app_database():
    from starqr.db import database

    return database.obj


def test_demo_refuses_a_database_with_data(cli):
    assert cli("demo", "--members", "60", "--password", "demo-password-1").exit_code == 0
    result = cli("demo", "--members", "60")
    assert result.exit_code != 0 and "--reset" in result.output


def test_help_lists_operator_commands(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("demo", "serve", "rate", "publish", "ledger", "migrate"):
        assert re.search(rf"^\s+{command}\s", result.output, re.M), command


def test_the_demo_files_follow_the_importers_columns():
    rng = random.Random(7)
    orgs = demo_tree.generate(rng)
    header, rows = by_columns(tree.COLUMNS, orgs, demo_tree.Org.cells)
    assert header == [c.name for c in tree.COLUMNS] and len(rows) == len(orgs)
    assert rows[0] == ["150824", "乌拉特中旗委员会", orgs[0].name_mn, "", "旗", "机关", "", ""]
    branches = [o for o in orgs if o.level == "branch"]
    people = demo_people.generate(rng, branches, 60, datetime.date(2026, 6, 1))
    header, rows = by_columns(roster.COLUMNS, people, demo_people.Person.cells)
    first = dict(zip(header, rows[0]))
    assert first[roster.NUMBER] == "M000001" and first[roster.BRANCH] == branches[0].code
    assert first[roster.JOINED] == people[0].joined_on.isoformat() and "None" not in rows[0]
    # A cell under a header the template lacks, or a column nobody fills, refuses: the file cannot drift.
    with pytest.raises(KeyError, match="备注"):
        by_columns(roster.COLUMNS, people[:1], lambda p: dict(demo_people.Person.cells(p), 备注="x"))
    with pytest.raises(KeyError, match=roster.BRANCH):
        by_columns(roster.COLUMNS, people[:1], lambda p: {roster.NUMBER: p.number, roster.CATEGORY: "普通党员"})
    bare = SimpleNamespace(name_zh="甲", name_mn="", category="", joined_on=None, full_member_on=None, party_post=None)
    with pytest.raises(AttributeError):
        by_columns(roster.COLUMNS, [SimpleNamespace()], lambda p: {roster.NUMBER: "1", roster.BRANCH: "B"})
    assert by_columns(roster.COLUMNS, [bare], lambda p: {roster.NUMBER: "1", roster.BRANCH: "B"})[1] == [
        ["1", "甲", "", "B", "", "", "", ""]
    ]


@pytest.mark.parametrize(
    "lang, lines",
    [
        (
            "zh",
            [
                "组织树已导入:",
                "花名册已导入:60 名党员",
                "演示数据已载入,用时",
                "可扫描:",
                "(党员):",
                "控制台登录(密码相同):",
                "(admin, 全部)",
                "控制台:http",
            ],
        ),
        (
            "en",
            [
                "tree imported:",
                "roster imported: 60 members",
                "demo loaded in",
                "scan these:",
                "(Members):",
                "console logins (password for all):",
                "(admin, all)",
                "console: http",
            ],
        ),
    ],
)
def test_the_demo_summary_speaks_the_operators_language(cli, monkeypatch, lang, lines):
    monkeypatch.setenv("STARQR_LANG", lang)
    result = cli("demo", "--members", "60", "--password", "demo-password-1")
    assert result.exit_code == 0, result.output
    for line in lines:
        assert line in result.output, (line, result.output)
    if lang == "en":
        assert not re.search(r"[\u4e00-\u9fff]+(?:已|个|名)", result.output), result.output
