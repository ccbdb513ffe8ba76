"""Why a rating has its stars, as plain data the public page turns into one short sentence.

Everything here is inferred from the stored rating (total, stars, breakdown) and the
rubric version that produced it, so an archived rating is explained by the rules it was
rated under, not today's. Names are the rubric's Chinese names; the page translates them
through the catalogue (see starqr/i18n_extract.py).
"""


def number(value):
    """A figure as the public page shows it: a whole number as an int, else to 2 places (None stays)."""
    if value is None:
        return None
    value = float(value)
    return int(value) if value == int(value) else round(value, 2)


def _item_name(rubric, item_id):
    try:
        return rubric.item(item_id).name
    except KeyError:
        return item_id


def item_names(rubric, item_ids):
    """The rubric's names for these item ids (veto items, requirements)."""
    return [_item_name(rubric, item_id) for item_id in item_ids or ()]


def pass_marks(rubric):
    """{component id: pass mark} for components that have one."""
    return {c.id: number(c.pass_at) for c in rubric.components if c.pass_at is not None}


def explain(rubric, rating):
    """What the stars rest on, the threshold that decided them, what capped them, what was missing.

    RATING is the public rating dict (total, stars, max_stars, vetoed, exempt, breakdown).
    Returns None for vetoed or exempt ratings (the page says why already).
    """
    if rating["vetoed"] or rating["exempt"]:
        return None
    total, stars = rating["total"], rating["stars"]
    gate_row = next((b for b in rating["breakdown"] if b.get("id") == "gate"), None)
    gate_failed = gate_row is not None and gate_row.get("passed") is False
    why = {
        "basis": rubric.kind,
        "threshold": None,
        "gate": None,
        "gate_max_stars": None,
        "next_stars": None,
        "next_min": None,
        "points_short": None,
        "missing": [],
        "passed": None,
        "pass_mark": None,
        "criteria": None,
    }
    if gate_failed and rubric.gate is not None:
        why["gate"] = rubric.gate.name
        why["gate_max_stars"] = rubric.gate.max_stars
    if rubric.kind == "pass_fail":
        marks = [c.pass_at for c in rubric.components if c.pass_at is not None]
        why["passed"] = sum(1 for b in rating["breakdown"] if b.get("passed") is True and b.get("id") != "gate")
        why["criteria"] = len(marks)
        why["pass_mark"] = number(min(marks)) if marks else None
        if stars < rating["max_stars"] and not gate_failed:
            why["next_stars"] = stars + 1
        return why
    if rubric.kind == "quota":
        if rubric.quota_fail_below and total < rubric.quota_fail_below[0]:
            why["threshold"] = number(rubric.quota_fail_below[0])
        return why
    # Threshold rubrics (points, dimensions): the first rule the total reaches decided.
    rules = sorted(rubric.star_rules, key=lambda rule: -rule.min)
    reached = next((rule for rule in rules if total >= rule.min), None)
    for rule in rules:
        if total >= rule.min and rule.stars == stars:
            why["threshold"] = number(rule.min)
            break
    if gate_failed:
        return why
    if reached is not None and reached.stars > stars and reached.requires:
        # The total was enough for more stars; a required item was missing.
        why["next_stars"] = reached.stars
        why["next_min"] = number(reached.min)
        why["missing"] = item_names(rubric, reached.requires)
        return why
    higher = [rule for rule in rules if rule.stars > stars]
    if higher:
        nearest = min(higher, key=lambda rule: rule.stars)
        why["next_stars"] = nearest.stars
        why["next_min"] = number(nearest.min)
        why["points_short"] = number(max(nearest.min - total, 0))
        why["missing"] = item_names(rubric, nearest.requires)
    return why
