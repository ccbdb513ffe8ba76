"""Stored pages as files nginx sends itself, per host; freshness bound: commit + one tick.

    DIR/current -> g<rev>-<day>-<n>/          the generation nginx and the app read (a symlink)
    DIR/g.../<lang>/<CODE[:2]>/<CODE>.gz      one gzip file per stored page (zh, mn, en, json)
    DIR/heartbeat                             touched every tick; holds the staleness limit

`starqr pages export --dir DIR --follow SECONDS` runs Exporter.tick() every SECONDS:

1. a new global revision (publication, schedule, periods) or a new day: a new, empty
   generation is swapped in atomically (one rename of the symlink); the old one is removed;
2. the subjects whose version moved since the last tick (page_subject.changed_tx, written by
   services/revision.bump in the writing transaction) lose their files, every language —
   revoked codes and members who left included, before anything is exported;
3. nginx's scan log is counted (services/scan_log.py);
4. pages stored since the last tick, and the rest of the store while a generation fills
   (a bounded slice each tick), are written: only pages current at the moment they are read.

Bound: a page file is never older than the write's commit + the tick interval + one tick's
work. A write committing after a page was read for export is seen by the next tick, which
removes the file; a write committing before is seen by the read (the page is not current).
"Since the last tick" misses no late commit: on PostgreSQL the mark is the oldest transaction
still running at the previous look (txid_snapshot_xmin), so a transaction that commits late is
read again; on SQLite one writer at a time makes the marks follow commit order.

When the exporter stops it removes `current` (and deploy/starqr-page-export.service does too,
after a crash): nobody would invalidate files any more, so nginx and the app go back to the
app's own store lookup. The app ignores files when the heartbeat is older than its limit.
On the host where a plaque is revoked, forget_local() removes its files right after commit.
"""

import datetime
import hashlib
import logging
import os
import shutil
import threading
import time

from starqr.db import database
from starqr.models.base import utcnow
from starqr.services import scan_log

logger = logging.getLogger(__name__)

LANGS = ("zh", "mn", "en", "json")
CURRENT = "current"
HEARTBEAT = "heartbeat"
SWAP_LIMIT = 20_000  # more codes changed at once (a rename high up): a new generation is cheaper
SLICE = 500

_configured = {"dir": None}
_fresh = {"checked": -1e9, "ok": False}


def configure(directory):
    """The export folder of this host (STARQR_PAGE_EXPORT_DIR), or None: no files."""
    _configured["dir"] = directory or None
    _fresh["checked"] = -1e9


def relative(lang, code):
    return os.path.join(lang, code[:2], code + ".gz")


def mtime_of(gz):
    """A file time derived from the content: nginx's ETag ("mtime-size") then only changes with
    the page, and is the same on every host."""
    digest = hashlib.blake2b(gz, digest_size=8).digest()
    return 1_500_000_000 + int.from_bytes(digest[:4], "big") % (1 << 27)


# ---------------------------------------------------------------- the app's side


def local_page(code, lang):
    """(gzip bytes, ETag) of CODE's exported LANG page on this host, or None (no file, or the
    exporter is not ticking). No database query."""
    root = _configured["dir"]
    if root is None or len(code) < 2:
        return None
    now = time.monotonic()
    if now - _fresh["checked"] >= 1.0:
        _fresh["checked"] = now
        _fresh["ok"] = _heartbeat_ok(root)
    if not _fresh["ok"]:
        return None
    try:
        with open(os.path.join(root, CURRENT, relative(lang, code)), "rb") as handle:
            data = handle.read()
            stat = os.fstat(handle.fileno())
    except OSError:
        return None
    return data, f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'


def _heartbeat_ok(root):
    try:
        path = os.path.join(root, HEARTBEAT)
        with open(path) as handle:
            limit = float(handle.read().strip() or 0)
        return time.time() - os.stat(path).st_mtime <= limit
    except (OSError, ValueError):
        return False


def forget_local(*codes):
    """Remove CODES' files from this host's current generation (after a revocation commits)."""
    root = _configured["dir"]
    if root is None:
        return
    for code in codes:
        for lang in LANGS:
            try:
                os.unlink(os.path.join(root, CURRENT, relative(lang, code)))
            except OSError:
                pass


# ---------------------------------------------------------------- the exporter


def _is_sqlite():
    return database.obj.param == "?"


def _mark_now():
    """The mark from which page_subject changes are still to be read."""
    if _is_sqlite():
        return database.execute_sql('SELECT COALESCE(MAX("changed_tx"), 0) + 1 FROM "page_subject"').fetchone()[0]
    return database.execute_sql("SELECT txid_snapshot_xmin(txid_current_snapshot())").fetchone()[0]


def _current_key(today):
    row = database.execute_sql('SELECT "value" FROM "revision" WHERE "id" = 1').fetchone()
    return (row[0] if row else 0) or 0, today


