"""The rubric engine on the worked examples of DOMAIN.md: totals, stars, vetoes, quotas."""

import ast
import json
import pathlib
import random

import pytest

from starqr.rating import RubricError, SubjectInput, rate_all, shipped_rubrics

RUBRICS = shipped_rubrics()
MEMBER = RUBRICS["member_points"]
STRICT = RUBRICS["member_points_strict"]
TEN_STAR = RUBRICS["village_ten_star"]
FIVE_STRONG = RUBRICS["branch_five_strong"]
QUOTA = RUBRICS["branch_quota"]

FIVE_BASICS = {gate: 1 for gate in FIVE_STRONG.gate_ids}
TEN_CRITERIA = [component.id for component in TEN_STAR.components]
DIMENSIONS = [component.id for component in FIVE_STRONG.components]


def rate(rubric, values, category=None, subject_id=1):
    return rate_all(rubric, [SubjectInput(subject_id, values, category)])[subject_id]


def scores(result):
    return {row["id"]: row["score"] for row in result.breakdown}


# ---------------------------------------------------------------- member points


def test_worked_example_two_absences_seven_study_sessions():
    # 2 absences (-2), 7 study sessions at +2 = 14 capped at 12, 80% of commitments,
    # appraisal 90% × 0.2 = 18  →  48 + 12 + 8 + 18 = 86, four stars, yellow list.
    result = rate(MEMBER, {"miss_meeting": -2, "study": 14, "commitments_fulfilled": 0.8, "appraisal_percent": 90})
    assert scores(result) == {"base": 48.0, "role": 12.0, "commitment": 8.0, "appraisal": 18.0, "bonus": 0.0}
    assert result.total == 86.0
    assert result.stars == 4 and result.max_stars == 5
    assert result.listing == "黄榜"
    assert not result.vetoed and not result.exempt and result.designations == []


def test_full_marks_with_bonus_are_capped_and_clamped_to_100():
    values = {
        "study": 12,
        "theme_party_day": 8,
        "post_duty": 12,
        "commitments_fulfilled": 1,
        "appraisal_percent": 100,
        "county_honour": 3,
        "moral_model": 5,
        "emergency_task": 3,
    }
    result = rate(MEMBER, values)
    assert scores(result)["role"] == 30.0  # 12 + 8 + min(12, 10)
    assert scores(result)["bonus"] == 10.0  # 11 capped at 10
    assert result.total == 100.0  # 120 clamped
    assert (result.stars, result.listing) == (5, "红榜")


def test_deductions_floor_the_base_at_zero_and_half_points_count():
    result = rate(MEMBER, {"gambling": -60, "late_meeting": -1.5, "appraisal_percent": 50})
    assert scores(result)["base"] == 0.0
    assert result.total == 10.0
    assert (result.stars, result.listing) == (1, "白榜")
    assert rate(MEMBER, {"late_meeting": -1.5}).total == 48.5


def test_a_correction_cannot_push_an_item_below_zero():
    # Corrections are ledger entries of -points; their sum never turns study into a deduction.
    assert scores(rate(MEMBER, {"study": -4}))["role"] == 0.0
    assert scores(rate(MEMBER, {"miss_meeting": 3}))["base"] == 50.0


@pytest.mark.parametrize(
    "total_values, normal_stars, strict_stars",
    [
        ({"appraisal_percent": 100, "commitments_fulfilled": 1, "study": 10}, 5, 4),  # 90
        ({"appraisal_percent": 100, "commitments_fulfilled": 1, "study": 10, "late_meeting": -0.5}, 4, 3),  # 89.5
        ({"appraisal_percent": 100, "commitments_fulfilled": 1, "study": 12, "post_duty": 4}, 5, 5),  # 96
        ({"appraisal_percent": 45, "commitments_fulfilled": 0}, 1, 0),  # 59
    ],
)
def test_thresholds_of_both_shipped_variants(total_values, normal_stars, strict_stars):
    assert rate(MEMBER, total_values).stars == normal_stars
    assert rate(STRICT, total_values).stars == strict_stars


def test_veto_wins_over_a_perfect_score():
    values = {
        "study": 12,
        "theme_party_day": 8,
        "post_duty": 10,
        "commitments_fulfilled": 1,
        "appraisal_percent": 100,
        "moral_model": 5,
        "crime": 1,
    }
    result = rate(MEMBER, values)
    assert result.vetoed and result.veto_items == ["crime"]
    assert (result.total, result.stars, result.listing, result.designations) == (0.0, 0, None, [])


