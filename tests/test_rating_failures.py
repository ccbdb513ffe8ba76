"""The six failures of issue 9, reproduced through the doors people use, then fixed."""

import datetime
from decimal import Decimal

from starqr import ledger
from starqr.models import LedgerEntry, Objection, Rating, RatingPeriod, RubricVersion
from starqr.services import administration, objections, ratings, rubric_uploads
from tests.helpers import issue_code, make_member, make_org, make_period, make_tree, make_unratable_member, make_user
from tests.helpers import member_rating, publish_rated_member, record

NOW = datetime.datetime(2026, 1, 15, 1, 0)


# ---------------------------------------------------------------- 1. two value entries


def test_two_value_entries_take_the_latest_and_nothing_stalls(app, client):
    tree = make_tree()
    period = make_period(2025)
    twice = make_member(tree["branch"], "重复评议")
    other = make_member(tree["branch"], "其他党员")
    record(twice, period, "appraisal_percent", 60)
    record(twice, period, "appraisal_percent", 80)
    record(other, period, "appraisal_percent", 90)
    # ten-star criterion score twice: the branch's score is the latest, not 170
    record(tree["branch"], period, "strong_leadership", 85)
    record(tree["branch"], period, "strong_leadership", 70)
    code = issue_code(twice).code
    assert client.get(f"/Q/{code}").status_code == 200
    assert client.get(f"/Q/{code}.json").status_code in (200, 404)
    assert ratings.rate(period) == 3
    mine = member_rating(twice, period, published=False)
    assert mine.total == Decimal("66.00")  # 50 + 80 × 0.2, not 50 + 140 × 0.2
    branch_row = Rating.get(Rating.subject_kind == "organisation", Rating.subject_id == tree["branch"].id)
    leadership = next(row for row in branch_row.breakdown if row["id"] == "strong_leadership")
    assert leadership["score"] == 70
    report = ratings.publish_due(NOW)  # nothing scheduled
    assert report == []


def test_a_subject_that_cannot_be_rated_is_held_and_others_publish(app):
    tree, period, broken, fine = make_unratable_member()
    ratings.schedule(period, NOW)
    report = ratings.publish_due(NOW)
    assert any("held" in line or "暂缓" in line for _, line in report)
    assert member_rating(fine, period) is not None
    assert member_rating(broken, period) is None
    holds = ratings.holds(period)
    assert [(h.subject_id, h.reason) for h in holds] == [(broken.id, "value_out_of_range")]


# ---------------------------------------------------------------- 2. transfers


def test_transfer_to_a_branch_with_another_rubric_keeps_entries_and_rates(app):
    tree = make_tree()
    soe = make_org(tree["town"], "branch", "state_enterprise", "某国企党支部")
    period = make_period(2025)
    mover = make_member(tree["branch"], "调动党员")
    stays = make_member(tree["branch"], "留下党员")
    for _ in range(3):
        record(mover, period, "study", 2)
    record(stays, period, "study", 2)
    mover.branch = soe
    mover.save()
    assert ratings.rate(period) >= 3
    assert member_rating(mover, period, published=False) is not None
    assert member_rating(stays, period, published=False) is not None
    uncounted = ratings.not_counted(mover, period)
    assert [u["item"] for u in uncounted] == ["study"]
    assert LedgerEntry.select().where(LedgerEntry.subject_id == mover.id).count() == 3


# ---------------------------------------------------------------- 3. membership dates


def test_no_rating_for_a_period_that_ended_before_joining(app):
    tree = make_tree()
    last_year = make_period(2025)
    newcomer = make_member(tree["branch"], "新党员", joined_on=datetime.date(2026, 3, 1))
    veteran = make_member(tree["branch"], "老党员")
    ratings.rate(last_year)
    assert member_rating(newcomer, last_year, published=False) is None
    assert member_rating(veteran, last_year, published=False) is not None


# ---------------------------------------------------------------- 4. rubric edits under notice


