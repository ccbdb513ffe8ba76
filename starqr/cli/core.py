"""Core operator commands: database, demo, service, ratings, ledger."""

import datetime
import string

import click
from flask import current_app

from starqr import checkpoint_verification, checkpoints, create_app
from starqr import ledger as ledger_module
from starqr.cli.context import fail, pass_app
from starqr.cli.errors import OutputPath, confirm_or_abort, non_empty, yes_option
from starqr.cli.language import error_text, gettext, say
from starqr.db import database
from starqr.errors import N_, Term
from starqr.migrations import migrate as run_migrations
from starqr.models import Organisation, RatingPeriod
from starqr.services import accounts, backup, period_rules, publish_report, revision

NO_ORGANISATION = N_("没有 id 为 %(id)s 的组织")
DEMO_MIN_MEMBERS = 50  # services.demo refuses fewer; checked here before --reset wipes anything


@click.command()
@pass_app
def migrate():
    """Create or upgrade the database schema and store the shipped rubrics."""
    from starqr.services import rubrics  # the rating engine: too heavy for --help

    ran = run_migrations(database.obj)
    added = rubrics.sync_shipped()
    if ran:
        summary = say(N_("已执行 %(count)s 个迁移:%(names)s"), count=len(ran), names=", ".join(ran))
    else:
        summary = say(N_("没有待执行的迁移"))
    click.echo(summary + say(N_(";新存入 %(count)s 个评分规则版本"), count=len(added)))
    ensure_signing_key()


def ensure_signing_key():
    """Make the key that signs the ledger's checkpoints, if there is none (it is kept outside the database)."""
    where, created = checkpoints.ensure_key()
    if created:
        click.echo(say(N_("已创建台账签名密钥 %(path)s(请在数据库备份之外另存一份)"), path=where))


@click.command()
@click.option(
    "--members",
    default=10_000,
    show_default=True,
    type=click.IntRange(DEMO_MIN_MEMBERS, 1_000_000),
    help="How many Party members to create.",
)
@click.option("--seed", default=2020, show_default=True, help="Random seed: the same seed gives the same banner.")
@click.option("--reset", is_flag=True, help="Drop every table first (destroys the database's data).")
@click.option(
    "--password",
    envvar="STARQR_DEMO_PASSWORD",
    callback=non_empty,
    help="Password for the demo logins (default: random).",
)
@yes_option
@pass_app
def demo(members, seed, reset, password, yes):
    """Load the demo banner (modelled on Urad Middle Banner) into the configured database."""
    from starqr.services import demo as demo_service  # name lists, rating engine: too heavy for --help

    if password is not None and len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            say(N_("至少需要 %(n)s 个字符"), n=accounts.MIN_PASSWORD_LENGTH), param_hint="'--password'"
        )
    if reset:  # every argument is checked above, before anything is dropped
        rows = backup.data_rows(backup.current_counts(current_app.config["DATABASE_URL"]))
        if rows:
            confirm_or_abort(N_("--reset 会删除所有表:此数据库中的 %(rows)s 行数据将被删除"), yes, rows=rows)
        demo_service.reset_database(database.obj)
    else:
        run_migrations(database.obj)
    try:
        report = demo_service.build(
            members=members,
            seed=seed,
            password=password,
            progress=lambda line: click.echo(line.text(gettext), err=True),
        )
    except demo_service.DemoError as error:
        fail(error)
    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo(
        say(
            N_(
                "演示数据已载入,用时 %(seconds)s 秒:%(organisations)s 个组织,%(members)s 名党员,%(entries)s 条台账记录,%(ratings)s 个评定结果"
            ),
            seconds=f"{report.seconds:.1f}",
            organisations=report.organisations,
            members=report.members,
            entries=report.ledger_entries,
            ratings=report.ratings,
        )
    )
    click.echo(say(N_("可扫描:")))
    for kind, name, code in report.codes:
        click.echo(f"  {name} ({gettext(N_('党组织') if kind == 'organisation' else N_('党员'))}): {base}/Q/{code}")
    click.echo(say(N_("控制台登录(密码相同):")))
    for username, password_text, role, scope in report.logins:
        click.echo(
            f"  {username:<11} {password_text}  ({role}, {gettext(scope) if isinstance(scope, Term) else scope})"
        )
    click.echo(say(N_("控制台:%(url)s"), url=f"{base}/console/"))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, callback=non_empty)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes.")
