"""One error base: a code and parameters, the message translated at the edge (zh, mn, en)."""

import pytest
from flask_babel import gettext

from starqr import errors
from starqr.errors import N_, NotFound, StarQRError


def test_every_service_error_shares_the_base():
    from starqr import checkpoints, ledger, validation
    from starqr.plaque import qr, render, sheet
    from starqr.rating.errors import RubricError
    from starqr.services import accounts, administration, demo, imports, members, objections, plaques, ratings

    classes = [
        accounts.AccountError,
        accounts.LoginRefused,
        members.MemberError,
        plaques.PlaqueError,
        demo.DemoError,
        imports.ImportFileError,
        administration.AdminError,
        ratings.PeriodError,
        objections.ObjectionError,
        ledger.LedgerError,
        checkpoints.CheckpointError,
        RubricError,
        validation.ValidationError,
        qr.QrError,
        render.RenderError,
        sheet.SheetError,
    ]
    assert all(issubclass(cls, StarQRError) for cls in classes)
    assert issubclass(RubricError, ValueError) and issubclass(qr.QrError, ValueError)  # older callers


def test_code_params_and_untranslated_text():
    error = errors.Invalid(N_("“%(name)s”已移出名册"), code="member_left", name="巴特尔")
    assert (error.code, error.status, error.params) == ("member_left", 422, {"name": "巴特尔"})
    assert str(error) == "“巴特尔”已移出名册"
    assert error.to_dict()["params"] == {"name": "巴特尔"}
    # A translation that lost its placeholder must not hide the error.
    assert error.message(lambda text: "broken %(other)s") == "“巴特尔”已移出名册"


@pytest.mark.parametrize(
    "lang, expected", [("zh", "没有这名党员"), ("en", "No such party member"), ("mn", "ᠡᠨᠡ ᠨᠠᠮ ᠤᠨ ᠭᠡᠰᠢᠭᠦᠨ ᠪᠠᠶᠢᠬᠤ ᠦᠭᠡᠢ")]
)
def test_translated_at_the_edge(app, lang, expected):
    error = NotFound(N_("没有这名党员"), code="member_not_found")
    with app.test_request_context(f"/?lang={lang}"):
        assert error.message(gettext) == expected


def test_the_api_answers_service_errors_in_the_callers_language(app, client):
    from tests.helpers import make_period, make_user
    from starqr.services import accounts

    period = make_period(year=2025, state="final")
    _, token = accounts.create_api_token(make_user("err_admin", "admin"), "t")
    response = client.post(
        f"/api/v1/periods/{period.id}/schedule?lang=en",
        json={"publish_at": "2030-01-01T09:00"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (409, 422) and response.is_json
    assert set(response.json) >= {"error", "message"}


def test_a_service_refusal_reaches_the_api_in_english_and_mongolian(app, client):
    from tests.helpers import make_member, make_period, make_tree, make_user
    from starqr.services import accounts

    tree = make_tree()
    member = make_member(tree["branch"])
    period = make_period(year=2025)
    _, token = accounts.create_api_token(make_user("err_writer", "admin"), "t")
    body = {"subject_kind": "member", "subject_id": member.id, "period_id": period.id, "item": "flying", "reason": "x"}
    answers = {}
    for lang in ("zh", "en", "mn"):
        response = client.post(f"/api/v1/ledger?lang={lang}", json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 422 and response.json["error"] == "invalid"
        answers[lang] = response.json["message"]
    assert answers == {
        "zh": "积分项目不属于该对象的评星标准。",
        "en": "This item is not in the subject's rubric.",
        "mn": "ᠡᠨᠡ ᠣᠨᠤᠭ᠎ᠠ ᠶᠢᠨ ᠵᠦᠢᠯ ᠡᠨᠡ ᠡᠵᠡᠨ ᠦ ᠦᠨᠡᠯᠡᠬᠦ ᠪᠠᠷᠢᠮᠵᠢᠶ᠎ᠠ ᠳᠤ ᠪᠠᠶᠢᠬᠤ ᠦᠭᠡᠢ᠃",
    }


def test_errors_phrases_and_import_rows_fill_a_sentence_one_way():
    from babel.support import Translations

    from starqr import phrases
    from starqr.cli.language import TRANSLATIONS
    from starqr.services.imports.errors import RowError

    mongolian = Translations.load(TRANSLATIONS, ["mn"]).gettext
    template, dissolved = phrases.STORED["ledger_correction"], phrases.read(phrases.stored("organisation_dissolved"))
    error = errors.Conflict(template, code="corrected", reason=dissolved)
    as_phrase = phrases.Phrase("ledger_correction", template, reason=dissolved)
    as_row = RowError(0, "", template, {"reason": dissolved})
    assert str(error) == as_phrase == as_row.text() == "更正:组织已撤销"
    assert error.message(mongolian) == as_phrase.text(mongolian) == as_row.text(mongolian)
    translated = error.message(mongolian)
    assert translated == f"ᠵᠠᠰᠠᠪᠤᠷᠢ: {dissolved.text(mongolian)}" and "组织" not in translated
