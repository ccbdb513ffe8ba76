"""The rubric engine: rubric files in, star ratings out.  No Flask, no peewee.

    from starqr.rating import load_rubric, rate_all, SubjectInput
    rubric = load_rubric("starqr/rubrics/member_points.yaml")
    results = rate_all(rubric, [SubjectInput(7, {"study": 14, "miss_meeting": -2})])

A rubric is a YAML file (format: :mod:`starqr.rating.schema`; annotated example:
``starqr/rubrics/member_points.yaml``).  Four kinds share one engine
(:mod:`starqr.rating.engine`):

- ``points``: components (deduct_only / accumulate / ratio / scale / direct), bonus, clamp,
  threshold stars (党员积分制);
- ``pass_fail``: one star per criterion passed (十星级);
- ``dimensions``: scored dimensions with a gate and designations (五强, 四强四优, 双强六好);
- ``quota``: stars by rank share.  Tie rule (documented fully in :mod:`starqr.rating.quota`):
  order by total descending then subject id; band ends at ceil(cumulative share × n);
  equal totals share the better band; vetoed and exempt subjects are not ranked.

Veto (一票否决) always wins: total 0, 0 stars, no designation, no listing.
"""

from __future__ import annotations

import functools
import os

from starqr.rating.engine import rate_all
from starqr.rating.records import RatingResult, SubjectInput
from starqr.errors import N_
from starqr.rating.errors import RubricError, RubricFieldError, SubjectInputError
from starqr.rating.model import Component, Item, Rubric
from starqr.rating.schema import load_rubric, load_rubric_text

RUBRICS_DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rubrics")

# Organisation domain (as stored on an organisation) -> key of the rubric rating it.
DOMAIN_RUBRICS = {
    "rural": "village_ten_star",
    "community": "community_five_strong",
    "organ": "organ_five_strong",
    "state_enterprise": "soe_four_strong",
    "private_enterprise": "private_two_strong_six_good",
    "social": "social_five_strong",
}

# Organisation domain -> key of the rubric rating that organisation's members.
MEMBER_RUBRIC_BY_DOMAIN = {
    "rural": "member_points",
    "community": "member_points",
    "organ": "member_points",
    "state_enterprise": "soe_member_four_excellent",
    "private_enterprise": "member_points",
    "social": "member_points",
}


@functools.lru_cache(maxsize=1)
def _load_shipped() -> tuple[Rubric, ...]:
    rubrics = []
    for filename in sorted(os.listdir(RUBRICS_DIRECTORY)):
        if filename.endswith(".yaml"):
            rubric = load_rubric(os.path.join(RUBRICS_DIRECTORY, filename))
            if rubric.key != filename[: -len(".yaml")]:
                # The file name is how operators find a rubric; keep it equal to the key.
                raise RubricFieldError(
                    rubric.key, "key", N_("与文件名 %(file)s 不一致"), "rubric_key_not_file_name", file=filename
                )
            rubrics.append(rubric)
    return tuple(rubrics)


def shipped_rubrics() -> dict[str, Rubric]:
    """Every rubric file in ``starqr/rubrics/``, by key (loaded and validated once)."""
    return {rubric.key: rubric for rubric in _load_shipped()}


__all__ = [
    "Component",
    "DOMAIN_RUBRICS",
    "Item",
    "MEMBER_RUBRIC_BY_DOMAIN",
    "RUBRICS_DIRECTORY",
    "RatingResult",
    "Rubric",
    "RubricError",
    "SubjectInput",
    "SubjectInputError",
    "load_rubric",
    "load_rubric_text",
    "rate_all",
    "shipped_rubrics",
]