def test_a_new_rubric_version_never_rerates_a_period_under_notice(app):
    tree = make_tree()
    period = make_period(2025)
    member = make_member(tree["branch"], "公示中")
    record(member, period, "appraisal_percent", 100)
    ratings.publish(period, NOW)
    before = member_rating(member, period)
    old = (
        RubricVersion.select()
        .where(RubricVersion.key == "member_points")
        .order_by(RubricVersion.version.desc())
        .first()
    )
    text = old.text.replace("version: 1", "version: 2").replace("factor: 0.2", "factor: 0.1")
    admin = make_user("admin1", "admin")
    rubric_uploads.upload_rubric(admin, text)
    # a routine correction of someone else in the same period
    other = make_member(tree["branch"], "别人")
    record(other, period, "study", 2)
    ratings.freeze(period, NOW + datetime.timedelta(days=1), reason="更正")
    after = member_rating(member, period)
    assert after.id == before.id  # not re-published under the new version
    assert after.stars == before.stars


# ---------------------------------------------------------------- 5. objections hold the notice


def test_notice_does_not_end_while_objections_are_open(app):
    period, member, code = publish_rated_member("被异议", 90, NOW)
    objection = objections.create(code, "我认为评议分数有误，请核实", now=NOW)
    end = NOW + datetime.timedelta(days=6)
    report = ratings.publish_due(end)
    assert RatingPeriod.get_by_id(period.id).state == "notice"
    assert any("1" in line for _, line in report)
    admin = make_user("admin2", "admin")
    administration.resolve_objection(admin, Objection.get_by_id(objection.id), False, "经核实无误", now=end)
    assert RatingPeriod.get_by_id(period.id).state == "final"


# ---------------------------------------------------------------- 6. a rewritten chain is caught


def test_rewritten_chain_with_recomputed_hashes_is_caught(app, cli):
    tree = make_tree()
    period = make_period(2025)
    member = make_member(tree["branch"], "台账")
    for _ in range(4):
        record(member, period, "study", 2)
    assert cli("ledger", "checkpoint").exit_code == 0
    entries = list(LedgerEntry.select().order_by(LedgerEntry.id))
    previous = ledger.GENESIS
    for entry in entries:
        points = Decimal("20.00") if entry.id == entries[1].id else entry.points
        digest = ledger.stored_digest(entry, previous, points)
        LedgerEntry.update(points=points, entry_hash=digest, previous_hash=previous).where(
            LedgerEntry.id == entry.id
        ).execute()
        previous = digest
    ledger.LedgerHead.update(last_hash=previous).execute()
    result = cli("ledger", "verify")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "checkpoint" in result.output


def test_party_age_counts_from_full_membership_as_the_rubric_documents(app, client):
    from starqr import rating
    from starqr.services import rating_inputs

    tree = make_tree()
    today = datetime.date(2026, 6, 1)
    full = make_member(
        tree["branch"], "正式", joined_on=datetime.date(2010, 7, 1), full_member_on=datetime.date(2011, 7, 1)
    )
    no_date = make_member(tree["branch"], "无转正日期", joined_on=datetime.date(2010, 7, 1))
    probationary = make_member(tree["branch"], "预备", joined_on=datetime.date(2025, 12, 1), status="probationary")
    assert rating_inputs.party_age_years(full, today) == 14  # from 转正, not 15 from joining
    assert rating_inputs.party_age_years(no_date, today) == 14  # one year of probation
    assert rating_inputs.party_age_years(probationary, today) is None
    joined_scheme = rating.load_rubric_text(
        rating.shipped_rubrics()["member_points"].text + "\nparty_age: {from: joined}\n"
    )
    assert rating_inputs.party_age_years(full, today, joined_scheme) == 15
    page = client.get(f"/Q/{issue_code(probationary).code}").get_data(as_text=True)
    assert "党龄自转正之日算起" in page