class Exporter:
    def __init__(self, root, interval=1.0, scan_log=None, host=None, lookback=10.0, today=None):
        self.root = os.path.abspath(root)
        self.interval = interval
        self.scan_log = scan_log
        self.host = host
        self.lookback = datetime.timedelta(seconds=lookback)
        self.today = today  # tests: a fixed day
        self.key = None
        self.generation = None
        self.mark = None
        self.seen = {}  # PostgreSQL: (kind, id) -> (version, changed_tx) already handled
        self.floor = None  # pages stored since then are still to be written
        self.recent = {}  # (code, lang) -> ETag written into this generation lately
        self.sweep = None  # the last public_page id written by the filling sweep, None when full
        self.dirs = set()
        self.counts = {"written": 0, "removed": 0, "swaps": 0, "scans": 0}

    # -- generations

    def start(self):
        os.makedirs(self.root, exist_ok=True)
        os.chmod(self.root, 0o755)
        self.mark = _mark_now()  # before the generation: every later change is read
        self.seen = {}
        self.floor = utcnow() - self.lookback
        self.recent = {}
        old = [n for n in os.listdir(self.root) if n.startswith("g")]
        self._swap(_current_key(self._day()))
        self._remove_later([os.path.join(self.root, n) for n in old])

    def stop(self):
        """Nobody invalidates files once this stops (or a tick failed): nginx and the app go
        back to the app's store lookup; the next tick starts afresh."""
        for name in (CURRENT, HEARTBEAT):
            try:
                os.unlink(os.path.join(self.root, name))
            except OSError:
                pass
        self.mark = None

    def _day(self):
        return self.today or datetime.date.today()

    def _swap(self, key):
        rev, day = key
        name = f"g{rev}-{day:%Y%m%d}-{time.time_ns() // 1000}"
        path = os.path.join(self.root, name)
        os.mkdir(path, 0o755)
        link = os.path.join(self.root, f".{CURRENT}.{os.getpid()}")
        os.symlink(name, link)
        os.replace(link, os.path.join(self.root, CURRENT))
        previous, self.generation, self.key = self.generation, path, key
        self.dirs = set()
        self.recent = {}
        self.sweep = 0
        self.counts["swaps"] += 1
        if previous:
            self._remove_later([previous])

    @staticmethod
    def _remove_later(paths):
        if paths:
            threading.Thread(target=lambda: [shutil.rmtree(p, ignore_errors=True) for p in paths], daemon=True).start()

    def _heartbeat(self):
        path = os.path.join(self.root, HEARTBEAT)
        limit = f"{3 * self.interval + 5:.1f}\n"
        tmp = path + f".{os.getpid()}"
        with open(tmp, "w") as handle:
            handle.write(limit)
        os.replace(tmp, path)

    # -- one tick

    def tick(self, budget=None):
        """Invalidate, count, export. Returns the counts of this tick."""
        started = time.monotonic()
        tick_since = utcnow()
        if self.mark is None:
            self.start()
        key = _current_key(self._day())
        if key != self.key:
            self._swap(key)
        removed = self._invalidate()
        scans = 0
        if self.scan_log:
            scans = scan_log.ingest(self.scan_log, self.host)
        budget = budget if budget is not None else max(0.2, self.interval / 2)
        written = self._export_recent(started, budget)
        while self.sweep is not None and time.monotonic() - started < budget:
            written += self._export_slice()
        self.floor = self.floor or (tick_since - self.lookback)
        self._heartbeat()  # only after a whole tick: a failing exporter stops vouching for files
        self.counts["removed"] += removed
        self.counts["written"] += written
        self.counts["scans"] += scans
        return {"removed": removed, "written": written, "scans": scans, "filling": self.sweep is not None}

    def _changes(self):
        """(kind, id) of the subjects whose version moved since the last look."""
        old_mark = self.mark
        if _is_sqlite():
            rows = database.execute_sql(
                'SELECT "subject_kind", "subject_id", "version", "changed_tx" FROM "page_subject" '
                'WHERE "changed_tx" >= ?',
                (old_mark,),
            ).fetchall()
            self.mark = max([old_mark] + [tx + 1 for *_, tx in rows])
            return [(kind, subject_id) for kind, subject_id, _, _ in rows]
        new_mark = _mark_now()  # first: rows read after it may only be newer
        rows = database.execute_sql(
            'SELECT "subject_kind", "subject_id", "version", "changed_tx" FROM "page_subject" WHERE "changed_tx" >= %s',
            (old_mark,),
        ).fetchall()
        changed = []
        for kind, subject_id, version, tx in rows:
            if self.seen.get((kind, subject_id), (None,))[0] != version:
                changed.append((kind, subject_id))
            self.seen[(kind, subject_id)] = (version, tx)
        self.seen = {k: v for k, v in self.seen.items() if v[1] >= new_mark}
        self.mark = new_mark
        return changed

    def _invalidate(self):
        changed = self._changes()
        if not changed:
            return 0
        codes = _codes_of(changed)
        if len(codes) > SWAP_LIMIT:
            self._swap(self.key)
            return len(codes)
        removed = 0
        for code in codes:  # revoked codes first
            for lang in LANGS:
                self.recent.pop((code, lang), None)
                try:
                    os.unlink(os.path.join(self.generation, relative(lang, code)))
                    removed += 1
                except OSError:
                    pass
        return removed

    # -- export

    def _query(self, where, params, limit=None, columns='p."id", p."code", p."lang", p."gz", p."etag"', order='p."id"'):
        p = database.obj.param
        rev, day = self.key
        sql = (
            f'SELECT {columns} FROM "public_page" p '
            'LEFT JOIN "revision" r ON r."id" = 1 '
            'LEFT JOIN "page_subject" s ON s."subject_kind" = p."subject_kind" AND s."subject_id" = p."subject_id" '
            f'WHERE {where} AND p."rev" = COALESCE(r."value", 0) AND p."rev" = {p} '
            f'AND p."sver" = COALESCE(s."version", 0) AND p."day" = {p} ORDER BY {order}'
        )
        if limit:
            sql += f" LIMIT {int(limit)}"
        return database.execute_sql(sql, (*params, rev, day)).fetchall()

    def _export_recent(self, started, budget):
        """Pages stored since the last tick (less the look-back, for clocks of other hosts), not
        yet written with that ETag; within the budget, the oldest first. Returns how many."""
        p = database.obj.param
        rows = self._query(
            f'p."generated_at" >= {p}',
            (self.floor,),
            columns='p."id", p."code", p."lang", p."etag", p."generated_at"',
            order='p."generated_at"',
        )
        todo = [row for row in rows if self.recent.get((row[1], row[2])) != row[3]]
        written = 0
        self.floor = None
        for start in range(0, len(todo), SLICE):
            if written and time.monotonic() - started >= budget:
                self.floor = todo[start][4]  # the rest next tick
                break
            ids = [row[0] for row in todo[start : start + SLICE]]
            for _, code, lang, gz, etag in self._query(f'p."id" IN ({", ".join([p] * len(ids))})', ids):
                self._write(code, lang, bytes(gz))
                self.recent[(code, lang)] = etag
                written += 1
        if len(self.recent) > 200_000:
            self.recent = {}  # at worst some files are written again
        return written

    def _export_slice(self):
        p = database.obj.param
        rows = self._query(f'p."id" > {p}', (self.sweep,), SLICE)
        for row_id, code, lang, gz, etag in rows:
            self._write(code, lang, bytes(gz))
            self.recent[(code, lang)] = etag
            self.sweep = row_id
        if len(rows) < SLICE:
            self.sweep = None  # the generation holds every current page
        return len(rows)

    def _write(self, code, lang, gz):
        if lang not in LANGS or not code.isalnum() or len(code) < 2:
            return
        path = os.path.join(self.generation, relative(lang, code))
        folder = os.path.dirname(path)
        if folder not in self.dirs:
            os.makedirs(folder, 0o755, exist_ok=True)
            self.dirs.add(folder)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(gz)
        os.chmod(tmp, 0o644)
        moment = mtime_of(gz)
        os.utime(tmp, (moment, moment))
        os.replace(tmp, path)


