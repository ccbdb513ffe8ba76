"""Every `starqr` command, found by walking the click tree (so commands added later are covered),
run with bad arguments: one `Error:` line, exit 2 (usage) or 1 (failed), never a traceback,
and nothing in the database changed."""

import time

import click
import pytest

from starqr import ledger
from starqr.cli import main
from starqr.cli.errors import OutputPath
from starqr.models import Organisation, User
from tests.helpers import make_tree


class BegunWaiting(BaseException):
    """Not an Exception: neither the CLI's one-line handler nor click's runner may swallow it."""


def leaf_commands(group=main, path=()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, path + (name,))
        else:
            yield path + (name,), command


def _is_flag(param):
    return isinstance(param, click.Option) and (param.is_flag or param.count)


def _filler(param, tmp_path):
    """A well-formed value naming nothing that exists (so the command fails, never works)."""
    kind = param.type
    if isinstance(kind, click.Choice):
        return kind.choices[0]
    if isinstance(kind, OutputPath):
        return str(tmp_path / "out.bin")
    if isinstance(kind, click.Path):
        existing = tmp_path / "input.csv"
        existing.write_text("not,a,real\nfile,at,all\n")
        return str(existing)
    if isinstance(kind, click.types.IntParamType):
        return "987654"
    return "NOSUCHTHING9"


def _bad_values(param, tmp_path):
    kind = param.type
    if isinstance(kind, click.Choice):
        return ["no-such-choice"]
    if isinstance(kind, click.Path):
        return [str(tmp_path / "no" / "such" / "folder" / "x.out"), ""]
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return ["not-a-number", "-1"]
    return ["", "bad\x01value"]


def _invocation(path, command, bad_param, bad_value, tmp_path):
    args = list(path)
    for param in command.params:
        if param is bad_param:
            value = bad_value
        elif param.required and not _is_flag(param):
            value = _filler(param, tmp_path)
        else:
            continue
        if isinstance(param, click.Option):
            args += [param.opts[0], value]
    # Arguments go after the options, in declaration order.
    for param in command.params:
        if isinstance(param, click.Argument):
            args.append(bad_value if param is bad_param else _filler(param, tmp_path))
    return args


def _cases(tmp_path):
    for path, command in leaf_commands():
        yield list(path) + ["--no-such-option"]
        for param in command.params:
            if _is_flag(param) or param.name == "help" or getattr(param, "hidden", False):
                continue
            for value in _bad_values(param, tmp_path):
                yield _invocation(path, command, param, value, tmp_path)


def test_the_tree_has_the_operator_commands():
    names = {" ".join(path) for path, _ in leaf_commands()}
    for expected in (
        "backup",
        "restore",
        "periods list",
        "api-token list",
        "api-token revoke",
        "users create",
        "demo",
        "serve",
        "scheduler",
        "plaques revoke",
    ):
        assert expected in names


def test_every_command_with_a_bad_argument_fails_in_one_line(app, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def no_waiting(seconds):  # a command that waits is running, not refusing (a follow loop)
        raise BegunWaiting(f"a command began waiting ({seconds} s) instead of refusing its argument")

    monkeypatch.setattr(time, "sleep", no_waiting)
    make_tree()
    before = (Organisation.select().count(), User.select().count())
    ran = 0
    for args in _cases(tmp_path):
        result = cli(*args)
        ran += 1
        shown = f"starqr {' '.join(map(repr, args))} -> {result.exit_code}: {result.output!r}"
        assert result.exit_code in (1, 2), shown
        assert result.exception is None or isinstance(result.exception, SystemExit), shown
        assert "Traceback" not in result.output, shown
        errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, shown
        if "--no-such-option" in args:
            assert result.exit_code == 2, shown
    assert ran > 60
    assert (Organisation.select().count(), User.select().count()) == before


@pytest.mark.parametrize(
    "args, message, lang",
    [
        (["users", "create", "", "--role", "admin", "--password", "long-enough-password"], "must not be empty", "en"),
        (["users", "create", "", "--role", "admin", "--password", "long-enough-password"], "不能为空", "zh"),
        (["users", "create", "two words", "--role", "admin", "--password", "long-enough-password"], "空格", "zh"),
        (["serve", "--port", "99999"], "--port", "zh"),
        (["demo", "--reset", "--members", "10"], "--members", "zh"),
        (["plaque", "X", "--format", "pdf", "-o", "/nonexistent/dir/x.pdf"], "/nonexistent/dir", "zh"),
        (
            ["plaques", "export", "--format", "csv", "-o", "/nonexistent/dir/x.csv"],
            "文件夹 /nonexistent/dir 不存在",
            "zh",
        ),
    ],
)
def test_issue_examples_are_refused_before_anything_happens(app, cli, monkeypatch, args, message, lang):
    monkeypatch.setenv("STARQR_LANG", lang)  # the refusal is in the operator's language
    make_tree()
    before = (Organisation.select().count(), User.select().count())
    result = cli(*args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert (Organisation.select().count(), User.select().count()) == before


def test_demo_reset_on_data_needs_yes_and_refuses_too_few_members_before_wiping(app, cli):
    make_tree()
    result = cli("demo", "--reset", "--members", "60", "--password", "demo-password-1")
    assert result.exit_code == 1 and "--yes" in result.output
    assert Organisation.select().count() == 4


def test_user_names_are_unique_whatever_the_case(app, cli):
    args = ["--role", "admin", "--password", "long-enough-password"]
    assert cli("users", "create", "Admin2", *args).exit_code == 0
    result = cli("users", "create", "admin2", *args)
    assert result.exit_code == 1 and "已存在" in result.output


def test_unexpected_errors_are_one_line(app, cli, monkeypatch):
    from starqr.services import ratings

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device", "/var/lib/starqr/x")

    monkeypatch.setattr(ratings, "find_period", broken)
    result = cli("rate", "2025")
    assert result.exit_code == 1 and result.output.strip() == "Error: /var/lib/starqr/x: No space left on device"


def test_lists_for_operators(app, cli):
    from starqr.services import api_tokens
    from tests.helpers import make_period, make_user

    make_period(2025)
    user = make_user("admin", "admin")
    token, _ = api_tokens.create(user, "nightly export")
    assert "2025年度" in cli("periods", "list").output
    listed = cli("api-token", "list").output
    assert "nightly export" in listed and "admin" in listed and str(token.id) in listed
    assert cli("api-token", "revoke", token.id, "--yes").exit_code == 0
    assert "nightly export" not in cli("api-token", "list").output
    assert "revoked" in cli("api-token", "list", "--all").output


@pytest.mark.parametrize("key", ["ab" * 31, "ab " * 32, "zz" * 32, ("ab" * 32)[:-1] + " "])
def test_a_public_key_is_64_hex_digits_refused_before_the_ledger_is_read(app, cli, monkeypatch, key):
    monkeypatch.setattr(ledger, "verify", lambda: pytest.fail("the ledger was read before the key was checked"))
    result = cli("ledger", "verify", "--public-key", key)
    assert result.exit_code == 2 and "不是 Ed25519 公钥(64 位十六进制数字)" in result.output, result.output
