"""What an operator reads in a shell speaks their language (STARQR_LANG): the publication report
(published, held subjects and why) and the production configuration refusals."""

import pickle
import sys
from types import SimpleNamespace

import click
import pytest

from starqr.cli import errors as cli_errors
from starqr.config import ConfigError, refuse_weak_production_settings
from starqr.models import ORGANISATION
from starqr.services import plaques, publish_report, ratings
from tests.helpers import make_tree, make_unratable_member


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


@pytest.mark.parametrize(
    "lang, refused, cancelled, aborted",
    [
        (
            "zh",
            "Error: 牌匾 %(code)s 将永久失效(不补发新编码):没有 --yes,不执行(没有可以确认的终端)",
            "Error: 已取消,没有做任何更改",
            "Error: 已中止,没有再做任何事",
        ),
        (
            "en",
            "Error: plaque %(code)s stops working for good (no replacement): refusing without --yes",
            "Error: cancelled: nothing was changed",
            "Error: aborted, nothing more was done",
        ),
        ("mn", "Error: %(code)s ᠬᠠᠪᠲᠠᠰᠤ ᠦᠷᠭᠦᠯᠵᠢ", "Error: ᠪᠣᠯᠢᠭᠰᠠᠨ᠂", "Error: ᠵᠣᠭᠰᠣᠭᠠᠭᠰᠠᠨ᠂"),
    ],
)
def test_cli_confirmation_lines_in_the_operators_language(app, cli, monkeypatch, lang, refused, cancelled, aborted):
    code = plaques.issue(ORGANISATION, make_tree()["branch"].id).code
    monkeypatch.setenv("STARQR_LANG", lang)
    result = cli("plaques", "revoke", code, "--reason", "丢失")  # no terminal, no --yes
    assert result.exit_code == 1 and result.output.startswith(refused % {"code": code}), result.output

    class Terminal:
        def isatty(self):
            return True

    asked = []
    monkeypatch.setattr(
        cli_errors, "sys", SimpleNamespace(stdin=Terminal(), exit=sys.exit)
    )  # the runner's stdin is none
    monkeypatch.setattr(cli_errors.click, "confirm", lambda text, **kwargs: asked.append(text) or False)
    result = cli("plaques", "revoke", code, "--reason", "丢失")  # the operator answers no
    assert result.exit_code == 1 and result.output.startswith(cancelled), result.output
    assert len(asked) == 1 and code in asked[0] and asked[0].endswith(("继续吗?", "Continue?", "?"))

    def interrupted(text, **kwargs):
        raise click.Abort

    monkeypatch.setattr(cli_errors.click, "confirm", interrupted)
    result = cli("plaques", "revoke", code, "--reason", "丢失")  # Ctrl-C at the question
    assert result.exit_code == 1 and result.output.startswith(aborted), result.output
    assert plaques.get_plaque(code).status == "active"
    hint = {"zh": "(见「main plaques revoke --help」)", "en": "(see 'main plaques revoke --help')", "mn": "ᠦᠵᠡᠭᠡᠷᠡᠢ)"}
    result = cli("plaques", "revoke", "--reason", "丢失")  # a usage error: click's words, our hint
    assert result.exit_code == 2 and result.output.rstrip().endswith(hint[lang]), result.output
