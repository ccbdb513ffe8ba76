"""Rating subjects against a rubric: plain data in, plain data out.

How one subject is rated (every rubric kind):

1. Each value is checked and routed to its item (unknown item ids raise
   :class:`RubricError`, value items outside their range too).  An event item's period
   sum is clamped to its sign and its ``cap``: a +2 item contributes 0..cap and a -1
   item contributes -cap..0, so corrections can never push an item past its limits.
2. Components turn their items into a score in 0..max (see ``model.MODES``); bonus items
   add up to the bonus cap; the total is clamped and rounded to 2 decimals.
3. Stars: threshold rules (first rule whose ``min`` and ``requires`` hold), or the number
   of criteria passed, or rank bands for quota rubrics (see :mod:`starqr.rating.quota`).
4. A veto wins over everything: total 0, no stars, no designation, no listing.  An exempt
   category gets its total and breakdown but no stars, designation or listing.  A failed
   gate caps the stars and may withhold designations, as the rubric file says.

Speed: :func:`compile_rubric` turns each item into a flat tuple once per rubric, so the
per-subject loop does one dict lookup per value and a few float operations; a subject's
breakdown (a list of dicts) is only built when someone asks for it.
"""

from __future__ import annotations

from typing import Iterable

from starqr.rating import quota
from starqr.rating.designations import designations_met
from starqr.errors import N_
from starqr.rating.errors import RubricError, SubjectInputError
from starqr.rating.records import RatingResult, SubjectInput
from starqr.rating.model import (
    ACCUMULATE,
    BONUS,
    DEDUCT_ONLY,
    DIRECT,
    EVENT,
    GATE,
    RATIO,
    SCALE,
    VALUE,
    VETO,
    Rubric,
)

INFINITY = float("inf")

# Item spec codes (first element of each tuple in Rubric._item_specs).
_POSITIVE_EVENT, _NEGATIVE_EVENT, _VALUE, _BONUS, _VETO, _GATE = range(6)
# Component mode codes (first element of each tuple in Rubric._component_specs).
_MODE_CODES = {DEDUCT_ONLY: 0, ACCUMULATE: 1, RATIO: 2, SCALE: 3, DIRECT: 4}


# ---------------------------------------------------------------- compilation


def compile_rubric(rubric: Rubric) -> None:
    """Precompute the flat lookup tables the rating loop uses (called once at load)."""
    component_index = {component.id: index for index, component in enumerate(rubric.components)}
    specs: dict[str, tuple] = {}
    for item in rubric.items:
        if item.kind == EVENT:
            index = component_index[item.component]
            if item.points > 0:
                specs[item.id] = (_POSITIVE_EVENT, index, item.cap or INFINITY, 0.0)
            else:
                specs[item.id] = (_NEGATIVE_EVENT, index, -(item.cap or INFINITY), 0.0)
        elif item.kind == VALUE:
            specs[item.id] = (_VALUE, component_index[item.component], item.min, item.max)
        elif item.kind == BONUS:
            specs[item.id] = (_BONUS, 0, item.cap or INFINITY, 0.0)
        elif item.kind == VETO:
            specs[item.id] = (_VETO, 0, 0.0, 0.0)
        elif item.kind == GATE:
            specs[item.id] = (_GATE, 0, 0.0, 0.0)
    component_specs = tuple((_MODE_CODES[c.mode], c.max, c.factor or 1.0) for c in rubric.components)
    # The model is frozen for callers; these two tables are filled in exactly once, here.
    object.__setattr__(rubric, "_item_specs", specs)
    object.__setattr__(rubric, "_component_specs", component_specs)


# ---------------------------------------------------------------- rating


