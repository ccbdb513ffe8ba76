"""Loading and validating rubric files.

A rubric file is YAML.  Everything is checked here, once, at load time; the error names
the rubric and the field (``member_points: components[2].max: must be a positive
number``).  Unknown keys are errors too, because a misspelt ``cpa: 12`` would otherwise
silently mean "no cap".  See ``starqr/rubrics/member_points.yaml`` for an annotated file.

What the ledger's entries mean, per item kind (the same for every door):

- event items (``points``, in ``deduct_only`` / ``accumulate`` components) and bonus
  items ACCUMULATE: their entries are summed over the period and the sum is clamped to
  the item's sign and ``cap``;
- value items (the one item of a ``ratio`` / ``scale`` / ``direct`` component: appraisal
  percentages, criterion and dimension scores, shares, areas) and veto / gate flags take
  the LATEST entry of the period; each entry lies within the item's ``min``..``max``;
- items a rubric does not know are ignored by it (kept in the ledger, "not counted").

``party_age: {from: full_membership | joined}`` (optional) says how a member's 党龄 is
counted on their page: from 转正 (the default, as the Party Constitution counts it: a
probationary member has none yet; without a recorded 转正 date, one year after joining),
or from admission for schemes that count it so.

See ``starqr.services.rating_inputs`` for the implementation.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from starqr.rating import engine
from starqr.rating import rubric_sections as sections
from starqr.rating.errors import RubricError
from starqr.rating.model import (
    GATE,
    KINDS,
    SCOPES,
    VETO,
    GatePolicy,
    Item,
    Rubric,
)

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):
    """Safe loader that refuses duplicate mapping keys (YAML keeps the last one silently)."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise RubricError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# ---------------------------------------------------------------- field checking helpers


class _Checker:
    """Small helpers that know which rubric they are checking, for error messages."""

    def __init__(self, key: str = "<rubric>"):
        self.key = key

    def fail(self, path: str, message: str):
        raise RubricError(f"{self.key}: {path}: {message}")

    def mapping(self, value, path, required=(), optional=()):
        if not isinstance(value, dict):
            self.fail(path, "must be a mapping")
        for name in required:
            if name not in value:
                self.fail(f"{path}.{name}" if path else name, "is required")
        allowed = set(required) | set(optional)
        for name in value:
            if name not in allowed:
                self.fail(
                    f"{path}.{name}" if path else str(name), f"unknown field (allowed: {', '.join(sorted(allowed))})"
                )
        return value

    def identifier(self, value, path):
        if not isinstance(value, str) or not IDENTIFIER.match(value):
            self.fail(path, "must be a lowercase ascii snake_case identifier")
        return value

    def text(self, value, path):
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "must be a non-empty string")
        return value.strip()

    def number(self, value, path, positive=False, nonzero=False, minimum=None):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(path, "must be a positive number" if positive else "must be a number")
        if positive and value <= 0:
            self.fail(path, "must be a positive number")
        if nonzero and value == 0:
            self.fail(path, "must not be zero")
        if minimum is not None and value < minimum:
            self.fail(path, f"must be at least {minimum}")
        return float(value)

    def integer(self, value, path, minimum=0):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(path, f"must be an integer >= {minimum}")
        return value

    def boolean(self, value, path):
        if not isinstance(value, bool):
            self.fail(path, "must be true or false")
        return value

    def sequence(self, value, path, non_empty=False):
        if not isinstance(value, list):
            self.fail(path, "must be a list")
        if non_empty and not value:
            self.fail(path, "must not be empty")
        return value


# ---------------------------------------------------------------- public entry points


