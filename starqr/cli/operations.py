"""Operator commands: backup and restore, and the lists an operator needs (periods, API tokens)."""

import os

import click
from flask import current_app

from starqr import checkpoints
from starqr.cli.context import fail, pass_app
from starqr.cli.errors import OutputPath, confirm_or_abort, yes_option
from starqr.cli.imports import NO_USER, api_token
from starqr.cli.language import gettext, say
from starqr.db import database
from starqr.errors import N_
from starqr.models import ApiToken, RatingPeriod, User
from starqr.services import backup, restore


def _settings():
    return current_app.config["DATABASE_URL"], current_app.instance_path


def _key_file():
    return checkpoints.key_file()


@click.command("backup")
@click.option("-o", "--output", type=OutputPath(), help="Backup file to write.")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, writable=True, exists=True),
    help="Write starqr-<UTC time>.starqr-backup into this folder instead (nightly timer).",
)
@click.option(
    "--keep-days",
    type=click.IntRange(1, 3650),
    help="With --folder: then delete its dated backups older than this (the newest 3 always stay).",
)
@pass_app
def backup_command(output, folder, keep_days):
    """Back up the database (SQLite online backup, or pg_dump) with the instance's keys and uploads."""

    if bool(output) == bool(folder):
        raise click.UsageError(say(N_("请给出 -o FILE 或 --folder DIR 两者之一")))
    if keep_days and not folder:
        raise click.UsageError(say(N_("--keep-days 须与 --folder 一起使用")))
    output = output or os.path.join(folder, backup.dated_name())
    try:
        manifest = backup.backup(*_settings(), output, key_file=_key_file())
    except backup.BackupError as error:
        fail(error)
    rows = sum(manifest["row_counts"].values())
    click.echo(
        say(
            N_("备份已写入:%(path)s(%(backend)s,%(tables)s 个表,%(rows)s 行数据,%(files)s 个实例文件)"),
            path=output,
            backend=manifest["backend"],
            tables=len(manifest["row_counts"]),
            rows=rows,
            files=len(manifest["instance_files"]),
        )
    )
    if keep_days:  # only after a backup succeeded
        for path in backup.prune(folder, keep_days):
            click.echo(say(N_("已删除旧备份 %(path)s"), path=path))


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--force", is_flag=True, help="Replace a database that holds data (it is saved as a backup first).")
@yes_option
@pass_app
def restore_command(file, force, yes):
    """Restore a backup FILE into an empty database (stop the web service and scheduler first)."""

    try:
        manifest = backup.read_manifest(file)
        url, instance_path = _settings()
        if force:
            confirm_or_abort(
                N_("用 %(created)s 的备份替换 %(database)s 中的数据"),
                yes,
                created=manifest["created_at"],
                database=backup.libpq_url(url) if "sqlite" not in url else url,
            )
        if not database.is_closed():
            database.close()
        report = restore.restore(file, url, instance_path, force=force, key_file=_key_file())
    except backup.BackupError as error:
        fail(error)
    if report["safety_backup"]:
        click.echo(say(N_("原有数据已保存到 %(path)s"), path=report["safety_backup"]), err=True)
    click.echo(
        say(
            N_(
                "已从 %(created)s 的备份恢复 %(tables)s 个表中的 %(rows)s 行数据,行数一致;已恢复 %(files)s 个实例文件。下一步:%(commands)s"
            ),
            rows=sum(report["row_counts"].values()),
            tables=len(report["row_counts"]),
            created=report["manifest"]["created_at"],
            files=len(report["instance_files"]),
            commands="starqr migrate; starqr ledger verify",
        )
    )


@click.group("periods")
def periods():
    """Rating periods (评星周期)."""


@periods.command("list")
@pass_app
def list_periods():
    """List rating periods: id, name, state, dates and publication times (UTC)."""

    rows = list(RatingPeriod.select().order_by(RatingPeriod.starts_on.desc(), RatingPeriod.id.desc()))
    if not rows:
        click.echo(say(N_("没有评定期")), err=True)
        return
    head = [
        gettext(word)
        for word in (N_("名称"), N_("状态"), N_("开始日期"), N_("结束日期"), N_("发布时间(UTC)"), N_("公示截止"))
    ]
    click.echo(f"{'id':>5}  {head[0]:<16} {head[1]:<10} {head[2]:<10} {head[3]:<10} {head[4]:<19} {head[5]}")
    for period in rows:
        publish_at = period.publish_at.strftime("%Y-%m-%d %H:%M") if period.publish_at else "-"
        notice = period.notice_ends_at.strftime("%Y-%m-%d %H:%M") if period.notice_ends_at else "-"
        click.echo(
            f"{period.id:>5}  {period.name:<16} {period.state:<10} {period.starts_on!s:<10} "
            f"{period.ends_on!s:<10} {publish_at:<19} {notice}"
        )


def _token_list_command():
    @click.command("list")
    @click.option("--user", "username", help="Only this user's tokens.")
    @click.option("--all", "show_all", is_flag=True, help="Include revoked tokens.")
    @pass_app
    def list_tokens(username, show_all):
        """List API tokens (never their text): id, user, name, created, last used, state."""
        query = ApiToken.select(ApiToken, User).join(User).order_by(ApiToken.id)
        if username is not None:
            user = User.get_or_none(User.username == username)
            if user is None:
                fail(say(NO_USER, name=username))
            query = query.where(ApiToken.user == user)
        if not show_all:
            query = query.where(ApiToken.revoked == False)
        tokens = list(query)
        if not tokens:
            click.echo(say(N_("没有令牌") if show_all else N_("没有有效的令牌(--all 显示已撤销的令牌)")), err=True)
            return
        head = [gettext(word) for word in (N_("用户"), N_("名称"), N_("创建时间(UTC)"), N_("最近使用"), N_("状态"))]
        click.echo(f"{'id':>5}  {head[0]:<16} {head[1]:<20} {head[2]:<16} {head[3]:<16} {head[4]}")
        for token in tokens:
            last = getattr(token, "last_used_at", None)
            click.echo(
                f"{token.id:>5}  {token.user.username:<16} {token.name:<20} "
                f"{token.created_at:%Y-%m-%d %H:%M} {last.strftime('%Y-%m-%d %H:%M') if last else '-':<16} "
                f"{'revoked' if token.revoked else 'active'}"
            )

    return list_tokens


def _attach_token_list():
    if "list" not in api_token.commands:
        api_token.add_command(_token_list_command())


_attach_token_list()

COMMANDS = [backup_command, restore_command, periods]
