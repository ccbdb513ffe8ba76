"""Names on plaques and badge sheets break only between words; personal names never break."""

import itertools

import pytest

from starqr.plaque import text_fitting, words
from starqr.services import demo_mongolian, demo_names as names

# Words of the demo's names that must never be cut, whatever the tokenizer thinks.
WHOLE_WORDS = (
    [zh for zh, _ in names.VILLAGE_PREFIXES]
    + [zh for zh, _ in names.VILLAGE_SUFFIXES]
    + [zh for zh, _ in names.MONGOLIAN_NAMES]
    + names.COMMUNITY_NAMES
    + [town[:-1] if town.endswith("镇") else town[:-2] for town, _ in names.TOWNS]
    + ["嘎查", "苏木", "党支部", "党委", "社区", "有限公司", "合作社", "委员会", "乌拉特中旗"]
)


def demo_organisation_names():
    villages = [
        p + s + kind
        for (p, _), (s, _) in itertools.product(names.VILLAGE_PREFIXES, names.VILLAGE_SUFFIXES)
        for kind in ("嘎查", "村")
    ]
    units = [
        "乌拉特中" + u if u.startswith("旗") else u
        for u in names.ORGAN_NAMES + names.STATE_ENTERPRISES + names.PRIVATE_ENTERPRISES + names.SOCIAL_ORGANISATIONS
    ]
    result = [t + "党委" for t, _ in names.TOWNS] + villages + [c + "社区" for c in names.COMMUNITY_NAMES] + units
    return result + [name + "党支部" for name in result if not name.endswith("党委")]


def _inside_a_word(text, cut):
    for word in WHOLE_WORDS:
        start = text.find(word)
        while start != -1:
            if start < cut < start + len(word):
                return word
            start = text.find(word, start + 1)
    return None


@pytest.mark.parametrize("count", (2, 3))
def test_every_demo_organisation_name_breaks_between_words(count):
    checked = 0
    for name in demo_organisation_names():
        lines = text_fitting.balanced_lines(name, count)
        assert "".join(lines) == name
        position = 0
        for line in lines[:-1]:
            position += len(line)
            assert position in words.break_points(name), (name, lines)
            assert _inside_a_word(name, position) is None, (name, lines, _inside_a_word(name, position))
        checked += 1
    assert checked > 200


def test_personal_names_never_break():
    people = [a + b for (a, _), (b, _) in itertools.product(names.MONGOLIAN_NAMES, repeat=2)]
    people += [s + g for s in names.HAN_SURNAMES for g in names.HAN_GIVEN[:5]]
    for name in people:
        size, lines = text_fitting.fit_horizontal(name, "zh", 30, 40, 12, 3, breakable=False)
        assert lines == [name], name
    # the examples
    assert text_fitting.balanced_lines("青格勒吉日嘎拉", 3, breakable=False) == ["青格勒吉日嘎拉"]
    assert "阿拉腾宝" not in text_fitting.balanced_lines("阿拉腾宝力格嘎查党支部", 2)


def test_every_demo_name_has_a_mongolian_form():
    mongolian = set(chr(c) for c in range(0x1800, 0x18B0)) | {" ", "\u202f", "\u180e"}
    forms = [demo_mongolian.person(s + g) for s in names.HAN_SURNAMES for g in names.HAN_GIVEN]
    forms += [demo_mongolian.community(c) for c in names.COMMUNITY_NAMES]
    forms += [
        demo_mongolian.unit(u, names.BANNER[1])
        for u in names.ORGAN_NAMES + names.STATE_ENTERPRISES + names.PRIVATE_ENTERPRISES + names.SOCIAL_ORGANISATIONS
    ]
    forms += [demo_mongolian.group(g, names.BANNER[1]) for g in demo_mongolian.GROUPS]
    for form in forms:
        assert form and set(form) <= mongolian, form