def test_exempt_category_gets_no_stars_but_other_categories_are_rated():
    values = {"commitments_fulfilled": 1, "appraisal_percent": 100}
    exempt = rate(MEMBER, values, category="special")
    assert exempt.exempt and exempt.stars == 0 and exempt.listing is None
    assert exempt.total == 80.0  # the score stays visible; only the star is withheld
    rated = rate(MEMBER, values, category="backbone")
    assert not rated.exempt and rated.stars == 4


def test_unknown_item_is_an_error_naming_it():
    with pytest.raises(RubricError, match=r"^member_points: 对象 7:台账中有评分标准不认识的项目“stduy”$") as caught:
        rate_all(MEMBER, [SubjectInput(7, {"stduy": 2})])
    assert caught.value.code == "unknown_item" and caught.value.params["item"] == "stduy"


@pytest.mark.parametrize(
    "item, value", [("appraisal_percent", 120), ("commitments_fulfilled", 1.5), ("appraisal_percent", float("nan"))]
)
def test_value_outside_its_range_is_an_error_naming_the_item(item, value):
    with pytest.raises(RubricError, match=rf"对象 3:“{item}”的值 .* 超出了允许范围") as caught:
        rate_all(MEMBER, [SubjectInput(3, {item: value})])
    assert caught.value.code == "value_out_of_range" and caught.value.params["item"] == item


def test_same_subject_twice_is_an_error():
    with pytest.raises(RubricError, match="对象 1:在一次评定中出现两次") as caught:
        rate_all(MEMBER, [SubjectInput(1, {}), SubjectInput(1, {})])
    assert caught.value.code == "rated_twice" and caught.value.params["subject"] == 1


def test_result_to_dict_is_plain_json():
    result = rate(MEMBER, {"study": 4, "appraisal_percent": 80})
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["total"] == result.total == 70.0
    assert data["stars"] == 3 and data["rubric"] == "member_points" and data["rubric_version"] == 1
    assert data["breakdown"][1] == {"id": "role", "name": "作用发挥", "score": 4.0, "max": 30.0, "passed": None}


def test_items_describe_what_one_ledger_entry_may_carry():
    study = MEMBER.item("study")
    assert (study.kind, study.component, study.points, study.cap, study.min, study.max) == (
        "event",
        "role",
        2.0,
        12.0,
        -2.0,
        2.0,
    )
    assert study.name == "参加集中学习"
    appraisal = MEMBER.item("appraisal_percent")
    assert (appraisal.kind, appraisal.points, appraisal.min, appraisal.max) == ("value", None, 0.0, 100.0)
    assert MEMBER.item("moral_model").kind == "bonus"
    assert MEMBER.item("crime").kind == "veto"
    assert FIVE_STRONG.item("basic_team").kind == "gate"
    with pytest.raises(KeyError):
        MEMBER.item("nope")


# ---------------------------------------------------------------- ten-star


def ten_star_values(scores_out_of_100):
    return dict(zip(TEN_CRITERIA, scores_out_of_100))


def test_ten_star_counts_criteria_passed_at_80():
    result = rate(TEN_STAR, ten_star_values([80, 79.9, 100, 95, 60, 85, 81, 0, 80, 79]))
    assert result.stars == 6 and result.max_stars == 10
    passed = {row["id"]: row["passed"] for row in result.breakdown}
    assert passed["strong_leadership"] is True and passed["pioneer_members"] is False
    assert result.designations == []


def test_ten_star_reward_from_eight_stars():
    assert rate(TEN_STAR, ten_star_values([90] * 8 + [50, 50])).designations == ["八星级以上奖励"]
    assert rate(TEN_STAR, ten_star_values([90] * 7 + [50] * 3)).designations == []
    ten = rate(TEN_STAR, ten_star_values([100] * 10))
    assert (ten.stars, ten.listing) == (10, "十星级党组织")


def test_ten_star_veto_for_the_year_removes_every_star():
    values = ten_star_values([100] * 10) | {"weak_and_lax": 1}
    result = rate(TEN_STAR, values)
    assert (result.vetoed, result.stars, result.designations) == (True, 0, [])


# ---------------------------------------------------------------- five strong


def five_strong(dimension_scores, **extra):
    return dict(zip(DIMENSIONS, dimension_scores)) | FIVE_BASICS | extra


def test_five_stars_need_the_innovation_project():
    with_project = rate(FIVE_STRONG, five_strong([18] * 5, innovation_project=5))
    assert (with_project.total, with_project.stars) == (95.0, 5)
    without = rate(FIVE_STRONG, five_strong([19] * 5))
    assert (without.total, without.stars) == (95.0, 4)


