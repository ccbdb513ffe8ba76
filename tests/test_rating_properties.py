"""Properties of the rating engine over every shipped rubric (hypothesis)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from starqr.rating import SubjectInput, rate_all, shipped_rubrics

RUBRICS = shipped_rubrics()
THRESHOLD_RUBRICS = sorted(key for key, rubric in RUBRICS.items() if rubric.kind != "quota")
QUOTA = RUBRICS["branch_quota"]
SETTINGS = settings(max_examples=150, deadline=None)


def half_points(limit):
    return st.integers(-2 * limit, 2 * limit).map(lambda n: n / 2)


def item_value(item):
    """Plausible period values for one item, including corrections past the caps."""
    if item.kind == "event":
        return half_points(int((item.cap or 20) * 1.5))
    if item.kind == "bonus":
        return st.integers(0, 4).map(lambda n: n * item.points)
    if item.kind == "value":
        return st.floats(item.min, item.max, allow_nan=False)
    if item.kind == "gate":
        return st.sampled_from([0, 1])
    raise AssertionError(item.kind)


def values_for(rubric):
    """Values for every kind of item except vetoes (those are tested on their own)."""
    return st.fixed_dictionaries(
        {}, optional={item.id: item_value(item) for item in rubric.items if item.kind != "veto"}
    )


def rate(rubric, values):
    return rate_all(rubric, [SubjectInput(1, values)])[1]


def raised(item, values, step):
    """``values`` with ``item`` raised by ``step`` (within the item's range for value items)."""
    current = values.get(item.id)
    if item.kind == "value":
        new = item.min + step if current is None else current + step
        return values | {item.id: min(item.max, new)}
    if item.kind == "gate":
        return values | {item.id: 1}
    return values | {item.id: (current or 0) + step}


@st.composite
def rubric_values_and_raise(draw):
    rubric = RUBRICS[draw(st.sampled_from(THRESHOLD_RUBRICS))]
    values = draw(values_for(rubric))
    item = draw(st.sampled_from([i for i in rubric.items if i.kind != "veto"]))
    step = draw(st.floats(0.01, 50, allow_nan=False))
    return rubric, values, item, step


@SETTINGS
@given(rubric_values_and_raise())
def test_raising_any_item_never_lowers_total_stars_or_designations(case):
    rubric, values, item, step = case
    before, after = rate(rubric, values), rate(rubric, raised(item, values, step))
    assert after.total >= before.total
    assert after.stars >= before.stars
    assert set(after.designations) >= set(before.designations)


@SETTINGS
@given(
    st.sampled_from(THRESHOLD_RUBRICS).flatmap(lambda key: st.tuples(st.just(RUBRICS[key]), values_for(RUBRICS[key])))
)
def test_caps_and_clamp_hold(case):
    rubric, values = case
    result = rate(rubric, values)
    for row in result.breakdown:
        assert 0 <= row["score"] <= row["max"], row
    for item in rubric.items:
        if item.kind == "event" and item.cap and item.id in values:
            # An item never brings its component more than its cap.
            alone = rate(rubric, {item.id: values[item.id]})
            empty = rate(rubric, {})
            component = [row["score"] for row in alone.breakdown if row["id"] == item.component][0]
            baseline = [row["score"] for row in empty.breakdown if row["id"] == item.component][0]
            assert abs(component - baseline) <= item.cap + 1e-9
    assert rubric.total_min <= result.total <= rubric.total_max
    assert 0 <= result.stars <= rubric.max_stars


@SETTINGS
@given(
    st.sampled_from(sorted(RUBRICS)).flatmap(
        lambda key: st.tuples(
            st.just(RUBRICS[key]), values_for(RUBRICS[key]), st.sampled_from(RUBRICS[key].veto_ids), st.floats(0.01, 5)
        )
    )
)
def test_a_veto_always_wins(case):
    rubric, values, veto_id, amount = case
    results = rate_all(rubric, [SubjectInput(1, values | {veto_id: amount}), SubjectInput(2, values)])
    vetoed = results[1]
    assert vetoed.vetoed and veto_id in vetoed.veto_items
    assert (vetoed.total, vetoed.stars, vetoed.designations, vetoed.listing) == (0.0, 0, [], None)


dimension_scores = st.lists(st.integers(0, 40).map(lambda n: n / 2), min_size=5, max_size=5)


def quota_subject(subject_id, scores, gate=True):
    values = dict(zip([c.id for c in QUOTA.components], scores))
    if gate:
        values |= {gate_id: 1 for gate_id in QUOTA.gate_ids}
    return SubjectInput(subject_id, values)


@SETTINGS
@given(st.lists(dimension_scores, min_size=1, max_size=60))
def test_quota_shares_hold_up_to_ties(all_scores):
    results = rate_all(QUOTA, [quota_subject(i, s) for i, s in enumerate(all_scores)])
    n = len(results)
    totals = sorted((r.total for r in results.values()), reverse=True)
    top = math.ceil(round(0.1 * n, 9))
    five = [r for r in results.values() if r.stars == 5]
    # At most ceil(10% n), plus those tied with the last subject inside the 10%.
    assert len(five) <= sum(1 for t in totals if t >= totals[top - 1])
    if len(set(totals)) == n:
        assert len(five) == sum(1 for t in totals[:top] if t >= 60)  # below 60 fails anyway
    # Equal totals, equal stars; a higher total never gets fewer stars.
    ranked = sorted(results.values(), key=lambda r: -r.total)
    for higher, lower in zip(ranked, ranked[1:]):
        assert higher.stars >= lower.stars
        if higher.total == lower.total:
            assert higher.stars == lower.stars


@SETTINGS
@given(st.lists(dimension_scores, min_size=2, max_size=40), st.data())
def test_quota_raising_one_subject_never_lowers_its_stars(all_scores, data):
    who = data.draw(st.integers(0, len(all_scores) - 1))
    dimension = data.draw(st.integers(0, 4))
    step = data.draw(st.integers(1, 40).map(lambda n: n / 2))
    better = [list(s) for s in all_scores]
    better[who][dimension] = min(20, better[who][dimension] + step)
    before = rate_all(QUOTA, [quota_subject(i, s) for i, s in enumerate(all_scores)])[who]
    after = rate_all(QUOTA, [quota_subject(i, s) for i, s in enumerate(better)])[who]
    assert after.stars >= before.stars


@pytest.mark.parametrize("key", sorted(RUBRICS))
def test_exempt_categories_never_get_stars(key):
    rubric = RUBRICS[key]
    for category in rubric.exempt_categories:
        values = {item.id: item.max for item in rubric.items if item.kind in ("value", "gate")}
        result = rate_all(rubric, [SubjectInput(5, values, category)])[5]
        assert result.exempt and result.stars == 0 and result.listing is None and result.designations == []