def _codes_of(subjects):
    """Every code (active or revoked) of SUBJECTS, revoked ones first."""
    p = database.obj.param
    by_kind = {}
    for kind, subject_id in subjects:
        by_kind.setdefault(kind, []).append(int(subject_id))
    rows = []
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            rows += database.execute_sql(
                f'SELECT "code", "status" FROM "plaque_code" WHERE "subject_kind" = {p} '
                f'AND "subject_id" IN ({", ".join([p] * len(chunk))})',
                (kind, *chunk),
            ).fetchall()
    rows.sort(key=lambda row: row[1] == "active")
    return [code for code, _ in rows]


def follow(exporter, interval, ticks=None, notify=None, on_tick=None):
    """Tick every INTERVAL seconds (for ever, or TICKS times); close the connection between ticks."""
    done = 0
    try:
        while ticks is None or done < ticks:
            started = time.monotonic()
            database.connect(reuse_if_open=True)
            try:
                result = exporter.tick()
            except Exception:
                logger.exception("page export tick failed: files withdrawn until a tick succeeds")
                exporter.stop()
                result = None
            finally:
                if not database.is_closed():
                    database.close()
            if notify:
                notify("WATCHDOG=1")
            if on_tick and result is not None:
                on_tick(result)
            done += 1
            time.sleep(0 if result and result["filling"] else max(0.0, interval - (time.monotonic() - started)))
    finally:
        exporter.stop()
