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
from starqr.rating.errors import RubricError
from starqr.rating.model import (
    ACCUMULATE,
    BONUS,
    DEDUCT_ONLY,
    DIRECT,
    EVENT,
    GATE,
    KINDS,
    MODES,
    RATIO,
    SCALE,
    SCOPES,
    VALUE,
    VALUE_MODES,
    VETO,
    Component,
    Designation,
    GatePolicy,
    Item,
    QuotaBand,
    Rubric,
    StarRule,
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

    components = _components(check, data["components"])
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
        register(_component_item(check, raw, path, component_by_id), path)
    _check_component_items(check, components, items)

    bonus_name, bonus_cap = "加分", 0.0
    if "bonus" in data:
        bonus = check.mapping(data["bonus"], "bonus", ("cap",), ("name", "items"))
        bonus_cap = check.number(bonus["cap"], "bonus.cap", positive=True)
        bonus_name = check.text(bonus.get("name", bonus_name), "bonus.name")
        for index, raw in enumerate(check.sequence(bonus.get("items", []), "bonus.items")):
            path = f"bonus.items[{index}]"
            register(_bonus_item(check, raw, path), path)

    veto_ids = []
    for index, raw in enumerate(check.sequence(data.get("veto", []), "veto")):
        path = f"veto[{index}]"
        item = _flag_item(check, raw, path, VETO)
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
            item = _flag_item(check, raw, path, GATE)
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
        quota_bands, fail_below = _quota(check, data["quota"])
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
            star_rules = _star_rules(check, data["stars"], item_ids)
            max_stars = max(rule.stars for rule in star_rules)
    if gate is not None and gate.max_stars > max_stars:
        check.fail("gate.on_fail.max_stars", f"must not exceed the rubric's {max_stars} stars")

    designations = tuple(
        _designation(check, raw, f"designations[{index}]", item_ids, components)
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


# ---------------------------------------------------------------- sections


def _components(check: _Checker, raw_components) -> list[Component]:
    components, seen = [], set()
    for index, raw in enumerate(check.sequence(raw_components, "components", non_empty=True)):
        path = f"components[{index}]"
        entry = check.mapping(raw, path, ("id", "name", "max", "mode"), ("factor", "pass_at"))
        component_id = check.identifier(entry["id"], f"{path}.id")
        if component_id in seen:
            check.fail(f"{path}.id", f"duplicate component id {component_id!r}")
        seen.add(component_id)
        maximum = check.number(entry["max"], f"{path}.max", positive=True)
        mode = entry["mode"]
        if mode not in MODES:
            check.fail(f"{path}.mode", f"must be one of {', '.join(MODES)}")
        factor = None
        if mode == SCALE:
            if "factor" not in entry:
                check.fail(f"{path}.factor", "is required for mode 'scale'")
            factor = check.number(entry["factor"], f"{path}.factor", positive=True)
        elif "factor" in entry:
            check.fail(f"{path}.factor", "only allowed for mode 'scale'")
        pass_at = None
        if "pass_at" in entry:
            pass_at = check.number(entry["pass_at"], f"{path}.pass_at", minimum=0)
            if pass_at > maximum:
                check.fail(f"{path}.pass_at", f"must not exceed max {maximum:g}")
        components.append(
            Component(component_id, check.text(entry["name"], f"{path}.name"), maximum, mode, factor, pass_at)
        )
    return components


def _component_item(check, raw, path, component_by_id) -> Item:
    entry = check.mapping(raw, path, ("id", "name", "component"), ("points", "cap", "min", "max"))
    item_id = check.identifier(entry["id"], f"{path}.id")
    name = check.text(entry["name"], f"{path}.name")
    component_id = entry["component"]
    if component_id not in component_by_id:
        check.fail(f"{path}.component", f"unknown component {component_id!r}")
    component = component_by_id[component_id]
    if component.mode in VALUE_MODES:
        for forbidden in ("points", "cap"):
            if forbidden in entry:
                check.fail(
                    f"{path}.{forbidden}",
                    f"not allowed: component {component_id!r} takes a value (mode {component.mode!r})",
                )
        default_range = {RATIO: (0.0, 1.0), DIRECT: (0.0, component.max)}.get(component.mode)
        if default_range is None and ("min" not in entry or "max" not in entry):
            check.fail(
                f"{path}.max" if "min" in entry else f"{path}.min", "is required for a value of a 'scale' component"
            )
        low = check.number(entry["min"], f"{path}.min") if "min" in entry else default_range[0]
        high = check.number(entry["max"], f"{path}.max") if "max" in entry else default_range[1]
        if low >= high:
            check.fail(f"{path}.max", "must be above min")
        if low < 0:
            check.fail(f"{path}.min", "must not be negative")
        return Item(item_id, name, VALUE, component_id, None, None, low, high)
    for forbidden in ("min", "max"):
        if forbidden in entry:
            check.fail(f"{path}.{forbidden}", "not allowed on an event item (entries carry ±points)")
    if "points" not in entry:
        check.fail(f"{path}.points", f"is required (component {component_id!r} counts events)")
    points = check.number(entry["points"], f"{path}.points", nonzero=True)
    if component.mode == DEDUCT_ONLY and points > 0:
        check.fail(f"{path}.points", f"must be negative in deduct-only component {component_id!r}")
    cap = check.number(entry["cap"], f"{path}.cap", positive=True) if "cap" in entry else None
    return Item(item_id, name, EVENT, component_id, points, cap, -abs(points), abs(points))


def _bonus_item(check, raw, path) -> Item:
    entry = check.mapping(raw, path, ("id", "name", "points"), ("cap",))
    item_id = check.identifier(entry["id"], f"{path}.id")
    points = check.number(entry["points"], f"{path}.points", positive=True)
    cap = check.number(entry["cap"], f"{path}.cap", positive=True) if "cap" in entry else None
    return Item(item_id, check.text(entry["name"], f"{path}.name"), BONUS, None, points, cap, -points, points)


def _flag_item(check, raw, path, kind) -> Item:
    entry = check.mapping(raw, path, ("id", "name"))
    return Item(
        check.identifier(entry["id"], f"{path}.id"),
        check.text(entry["name"], f"{path}.name"),
        kind,
        None,
        None,
        None,
        0.0,
        1.0,
    )


def _check_component_items(check, components, items):
    for index, component in enumerate(components):
        own = [item for item in items if item.component == component.id]
        if component.mode in VALUE_MODES and len(own) != 1:
            check.fail(
                f"components[{index}]", f"mode {component.mode!r} needs exactly one value item, found {len(own)}"
            )
        if component.mode in (ACCUMULATE, DEDUCT_ONLY) and not own:
            check.fail(f"components[{index}]", "has no items")


def _star_rules(check, raw_rules, item_ids) -> tuple[StarRule, ...]:
    rules = []
    for index, raw in enumerate(check.sequence(raw_rules, "stars", non_empty=True)):
        path = f"stars[{index}]"
        entry = check.mapping(raw, path, ("min", "stars"), ("requires",))
        rule = StarRule(
            check.number(entry["min"], f"{path}.min"),
            check.integer(entry["stars"], f"{path}.stars"),
            _requires(check, entry.get("requires", []), f"{path}.requires", item_ids),
        )
        if rules and (rule.min > rules[-1].min or rule.stars > rules[-1].stars):
            # Order matters (first match wins) and must make stars monotonic in the total.
            check.fail(path, "rules must go from the highest min and stars down")
        rules.append(rule)
    return tuple(rules)


def _requires(check, raw, path, item_ids) -> tuple[str, ...]:
    required = []
    for index, item_id in enumerate(check.sequence(raw, path)):
        if item_id not in item_ids:
            check.fail(f"{path}[{index}]", f"unknown item {item_id!r}")
        required.append(item_id)
    return tuple(required)


def _quota(check, raw):
    entry = check.mapping(raw, "quota", ("bands",), ("fail_below",))
    bands, total_share = [], 0.0
    raw_bands = check.sequence(entry["bands"], "quota.bands", non_empty=True)
    for index, raw_band in enumerate(raw_bands):
        path = f"quota.bands[{index}]"
        band = check.mapping(raw_band, path, ("share", "stars"))
        stars = check.integer(band["stars"], f"{path}.stars")
        if band["share"] == "rest":
            if index != len(raw_bands) - 1:
                check.fail(f"{path}.share", "'rest' is only allowed in the last band")
            share = None
        else:
            share = check.number(band["share"], f"{path}.share", positive=True)
            total_share += share
        if bands and stars >= bands[-1].stars:
            check.fail(f"{path}.stars", "bands must give strictly fewer stars going down")
        bands.append(QuotaBand(share, stars))
    if total_share > 1 + 1e-9:
        check.fail("quota.bands", f"shares add up to {total_share:g}, more than 1")
    if bands[-1].share is not None and abs(total_share - 1) > 1e-9:
        check.fail("quota.bands", "shares must add up to 1, or end with a band of share 'rest'")
    fail_below = None
    if "fail_below" in entry:
        fail = check.mapping(entry["fail_below"], "quota.fail_below", ("total", "stars"))
        fail_below = (
            check.number(fail["total"], "quota.fail_below.total"),
            check.integer(fail["stars"], "quota.fail_below.stars"),
        )
        if fail_below[1] >= bands[-1].stars:
            check.fail("quota.fail_below.stars", "must be fewer than the last band's stars")
    return tuple(bands), fail_below


def _designation(check, raw, path, item_ids, components) -> Designation:
    entry = check.mapping(raw, path, ("name",), ("min_total", "min_stars", "all_components_pass", "requires"))
    all_pass = check.boolean(entry.get("all_components_pass", False), f"{path}.all_components_pass")
    if all_pass and any(component.pass_at is None for component in components):
        check.fail(f"{path}.all_components_pass", "every component needs a pass_at")
    designation = Designation(
        name=check.text(entry["name"], f"{path}.name"),
        min_total=check.number(entry["min_total"], f"{path}.min_total") if "min_total" in entry else None,
        min_stars=check.integer(entry["min_stars"], f"{path}.min_stars") if "min_stars" in entry else None,
        all_components_pass=all_pass,
        requires=_requires(check, entry.get("requires", []), f"{path}.requires", item_ids),
    )
    if designation.min_total is None and designation.min_stars is None and not all_pass and not designation.requires:
        check.fail(path, "needs at least one condition (min_total, min_stars, all_components_pass, requires)")
    return designation
