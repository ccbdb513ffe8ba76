"""Every `starqr` error is one line on stderr: exit 2 for usage, 1 for a failure, never a traceback.

Done once, here, for every command (including those other areas add): `StarQRGroup` turns the
project's own errors, OSError (unwritable paths, missing files, refused connections) and database
errors into `Error: ...` lines. Anything else unexpected becomes one line too, naming its type;
STARQR_TRACEBACK=1 shows the full traceback for a developer.
"""

import logging
import os
import sys

import click

from starqr.cli.language import error_text, say
from starqr.errors import N_, StarQRError
from starqr.log_events import log_event

log = logging.getLogger("starqr.cli")


def one_line(text):
    return " ".join(str(text).split()) or "failed"


def describe(error):
    """One line for an exception an operator can act on (the project's own in their language)."""
    if isinstance(error, StarQRError):
        return one_line(error_text(error))
    if isinstance(error, OSError):
        where = error.filename if error.filename is not None else ""
        reason = error.strerror or one_line(error) or type(error).__name__
        return f"{where}: {reason}" if where else reason
    message = one_line(error) if str(error) else type(error).__name__
    module = type(error).__module__ or ""
    if module.startswith(
        ("starqr", "peewee", "psycopg2", "sqlite3", "redis", "huey", "click", "werkzeug")
    ) or isinstance(error, (ValueError, LookupError)):
        return message
    return f"{type(error).__name__}: {message}"


class OneLineError(click.ClickException):
    def format_message(self):
        return one_line(self.message)


class StarQRGroup(click.Group):
    """A click group whose errors, at any depth, reach the operator as one line."""

    group_class = type  # subgroups made with @group.group() are StarQRGroups too

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            hint = " " + say(N_("(见「%(command)s --help」)"), command=error.ctx.command_path) if error.ctx else ""
            click.echo(f"Error: {one_line(error.format_message())}{hint}", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"Error: {one_line(error.format_message())}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Error: " + say(N_("已中止,没有再做任何事")), err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.UsageError, SystemExit, KeyboardInterrupt):
            raise
        except click.ClickException as error:
            if not isinstance(error, OneLineError):  # a OneLineError was logged by the group below
                _failed(ctx, error)
            raise OneLineError(error.format_message()) from None
        except Exception as error:
            _failed(ctx, error)
            if os.environ.get("STARQR_TRACEBACK"):
                raise
            raise OneLineError(describe(error)) from None


def _failed(ctx, error):
    """One structured line per failed command (the operator reads the message on stderr)."""
    name = ctx.invoked_subcommand or ctx.command_path
    error = error.__cause__ or error  # fail(error): the service error behind the one line
    log_event(
        log,
        "command.failed",
        logging.WARNING,
        command=name,
        error=type(error).__name__,
        code=getattr(error, "code", None),
    )


class OutputPath(click.Path):
    """A file to write: its folder must exist and be writable, checked before any work starts."""

    def __init__(self, **kwargs):
        kwargs.setdefault("dir_okay", False)
        kwargs.setdefault("writable", True)
        super().__init__(**kwargs)

    def convert(self, value, param, ctx):
        path = _path_in_a_folder(self, value, param, ctx)
        if path == "-":
            return path
        folder = os.path.dirname(os.path.abspath(os.fsdecode(path))) or "."
        if not os.access(folder, os.W_OK):
            self.fail(say(N_("文件夹 %(folder)s 不可写"), folder=folder), param, ctx)
        if os.path.isdir(path):
            self.fail(say(N_("%(path)s 是文件夹"), path=path), param, ctx)
        return path


def _path_in_a_folder(kind, value, param, ctx):
    """VALUE through click.Path KIND's own checks, refused when empty or when its folder is missing."""
    if not str(value).strip():
        kind.fail(say(N_("路径为空")), param, ctx)
    path = click.Path.convert(kind, value, param, ctx)
    folder = os.path.dirname(os.path.abspath(os.fsdecode(path))) or "."
    if path != "-" and not os.path.isdir(folder):
        kind.fail(say(N_("文件夹 %(folder)s 不存在"), folder=folder), param, ctx)
    return path


class InFolderPath(click.Path):
    """A file or folder that may not exist yet (a log nginx writes, an export folder the command
    makes) but whose parent folder must: a path under a folder that isn't there is a typo."""

    def convert(self, value, param, ctx):
        return _path_in_a_folder(self, value, param, ctx)


def non_empty(ctx, param, value):
    """click callback: refuse empty or blank text (and text with control characters)."""
    if value is None:
        return value
    values = value if isinstance(value, tuple) else (value,)
    for item in values:
        if not str(item).strip():
            raise click.BadParameter(say(N_("不能为空")), ctx=ctx, param=param)
        if any(ord(c) < 32 for c in str(item)):
            raise click.BadParameter(say(N_("不能包含控制字符")), ctx=ctx, param=param)
    return value


def confirm_or_abort(template, yes, **params):
    """Ask before destroying data, unless --yes; with no terminal to ask, refuse (exit 1).
    TEMPLATE (a catalogue msgid) with PARAMS says what would be lost, in the operator's language."""
    if yes:
        return
    what = say(template, **params)
    if not sys.stdin or not sys.stdin.isatty():
        raise OneLineError(say(N_("%(what)s:没有 --yes,不执行(没有可以确认的终端)"), what=what))
    if not click.confirm(say(N_("%(what)s。继续吗?"), what=what), default=False, err=True):
        raise OneLineError(say(N_("已取消,没有做任何更改")))


def yes_option(function):
    return click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")(function)
