"""Plaque commands: render one plaque, print sheets, export codes, reissue and revoke."""

import sys

import click
from flask import current_app

from starqr.cli.context import fail, pass_app
from starqr.cli.core import NO_ORGANISATION
from starqr.cli.errors import OutputPath, confirm_or_abort, non_empty, yes_option
from starqr.cli.language import gettext, say
from starqr.errors import N_
from starqr.models import Organisation
from starqr.plaque import PLAQUE_ERRORS, render_plaque, write_codes, write_sheet
from starqr.services import plaques
from starqr.services.plaques import PlaqueError


def _base_url():
    return current_app.config["PUBLIC_BASE_URL"]


def _plaque_errors():
    return PLAQUE_ERRORS + (PlaqueError,)


@click.command("plaque")
@click.argument("code", callback=non_empty)
@click.option("--format", "fmt", type=click.Choice(["pdf", "svg", "png"]), required=True)
@click.option(
    "--size", "size", default=None, help="plaque-600x400, plaque-400x300, door-300x200, card-85x54 or WxH in mm."
)
@click.option("--dpi", type=click.Choice(["300", "600"]), default="300", help="PNG resolution.")
@click.option("--ecc", type=click.Choice(["H", "Q"], case_sensitive=False), default="H")
@click.option("-o", "--output", type=OutputPath(), required=True)
@pass_app
def plaque_command(code, fmt, size, dpi, ecc, output):
    """Render one plaque or badge to a print-ready file."""

    try:
        content = plaques.plaque_content(plaques.get_plaque(code), _base_url())
        data = render_plaque(content, fmt, size, dpi=int(dpi), ecc=ecc.upper())
    except _plaque_errors() as error:
        fail(error)
    with open(output, "wb") as handle:
        handle.write(data)
    click.echo(say(N_("%(code)s -> %(path)s(%(size)s 字节)"), code=content.code, path=output, size=len(data)), err=True)


@click.group("plaques")
def plaques_group():
    """Print sheets, code exports and plaque lifecycle."""


@plaques_group.command("sheet")
@click.option("--org", "org_id", type=click.IntRange(1), required=True, help="Branch or town id.")
@click.option("--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4")
@click.option("--ecc", type=click.Choice(["H", "Q"], case_sensitive=False), default="H")
@click.option("-o", "--output", type=OutputPath(), required=True)
@pass_app
def sheet_command(org_id, paper, ecc, output):
    """Write all badges of a branch or town to a print sheet PDF, in code order."""

    org = Organisation.get_or_none(Organisation.id == org_id)
    if org is None:
        fail(say(NO_ORGANISATION, id=org_id))
    contents = plaques.sheet_contents(org, _base_url())
    if not contents:
        fail(say(N_("%(name)s 没有有效的党员胸牌"), name=org.name_zh))
    try:
        with click.progressbar(length=len(contents), label=gettext(N_("胸牌")), file=sys.stderr) as bar:
            count = write_sheet(
                contents, paper.upper(), output, progress=bar.update, ecc=ecc.upper(), title=org.name_zh
            )
    except _plaque_errors() as error:
        fail(error)
    click.echo(say(N_("%(count)s 枚胸牌 -> %(path)s"), count=count, path=output), err=True)


@plaques_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("--org", "org_id", type=click.IntRange(1), default=None, help="Only this subtree.")
@click.option("-o", "--output", type=OutputPath(), default=None)
@pass_app
def export_command(fmt, org_id, output):
    """Export active codes (code, url, kind, name, organisation) for print shops."""

    org = None
    if org_id is not None:
        org = Organisation.get_or_none(Organisation.id == org_id)
        if org is None:
            fail(say(NO_ORGANISATION, id=org_id))
    if output is None:
        if fmt == "xlsx":
            fail(say(N_("XLSX 是二进制文件:请用 -o FILE.xlsx 指定文件")))
        sys.stdout.flush()
        stream = sys.stdout.buffer
        write_codes(plaques.export_rows(_base_url(), org=org), fmt, stream)
        stream.flush()
        return
    with open(output, "wb") as handle:
        write_codes(plaques.export_rows(_base_url(), org=org), fmt, handle)
    click.echo(say(N_("编码 -> %(path)s"), path=output), err=True)


def _lifecycle_command(name, reason_help=None):
    """A `plaques NAME CODE --reason ... [--by ...] [--yes]` command that retires plaque CODE."""

    def decorate(function):
        function = pass_app(function)
        function = yes_option(function)
        function = click.option("--by", "actor", default="cli", show_default=True, callback=non_empty)(function)
        function = click.option("--reason", required=True, callback=non_empty, help=reason_help)(function)
        function = click.argument("code", callback=non_empty)(function)
        return plaques_group.command(name)(function)

    return decorate


def _retire(change, code, consequence, reason, actor, yes):
    """CHANGE (plaques.reissue or plaques.revoke) plaque CODE once the operator confirms CONSEQUENCE
    (a catalogue template naming %(code)s)."""
    try:
        plaques.get_plaque(code)
        confirm_or_abort(consequence, yes, code=code)
        return change(code, actor=actor, reason=reason)
    except plaques.PlaqueError as error:
        fail(error)


@_lifecycle_command("reissue", reason_help="Lost, damaged, forged...")
def reissue_command(code, reason, actor, yes):
    """Replace a plaque: a new active code; the old one answers 410 and points to it."""

    new = _retire(plaques.reissue, code, N_("牌匾 %(code)s 将失效(410),由新编码取代"), reason, actor, yes)
    click.echo(new.code)


@_lifecycle_command("revoke")
def revoke_command(code, reason, actor, yes):
    """Withdraw a plaque with no replacement."""

    plaque = _retire(plaques.revoke, code, N_("牌匾 %(code)s 将永久失效(不补发新编码)"), reason, actor, yes)
    click.echo(say(N_("牌匾 %(code)s 已作废"), code=plaque.code))


COMMANDS = [plaque_command, plaques_group]
