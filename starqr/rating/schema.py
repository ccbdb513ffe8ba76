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

from starqr.errors import N_
from starqr.rating import engine
from starqr.rating import rubric_sections as sections
from starqr.rating.errors import UNNAMED, RubricFieldError
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
            raise RubricFieldError(
                UNNAMED,
                None,
                N_("第 %(line)s 行:键“%(name)s”重复"),
                "rubric_duplicate_key",
                line=key_node.start_mark.line + 1,
                name=str(key),
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# ---------------------------------------------------------------- field checking helpers


def shown(number):
    """NUMBER as a person writes it in a message: 12 rather than 12.0."""
    return int(number) if isinstance(number, float) and number.is_integer() else number


class _Checker:
    """Small helpers that know which rubric they are checking, for error messages."""

    def __init__(self, key=UNNAMED):
        self.key = key

    def fail(self, path, template, code, **params):
        """Refuse the file: TEMPLATE (a catalogue msgid marked with N_) names the problem at PATH."""
        raise RubricFieldError(self.key, path, template, code, **params)

    def mapping(self, value, path, required=(), optional=()):
        if not isinstance(value, dict):
            self.fail(path, N_("应为映射(“字段: 值”)"), "rubric_not_a_mapping")
        for name in required:
            if name not in value:
                self.fail(f"{path}.{name}" if path else name, N_("必填"), "rubric_required")
        allowed = set(required) | set(optional)
        for name in value:
            if name not in allowed:
                where = f"{path}.{name}" if path else str(name)
                self.fail(
                    where, N_("未知字段(允许:%(allowed)s)"), "rubric_unknown_field", allowed=", ".join(sorted(allowed))
                )
        return value

    def identifier(self, value, path):
        if not isinstance(value, str) or not IDENTIFIER.match(value):
            self.fail(path, N_("应为由小写英文字母、数字和下划线组成、以字母开头的标识符"), "rubric_not_an_identifier")
        return value

    def text(self, value, path):
        if not isinstance(value, str) or not value.strip():
            self.fail(path, N_("应为非空文本"), "rubric_empty_text")
        return value.strip()

    def number(self, value, path, positive=False, nonzero=False, minimum=None):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            if positive:
                self.fail(path, N_("应为正数"), "rubric_not_positive")
            self.fail(path, N_("应为数字"), "rubric_not_a_number")
        if positive and value <= 0:
            self.fail(path, N_("应为正数"), "rubric_not_positive")
        if nonzero and value == 0:
            self.fail(path, N_("不能为零"), "rubric_zero")
        if minimum is not None and value < minimum:
            self.fail(path, N_("不能小于 %(minimum)s"), "rubric_below_minimum", minimum=shown(minimum))
        return float(value)

    def integer(self, value, path, minimum=0):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(path, N_("应为不小于 %(minimum)s 的整数"), "rubric_not_an_integer", minimum=minimum)
        return value

    def boolean(self, value, path):
        if not isinstance(value, bool):
            self.fail(path, N_("应为 true 或 false"), "rubric_not_a_boolean")
        return value

    def sequence(self, value, path, non_empty=False):
        if not isinstance(value, list):
            self.fail(path, N_("应为列表"), "rubric_not_a_list")
        if non_empty and not value:
            self.fail(path, N_("不能为空"), "rubric_empty_list")
        return value

    def choice(self, value, path, choices):
        if value not in choices:
            self.fail(path, N_("应为以下之一:%(choices)s"), "rubric_not_a_choice", choices=", ".join(choices))
        return value

    def at_most_stars(self, stars, path, max_stars):
        if stars > max_stars:
            self.fail(path, N_("不能超过本评分标准的 %(stars)s 星"), "rubric_too_many_stars", stars=max_stars)


# ---------------------------------------------------------------- public entry points


def load_rubric(path) -> Rubric:
    """Read and validate a rubric file; raises :class:`RubricError`."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return load_rubric_text(text)


def load_rubric_text(text: str) -> Rubric:
    """Parse and validate rubric YAML text; raises :class:`RubricError`."""
    if not isinstance(text, str):
        raise RubricFieldError(UNNAMED, None, N_("评分标准文本应为字符串"), "rubric_not_text")
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except RubricFieldError:
        raise
    except yaml.YAMLError as exc:
        # PyYAML's own words (where, what) stay as they are: they quote the file.
        raise RubricFieldError(
            UNNAMED, None, N_("不是有效的 YAML:%(reason)s"), "rubric_not_yaml", reason=" ".join(str(exc).split())
        ) from None
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
        check.fail(None, N_("顶层应为映射(“字段: 值”)"), "rubric_not_a_mapping")
    if "key" in data:
        check.key = check.identifier(data["key"], "key")
    check.mapping(data, "", TOP_LEVEL_REQUIRED, TOP_LEVEL_OPTIONAL)
    head = _read_head(check, data)
    components = sections.read_components(check, data["components"])
    parts = _read_items(check, data, components)
    item_ids = set(parts["_items_by_id"])
    total = _read_total(check, data, sum(component.max for component in components) + parts["bonus_cap"])
    exempt = _read_exempt(check, data)
    stars = _read_stars(check, data, head["kind"], components, item_ids, parts["gate"])
    designations = tuple(
        sections.read_designation(check, raw, f"designations[{index}]", item_ids, components)
        for index, raw in enumerate(check.sequence(data.get("designations", []), "designations"))
    )
    listing = _read_listing(check, data, stars["max_stars"])
    party_age_from = _read_party_age(check, data)
    rubric = Rubric(
        text=text,
        components=tuple(components),
        designations=designations,
        listing=listing,
        **head,
        **parts,
        **total,
        **exempt,
        **stars,
        party_age_from=party_age_from,
    )
    engine.compile_rubric(rubric)
    return rubric


# ---------------------------------------------------------------- the file's sections


def _read_head(check, data):
    """key, version, name, scope, kind and description."""
    description = data.get("description", "")
    return {
        "key": data["key"],
        "version": check.integer(data["version"], "version", minimum=1),
        "name": check.text(data["name"], "name"),
        "scope": check.choice(data["scope"], "scope", SCOPES),
        "kind": check.choice(data["kind"], "kind", KINDS),
        "description": check.text(description, "description") if description else description,
    }


def _read_items(check, data, components):
    """Every item (component, bonus, veto, gate items), the bonus and the gate policy."""
    component_by_id = {component.id: component for component in components}
    items: list[Item] = []
    by_id: dict[str, Item] = {}

    def register(item: Item, path: str):
        if item.id in by_id:
            check.fail(path, N_("项目编号“%(id)s”重复"), "rubric_duplicate_item", id=item.id)
        by_id[item.id] = item
        items.append(item)

    for index, raw in enumerate(check.sequence(data.get("items", []), "items")):
        register(sections.read_component_item(check, raw, f"items[{index}]", component_by_id), f"items[{index}]")
    sections.check_component_items(check, components, items)

    bonus_name, bonus_cap = N_("加分"), 0.0
    if "bonus" in data:
        bonus = check.mapping(data["bonus"], "bonus", ("cap",), ("name", "items"))
        bonus_cap = check.number(bonus["cap"], "bonus.cap", positive=True)
        bonus_name = check.text(bonus.get("name", bonus_name), "bonus.name")
        for index, raw in enumerate(check.sequence(bonus.get("items", []), "bonus.items")):
            register(sections.read_bonus_item(check, raw, f"bonus.items[{index}]"), f"bonus.items[{index}]")

    veto_ids = []
    for index, raw in enumerate(check.sequence(data.get("veto", []), "veto")):
        item = sections.read_flag_item(check, raw, f"veto[{index}]", VETO)
        register(item, f"veto[{index}]")
        veto_ids.append(item.id)

    gate_ids, gate = [], None
    if "gate" in data:
        raw_gate = check.mapping(data["gate"], "gate", ("items", "on_fail"), ("name",))
        on_fail = check.mapping(raw_gate["on_fail"], "gate.on_fail", ("max_stars", "designations"))
        gate = GatePolicy(
            name=check.text(raw_gate.get("name", N_("基本条件")), "gate.name"),
            max_stars=check.integer(on_fail["max_stars"], "gate.on_fail.max_stars"),
            designations=check.boolean(on_fail["designations"], "gate.on_fail.designations"),
        )
        for index, raw in enumerate(check.sequence(raw_gate["items"], "gate.items", non_empty=True)):
            item = sections.read_flag_item(check, raw, f"gate.items[{index}]", GATE)
            register(item, f"gate.items[{index}]")
            gate_ids.append(item.id)
    return {
        "items": items,
        "_items_by_id": by_id,
        "bonus_name": bonus_name,
        "bonus_cap": bonus_cap,
        "veto_ids": tuple(veto_ids),
        "gate_ids": tuple(gate_ids),
        "gate": gate,
    }


def _read_total(check, data, natural_max):
    """total_min and total_max: the clamp, or 0 .. every component's max plus the bonus cap."""
    if "total" not in data:
        return {"total_min": 0.0, "total_max": natural_max}
    total = check.mapping(data["total"], "total", ("clamp",))
    clamp = check.sequence(total["clamp"], "total.clamp")
    if len(clamp) != 2:
        check.fail("total.clamp", N_("应为 [下限, 上限]"), "rubric_not_a_range")
    low, high = check.number(clamp[0], "total.clamp[0]"), check.number(clamp[1], "total.clamp[1]")
    if low >= high:
        check.fail("total.clamp", N_("下限应小于上限"), "rubric_empty_range")
    return {"total_min": low, "total_max": high}


def _read_exempt(check, data):
    if "exempt" not in data:
        return {"exempt_categories": frozenset()}
    raw_exempt = check.mapping(data["exempt"], "exempt", ("categories",))
    categories = check.sequence(raw_exempt["categories"], "exempt.categories", non_empty=True)
    return {"exempt_categories": frozenset(check.text(c, f"exempt.categories[{i}]") for i, c in enumerate(categories))}


def _read_stars(check, data, kind, components, item_ids, gate):
    """star_rules, quota_bands, quota_fail_below and max_stars, by the rubric's kind."""
    stars = {"star_rules": (), "quota_bands": (), "quota_fail_below": None}
    if kind == "quota":
        if "stars" in data:
            check.fail("stars", N_("名额制评分标准按排名给星,请改用 quota"), "rubric_stars_in_quota")
        if "quota" not in data:
            check.fail("quota", N_("kind 为“%(kind)s”时必填"), "rubric_required_for_kind", kind=kind)
        stars["quota_bands"], stars["quota_fail_below"] = sections.read_quota(check, data["quota"])
        max_stars = stars["quota_bands"][0].stars
    else:
        if "quota" in data:
            check.fail("quota", N_("只适用于 kind“quota”,不适用于“%(kind)s”"), "rubric_quota_not_allowed", kind=kind)
        if "stars" not in data:
            check.fail("stars", N_("必填"), "rubric_required")
        if kind == "pass_fail":
            if data["stars"] != "passed_count":
                check.fail(
                    "stars", N_("kind 为“pass_fail”时应为“passed_count”(每通过一项得一星)"), "rubric_not_passed_count"
                )
            for index, component in enumerate(components):
                if component.pass_at is None:
                    check.fail(
                        f"components[{index}].pass_at",
                        N_("kind 为“%(kind)s”时必填"),
                        "rubric_required_for_kind",
                        kind=kind,
                    )
            max_stars = len(components)
        else:
            stars["star_rules"] = sections.read_star_rules(check, data["stars"], item_ids)
            max_stars = max(rule.stars for rule in stars["star_rules"])
    if gate is not None:
        check.at_most_stars(gate.max_stars, "gate.on_fail.max_stars", max_stars)
    stars["max_stars"] = max_stars
    return stars


def _read_listing(check, data, max_stars):
    """{stars: list name (红榜 ...)}."""
    listing: dict[int, str] = {}
    for index, raw in enumerate(check.sequence(data.get("listing", []), "listing")):
        path = f"listing[{index}]"
        entry = check.mapping(raw, path, ("name", "stars"))
        list_name = check.text(entry["name"], f"{path}.name")
        for star_index, stars in enumerate(check.sequence(entry["stars"], f"{path}.stars", non_empty=True)):
            star_path = f"{path}.stars[{star_index}]"
            check.integer(stars, star_path)
            check.at_most_stars(stars, star_path, max_stars)
            if stars in listing:
                check.fail(
                    star_path,
                    N_("%(stars)s 星已列入“%(name)s”"),
                    "rubric_listed_twice",
                    stars=stars,
                    name=listing[stars],
                )
            listing[stars] = list_name
    return listing


def _read_party_age(check, data):
    if "party_age" not in data:
        return "full_membership"
    party_age = check.mapping(data["party_age"], "party_age", ("from",))
    return check.choice(party_age["from"], "party_age.from", PARTY_AGE_BASES)