def test_strongest_branch_designation_boundaries():
    assert rate(FIVE_STRONG, five_strong([18, 18, 18, 18, 18])).designations == ["最强党支部"]
    # One dimension at 15.9 blocks the title even with a very high total.
    blocked = rate(FIVE_STRONG, five_strong([20, 20, 20, 20, 15.9], innovation_project=5, district_honour=5))
    assert blocked.total == 105.9 and blocked.stars == 5 and blocked.designations == []
    assert [row["passed"] for row in blocked.breakdown[:5]] == [True, True, True, True, False]
    # Every dimension exactly 16 but the total is 80: no title either.
    assert rate(FIVE_STRONG, five_strong([16] * 5)).designations == []
    assert rate(FIVE_STRONG, five_strong([16] * 5, innovation_project=5, district_honour=5)).designations == [
        "最强党支部"
    ]
    # A veto removes it.
    vetoed = rate(FIVE_STRONG, five_strong([20] * 5, serious_violation=1))
    assert (vetoed.stars, vetoed.designations) == (0, [])


def test_failed_gate_caps_at_one_star_without_designation():
    values = five_strong([20] * 5, innovation_project=5)
    del values["basic_support"]
    result = rate(FIVE_STRONG, values)
    assert result.total == 105.0 and result.stars == 1 and result.designations == []
    assert result.gate_met is False
    assert result.breakdown[-1] == {"id": "gate", "name": "五个基本", "score": 4.0, "max": 5.0, "passed": False}


# ---------------------------------------------------------------- quota


def quota_subject(subject_id, total):
    """A branch whose five dimensions add up to ``total`` (0..100), all basics met."""
    return SubjectInput(subject_id, five_strong([total / 5] * 5))


def test_quota_shares_on_100_distinct_totals():
    subjects = [quota_subject(i, 61 + i * 0.39) for i in range(100)]
    results = rate_all(QUOTA, subjects)
    counts = [sum(r.stars == s for r in results.values()) for s in (5, 4, 3, 2, 1)]
    assert counts == [10, 30, 30, 30, 0]
    assert results[99].stars == 5 and results[90].stars == 5 and results[89].stars == 4


def test_quota_ties_share_the_better_band_and_order_does_not_matter():
    totals = [100 - i * 0.25 for i in range(100)]
    totals[10] = totals[11] = totals[9]  # positions 10 and 11 tie with the last 5★
    subjects = [quota_subject(i, total) for i, total in enumerate(totals)]
    results = rate_all(QUOTA, subjects)
    assert [results[i].stars for i in (9, 10, 11, 12)] == [5, 5, 5, 4]
    assert sum(r.stars == 5 for r in results.values()) == 12
    assert sum(r.stars == 4 for r in results.values()) == 28  # band still ends at position 40
    shuffled = subjects[:]
    random.Random(4).shuffle(shuffled)
    assert {i: r.stars for i, r in rate_all(QUOTA, shuffled).items()} == {i: r.stars for i, r in results.items()}


def test_quota_small_group_uses_ceiling_and_low_totals_fail():
    results = rate_all(QUOTA, [quota_subject(i, 95 - i * 5) for i in range(7)])  # 95 ... 65
    assert [results[i].stars for i in range(7)] == [5, 4, 4, 3, 3, 2, 2]
    weak = rate_all(QUOTA, [quota_subject(1, 95), quota_subject(2, 55)])
    assert (weak[1].stars, weak[2].stars) == (5, 1)


def test_quota_vetoed_and_gate_failing_subjects():
    subjects = [quota_subject(i, 90 - i) for i in range(10)]
    subjects[0] = SubjectInput(0, five_strong([20] * 5, weak_and_lax=1))
    no_gate = dict(subjects[1].values)
    del no_gate["basic_team"]
    subjects[1] = SubjectInput(1, no_gate)
    results = rate_all(QUOTA, subjects)
    assert (results[0].vetoed, results[0].stars) == (True, 0)
    assert results[1].stars == 1  # would be the top band, capped by the gate
    assert results[2].stars == 4  # the vetoed one is not ranked; the gate-failed one is
    assert sum(r.stars == 5 for r in results.values()) == 0


def test_quota_designation_after_banding():
    results = rate_all(QUOTA, [quota_subject(1, 92), quota_subject(2, 91)])
    assert results[1].designations == ["最强党支部"] == results[2].designations


# ---------------------------------------------------------------- purity and speed


def test_rating_package_imports_neither_flask_nor_peewee():
    package = pathlib.Path(__file__).resolve().parents[1] / "starqr" / "rating"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in {"flask", "peewee", "playhouse"}, f"{path.name} imports {name}"
                if name.startswith("starqr."):  # itself, and the error base (which imports nothing)
                    assert name.startswith("starqr.rating") or name == "starqr.errors", f"{path.name} imports {name}"
