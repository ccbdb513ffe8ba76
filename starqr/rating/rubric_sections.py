"""The sections of a rubric file, each read and checked on its own: components and their
items, bonus and flag (veto, gate) items, star rules, quota bands and designations.

starqr.rating.schema reads the whole file and calls these; CHECK is its field checker,
whose errors name the rubric and the field.
"""

from __future__ import annotations

from starqr.errors import N_
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
            check.fail(f"{path}.id", N_("组件编号“%(id)s”重复"), "rubric_duplicate_component", id=component_id)
        seen.add(component_id)
        maximum = check.number(entry["max"], f"{path}.max", positive=True)
        mode = check.choice(entry["mode"], f"{path}.mode", MODES)
        factor = None
        if mode == SCALE:
            if "factor" not in entry:
                check.fail(f"{path}.factor", N_("mode 为“%(mode)s”时必填"), "rubric_required_for_mode", mode=SCALE)
            factor = check.number(entry["factor"], f"{path}.factor", positive=True)
        elif "factor" in entry:
            check.fail(f"{path}.factor", N_("只适用于 mode“%(mode)s”"), "rubric_only_for_mode", mode=SCALE)
        pass_at = None
        if "pass_at" in entry:
            pass_at = check.number(entry["pass_at"], f"{path}.pass_at", minimum=0)
            if pass_at > maximum:
                check.fail(f"{path}.pass_at", N_("不能超过 max %(max)s"), "rubric_above_max", max=f"{maximum:g}")
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
        check.fail(f"{path}.component", N_("未知组件“%(id)s”"), "rubric_unknown_component", id=component_id)
    component = component_by_id[component_id]
    if component.mode in VALUE_MODES:
        for forbidden in ("points", "cap"):
            if forbidden in entry:
                check.fail(
                    f"{path}.{forbidden}",
                    N_("不允许:组件“%(component)s”取一个值(mode“%(mode)s”)"),
                    "rubric_not_for_value",
                    component=component_id,
                    mode=component.mode,
                )
        default_range = {RATIO: (0.0, 1.0), DIRECT: (0.0, component.max)}.get(component.mode)
        if default_range is None and ("min" not in entry or "max" not in entry):
            check.fail(
                f"{path}.max" if "min" in entry else f"{path}.min",
                N_("“%(mode)s”组件的值项目须写明 min 和 max"),
                "rubric_required_for_value",
                mode=component.mode,
            )
        low = check.number(entry["min"], f"{path}.min") if "min" in entry else default_range[0]
        high = check.number(entry["max"], f"{path}.max") if "max" in entry else default_range[1]
        if low >= high:
            check.fail(f"{path}.max", N_("应大于 min"), "rubric_empty_range")
        if low < 0:
            check.fail(f"{path}.min", N_("不能为负数"), "rubric_negative")
        return Item(item_id, name, VALUE, component_id, None, None, low, high)
    for forbidden in ("min", "max"):
        if forbidden in entry:
            check.fail(f"{path}.{forbidden}", N_("计次项目不允许(每条记录自带正负分值)"), "rubric_not_for_event")
    if "points" not in entry:
        check.fail(f"{path}.points", N_("必填(组件“%(component)s”按次计分)"), "rubric_required", component=component_id)
    points = check.number(entry["points"], f"{path}.points", nonzero=True)
    if component.mode == DEDUCT_ONLY and points > 0:
        check.fail(
            f"{path}.points",
            N_("在只扣分的组件“%(component)s”中应为负数"),
            "rubric_not_negative",
            component=component_id,
        )
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
                f"components[{index}]",
                N_("mode“%(mode)s”需要恰好一个值项目,现有 %(count)s 个"),
                "rubric_one_value_item",
                mode=component.mode,
                count=len(own),
            )
        if component.mode in (ACCUMULATE, DEDUCT_ONLY) and not own:
            check.fail(f"components[{index}]", N_("没有项目"), "rubric_no_items")


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
            check.fail(path, N_("规则应按 min 和星数从高到低排列"), "rubric_rule_order")
        rules.append(rule)
    return tuple(rules)


def read_requires(check, raw, path, item_ids) -> tuple[str, ...]:
    required = []
    for index, item_id in enumerate(check.sequence(raw, path)):
        if item_id not in item_ids:
            check.fail(f"{path}[{index}]", N_("未知项目“%(item)s”"), "rubric_unknown_item", item=item_id)
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
                check.fail(f"{path}.share", N_("“rest”只能用在最后一档"), "rubric_rest_not_last")
            share = None
        else:
            share = check.number(band["share"], f"{path}.share", positive=True)
            total_share += share
        if bands and stars >= bands[-1].stars:
            check.fail(f"{path}.stars", N_("各档的星数应逐档减少"), "rubric_band_order")
        bands.append(QuotaBand(share, stars))
    if total_share > 1 + 1e-9:
        check.fail("quota.bands", N_("各档比例合计 %(total)s,超过 1"), "rubric_shares_over", total=f"{total_share:g}")
    if bands[-1].share is not None and abs(total_share - 1) > 1e-9:
        check.fail("quota.bands", N_("各档比例合计应为 1,或以比例为“rest”的一档结尾"), "rubric_shares_short")
    fail_below = None
    if "fail_below" in entry:
        fail = check.mapping(entry["fail_below"], "quota.fail_below", ("total", "stars"))
        fail_below = (
            check.number(fail["total"], "quota.fail_below.total"),
            check.integer(fail["stars"], "quota.fail_below.stars"),
        )
        if fail_below[1] >= bands[-1].stars:
            check.fail("quota.fail_below.stars", N_("应少于最后一档的星数"), "rubric_fail_below_stars")
    return tuple(bands), fail_below


def read_designation(check, raw, path, item_ids, components) -> Designation:
    entry = check.mapping(raw, path, ("name",), ("min_total", "min_stars", "all_components_pass", "requires"))
    all_pass = check.boolean(entry.get("all_components_pass", False), f"{path}.all_components_pass")
    if all_pass and any(component.pass_at is None for component in components):
        check.fail(f"{path}.all_components_pass", N_("每个组件都需要 pass_at"), "rubric_pass_at_needed")
    designation = Designation(
        name=check.text(entry["name"], f"{path}.name"),
        min_total=check.number(entry["min_total"], f"{path}.min_total") if "min_total" in entry else None,
        min_stars=check.integer(entry["min_stars"], f"{path}.min_stars") if "min_stars" in entry else None,
        all_components_pass=all_pass,
        requires=read_requires(check, entry.get("requires", []), f"{path}.requires", item_ids),
    )
    if designation.min_total is None and designation.min_stars is None and not all_pass and not designation.requires:
        check.fail(
            path,
            N_("至少需要一个条件(min_total、min_stars、all_components_pass、requires)"),
            "rubric_no_condition",
        )
    return designation
