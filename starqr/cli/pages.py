"""`starqr pages`: build the stored public pages (the background builder) and report their size."""

import time

import click

from starqr.cli.context import pass_app


@click.group("pages", help="Stored public scan pages.")
def pages_group():
    pass


@pages_group.command("build", help="Render missing or stale pages (zh by default); --follow keeps doing it.")
@click.option("--lang", "langs", multiple=True, default=["zh"], type=click.Choice(["zh", "mn", "en", "json"]))
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many pages per language.")
@click.option(
    "--follow",
    type=click.FloatRange(min=0.1),
    default=None,
    metavar="SECONDS",
    help="Keep running: look for stale pages every SECONDS.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=1,
    show_default=True,
    help="Builder processes (each takes every N-th code).",
)
@pass_app
def build(langs, limit, follow, workers):
    from flask import current_app
    from starqr.db import database
    from starqr.views.page_builder import build_pages

    app = current_app._get_current_object()
    while True:
        started = time.perf_counter()
        built = {lang: build_pages(app, lang, limit, workers) for lang in langs}
        if follow is None:
            for lang, count in built.items():
                click.echo(f"{lang}: {count} pages in {time.perf_counter() - started:.1f} s")
            return
        if not database.is_closed():
            database.close()  # between rounds: no idle transaction, no held connection
        time.sleep(follow)
        database.connect(reuse_if_open=True)


@pages_group.command("stats", help="Pages stored and their size.")
@pass_app
def stats():
    from starqr.services import pages

    count, compressed, plain = pages.size_summary()
    click.echo(f"{count} pages, {compressed} bytes stored (gzip), {plain} bytes uncompressed")


COMMANDS = [pages_group]
