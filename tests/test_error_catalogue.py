"""Every error template is in the catalogue and reads in zh, mn and en; each door speaks Mongolian.

The walk reads the sources (every N_ msgid and every StarQRError raised in starqr/) and the .po
files themselves, so it needs no compiled catalogue; the door tests go through the real edges:
a console flash, an API error body, a CLI line.
"""

import ast
import importlib
import pathlib
import pkgutil
import re

import pytest
from babel.messages.pofile import read_po

import starqr
from starqr.errors import StarQRError
from tests.helpers import login_new_user, make_member, make_tree, make_user

ROOT = pathlib.Path(starqr.__file__).parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _marked_msgids():
    """{msgid: first place} of every N_("...") in starqr/: the templates the edges translate."""
    found = {}
    for path, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "N_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return found


def _catalogue(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


MSGIDS = _marked_msgids()
CATALOGUES = {lang: _catalogue(lang) for lang in ("mn", "en")}


def _sample(msgid):
    return {name: f"<{name}>" for name in PLACEHOLDER.findall(msgid)}


def test_the_walk_finds_the_error_templates():
    assert len(MSGIDS) > 250
    assert "没有编码为 %(plaque)s 的牌匾" in MSGIDS and "该组织还有 %(count)s 名党员,请先转接。" in MSGIDS


@pytest.mark.parametrize("lang", ["zh", "mn", "en"])
def test_every_template_formats_with_its_parameters(lang):
    problems = []
    for msgid, where in sorted(MSGIDS.items()):
        params = _sample(msgid)
        if lang == "zh":
            text = msgid
        else:
            message = CATALOGUES[lang].get(msgid)
            if message is None or not message.string or message.fuzzy:
                problems.append(f"{where}: {msgid!r} has no {lang} translation")
                continue
            text = message.string
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(msgid)):
                problems.append(f"{where}: {lang} translation of {msgid!r} changes the placeholders: {text!r}")
                continue
        try:
            filled = text % params if params else text
        except (KeyError, ValueError, TypeError) as error:
            problems.append(f"{where}: {msgid!r} in {lang}: {type(error).__name__} {error}")
            continue
        if "%(" in filled or any(value not in filled for value in params.values()):
            problems.append(f"{where}: {msgid!r} in {lang} leaves a placeholder or drops a parameter: {filled!r}")
    assert not problems, "\n".join(problems)


def test_no_raise_builds_chinese_text_outside_the_catalogue():
    """A Chinese message raised as a literal or an f-string would reach every reader in Chinese."""
    offenders = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                continue
            first = node.exc.args[0]
            if isinstance(first, (ast.Constant, ast.JoinedStr, ast.BinOp)) and HAN.search(ast.unparse(first)):
                offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {ast.unparse(node.exc)[:80]}")
    assert not offenders, "\n".join(offenders)


# Exceptions that are not a person's refusal: click's own plumbing.
NOT_REFUSALS = {"starqr.cli.errors.OneLineError"}


def test_every_exception_class_shares_the_one_base():
    classes = set()
    for module in pkgutil.walk_packages(starqr.__path__, "starqr."):
        if (
            ".migrations" in module.name
            or module.name.endswith("__main__")
            or module.name.startswith(("starqr.fonts", "starqr.wsgi"))
        ):
            continue
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, BaseException) and value.__module__.startswith("starqr"):
                classes.add(value)
    strays = sorted(
        f"{c.__module__}.{c.__name__}"
        for c in classes
        if not issubclass(c, StarQRError) and f"{c.__module__}.{c.__name__}" not in NOT_REFUSALS
    )
    assert len(classes) > 20 and not strays, strays
    assert all(isinstance(c.code, str) and c.code for c in classes if issubclass(c, StarQRError))


# ---------------------------------------------------------------- the three doors, in Mongolian

MN_MEMBERS_LEFT = "ᠡᠨᠡ ᠪᠠᠶᠢᠭᠤᠯᠤᠯᠭ᠎ᠠ ᠳᠤ 1 ᠨᠠᠮ ᠤᠨ ᠭᠡᠰᠢᠭᠦᠨ ᠪᠠᠶᠢᠨ᠎ᠠ᠂ ᠡᠬᠢᠯᠡᠭᠡᠳ ᠰᠢᠯᠵᠢᠭᠦᠯᠦᠭᠡᠷᠡᠢ᠃"


