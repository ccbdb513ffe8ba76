"""Rubric errors reach an administrator in their language: the console upload in zh, mn and en
(the field path stays as written in the file), and the code and parameters behind the sentence."""

import html
import pathlib

import pytest
import yaml

from tests.helpers import login_new_user, make_member, make_period, make_tree, record
from starqr import rating
from starqr.models import RubricVersion

# member_points, with the 5-star rule's min written as a word: stars[0].min must be a number.
EXPECTED = {
    "zh": "评分标准有误:member_points: stars[0].min: 应为数字",
    "mn": "ᠦᠨᠡᠯᠡᠬᠦ ᠪᠠᠷᠢᠮᠵᠢᠶ᠎ᠠ ᠳᠤ ᠪᠤᠷᠤᠭᠤ ᠪᠠᠶᠢᠨ᠎ᠠ: member_points: stars[0].min: ᠲᠣᠭ᠎ᠠ ᠪᠠᠶᠢᠬᠤ ᠤᠴᠢᠷᠲᠠᠶ",
    "en": "The rubric has an error: member_points: stars[0].min: must be a number",
}


def _broken(text):
    return text.replace("version: 1", "version: 2").replace("{min: 90, stars: 5}", "{min: ninety, stars: 5}")


def test_the_error_keeps_code_key_and_path_as_parameters():
    text = _broken((pathlib.Path(rating.RUBRICS_DIRECTORY) / "member_points.yaml").read_text(encoding="utf-8"))
    with pytest.raises(rating.RubricError) as caught:
        rating.load_rubric_text(text)
    body = caught.value.to_dict()
    assert body["error"] == "rubric_not_a_number"
    assert body["params"] == {"key": "member_points", "path": "stars[0].min"}
    assert body["message"] == "member_points: stars[0].min: 应为数字"


@pytest.mark.parametrize("lang", ["zh", "mn", "en"])
def test_console_upload_of_a_bad_rubric_speaks_the_readers_language(app, client, lang):
    make_tree()  # stores the shipped rubric versions
    period = make_period(year=2025)
    login_new_user(client, "rubric_admin", "admin")
    text = _broken(RubricVersion.get(RubricVersion.key == "member_points").text)
    response = client.post(
        "/console/admin/rubrics/member_points",
        data={"text": text, "period": period.id, "preview": "1"},
        headers={"Accept-Language": lang},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and EXPECTED[lang] in page, page[-3000:]
    if lang != "zh":
        assert "应为数字" not in page
    assert RubricVersion.select().where(RubricVersion.key == "member_points").count() == 1


def test_console_refuses_a_version_that_drops_an_item_the_ledger_holds_in_mongolian(app, client):
    tree = make_tree()
    period = make_period(year=2025)
    record(make_member(tree["branch"]), period, "study", 2)
    login_new_user(client, "rubric_admin", "admin")
    current = RubricVersion.get(RubricVersion.key == "member_points").text
    data = yaml.safe_load(current)
    data["version"] = 2
    data["items"] = [item for item in data["items"] if item["id"] != "study"]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    response = client.post(
        "/console/admin/rubrics/member_points",
        data={"text": text, "period": period.id, "preview": "1"},
        headers={"Accept-Language": "mn"},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200  # the form again, with the refusal, not a redirect to a stored version
    assert "member_points: items: ᠳᠠᠩᠰᠠ ᠳᠤ “study” ᠵᠦᠢᠯ ᠦᠨ ᠲᠡᠮᠳᠡᠭᠯᠡᠯ ᠪᠠᠶᠢᠭ᠎ᠠ ᠲᠤᠯᠠ ᠬᠠᠰᠤᠵᠤ ᠪᠣᠯᠬᠤ ᠦᠭᠡᠢ" in page, page[
        -3000:
    ]
    assert 'id="rubric-preview"' not in page  # no star moves are previewed for a version it refuses
    versions = RubricVersion.select().where(RubricVersion.key == "member_points")
    assert [(v.version, v.text) for v in versions] == [(1, current)]  # nothing stored: v1 is still current


@pytest.mark.parametrize("door", ["console", "service"])
def test_saving_a_version_that_drops_an_item_the_ledger_holds_is_refused_too(app, client, door):
    """Not only the preview: saving it is refused, nothing stored, so no recorded points stop counting."""
    from starqr.services import rubric_uploads

    tree = make_tree()
    period = make_period(year=2025)
    record(make_member(tree["branch"]), period, "study", 2)
    admin = login_new_user(client, "rubric_saver", "admin")
    current = RubricVersion.get(RubricVersion.key == "member_points").text
    data = yaml.safe_load(current)
    data["version"] = 2
    data["items"] = [item for item in data["items"] if item["id"] != "study"]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if door == "console":
        response = client.post("/console/admin/rubrics/member_points", data={"text": text, "save": "1"})
        page = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 200
        assert "member_points: items: 台账中已有项目“study”的记录,不能删除" in page
    else:
        with pytest.raises(rating.RubricError) as refused:
            rubric_uploads.upload_rubric(admin, text, "member_points")
        assert refused.value.code == "rubric_item_in_ledger" and refused.value.params["item"] == "study"
    versions = RubricVersion.select().where(RubricVersion.key == "member_points")
    assert [(v.version, v.text) for v in versions] == [(1, current)]
