"""Onboarding commands: `starqr init`, `orgs import|list`, `members import`, `template`, `ratings export`."""

import sys

import click

from starqr.cli.context import fail, pass_app
from starqr.cli.core import ensure_signing_key
from starqr.cli.errors import OutputPath, non_empty
from starqr.cli.imports import import_file
from starqr.cli.language import gettext, say
from starqr.db import database
from starqr.errors import N_
from starqr.migrations import migrate as run_migrations


@click.command("init")
@click.option(
    "--banner",
    "banner_name",
    required=True,
    callback=non_empty,
    help="The banner's Chinese name (the root organisation).",
)
@click.option(
    "--banner-mn", "banner_name_mn", callback=non_empty, help="The banner's name in traditional Mongolian script."
)
@click.option("--code", callback=non_empty, help="The banner's 组织编码 (else the tree import's 旗 row gives it).")
@click.option(
    "--admin", "admin_username", required=True, callback=non_empty, help="User name of the first administrator."
)
@click.option("--password-stdin", is_flag=True, help="Read the administrator's password from standard input.")
@pass_app
def init_command(banner_name, banner_name_mn, code, admin_username, password_stdin):
    """Start a real banner on an empty database: the banner and its first administrator."""
    from starqr.services import onboarding  # the rating engine: too heavy for --help

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail(say(N_("标准输入中没有密码")))
    run_migrations(database.obj)
    try:
        banner, user, password_used = onboarding.init_banner(
            banner_name, admin_username, banner_name_mn, password=password, code=code
        )
    except onboarding.OnboardingError as error:
        fail(error)
    click.echo(
        say(N_("已创建旗:%(name)s(id %(id)s);管理员:%(admin)s"), name=banner.name_zh, id=banner.id, admin=user.username)
    )
    ensure_signing_key()
    if not password_stdin:
        click.echo(say(N_("一次性密码(只显示这一次,登录后请修改):%(password)s"), password=password_used))
    click.echo(
        say(N_("下一步:%(commands)s"), commands="starqr template tree -o tree.xlsx; starqr orgs import tree.xlsx")
    )


def _print_plan(plan, moved_word):
    click.echo(plan.summary(gettext))
    for title, changes in ((N_("新增"), plan.created), (N_("修改"), plan.updated), (moved_word, plan.moved)):
        for change in changes[:100]:
            detail = ";".join(f"{k}: {a or '—'} → {b or '—'}" for k, (a, b) in change.fields.items())
            line = say(
                N_("%(title)s 第%(row)s行 %(key)s %(name)s"),
                title=say(title),
                row=change.row,
                key=change.key,
                name=change.name,
            )
            click.echo("  " + line + (f"  {detail}" if detail else ""))
        if len(changes) > 100:
            click.echo("  " + say(N_("…… 另有 %(n)s 条%(title)s"), n=len(changes) - 100, title=say(title)))
    for change in plan.missing[:100]:
        click.echo(
            "  "
            + say(
                N_("名册中缺少 %(key)s %(name)s(支部 %(branch)s),请在控制台确认是否离开"),
                key=change.key or "—",
                name=change.name,
                branch=change.note,
            )
        )


def _table_import_command(group, kind, help):
    """GROUP's `import FILE [--dry-run]` command for a KIND ("tree" or "roster") file."""

    @group.command("import", help=help)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Check the file and show the changes; write nothing.")
    @pass_app
    def import_command(file, dry_run):
        from starqr.services.imports import roster_apply, tree  # the import pipeline: too heavy for --help

        module, label, moved_word = {
            "tree": (tree, N_("组织树"), N_("调整上级")),
            "roster": (roster_apply, N_("花名册"), N_("转接")),
        }[kind]
        plan = import_file(
            file,
            say(label),
            lambda data, filename, progress: module.run(data, filename, "cli", dry_run=dry_run, progress=progress),
        )
        _print_plan(plan, moved_word)
        click.echo(
            say(N_("(试运行,未写入)") if dry_run else (N_("已导入") if plan.applied else N_("没有需要写入的变化")))
        )

    return import_command


