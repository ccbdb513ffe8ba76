"""Scans answered by nginx from exported files: its scan log, counted into scan_count.

nginx writes one line per countable scan it answered itself (deploy/nginx.conf, log format
starqr_scan): the local time, the code and the status — no address, no user agent. The app
counts the scans it answers itself, so every scan is counted once.

ingest() reads the log from where it stopped — (inode, offset) per host and file in
scan_log_cursor, moved in the same transaction as the counts, so a line is never counted
twice, even if the exporter dies in between. Rotation: when the file's inode changed, the
rest of the old file is read first (found by its inode beside the log, e.g. starqr-scans.log.1
after logrotate's rename + nginx -s reopen); a file that shrank (copytruncate) is read from 0.
"""

import collections
import datetime
import os
import re
import socket

from starqr.db import database
from starqr.services import scans

LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})T\S* ([0-9A-Z]{1,16}) (\d{3})$")
CHUNK = 8 << 20  # bytes read per tick at most


def _cursor(host, path):
    p = database.obj.param
    return database.execute_sql(
        f'SELECT "inode", "offset" FROM "scan_log_cursor" WHERE "host" = {p} AND "path" = {p}', (host, path)
    ).fetchone()


def _read_complete_lines(handle, offset, limit):
    handle.seek(offset)
    data = handle.read(limit)
    end = data.rfind(b"\n") + 1
    return data[:end], offset + end


def _rotated(path, inode):
    """The file beside PATH (same name prefix) that still has INODE, if any."""
    folder, name = os.path.split(path)
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return None
    for other in sorted(names):
        candidate = os.path.join(folder, other)
        if other != name and other.startswith(name):
            try:
                if os.stat(candidate).st_ino == inode:
                    return candidate
            except OSError:
                continue
    return None


def ingest(path, host=None):
    """Count the new lines of nginx's scan log at PATH. Returns how many scans were counted."""
    host = host or socket.gethostname()
    path = os.path.abspath(path)
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return 0
    chunks = []
    with handle:
        inode = os.fstat(handle.fileno()).st_ino
        size = os.fstat(handle.fileno()).st_size
        row = _cursor(host, path)
        offset = 0
        if row is not None:
            old_inode, old_offset = int(row[0]), int(row[1])
            if old_inode == inode:
                offset = old_offset if old_offset <= size else 0  # shrank: copytruncate
            else:
                rotated = _rotated(path, old_inode)
                if rotated:
                    with open(rotated, "rb") as old:
                        data, old_end = _read_complete_lines(old, old_offset, CHUNK)
                        rest = os.fstat(old.fileno()).st_size - old_end
                    chunks.append(data)
                    if rest > 0 and data:  # more of the old file than one tick reads: stay on it
                        inode, offset = old_inode, old_end
        if not chunks or inode == os.fstat(handle.fileno()).st_ino:
            data, offset = _read_complete_lines(handle, offset, CHUNK)
            chunks.append(data)
    counts = collections.Counter()
    for chunk in chunks:
        for line in chunk.decode("ascii", "replace").splitlines():
            match = LINE.match(line.strip())
            if match and match.group(3) == "200":
                counts[(match.group(2), datetime.date.fromisoformat(match.group(1)))] += 1
    with database.atomic():
        written = scans.add_codes(counts)
        _move_cursor(host, path, inode, offset)
    return written


def _move_cursor(host, path, inode, offset):
    p = database.obj.param
    database.execute_sql(
        'INSERT INTO "scan_log_cursor" ("host", "path", "inode", "offset") '
        f"VALUES ({p}, {p}, {p}, {p}) "
        'ON CONFLICT ("host", "path") DO UPDATE SET "inode" = excluded."inode", "offset" = excluded."offset"',
        (host, path, inode, offset),
    )
