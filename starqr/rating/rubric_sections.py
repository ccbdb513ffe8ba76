"""The sections of a rubric file, each read and checked on its own: components and their
items, bonus and flag (veto, gate) items, star rules, quota bands and designations.

starqr.rating.schema reads the whole file and calls these; CHECK is its field checker,
whose errors name the rubric and the field.
"""

from __future__ import annotations

from starqr.rating.model import (
    ACCUMULATE,
    BONUS,
    DEDUCT_ONLY,
    DIRECT,
    EVENT,
    MODES,
    RATIO,
    SCALE,
    VALUE,
    VALUE_MODES,
    Component,
    Designation,
    Item,
    QuotaBand,
    StarRule,
)


def read_components(check, raw_components) -> list[Component]:
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


def read_component_item(check, raw, path, component_by_id) -> Item:
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


def read_bonus_item(check, raw, path) -> Item:
    entry = check.mapping(raw, path, ("id", "name", "points"), ("cap",))
    item_id = check.identifier(entry["id"], f"{path}.id")
    points = check.number(entry["points"], f"{path}.points", positive=True)
    cap = check.number(entry["cap"], f"{path}.cap", positive=True) if "cap" in entry else None
    return Item(item_id, check.text(entry["name"], f"{path}.name"), BONUS, None, points, cap, -points, points)


def read_flag_item(check, raw, path, kind) -> Item:
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


def check_component_items(check, components, items):
    for index, component in enumerate(components):
        own = [item for item in items if item.component == component.id]
        if component.mode in VALUE_MODES and len(own) != 1:
            check.fail(
                f"components[{index}]", f"mode {component.mode!r} needs exactly one value item, found {len(own)}"
            )
        if component.mode in (ACCUMULATE, DEDUCT_ONLY) and not own:
            check.fail(f"components[{index}]", "has no items")


def read_star_rules(check, raw_rules, item_ids) -> tuple[StarRule, ...]:
    rules = []
    for index, raw in enumerate(check.sequence(raw_rules, "stars", non_empty=True)):
        path = f"stars[{index}]"
        entry = check.mapping(raw, path, ("min", "stars"), ("requires",))
        rule = StarRule(
            check.number(entry["min"], f"{path}.min"),
            check.integer(entry["stars"], f"{path}.stars"),
            read_requires(check, entry.get("requires", []), f"{path}.requires", item_ids),
        )
        if rules and (rule.min > rules[-1].min or rule.stars > rules[-1].stars):
            # Order matters (first match wins) and must make stars monotonic in the total.
            check.fail(path, "rules must go from the highest min and stars down")
        rules.append(rule)
    return tuple(rules)


def read_requires(check, raw, path, item_ids) -> tuple[str, ...]:
    required = []
    for index, item_id in enumerate(check.sequence(raw, path)):
        if item_id not in item_ids:
            check.fail(f"{path}[{index}]", f"unknown item {item_id!r}")
        required.append(item_id)
    return tuple(required)


def read_quota(check, raw):
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


def read_designation(check, raw, path, item_ids, components) -> Designation:
    entry = check.mapping(raw, path, ("name",), ("min_total", "min_stars", "all_components_pass", "requires"))
    all_pass = check.boolean(entry.get("all_components_pass", False), f"{path}.all_components_pass")
    if all_pass and any(component.pass_at is None for component in components):
        check.fail(f"{path}.all_components_pass", "every component needs a pass_at")
    designation = Designation(
        name=check.text(entry["name"], f"{path}.name"),
        min_total=check.number(entry["min_total"], f"{path}.min_total") if "min_total" in entry else None,
        min_stars=check.integer(entry["min_stars"], f"{path}.min_stars") if "min_stars" in entry else None,
        all_components_pass=all_pass,
        requires=read_requires(check, entry.get("requires", []), f"{path}.requires", item_ids),
    )
    if designation.min_total is None and designation.min_stars is None and not all_pass and not designation.requires:
        check.fail(path, "needs at least one condition (min_total, min_stars, all_components_pass, requires)")
    return designation
