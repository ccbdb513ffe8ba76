"""Designations (荣誉称号): which of a rubric's titles a rated subject earns.

Shared by the threshold engine and the quota bands (rating/engine.py, rating/quota.py).
"""


def designations_met(designations, total, stars, all_passed, values) -> list:
    """Names of the designations whose every condition holds (vetoes are handled before)."""
    titles = []
    for designation in designations:
        if designation.min_total is not None and total < designation.min_total:
            continue
        if designation.min_stars is not None and stars < designation.min_stars:
            continue
        if designation.all_components_pass and not all_passed:
            continue
        if designation.requires and not all(values.get(r, 0) > 0 for r in designation.requires):
            continue
        titles.append(designation.name)
    return titles
