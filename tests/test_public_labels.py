"""Every label is words: every key of every shipped rubric shows as its name, in zh, mn and en.

For each rubric, a subject rated by it gets a vetoed year (every veto item), a year with
its full breakdown, designations and listing, and a live year with a ledger entry for
every item; its page in each language must show no snake_case identifier, and the
Mongolian and English pages no untranslated rubric name.
"""

import datetime
import html
import re

import pytest
from babel.messages.pofile import read_po

from starqr import rating
from starqr.i18n_labels import rubric_names
from starqr.models import MEMBER, ORGANISATION, Organisation, RatingPeriod
from starqr.services import revision, rubrics, star_reasons
from tests.helpers import issue_code, make_member, make_period, make_tree, record, store_rating

SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
HAN = re.compile(r"[\u4e00-\u9fff]")
CATALOGUES = "starqr/translations/{}/LC_MESSAGES/messages.po"


def visible_text(page):
    """What a reader sees: no head, no style, no tags, no attributes."""
    body = page.split("<body>", 1)[1]
    body = re.sub(r"<style>.*?</style>", "", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _all_values(rubric):
    values = {}
    for item in rubric.items:
        if item.kind in ("event", "bonus"):
            values[item.id] = item.points or 1
        elif item.kind == "value":
            values[item.id] = item.max
        else:  # veto, gate
            values[item.id] = 1
    return values


def _publish(subject_kind, subject_id, period, rubric, values):
    version = rubrics.latest_version(rubric.key)
    result = rating.rate_all(rubric, [rating.SubjectInput(subject_id, values)])[subject_id]
    store_rating(subject_kind, subject_id, period, version, result, datetime.datetime(period.year + 1, 1, 20))


@pytest.mark.parametrize("key", sorted(rating.shipped_rubrics()))
def test_every_rubric_key_shows_as_words(client, app, monkeypatch, key):
    rubric = rating.shipped_rubrics()[key]
    tree = make_tree()
    year = datetime.date.today().year
    vetoed_year = make_period(year - 2, state="final")
    rated_year = make_period(year - 1, state="final")
    live_year = make_period(year)
    if rubric.scope == "member":
        monkeypatch.setitem(rating.MEMBER_RUBRIC_BY_DOMAIN, "rural", key)
        subject = make_member(tree["branch"], "巴特尔", "ᠪᠠᠭᠠᠲᠤᠷ")
        kind = MEMBER
    else:
        subject = tree["branch"]
        Organisation.update(rubric_key=key).where(Organisation.id == subject.id).execute()
        kind = ORGANISATION
    everything = _all_values(rubric)
    passing = {k: v for k, v in everything.items() if rubric.item(k).kind != "veto"}
    _publish(kind, subject.id, vetoed_year, rubric, everything)
    _publish(kind, subject.id, rated_year, rubric, passing)
    for item_id, value in everything.items():
        record(subject, live_year, item_id, value, reason="内部记录", public_reason=False)
    revision.bump()
    code = issue_code(subject).code
    names = set(rubric_names(rubric))
    for lang in ("zh", "mn", "en"):
        page = client.get(f"/Q/{code}?lang={lang}")
        assert page.status_code == 200
        text = visible_text(page.get_data(as_text=True))
        assert not SNAKE.findall(text), (key, lang, SNAKE.findall(text)[:5])
        if lang == "zh":
            for item in rubric.items:  # live items, veto items, components: each by its name
                assert item.name in text or rubric.item(item.id).kind == "gate", (key, item.id)
        else:
            untranslated = [name for name in names if name in text]
            assert not untranslated, (key, lang, untranslated)


def test_every_rubric_name_is_in_both_catalogues():
    catalogues = {}
    for lang in ("mn", "en"):
        with open(CATALOGUES.format(lang), "rb") as file:
            catalogues[lang] = read_po(file)
    for key, rubric in rating.shipped_rubrics().items():
        for name in rubric_names(rubric):
            for lang, catalogue in catalogues.items():
                message = catalogue.get(name)
                assert message is not None and message.string, (key, lang, name)
                if lang == "mn":
                    assert not HAN.search(message.string), (key, name, message.string)


FIVE_STRONG = ("political_function", "team_building", "organisational_life", "exemplary_role", "mass_work")
FIVE_BASICS = ("basic_organisation", "basic_team", "basic_activities", "basic_system", "basic_support")


def why_five_strong(scores, **values):
    """One branch rated by branch_five_strong with its five dimension SCORES (in FIVE_STRONG's
    order) and VALUES, and the page's explanation of its stars: (result, why)."""
    rubric = rating.shipped_rubrics()["branch_five_strong"]
    values = dict(zip(FIVE_STRONG, scores, strict=True), **values)
    result = rating.rate_all(rubric, [rating.SubjectInput(1, values)])[1]
    why = star_reasons.explain(
        rubric,
        {
            "total": result.total,
            "stars": result.stars,
            "max_stars": 5,
            "vetoed": False,
            "exempt": False,
            "breakdown": result.breakdown,
        },
    )
    return result, why


def test_why_five_strong_at_97_9_is_four_stars():
    """The issue's branch: 97.9 points, every dimension passed, 最强党支部, no innovation project."""
    result, why = why_five_strong((20, 20, 19.9, 19, 19), district_honour=5, **dict.fromkeys(FIVE_BASICS, 1))
    assert (result.total, result.stars, result.designations) == (102.9, 4, ["最强党支部"])
    assert why["next_stars"] == 5 and why["missing"] == ["党建创新项目"] and why["points_short"] is None


def test_why_gate_failed_caps_at_one_star():
    result, why = why_five_strong((18, 18, 18, 18, 17.5), basic_organisation=1)
    assert (result.total, result.stars) == (89.5, 1)
    assert why["gate"] == "五个基本" and why["gate_max_stars"] == 1


def test_page_explains_the_stars(client, app):
    tree = make_tree(domain="community")
    branch = tree["branch"]
    period = make_period(datetime.date.today().year - 1, state="final")
    rubric = rating.shipped_rubrics()["community_five_strong"]
    values = {c.id: 19.5 for c in rubric.components}
    values.update({item: 1 for item in rubric.gate_ids})
    _publish(ORGANISATION, branch.id, period, rubric, values)
    revision.bump()
    code = issue_code(branch).code
    page = client.get(f"/Q/{code}").get_data(as_text=True)
    text = visible_text(page)
    assert "差党建创新项目，未达5星。" in text and "最强党支部" in text and "16分达标" in text
    english = visible_text(client.get(f"/Q/{code}?lang=en").get_data(as_text=True))
    assert "No Party-building innovation project, so not 5 stars." in english
    assert "Strongest Party branch" in english and "pass mark 16" in english
    assert RatingPeriod.select().count() == 1
