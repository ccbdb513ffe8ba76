"""整乡推进示范苏木镇: a town designation derived from its branches' published results.

The threshold is set in starqr/rubrics/towns/demonstration_town.yaml. No Flask here.
"""

import os

import yaml

from starqr.models import ORGANISATION, Organisation, Rating, RatingPeriod
from starqr.services.org_paths import below

TOWN_RULES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "rubrics", "towns", "demonstration_town.yaml")


def town_rules():
    with open(TOWN_RULES, encoding="utf-8") as handle:
        return yaml.safe_load(handle.read())


def town_designation(town, rules=None):
    """Does TOWN earn 整乡推进示范苏木镇? From its branches' newest published results.

    {"name", "qualifies", "branches", "counting", "share", "threshold"} or None for a non-town.
    """
    if town is None or town.level != "town":
        return None
    rules = rules or town_rules()
    branch_ids = [b.id for b in Organisation.select(Organisation.id).where(below(town), Organisation.level == "branch")]
    newest = {}
    if branch_ids:
        query = (
            Rating.select(Rating.subject_id, Rating.stars, Rating.max_stars, Rating.designations, Rating.vetoed)
            .join(RatingPeriod)
            .where(
                Rating.subject_kind == ORGANISATION,
                Rating.subject_id.in_(branch_ids),
                Rating.published == True,
                RatingPeriod.state.in_(("notice", "final")),
            )
            .order_by(RatingPeriod.year, Rating.id)
        )
        for row in query:
            newest[row.subject_id] = row  # the newest published period wins
    counting = 0
    for row in newest.values():
        if row.vetoed:
            continue
        ten = row.max_stars >= 10
        if (
            rules.get("designation") in (row.designations or [])
            or (not ten and row.stars >= rules.get("min_stars_five", 5))
            or (ten and row.stars >= rules.get("min_stars_ten", 8))
        ):
            counting += 1
    total = len(branch_ids)
    share = counting / total if total else 0.0
    threshold = float(rules.get("share", 0.6))
    return {
        "name": rules.get("name", "整乡推进示范苏木镇"),
        "branches": total,
        "counting": counting,
        "share": round(share, 3),
        "threshold": threshold,
        "qualifies": total >= int(rules.get("min_branches", 1)) and share >= threshold,
    }
