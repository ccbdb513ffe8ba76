"""`starqr pages`: build the stored public pages (the background builder) and report their size."""

import os
import signal
import socket
import sys
import time

import click
from flask import current_app

from starqr.cli.context import pass_app
from starqr.cli.errors import InFolderPath
from starqr.cli.language import say
from starqr.db import database
from starqr.errors import N_
from starqr.services import page_export, pages


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
    from starqr.views.page_builder import build_pages  # the web app's views and templates: too heavy for --help

    app = current_app._get_current_object()
    while True:
        started = time.perf_counter()
        built = {lang: build_pages(app, lang, limit, workers) for lang in langs}
        if follow is None:
            for lang, count in built.items():
                seconds = f"{time.perf_counter() - started:.1f}"
                click.echo(
                    say(N_("%(lang)s:%(count)s 个页面,用时 %(seconds)s 秒"), lang=lang, count=count, seconds=seconds)
                )
            return
        if not database.is_closed():
            database.close()  # between rounds: no idle transaction, no held connection
        time.sleep(follow)
        database.connect(reuse_if_open=True)


@pages_group.command("export", help="Keep this host's exported page files (for nginx) within a tick of every write.")
@click.option(
    "--dir", "directory", required=True, type=InFolderPath(file_okay=False), help="The export folder (made if missing)."
)
@click.option(
    "--follow",
    type=click.FloatRange(min=0.1),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="Tick every SECONDS: the bound on a file's age after a write's commit (plus one tick's work).",
)
@click.option(
    "--scan-log",
    type=InFolderPath(dir_okay=False),
    default=None,
    help="nginx's scan log to count (its folder must exist).",
)
@click.option("--ticks", type=click.IntRange(min=1), default=None, help="Stop after this many ticks (tests).")
@pass_app
def export(directory, follow, scan_log, ticks):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly: `current` is removed
    exporter = page_export.Exporter(directory, follow, scan_log=scan_log)
    if not database.is_closed():
        database.close()
    notify = _systemd_notifier(os.environ.get("NOTIFY_SOCKET"))
    if notify:
        notify("READY=1")

    def report(result):
        if result["written"] or result["removed"] or result["scans"]:
            click.echo(
                f"written {result['written']}, removed {result['removed']}, scans {result['scans']}"
                + (" (filling)" if result["filling"] else ""),
            )

    page_export.follow(exporter, follow, ticks=ticks, notify=notify, on_tick=report)


def _systemd_notifier(address):
    """sd_notify without a dependency: a datagram to NOTIFY_SOCKET (Type=notify, WatchdogSec=)."""
    if not address:
        return None
    if address.startswith("@"):
        address = "\0" + address[1:]

    def notify(message):
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            try:
                sock.sendto(message.encode(), address)
            except OSError:
                pass

    return notify


@pages_group.command("stats", help="Pages stored and their size.")
@pass_app
def stats():
    count, compressed, plain = pages.size_summary()
    stored = N_("%(count)s 个页面,存储 %(compressed)s 字节(gzip),未压缩 %(plain)s 字节")
    click.echo(say(stored, count=count, compressed=compressed, plain=plain))


COMMANDS = [pages_group]