@click.option("--debug", is_flag=True, help="Run Flask's development server with the debugger.")
def serve(host, port, workers, debug):
    """Run the web service (gunicorn; --debug for Flask's development server)."""
    if debug:
        create_app().run(host=host, port=port, debug=True)
        return
    from gunicorn.app.base import BaseApplication  # gunicorn only for this command

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")
            # No client address or user agent: scan statistics must not track people.
            self.cfg.set("access_log_format", '%(t)s "%(r)s" %(s)s %(b)s %(L)ss')

        def load(self):
            return create_app()

    Server().run()


@click.command()
@click.argument("period", callback=non_empty)
@pass_app
def rate(period):
    """Compute draft ratings for PERIOD (an id, a year or a name) from the ledger."""
    from starqr.services import ratings  # the rating engine: too heavy for --help

    try:
        found = ratings.find_period(period)
        count = ratings.rate(found)
    except ratings.PeriodError as error:
        fail(error)
    held = ratings.holds(found)
    line = f"{found.name}: " + say(N_("已计算 %(count)s 个草稿评定结果"), count=count)
    click.echo(line + (say(N_(";%(n)s 个暂缓评定"), n=len(held)) if held else ""))
    _echo_report(ratings.held_lines(found, held))


def _echo_report(lines):
    """(period name, ReportLine) lines in the operator's language."""
    for name, what in lines:
        indent = "  " if what.code in publish_report.INDENTED else ""
        click.echo(f"{name}: {indent}{what.text(gettext)}")


@click.command()
@click.argument("period", required=False)
@click.option("--due", is_flag=True, help="Publish scheduled periods whose time has come; finalise ended notices.")
@click.option("--now", "now_text", hidden=True, help="Pretend it is this UTC time (ISO), for rehearsals.")
@pass_app
def publish(period, due, now_text):
    """Publish PERIOD now, or with --due everything the schedule says is due."""
    from starqr.services import ratings  # the rating engine: too heavy for --help

    try:
        now = datetime.datetime.fromisoformat(now_text) if now_text else None
    except ValueError:
        raise click.BadParameter(
            say(N_("不是 ISO 格式的时间:%(value)s"), value=now_text), param_hint="'--now'"
        ) from None
    if bool(period) == bool(due):
        fail(say(N_("请指定要立即发布的评定期,或用 --due 做计划中到期的事")))
    if due:
        from starqr import monitoring  # prometheus_client: too heavy for --help

        report = ratings.publish_due(now)
        monitoring.count_publications(report)
        _echo_report(report)
        if not report:
            click.echo(say(N_("没有到期的发布或公示")))
        elif report.failed and not report.done:
            fail(say(N_("没有发布任何评定期:%(count)s 个评定期失败(见上方各行)"), count=report.failed))
        return
    try:
        found = ratings.find_period(period)
        if found.state in period_rules.TAKING_POINTS:
            written = ratings.publish(found, now, actor="cli")
            line = publish_report.published(written, found.notice_ends_at)
        else:
            written = ratings.freeze(found, now)
            line = publish_report.corrected(written)
    except ratings.PeriodError as error:
        fail(error)
    except Exception as error:  # noqa: BLE001 - one line, never a traceback
        fail(f"{period}: {publish_report.failed(error).text(gettext)}")
    held = ratings.holds(found)
    click.echo(f"{found.name}: {line.text(gettext)}" + (say(N_(";%(n)s 个暂缓评定"), n=len(held)) if held else ""))
    _echo_report(ratings.held_lines(found, held))
    if held and not written and not ratings.latest_published(found):
        fail(f"{found.name}: " + say(N_("没有发布任何评定结果:%(count)s 个对象全部暂缓评定"), count=len(held)))


def _hex_keys(ctx, param, keys):
    """click callback: every key given is 32 bytes as 64 hex digits (an Ed25519 public key)."""
    for key in keys:
        if len(key) != 64 or not all(c in string.hexdigits for c in key):  # bytes.fromhex would allow spaces
            raise click.BadParameter(say(N_("%(key)r 不是 Ed25519 公钥(64 位十六进制数字)"), key=key))
    return keys


def _public_key_option(help):
    """--public-key, repeatable: Ed25519 public keys (hex) to trust, checked as they are parsed."""
    return click.option("--public-key", "public_keys", multiple=True, callback=_hex_keys, help=help)


@click.group()
def ledger():
    """The points ledger (积分台账)."""