@click.group()
def orgs():
    """The organisation tree (组织树)."""


orgs_import = _table_import_command(
    orgs,
    "tree",
    """Import the tree from XLSX or CSV (UTF-8 or GBK), all or nothing.

    \b
    Columns: 组织编码, 组织名称, 蒙古文名称, 上级组织编码, 层级, 领域, 活动场所面积, 书记
    层级: 旗, 苏木镇, 嘎查村社区, 支部 (also 旗县, 乡镇, 村, 社区)
    领域: 农村牧区, 社区, 机关, 国企, 非公企业, 社会组织
    组织编码 is the key: the same file again changes nothing; a new 上级组织编码 is a move.
    """,
)


@orgs.command("list")
@click.option("--under", "code", callback=non_empty, help="Only this organisation (a 组织编码) and those under it.")
@pass_app
def orgs_list(code):
    """List organisations: code, id, name, level, domain, rubric, members."""
    from starqr.services import organisations  # the import pipeline: too heavy for --help

    try:
        rows = organisations.listing(code)
    except organisations.OrganisationError as error:
        fail(error)
    click.echo("\t".join(("code", "id", "name", "level", "domain", "rubric", "members")))
    for row in rows:
        click.echo("\t".join(str(v) for v in row))


@click.group()
def members():
    """The member roster (党员花名册)."""


members_import = _table_import_command(
    members,
    "roster",
    """Import the roster from XLSX or CSV (UTF-8 or GBK), all or nothing.

    \b
    Columns: 党员编号, 姓名, 蒙古文姓名, 所在支部编码, 党员类别, 入党日期, 转正日期, 岗位
    党员类别: 骨干党员, 普通党员, 流动党员, 特殊党员
    党员编号 is the key; a new 所在支部编码 is a transfer (the badge code stays).
    Identity-card or mobile numbers are refused: StarQR does not keep them.
    """,
)


@click.command("template")
@click.argument("kind", type=click.Choice(["tree", "roster", "points"]))
@click.option("-o", "--output", required=True, type=OutputPath(), help="The .xlsx file to write.")
@click.option(
    "--rubric",
    default="member_points",
    show_default=True,
    callback=non_empty,
    help="points: the rubric whose items to list.",
)
@pass_app
def template_command(kind, output, rubric):
    """Write an import template: header, example row, choice lists and a sheet explaining each column."""
    from starqr.services.imports import workbooks  # the import pipeline: too heavy for --help

    try:
        data = workbooks.template(kind, rubric)
    except LookupError as error:
        fail(error)
    with open(output, "wb") as handle:
        handle.write(data)
    click.echo(say(N_("%(path)s:已写入 %(kind)s 模板"), path=output, kind=kind))


@click.group("ratings")
def ratings_group():
    """Ratings records (评星台账)."""


@ratings_group.command("export")
@click.argument("period", callback=non_empty)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--under", "code", callback=non_empty, help="Only this organisation (a 组织编码) and those under it.")
@click.option("-o", "--output", required=True, type=OutputPath())
@pass_app
def ratings_export(period, fmt, code, output):
    """Export PERIOD's ratings: one sheet for organisations, one for members (CSV: two files)."""
    from starqr.services import organisations, ratings, ratings_export as export  # too heavy for --help

    try:
        found = ratings.find_period(period)
        under = organisations.by_code(code) if code else None
    except (ratings.PeriodError, organisations.OrganisationError) as error:
        fail(error)
    written = export.write(found, fmt, output, under)
    counts = say(
        N_("%(organisations)s 个组织,%(members)s 名党员"),
        organisations=written["organisations"],
        members=written["members"],
    )
    click.echo(f"{found.name}: {counts} → " + ", ".join(written["files"]))


COMMANDS = [init_command, orgs, members, template_command, ratings_group]
