"""Shipped rubric files load, and bad rubric files fail with errors naming the field."""

import copy
import pathlib
import re

import pytest
import yaml
from babel.support import Translations

from starqr.cli.language import TRANSLATIONS
from starqr.rating import (
    DOMAIN_RUBRICS,
    MEMBER_RUBRIC_BY_DOMAIN,
    RUBRICS_DIRECTORY,
    RubricError,
    load_rubric,
    load_rubric_text,
    shipped_rubrics,
)

EXPECTED_KEYS = {
    "member_points",
    "member_points_strict",
    "village_ten_star",
    "branch_five_strong",
    "branch_quota",
    "soe_four_strong",
    "soe_member_four_excellent",
    "private_two_strong_six_good",
    "community_five_strong",
    "organ_five_strong",
    "social_five_strong",
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")
FILES = sorted(pathlib.Path(RUBRICS_DIRECTORY).glob("*.yaml"))


def test_every_expected_rubric_ships():
    assert set(shipped_rubrics()) == EXPECTED_KEYS
    assert len(FILES) == len(EXPECTED_KEYS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_shipped_file_loads_with_key_version_chinese_name_and_stable_ids(path):
    rubric = load_rubric(path)
    assert rubric.key == path.stem
    assert isinstance(rubric.version, int) and rubric.version >= 1
    assert CHINESE.search(rubric.name)
    assert rubric.scope in ("member", "organisation")
    assert rubric.kind in ("points", "pass_fail", "dimensions", "quota")
    assert rubric.text == path.read_text(encoding="utf-8")
    assert load_rubric_text(rubric.text).key == rubric.key
    assert rubric.items
    for item in rubric.items:
        assert SNAKE_CASE.match(item.id), item.id
        assert CHINESE.search(item.name), item.id
        assert item.min < item.max
        assert rubric.item(item.id) is item
    for component in rubric.components:
        assert CHINESE.search(component.name)


def test_domain_mappings_name_shipped_rubrics_of_the_right_scope():
    rubrics = shipped_rubrics()
    domains = {"rural", "community", "organ", "state_enterprise", "private_enterprise", "social"}
    assert set(DOMAIN_RUBRICS) == domains == set(MEMBER_RUBRIC_BY_DOMAIN)
    assert all(rubrics[key].scope == "organisation" for key in DOMAIN_RUBRICS.values())
    assert all(rubrics[key].scope == "member" for key in MEMBER_RUBRIC_BY_DOMAIN.values())
    assert DOMAIN_RUBRICS["rural"] == "village_ten_star"
    assert MEMBER_RUBRIC_BY_DOMAIN["state_enterprise"] == "soe_member_four_excellent"
    assert MEMBER_RUBRIC_BY_DOMAIN["rural"] == "member_points"


def test_the_strict_variant_differs_only_in_thresholds():
    rubrics = shipped_rubrics()
    normal, strict = rubrics["member_points"], rubrics["member_points_strict"]
    assert [i.to_dict() for i in normal.items] == [i.to_dict() for i in strict.items]
    assert [r.min for r in normal.star_rules] == [90, 80, 70, 60, 0]
    assert [r.min for r in strict.star_rules] == [96, 90, 80, 70, 60, 0]


# ---------------------------------------------------------------- bad files


def rubric_data(key):
    return yaml.safe_load((pathlib.Path(RUBRICS_DIRECTORY) / f"{key}.yaml").read_text(encoding="utf-8"))


def mutate(data, change):
    data = copy.deepcopy(data)
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# Each shipped file: the changes that break it, with the beginning of the error each must give.
BAD_CHANGES = {
    "member_points": [
        (lambda d: d["components"][2].update(max=-5), "member_points: components[2].max: must be a positive number"),
        (lambda d: d["components"][2].update(max="ten"), "member_points: components[2].max: must be a positive number"),
        (lambda d: d["components"][0].update(mode="sometimes"), "member_points: components[0].mode: must be one of"),
        (
            lambda d: d["components"][3].pop("factor"),
            "member_points: components[3].factor: is required for mode 'scale'",
        ),
        (lambda d: d["items"][6].update(cpa=12), "member_points: items[6].cpa: unknown field"),
        (
            lambda d: d["items"][0].update(component="basis"),
            "member_points: items[0].component: unknown component 'basis'",
        ),
        (
            lambda d: d["items"][0].update(points=1),
            "member_points: items[0].points: must be negative in deduct-only component 'base'",
        ),
        (
            lambda d: d["items"][1].update(id="miss_meeting"),
            "member_points: items[1]: duplicate item id 'miss_meeting'",
        ),
        (
            lambda d: d["items"][6].update(id="Study"),
            "member_points: items[6].id: must be a lowercase ascii snake_case identifier",
        ),
        (lambda d: d["items"][6].pop("points"), "member_points: items[6].points: is required"),
        (
            lambda d: d["items"].pop(9),
            "member_points: components[2]: mode 'ratio' needs exactly one value item, found 0",
        ),
        (lambda d: d["bonus"].update(cap=0), "member_points: bonus.cap: must be a positive number"),
        (lambda d: d.pop("version"), "member_points: version: is required"),
        (lambda d: d.update(version=0), "member_points: version: must be an integer >= 1"),
        (lambda d: d.update(scope="branch"), "member_points: scope: must be one of member, organisation"),
        (lambda d: d.update(total={"clamp": [100, 0]}), "member_points: total.clamp: low must be below high"),
        (lambda d: d["stars"].reverse(), "member_points: stars[1]: rules must go from the highest min and stars down"),
        (
            lambda d: d["stars"][0].update(requires=["innovation"]),
            "member_points: stars[0].requires[0]: unknown item 'innovation'",
        ),
        (
            lambda d: d["listing"][1]["stars"].append(5),
            "member_points: listing[1].stars[3]: 5 stars already listed as 红榜",
        ),
        (lambda d: d.update(key="Member Points"), "<rubric>: key: must be a lowercase"),
    ],
    "village_ten_star": [
        (
            lambda d: d["components"][4].pop("pass_at"),
            "village_ten_star: components[4].pass_at: is required for kind 'pass_fail'",
        ),
        (
            lambda d: d["components"][4].update(pass_at=120),
            "village_ten_star: components[4].pass_at: must not exceed max 100",
        ),
    ],
    "branch_quota": [
        (
            lambda d: d["quota"]["bands"][1].update(share=0.95),
            "branch_quota: quota.bands: shares add up to 1.35, more than 1",
        ),
        (
            lambda d: d["quota"]["bands"][0].update(share="rest"),
            "branch_quota: quota.bands[0].share: 'rest' is only allowed in the last band",
        ),
        (
            lambda d: d.update(stars=[{"min": 0, "stars": 1}]),
            "branch_quota: stars: a quota rubric gives stars by rank; use 'quota' instead",
        ),
    ],
    "branch_five_strong": [
        (lambda d: d["gate"].pop("on_fail"), "branch_five_strong: gate.on_fail: is required"),
        (
            lambda d: d["gate"]["on_fail"].update(max_stars=7),
            "branch_five_strong: gate.on_fail.max_stars: must not exceed the rubric's 5 stars",
        ),
    ],
}
BAD_FILES = [(key, change, message) for key, cases in BAD_CHANGES.items() for change, message in cases]


def english(error):
    """ERROR as an English reader sees it (the catalogue's en translation, parameters filled in)."""
    return error.message(Translations.load(TRANSLATIONS, ["en"]).gettext)


@pytest.mark.parametrize("key, change, message", BAD_FILES, ids=[case[2] for case in BAD_FILES])
def test_bad_rubric_gives_an_error_naming_the_field(key, change, message):
    with pytest.raises(RubricError) as caught:
        load_rubric_text(mutate(rubric_data(key), change))
    error = caught.value
    assert english(error).startswith(message), english(error)
    # Chinese first: the untranslated message keeps the key and the field path as written.
    assert error.code.startswith("rubric_") and str(error).startswith(
        f"{error.params['key']}: {error.params['path']}: "
    )
    assert not re.search(r"[a-z] [a-z]", str(error).split(": ", 2)[2]), str(error)  # no English sentence left


@pytest.mark.parametrize(
    "text, message, code, chinese",
    [
        ("key: [unclosed", "<rubric>: not valid YAML", "rubric_not_yaml", "<评分标准>: 不是有效的 YAML:"),
        (
            "- just\n- a list\n",
            "<rubric>: (top level): must be a mapping",
            "rubric_not_a_mapping",
            "<评分标准>: 顶层应为映射",
        ),
        ("key: a\nkey: b\n", "line 2: duplicate key 'key'", "rubric_duplicate_key", "<评分标准>: 第 2 行:键“key”重复"),
    ],
)
def test_unreadable_rubric_text(text, message, code, chinese):
    with pytest.raises(RubricError) as caught:
        load_rubric_text(text)
    assert message in english(caught.value) and caught.value.code == code
    assert str(caught.value).startswith(chinese), str(caught.value)


def test_a_minimal_rubric_needs_no_python(tmp_path):
    # A new local scheme, written by an administrator: one accumulate component.
    path = tmp_path / "volunteer.yaml"
    path.write_text(
        "key: volunteer_hours\nversion: 3\nname: 志愿服务积分\nscope: member\nkind: points\n"
        "components: [{id: service, name: 志愿服务, max: 20, mode: accumulate}]\n"
        "items: [{id: service_hour, component: service, name: 服务一小时, points: 1, cap: 20}]\n"
        "stars: [{min: 15, stars: 3}, {min: 10, stars: 2}, {min: 1, stars: 1}]\n",
        encoding="utf-8",
    )
    rubric = load_rubric(path)
    assert (rubric.key, rubric.version, rubric.max_stars) == ("volunteer_hours", 3, 3)
    assert (rubric.total_min, rubric.total_max) == (0.0, 20.0)