@ledger.command()
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A checkpoint file exported earlier: prove the ledger still extends it.",
)
@_public_key_option("Trust this Ed25519 public key (hex) instead of the local signing key's; repeatable.")
@pass_app
def verify(checkpoint_file, public_keys):
    """Check the hash chain and every signed checkpoint (and an exported one with --checkpoint)."""
    checked, problems = ledger_module.verify()
    lines = [f"{problem.kind}: {problem.detail}" for problem in problems]
    signed = checkpoints.LedgerCheckpoint.select().count()
    try:
        outside = checkpoints.read_file(checkpoint_file) if checkpoint_file is not None else None
    except checkpoints.CheckpointError as error:
        fail(error)
    found = checkpoint_verification.verify(set(public_keys) or None, outside)
    lines += [f"{kind}: {detail}" for kind, detail in found]
    for line in lines[:50]:
        click.echo(line, err=True)
    if lines:
        fail(
            say(
                N_("台账校验失败:%(entries)s 条记录和 %(checkpoints)s 个检查点中有 %(count)s 个问题"),
                count=len(lines),
                entries=checked,
                checkpoints=signed,
            )
        )
    extra = say(N_(";延续 %(path)s 中的检查点"), path=checkpoint_file) if checkpoint_file is not None else ""
    intact = N_("台账完好:已校验 %(entries)s 条记录、%(checkpoints)s 个已签名检查点")
    click.echo(say(intact, entries=checked, checkpoints=signed) + extra)


@ledger.command()
@click.option("-o", "--output", type=OutputPath(), help="Also export the checkpoint to this file.")
@click.option(
    "--since",
    "since_file",
    type=click.Path(exists=True, dir_okay=False),
    help="An older checkpoint file: add a Merkle consistency proof from it to the export.",
)
@pass_app
def checkpoint(output, since_file):
    """Sign the ledger's current head and store it (and export it with -o FILE)."""
    if output is not None and not output.strip():
        fail(say(N_("-o 需要文件名")))
    if since_file is not None and output is None:
        fail(say(N_("--since 须与 -o FILE 一起使用(证明写入导出的文件)")))
    try:
        since = checkpoints.read_file(since_file) if since_file is not None else None
        with database.atomic():
            made = checkpoints.write(reason="manual")
            if RatingPeriod.select().where(RatingPeriod.state == "notice").exists():
                revision.bump()  # notice pages show the newest checkpoint
        if output:
            checkpoints.export(output, made, since=since)
    except (checkpoints.CheckpointError, OSError) as error:
        fail(error)
    line = N_("检查点 %(id)s:%(entries)s 条记录,链头 %(head)s…,签名于 %(signed)s")
    written = say(N_(";已写入 %(path)s"), path=output) if output else ""
    click.echo(
        say(line, id=made.id, entries=made.entry_count, head=made.head_hash[:16], signed=made.signed_at) + written
    )


@ledger.command("check-proof")
@click.argument("old_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("new_file", type=click.Path(exists=True, dir_okay=False))
@_public_key_option("Trust this Ed25519 public key (hex); default: the key named in the old file.")
def check_proof(old_file, new_file, public_keys):
    """Offline: prove NEW_FILE's ledger extends OLD_FILE's (signatures and Merkle consistency proof)."""
    try:
        old, new = checkpoints.read_file(old_file), checkpoints.read_file(new_file)
    except checkpoints.CheckpointError as error:
        fail(error)
    problems = checkpoint_verification.check_consistency(old, new, set(public_keys) or None)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        fail(say(N_("未能证明:%(new)s 不能表明 %(old)s 的台账保持未变"), new=new_file, old=old_file))
    click.echo(
        say(
            N_("已证明:%(new)s 的台账(%(new_count)s 条记录)原样延续 %(old)s 的台账(%(old_count)s 条记录)"),
            new=new_file,
            new_count=new["entry_count"],
            old=old_file,
            old_count=old["entry_count"],
        )
    )


@click.group()
def users():
    """Console user accounts."""


@users.command("create")
@click.argument("username", callback=non_empty)
@click.option("--role", type=click.Choice(["admin", "org_admin", "secretary", "viewer"]), required=True)
@click.option("--org", "organisation_id", type=click.IntRange(1), help="Organisation id the user is scoped to.")
@click.password_option()
@pass_app
def create_user(username, role, organisation_id, password):
    """Create a console user."""
    try:
        accounts.check_username(username)
    except accounts.AccountError as error:
        raise click.BadParameter(error_text(error), param_hint="'USERNAME'") from None
    organisation = Organisation.get_or_none(Organisation.id == organisation_id) if organisation_id else None
    if organisation_id and organisation is None:
        fail(say(NO_ORGANISATION, id=organisation_id))
    try:
        accounts.create_user(username, password, role, organisation)
    except accounts.AccountError as error:
        fail(error)
    click.echo(say(N_("已创建用户 %(username)s(%(role)s)"), username=username, role=role))


COMMANDS = [migrate, demo, serve, rate, publish, ledger, users]
