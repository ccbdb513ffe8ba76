"""The demo banner and the operator commands."""

import re

from starqr import ledger
from starqr.models import MEMBER, Member, MemberPrivate, Organisation, PlaqueCode, Rating, RatingPeriod, User
from starqr.services import demo
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
