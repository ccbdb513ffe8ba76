"""What an operator reads in a shell speaks their language (STARQR_LANG): the publication report
(published, held subjects and why) and the production configuration refusals."""

import pickle

import pytest

from starqr.config import ConfigError, refuse_weak_production_settings
from starqr.services import publish_report, ratings
from tests.helpers import make_unratable_member


def _period_with_a_held_member():
    """make_unratable_member's period (one member held, one fine): (period, the held member)."""
    _tree, period, broken, _fine = make_unratable_member()
    return period, broken


@pytest.mark.parametrize(
    "lang, published, held",
    [
        (
            "zh",
            "已发布 2 个评定结果;公示至",
            "暂缓评定党员 %(id)s 坏数据:“民主评议得票率（%%）”的值 160 超出了允许范围 0–100",
        ),
        ("mn", "2 ᠦᠨᠡᠯᠡᠯᠲᠡ ᠶᠢ ᠨᠡᠢᠲᠡᠯᠡᠪᠡ;", "ᠦᠨᠡᠯᠡᠯᠲᠡ ᠶᠢ ᠲᠦᠷ ᠬᠣᠢᠰᠢᠯᠠᠭᠤᠯᠤᠭᠰᠠᠨ ᠨᠠᠮ ᠤᠨ ᠭᠡᠰᠢᠭᠦᠨ %(id)s 坏数据: "),
        ("en", "published 2 ratings; notice until", "held member %(id)s 坏数据: The value 160 of "),
    ],
)
def test_cli_publish_report_in_the_operators_language(app, cli, monkeypatch, lang, published, held):
    period, broken = _period_with_a_held_member()
    monkeypatch.setenv("STARQR_LANG", lang)
    result = cli("publish", "2025")
    assert result.exit_code == 0, result.output
    assert published in result.output and held % {"id": broken.id} in result.output, result.output
    if lang != "zh":
        assert "已发布" not in result.output and "暂缓" not in result.output and "超出" not in result.output


def test_report_lines_keep_their_code_and_survive_pickling(app):
    period, broken = _period_with_a_held_member()
    ratings.rate(period)
    lines = ratings.held_lines(period, ratings.holds(period))
    assert [line.code for _, line in lines] == ["held_subject"]
    again = pickle.loads(pickle.dumps(lines))
    assert (
        again == lines
        and again[0][1].text(lambda text: text) == str(lines[0][1])
        and again[0][1].code == "held_subject"
    )
    assert publish_report.finalised().code == "finalised" and str(publish_report.objections_open(2)).startswith(
        "公示延续:2 条"
    )


def test_config_refusal_is_a_catalogue_template(tmp_path):
    with pytest.raises(ConfigError) as caught:
        refuse_weak_production_settings({"SECRET_KEY": "short"}, str(tmp_path))
    assert caught.value.code == "config_short_secret_key" and caught.value.params == {"bytes": 32}
    assert str(caught.value).startswith("STARQR_SECRET_KEY 太短")