def rate_all(
    rubric: Rubric, inputs: Iterable[SubjectInput], errors: dict | None = None, ignore_unknown: bool = False
) -> dict[int, RatingResult]:
    """Rate every subject; returns subject id -> result.

    Works for every rubric kind.  For quota rubrics the stars depend on the whole group,
    so pass every subject rated together in one call.

    A subject whose values this rubric cannot rate raises :class:`SubjectInputError`; with
    ERRORS (a dict) given, that subject is left out and ERRORS[subject id] holds the error
    instead, so one subject's bad data never stops anyone else's rating.  IGNORE_UNKNOWN
    skips values of items the rubric does not know (a member transferred from a branch
    rated by another rubric); the caller shows them as "not counted under this rubric".
    """
    results: dict[int, RatingResult] = {}
    key = rubric.key
    item_specs = rubric._item_specs
    component_specs = rubric._component_specs
    component_count = len(component_specs)
    zeros = [0.0] * component_count
    bonus_cap = rubric.bonus_cap
    total_min, total_max = rubric.total_min, rubric.total_max
    exempt_categories = rubric.exempt_categories
    gate_count = len(rubric.gate_ids)
    gate = rubric.gate
    kind = rubric.kind
    star_rules = tuple((rule.min, rule.stars, rule.requires) for rule in rubric.star_rules)
    pass_marks = [c.pass_at for c in rubric.components]
    needs_passes = kind == "pass_fail" or any(d.all_components_pass for d in rubric.designations)
    designations = rubric.designations
    listing = rubric.listing
    empty: tuple = ()
    new_result = tuple.__new__  # bypasses RatingResult.__new__'s argument shuffling
    pending: list = []

    for subject in inputs:
        subject_id = subject.subject_id
        if subject_id in results or (errors is not None and subject_id in errors):
            raise RubricError(
                N_("%(key)s: 对象 %(subject)s:在一次评定中出现两次"), code="rated_twice", key=key, subject=subject_id
            )
        values = subject.values
        sums = zeros[:]
        bonus = 0.0
        vetoes = None
        gates = 0
        # Literal codes rather than the _POSITIVE_EVENT... names: a global lookup per value
        # costs measurable time at a million values.  0 +event, 1 -event, 2 value, 3 bonus,
        # 4 veto, 5 gate (see compile_rubric).
        try:
            for item_id, value in values.items():
                spec = item_specs.get(item_id)
                if spec is None:
                    if ignore_unknown:
                        continue
                    _check_values(item_specs, key, subject_id, values, ignore_unknown)
                code, index, low, high = spec
                if code == 0:
                    if value > 0:
                        sums[index] += value if value < low else low  # low holds the cap
                    elif value != value:
                        _check_values(item_specs, key, subject_id, values, ignore_unknown)
                elif code == 1:
                    if value < 0:
                        sums[index] += value if value > low else low  # low holds -cap
                    elif value != value:
                        _check_values(item_specs, key, subject_id, values, ignore_unknown)
                elif code == 2:
                    if not (low <= value <= high):
                        _check_values(item_specs, key, subject_id, values, ignore_unknown)
                    sums[index] = value
                elif code == 3:
                    if value > 0:
                        bonus += value if value < low else low  # low holds the cap
                elif code == 4:
                    if value > 0:
                        if vetoes is None:
                            vetoes = []
                        vetoes.append(item_id)
                elif value > 0:  # 5: gate
                    gates += 1
        except SubjectInputError as error:
            if errors is None:
                raise
            errors[subject_id] = error
            continue

        # Components: turn raw sums into scores within 0..max.
        scores = sums
        total = 0.0
        for index, (mode, maximum, factor) in enumerate(component_specs):
            raw = sums[index]
            if mode == 0:  # deduct_only: raw is the (negative) sum of deductions
                score = maximum + raw
            elif mode == 2:  # ratio
                score = raw * maximum
            elif mode == 3:  # scale
                score = raw * factor
            else:  # accumulate, direct
                score = raw
            if score > maximum:
                score = maximum
            elif score < 0.0:
                score = 0.0
            scores[index] = score
            total += score
        if bonus > bonus_cap:
            bonus = bonus_cap
        total += bonus
        if total > total_max:
            total = total_max
        elif total < total_min:
            total = total_min
        total = round(total, 2)
        gate_met = gates == gate_count

        if vetoes is not None:
            results[subject_id] = new_result(
                RatingResult,
                (
                    rubric,
                    subject_id,
                    0.0,
                    0,
                    True,
                    vetoes,
                    subject.category in exempt_categories,
                    [],
                    None,
                    gate_met,
                    scores,
                    bonus,
                    gates,
                ),
            )
            continue
        if subject.category in exempt_categories:
            results[subject_id] = new_result(
                RatingResult,
                (rubric, subject_id, total, 0, False, empty, True, [], None, gate_met, scores, bonus, gates),
            )
            continue

        passes = None
        if needs_passes:
            passes = 0
            for index in range(component_count):
                mark = pass_marks[index]
                if mark is not None and round(scores[index], 2) >= mark:
                    passes += 1

        if kind == "quota":
            # Stars depend on everyone's total; keep what the designations need for later.
            pending.append((subject_id, total, passes, values))
            stars = 0
        elif kind == "pass_fail":
            stars = passes
        else:
            stars = 0
            for minimum, rule_stars, requires in star_rules:
                if total >= minimum and (not requires or all(values.get(r, 0) > 0 for r in requires)):
                    stars = rule_stars
                    break
        if not gate_met and stars > gate.max_stars:
            stars = gate.max_stars
        titles = []
        if designations and kind != "quota" and (gate_met or gate.designations):
            titles = designations_met(designations, total, stars, passes == component_count, values)
        results[subject_id] = new_result(
            RatingResult,
            (
                rubric,
                subject_id,
                total,
                stars,
                False,
                empty,
                False,
                titles,
                listing.get(stars),
                gate_met,
                scores,
                bonus,
                gates,
            ),
        )

    if kind == "quota":
        quota.assign_stars(rubric, results, pending)
    return results


def _check_values(item_specs, key, subject_id, values, ignore_unknown):
    """Raise SubjectInputError for the first value this rubric cannot rate (the slow path:
    only called once the rating loop has met a value it cannot take)."""
    for item_id, value in values.items():
        spec = item_specs.get(item_id)
        if spec is None:
            if ignore_unknown:
                continue
            raise SubjectInputError(
                N_("%(key)s: 对象 %(subject)s:台账中有评分标准不认识的项目“%(item)s”"),
                subject_id,
                "unknown_item",
                key=key,
                item=item_id,
            )
        if spec[0] == 2 and not (spec[2] <= value <= spec[3]):
            raise SubjectInputError(
                N_("%(key)s: 对象 %(subject)s:“%(item)s”的值 %(value)s 超出了允许范围 %(low)s–%(high)s"),
                subject_id,
                "value_out_of_range",
                key=key,
                item=item_id,
                value=_shown(value),
                low=_shown(spec[2]),
                high=_shown(spec[3]),
            )
        if value != value:
            raise SubjectInputError(
                N_("%(key)s: 对象 %(subject)s:“%(item)s”的值不是有效数字"),
                subject_id,
                "not_a_number",
                key=key,
                item=item_id,
            )


def _shown(number):
    """NUMBER as a person writes it: 1 rather than 1.0."""
    return int(number) if isinstance(number, float) and number.is_integer() else number
