"""Import and schedule commands: `starqr import`, `starqr scheduler`, `starqr api-token`."""

import logging
import os
import sys

import click

from starqr.cli.context import fail, pass_app
from starqr.cli.errors import confirm_or_abort, non_empty, yes_option
from starqr.cli.language import gettext, say
from starqr.errors import N_
from starqr.models import ApiToken, User
from starqr.services import api_tokens

NO_USER = N_("没有用户 %(name)s")


class _Progress:
    """A click progress bar created once the row count is known."""

    def __init__(self, label):
        self.label = label
        self.bar = None
        self.shown = 0

    def __call__(self, done, total, applied=0):
        if not total:  # the row count is not known yet (an XLSX file being read)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(max(0, done - self.shown))
        self.shown = max(self.shown, done)

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def import_file(file, label, run):
    """Read FILE and import it with RUN(data, filename, progress) under a progress bar labelled
    LABEL. Returns RUN's result; a refused file, or one with errors (each listed on stderr), fails
    the command with one line: nothing was written."""
    from starqr.services import imports  # the import pipeline: too heavy for --help

    with open(file, "rb") as handle:
        data = handle.read()
    progress = _Progress(label)
    try:
        result = run(data, os.path.basename(file), progress)
    except imports.ImportFileError as error:
        fail(error)
    finally:
        progress.close()
    if result.errors:
        for line in result.error_lines(gettext):
            click.echo(line, err=True)
        fail(say(N_("%(n)s 处错误,未写入任何数据"), n=len(result.errors) + result.more_errors))
    return result


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--period", "period_name", required=True, callback=non_empty, help="Rating period: an id, a year or a name."
)
@click.option("--dry-run", is_flag=True, help="Validate and show whose stars would change; write nothing.")
@click.option(
    "--by", "actor", default="cli", show_default=True, callback=non_empty, help="Name recorded on the entries."
)
@pass_app
def import_command(file, period_name, dry_run, actor):
    """Import points events and scores from a CSV or XLSX file (all or nothing)."""
    from starqr.services import imports, ratings  # the import pipeline and rating engine: too heavy for --help

    try:
        period = ratings.find_period(period_name)
    except ratings.PeriodError as error:
        fail(error)
    result = import_file(
        file,
        say(N_("检查")) if dry_run else say(N_("导入")),
        lambda data, filename, progress: imports.run(period, data, filename, actor, dry_run=dry_run, progress=progress),
    )
    if dry_run:
        click.echo(
            say(
                N_("%(rows)s 行有效;将新增 %(new)s 条台账记录(已导入过 %(already)s 条,取值未变 %(unchanged)s 条)"),
                rows=result.rows,
                new=len(result.entries),
                already=result.already_imported,
                unchanged=result.unchanged_values,
            )
        )
        click.echo(
            say(
                N_("总分变化 %(totals)s 个对象,星级变化 %(moves)s 个:"),
                totals=result.totals_changed,
                moves=len(result.moves),
            )
        )
        for move in result.moves[:200]:
            click.echo(
                f"  {move.code or '-':<10} {move.name}  {move.before_stars}★ → {move.after_stars}★"
                f"  ({move.before_total:g} → {move.after_total:g})"
            )
        if len(result.moves) > 200:
            click.echo("  " + say(N_("…… 另有 %(n)s 个"), n=len(result.moves) - 200))
        return
    click.echo(
        say(
            N_(
                "%(period)s: 导入 %(written)s 条台账记录(%(rows)s 行;已导入过 %(already)s 条,取值未变 %(unchanged)s 条)"
            ),
            period=period.name,
            written=result.written,
            rows=result.rows,
            already=result.already_imported,
            unchanged=result.unchanged_values,
        )
    )


@click.command("scheduler")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def scheduler_command(workers):
    """Run the task consumer: publishes on schedule every minute and runs queued imports."""
    from huey.consumer import Consumer  # huey, the tasks and prometheus_client: too heavy for --help

    from starqr import monitoring
    from starqr.tasks import huey

    if not monitoring.configure_logging():  # JSON lines in production
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    monitoring.watch_huey(huey)
    storage = type(huey.storage).__name__
    click.echo(
        say(N_("调度器:huey %(storage)s,%(workers)s 个工作线程;按 Ctrl-C 停止"), storage=storage, workers=workers),
        err=True,
    )
    Consumer(huey, workers=workers, periodic=True, worker_type="thread").run()


@click.group("api-token")
def api_token():
    """Per-user API tokens for /api/v1."""


@api_token.command("create")
@click.argument("username", callback=non_empty)
@click.option("--name", default="script", show_default=True, callback=non_empty, help="What the token is for.")
@pass_app
def create_token(username, name):
    """Create a token for USERNAME and print it (shown only this once)."""
    user = User.get_or_none(User.username == username)
    if user is None:
        fail(say(NO_USER, name=username))
    _, token = api_tokens.create(user, name, actor="cli")
    click.echo(token)


@api_token.command("revoke")
@click.argument("token_id", type=click.IntRange(1))
@yes_option
@pass_app
def revoke_token(token_id, yes):
    """Revoke a token by id."""
    token = ApiToken.get_or_none(ApiToken.id == token_id)
    if token is None:
        fail(say(N_("没有编号为 %(id)s 的令牌"), id=token_id))
    confirm_or_abort(
        N_("令牌 %(id)s(%(name)s,属于 %(user)s)将失效"), yes, id=token_id, name=token.name, user=token.user.username
    )
    api_tokens.revoke(token, actor="cli")
    click.echo(say(N_("令牌 %(id)s 已撤销"), id=token_id))


COMMANDS = [import_command, scheduler_command, api_token]
