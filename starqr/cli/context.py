"""Run CLI commands inside an app context with the configured database open."""

import functools

import click
from flask import has_app_context

from starqr import create_app
from starqr.cli.language import error_text
from starqr.db import database


def pass_app(function):
    """Decorate a click command so it runs with an app context and an open database."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if has_app_context():  # already inside an app (tests, or a command calling another)
            return function(*args, **kwargs)
        app = create_app()
        with app.app_context():
            database.connect(reuse_if_open=True)
            try:
                return function(*args, **kwargs)
            finally:
                if not database.is_closed():
                    database.close()

    return wrapper


def fail(message):
    """Stop with one line: MESSAGE, or a caught error in the operator's language (cli.language)."""

    if isinstance(message, BaseException):  # the cause stays attached: the failure log names its code
        raise click.ClickException(error_text(message)) from message
    raise click.ClickException(message)
