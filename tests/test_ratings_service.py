"""Rating periods: drafts from the ledger, immutable published snapshots, corrections, schedule."""

import datetime
from decimal import Decimal

import pytest

from starqr import ledger
from starqr.models import ORGANISATION, Rating, RatingPeriod
from starqr.services import ratings
from tests.helpers import make_member, make_period, make_tree, member_rating, record

NOW = datetime.datetime(2026, 1, 15, 1, 0)


@pytest.fixture
def branch_with_members(app):
    tree = make_tree()
    strong = make_member(tree["branch"], "巴特尔")
    weak = make_member(tree["branch"], "李强")
    period = make_period(2025)
    for _ in range(6):
        record(strong, period, "study", 2)
    for _ in range(4):
        record(strong, period, "theme_party_day", 2)
    for _ in range(10):
        record(strong, period, "post_duty", 1)
    record(strong, period, "commitments_fulfilled", 1)
    record(strong, period, "appraisal_percent", 95)
    record(weak, period, "miss_meeting", -1)
    record(weak, period, "appraisal_percent", 60)
    for item in ("strong_leadership", "pioneer_members", "thriving_industry"):
        record(tree["branch"], period, item, 85)
    return tree, strong, weak, period


def test_draft_ratings_come_from_the_ledger(branch_with_members):
    tree, strong, weak, period = branch_with_members
    assert ratings.rate(period) == 3
    top = member_rating(strong, period, published=False)
    # base 50 + role 12+8+10 + commitments 10 + appraisal 95×0.2=19 → 109, clamped to 100.
    assert (top.total, top.stars) == (Decimal("100.00"), 5)
    low = member_rating(weak, period, published=False)
    assert (low.total, low.stars) == (Decimal("61.00"), 2)  # 49 + 0 + 0 + 12
    branch = Rating.get(Rating.subject_kind == ORGANISATION, Rating.subject_id == tree["branch"].id)
    assert branch.stars == 3 and branch.max_stars == 10
    assert ratings.rate(period) == 3  # recomputing replaces drafts
    assert Rating.select().count() == 3


def test_publish_freezes_snapshots_and_is_harmless_twice(branch_with_members):
    _, strong, weak, period = branch_with_members
    written = ratings.publish(period, NOW)
    assert written == 3
    period = RatingPeriod.get_by_id(period.id)
    assert period.state == "notice"
    assert period.notice_ends_at == NOW + datetime.timedelta(days=5)
    assert ratings.publish(period, NOW) == 0
    assert ratings.freeze(period, NOW) == 0
    assert Rating.select().where(Rating.published == True).count() == 3  # noqa: E712


def test_correction_after_publication_supersedes_not_edits(branch_with_members):
    _, strong, weak, period = branch_with_members
    ratings.publish(period, NOW)
    first = member_rating(weak, period)
    wrong = ledger.LedgerEntry.get(ledger.LedgerEntry.subject_id == weak.id, ledger.LedgerEntry.item == "miss_meeting")
    ledger.correct(wrong, "请假手续齐全,不应扣分", "admin")

    assert ratings.freeze(period, NOW + datetime.timedelta(days=1), reason="异议成立") == 1

    again = Rating.get_by_id(first.id)
    assert (again.total, again.stars) == (first.total, first.stars)  # the snapshot never changed
    newest = member_rating(weak, period)
    assert newest.supersedes_id == first.id
    assert newest.total == Decimal("62.00") and newest.correction_reason == "异议成立"


def test_scheduled_period_publishes_and_finalises_on_time(branch_with_members):
    _, _, _, period = branch_with_members
    ratings.schedule(period, NOW, notice_days=5)
    assert ratings.publish_due(NOW - datetime.timedelta(minutes=1)) == []
    report = ratings.publish_due(NOW)
    assert report and "已发布 3 个评定结果" in report[0][1] and report[0][1].code == "published"
    assert ratings.publish_due(NOW) == []  # a second run does nothing
    assert [(name, line.code) for name, line in ratings.publish_due(NOW + datetime.timedelta(days=5))] == [
        ("2025年度", "finalised")
    ]
    period = RatingPeriod.get_by_id(period.id)
    assert period.state == "final" and period.finalised_at == NOW + datetime.timedelta(days=5)
    with pytest.raises(ratings.PeriodError):
        ratings.rate(period)


def test_veto_zeroes_the_year(branch_with_members):
    _, strong, _, period = branch_with_members
    record(strong, period, "disciplinary_sanction", 1, "受到党内警告处分")
    ratings.rate(period)
    rating = member_rating(strong, period, published=False)
    assert rating.vetoed and rating.stars == 0 and rating.total == Decimal("0.00")


def test_cli_rate_and_publish(branch_with_members, cli):
    result = cli("rate", "2025")
    assert result.exit_code == 0 and "已计算 3 个草稿评定结果" in result.output
    result = cli("publish", "2025")
    assert result.exit_code == 0 and "已发布 3 个评定结果" in result.output
    result = cli("publish", "2030")
    assert result.exit_code != 0 and "没有评定期" in result.output
    result = cli("publish")
    assert result.exit_code != 0 and "--due" in result.output


def test_only_members_who_opted_out_of_an_exempt_category_are_exempt(app):
    tree = make_tree()
    period = make_period(2025)
    opted_out = make_member(tree["branch"], "老党员甲", category="special", exempt=True)
    still_rated = make_member(tree["branch"], "老党员乙", category="special", exempt=False)
    not_allowed = make_member(tree["branch"], "普通党员", category="ordinary", exempt=True)
    for member in (opted_out, still_rated, not_allowed):
        record(member, period, "appraisal_percent", 90)
    ratings.rate(period)
    assert member_rating(opted_out, period, published=False).exempt is True
    assert member_rating(opted_out, period, published=False).stars == 0
    assert member_rating(still_rated, period, published=False).exempt is False
    assert member_rating(not_allowed, period, published=False).exempt is False