def test_console_flash_in_mongolian(app, client):
    tree = make_tree()
    make_member(tree["branch"])
    login_new_user(client, "mn_admin", "admin")
    response = client.post(
        f"/console/organisations/{tree['branch'].id}/archive",
        data={"reason": "合并"},
        headers={"Accept-Language": "mn"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert MN_MEMBERS_LEFT in page and "请先转接" not in page


def test_api_error_body_in_mongolian(app, client):
    from starqr.services import accounts

    tree = make_tree()
    _, token = accounts.create_api_token(make_user("mn_api", "admin"), "t")
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "mn"}
    missing = client.get("/api/v1/organisations/987654", headers=headers)
    assert missing.status_code == 404
    assert missing.json["error"] == "not_found" and missing.json["message"] == "987654 ᠳ᠋ᠤᠭᠠᠷ ᠲᠠᠢ ᠪᠠᠶᠢᠭᠤᠯᠤᠯᠭ᠎ᠠ ᠦᠭᠡᠢ"
    assert missing.json["params"] == {"id": 987654}
    refused = client.get("/api/v1/organisations", headers={"Authorization": "Bearer nope", "Accept-Language": "mn"})
    assert refused.status_code == 401 and refused.json["message"] == "API ᠲᠣᠺᠧᠨ ᠬᠦᠴᠦᠨ ᠦᠭᠡᠢ ᠪᠤᠶᠤ ᠬᠦᠴᠦᠨ ᠦᠭᠡᠢ ᠪᠣᠯᠭᠠᠭᠰᠠᠨ"
    assert tree["branch"].id


def test_api_service_error_carries_code_message_and_params(app, client):
    from starqr.errors import NotFound
    from starqr.views.api import base

    with app.test_request_context("/api/v1/x", headers={"Accept-Language": "mn"}):
        response = base._service_error(
            NotFound(starqr.errors.N_("没有编号为 %(id)s 的党员"), code="member_not_found", id=7)
        )
    assert response.status_code == 404
    assert response.get_json() == {
        "error": "member_not_found",
        "message": "7 ᠳ᠋ᠤᠭᠠᠷ ᠲᠠᠢ ᠨᠠᠮ ᠤᠨ ᠭᠡᠰᠢᠭᠦᠨ ᠦᠭᠡᠢ",
        "params": {"id": 7},
    }


@pytest.mark.parametrize(
    "environment",
    [{"STARQR_LANG": "mn"}, {"STARQR_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "mn_MN.UTF-8"}],
)
def test_cli_error_in_mongolian(app, monkeypatch, environment):
    from starqr.cli import main

    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with app.app_context():
        result = app.test_cli_runner().invoke(
            main, ["users", "create", "two words", "--role", "admin", "--password", "long-enough-password"]
        )
    assert result.exit_code != 0
    assert "「two words」 ᠬᠡᠷᠡᠭᠯᠡᠭᠴᠢ ᠶᠢᠨ ᠨᠡᠷ᠎ᠡ ᠳᠦ ᠵᠠᠢ ᠪᠤᠶᠤ ᠡᠵᠡᠮᠳᠡᠬᠦ ᠲᠡᠮᠳᠡᠭ ᠪᠠᠶᠢᠵᠤ ᠪᠣᠯᠬᠤ ᠦᠭᠡᠢ" in result.output


def test_cli_language_choice():
    from starqr.cli.language import language

    assert language({}) == "zh"
    assert language({"LANG": "C.UTF-8"}) == "zh"
    assert language({"LANG": "en_US.UTF-8"}) == "en"
    assert language({"LC_ALL": "mn_MN.UTF-8", "LANG": "en_US.UTF-8"}) == "mn"
    assert language({"STARQR_LANG": "en", "LANG": "mn_MN.UTF-8"}) == "en"
    assert language({"STARQR_LANG": "fr", "LANG": "zh_CN.UTF-8"}) == "zh"


def test_cli_import_summary_in_mongolian(app, monkeypatch, tmp_path):
    from starqr.cli import main
    from starqr.services import imports
    from tests.helpers import issue_code, make_period

    tree = make_tree()
    member = make_member(tree["branch"])
    period = make_period(year=2025)
    path = tmp_path / "points.csv"
    path.write_bytes(
        imports.write_csv([[issue_code(member).code, member.name_zh, "study", "", 2, "2025-05-01", "学习"]])
    )
    monkeypatch.setenv("STARQR_LANG", "mn")
    with app.app_context():
        result = app.test_cli_runner().invoke(main, ["import", str(path), "--period", str(period.id), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 ᠮᠥᠷ ᠬᠦᠴᠦᠨ ᠲᠡᠢ; 1 ᠰᠢᠨ᠎ᠡ ᠳᠠᠩᠰᠠ ᠶᠢᠨ ᠲᠡᠮᠳᠡᠭᠯᠡᠯ ᠨᠡᠮᠡᠭᠳᠡᠨ᠎ᠡ" in result.output