def load_rubric(path) -> Rubric:
    """Read and validate a rubric file; raises :class:`RubricError`."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return load_rubric_text(text)


def load_rubric_text(text: str) -> Rubric:
    """Parse and validate rubric YAML text; raises :class:`RubricError`."""
    if not isinstance(text, str):
        raise RubricError("<rubric>: text must be a string")
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except RubricError:
        raise
    except yaml.YAMLError as exc:
        raise RubricError(f"<rubric>: not valid YAML: {exc}") from None
    return build_rubric(data, text)


TOP_LEVEL_REQUIRED = ("key", "version", "name", "scope", "kind", "components")
TOP_LEVEL_OPTIONAL = (
    "description",
    "items",
    "bonus",
    "gate",
    "veto",
    "total",
    "exempt",
    "stars",
    "quota",
    "designations",
    "listing",
    "party_age",
)
PARTY_AGE_BASES = ("full_membership", "joined")


def build_rubric(data: Any, text: str = "") -> Rubric:
    check = _Checker()
    if not isinstance(data, dict):
        check.fail("(top level)", "must be a mapping")
    if "key" in data:
        check.identifier(data["key"], "key")
        check.key = data["key"]
    check.mapping(data, "", TOP_LEVEL_REQUIRED, TOP_LEVEL_OPTIONAL)
    key = data["key"]
    version = check.integer(data["version"], "version", minimum=1)
    name = check.text(data["name"], "name")
    scope = data["scope"]
    if scope not in SCOPES:
        check.fail("scope", f"must be one of {', '.join(SCOPES)}")
    kind = data["kind"]
    if kind not in KINDS:
        check.fail("kind", f"must be one of {', '.join(KINDS)}")
    description = data.get("description", "")
    if description:
        description = check.text(description, "description")

    components = sections.read_components(check, data["components"])
    component_by_id = {component.id: component for component in components}
    items: list[Item] = []
    item_ids: set[str] = set()

    def register(item: Item, path: str):
        if item.id in item_ids:
            check.fail(path, f"duplicate item id {item.id!r}")
        item_ids.add(item.id)
        items.append(item)

    for index, raw in enumerate(check.sequence(data.get("items", []), "items")):
        path = f"items[{index}]"
        register(sections.read_component_item(check, raw, path, component_by_id), path)
    sections.check_component_items(check, components, items)

    bonus_name, bonus_cap = "加分", 0.0
    if "bonus" in data:
        bonus = check.mapping(data["bonus"], "bonus", ("cap",), ("name", "items"))
        bonus_cap = check.number(bonus["cap"], "bonus.cap", positive=True)
        bonus_name = check.text(bonus.get("name", bonus_name), "bonus.name")
        for index, raw in enumerate(check.sequence(bonus.get("items", []), "bonus.items")):
            path = f"bonus.items[{index}]"
            register(sections.read_bonus_item(check, raw, path), path)

    veto_ids = []
    for index, raw in enumerate(check.sequence(data.get("veto", []), "veto")):
        path = f"veto[{index}]"
        item = sections.read_flag_item(check, raw, path, VETO)
        register(item, path)
        veto_ids.append(item.id)

    gate_ids, gate = [], None
    if "gate" in data:
        raw_gate = check.mapping(data["gate"], "gate", ("items", "on_fail"), ("name",))
        on_fail = check.mapping(raw_gate["on_fail"], "gate.on_fail", ("max_stars", "designations"))
        gate = GatePolicy(
            name=check.text(raw_gate.get("name", "基本条件"), "gate.name"),
            max_stars=check.integer(on_fail["max_stars"], "gate.on_fail.max_stars"),
            designations=check.boolean(on_fail["designations"], "gate.on_fail.designations"),
        )
        for index, raw in enumerate(check.sequence(raw_gate["items"], "gate.items", non_empty=True)):
            path = f"gate.items[{index}]"
            item = sections.read_flag_item(check, raw, path, GATE)
            register(item, path)
            gate_ids.append(item.id)

    natural_max = sum(component.max for component in components) + bonus_cap
    total_min, total_max = 0.0, natural_max
    if "total" in data:
        total = check.mapping(data["total"], "total", ("clamp",))
        clamp = check.sequence(total["clamp"], "total.clamp")
        if len(clamp) != 2:
            check.fail("total.clamp", "must be [low, high]")
        total_min = check.number(clamp[0], "total.clamp[0]")
        total_max = check.number(clamp[1], "total.clamp[1]")
        if total_min >= total_max:
            check.fail("total.clamp", "low must be below high")

    exempt = frozenset()
    if "exempt" in data:
        raw_exempt = check.mapping(data["exempt"], "exempt", ("categories",))
        categories = check.sequence(raw_exempt["categories"], "exempt.categories", non_empty=True)
        exempt = frozenset(check.text(c, f"exempt.categories[{i}]") for i, c in enumerate(categories))

    star_rules, quota_bands, fail_below = (), (), None
    if kind == "quota":
        if "stars" in data:
            check.fail("stars", "a quota rubric gives stars by rank; use 'quota' instead")
        if "quota" not in data:
            check.fail("quota", "is required for kind 'quota'")
        quota_bands, fail_below = sections.read_quota(check, data["quota"])
        max_stars = quota_bands[0].stars
    else:
        if "quota" in data:
            check.fail("quota", f"only allowed for kind 'quota', not {kind!r}")
        if "stars" not in data:
            check.fail("stars", "is required")
        if kind == "pass_fail":
            if data["stars"] != "passed_count":
                check.fail("stars", "must be 'passed_count' for kind 'pass_fail' (one star per criterion passed)")
            for index, component in enumerate(components):
                if component.pass_at is None:
                    check.fail(f"components[{index}].pass_at", "is required for kind 'pass_fail'")
            max_stars = len(components)
        else:
            star_rules = sections.read_star_rules(check, data["stars"], item_ids)
            max_stars = max(rule.stars for rule in star_rules)
    if gate is not None and gate.max_stars > max_stars:
        check.fail("gate.on_fail.max_stars", f"must not exceed the rubric's {max_stars} stars")

    designations = tuple(
        sections.read_designation(check, raw, f"designations[{index}]", item_ids, components)
        for index, raw in enumerate(check.sequence(data.get("designations", []), "designations"))
    )

    listing: dict[int, str] = {}
    for index, raw in enumerate(check.sequence(data.get("listing", []), "listing")):
        path = f"listing[{index}]"
        entry = check.mapping(raw, path, ("name", "stars"))
        list_name = check.text(entry["name"], f"{path}.name")
        for star_index, stars in enumerate(check.sequence(entry["stars"], f"{path}.stars", non_empty=True)):
            star_path = f"{path}.stars[{star_index}]"
            check.integer(stars, star_path)
            if stars > max_stars:
                check.fail(star_path, f"must not exceed the rubric's {max_stars} stars")
            if stars in listing:
                check.fail(star_path, f"{stars} stars already listed as {listing[stars]}")
            listing[stars] = list_name

    party_age_from = "full_membership"
    if "party_age" in data:
        party_age = check.mapping(data["party_age"], "party_age", ("from",))
        if party_age["from"] not in PARTY_AGE_BASES:
            check.fail("party_age.from", f"must be one of {', '.join(PARTY_AGE_BASES)}")
        party_age_from = party_age["from"]

    rubric = Rubric(
        key=key,
        version=version,
        scope=scope,
        name=name,
        kind=kind,
        text=text,
        description=description,
        components=tuple(components),
        items=items,
        bonus_name=bonus_name,
        bonus_cap=bonus_cap,
        total_min=total_min,
        total_max=total_max,
        veto_ids=tuple(veto_ids),
        gate_ids=tuple(gate_ids),
        gate=gate,
        exempt_categories=exempt,
        star_rules=star_rules,
        quota_bands=quota_bands,
        quota_fail_below=fail_below,
        designations=designations,
        listing=listing,
        max_stars=max_stars,
        _items_by_id={item.id: item for item in items},
        party_age_from=party_age_from,
    )
    engine.compile_rubric(rubric)
    return rubric
