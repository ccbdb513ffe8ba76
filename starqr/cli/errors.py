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

from starqr.cli.language import error_text
from starqr.errors import StarQRError
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
            hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
            click.echo(f"Error: {one_line(error.format_message())}{hint}", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"Error: {one_line(error.format_message())}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Error: aborted, nothing more was done", err=True)
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
        if not str(value).strip():
            self.fail("an empty path", param, ctx)
        path = super().convert(value, param, ctx)
        if path == "-":
            return path
        folder = os.path.dirname(os.path.abspath(os.fsdecode(path))) or "."
        if not os.path.isdir(folder):
            self.fail(f"folder {folder} does not exist", param, ctx)
        if not os.access(folder, os.W_OK):
            self.fail(f"folder {folder} is not writable", param, ctx)
        if os.path.isdir(path):
            self.fail(f"{path} is a folder", param, ctx)
        return path


class InFolderPath(click.Path):
    """A file or folder that may not exist yet (a log nginx writes, an export folder the command
    makes) but whose parent folder must: a path under a folder that isn't there is a typo."""

    def convert(self, value, param, ctx):
        if not str(value).strip():
            self.fail("an empty path", param, ctx)
        path = super().convert(value, param, ctx)
        folder = os.path.dirname(os.path.abspath(os.fsdecode(path))) or "."
        if not os.path.isdir(folder):
            self.fail(f"folder {folder} does not exist", param, ctx)
        return path


def non_empty(ctx, param, value):
    """click callback: refuse empty or blank text (and text with control characters)."""
    if value is None:
        return value
    values = value if isinstance(value, tuple) else (value,)
    for item in values:
        if not str(item).strip():
            raise click.BadParameter("must not be empty", ctx=ctx, param=param)
        if any(ord(c) < 32 for c in str(item)):
            raise click.BadParameter("must not contain control characters", ctx=ctx, param=param)
    return value


def confirm_or_abort(message, yes):
    """Ask before destroying data, unless --yes; with no terminal to ask, refuse (exit 1)."""
    if yes:
        return
    if not sys.stdin or not sys.stdin.isatty():
        raise OneLineError(f"{message}: refusing without --yes (no terminal to confirm on)")
    if not click.confirm(f"{message}. Continue?", default=False, err=True):
        raise OneLineError("cancelled: nothing was changed")


def yes_option(function):
    return click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")(function)
