"""Scan statistics without tracking: a count per code per day, nothing else.

No IP address and no user agent is stored. Obvious robots and conditional re-requests
(a browser revalidating its copy) do not count.

Counts never get lost:
- each worker buffers its counts and writes them when the worker exits (gunicorn's
  max_requests recycling, shutdown: atexit) as well as every few seconds, so recycling
  loses none;
- with SCAN_COUNTS_URL (Redis; several workers and hosts) the buffer goes to Redis in one
  pipelined HINCRBY at least every second (a killed worker loses at most that second), and
  any worker on any host moves Redis's counts to the database every few seconds, taking them
  out atomically. A synchronous Redis call per scan was measured at ~4 ms on a loaded
  2-core machine, the whole cost of a stored page, hence the buffer.
"""

import atexit
import datetime
import hashlib
import logging
import re
import threading
import time
from collections import Counter

from peewee import EXCLUDED, IntegrityError, fn

from starqr.db import database
from starqr.models import PlaqueCode, ScanCount

ROBOT_AGENT = re.compile(
    r"bot|spider|crawl|slurp|curl|wget|python|httpclient|http-client|java/|go-http|okhttp|libwww|"
    r"headless|lighthouse|pingdom|uptime|monitor|preview|facebookexternalhit|scan",
    re.IGNORECASE,
)

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0  # counts reach the database within this (plus the next scan)
PUSH_SECONDS = 1.0  # with Redis: the worker's buffer goes to Redis at least this often
FLUSH_COUNT = 200
REDIS_KEY = "starqr:scans"  # a hash "plaque_id:YYYY-MM-DD" -> count; configure() adds the database's tag

_lock = threading.Lock()
_pending = Counter()
_last_flush = time.monotonic()
_last_move = time.monotonic()
_redis = None
_exit_hook = False

# Take the whole hash and delete it in one step: two flushers never take the same counts.
_TAKE = """
local counts = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return counts
"""


def configure(url=None, database_url=""):
    """Count in Redis at URL (redis://...), or in the worker's buffer when URL is None.

    The Redis key carries a tag of DATABASE_URL, so two deployments (or test runs) sharing
    one Redis never mix their counts."""
    global _redis, _exit_hook, REDIS_KEY
    if url:
        # redis is optional: only with a scan-counter URL
        import redis

        _redis = redis.Redis.from_url(url, socket_timeout=2)
        REDIS_KEY = "starqr:scans:" + hashlib.blake2b(database_url.encode(), digest_size=6).hexdigest()
    else:
        _redis = None
    if not _exit_hook:
        atexit.register(_flush_at_exit)  # gunicorn workers exit through sys.exit: this runs
        _exit_hook = True


def countable(request):
    """Whether this request is a person scanning: GET, not conditional, not a robot."""
    if request.method != "GET":
        return False
    if request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since"):
        return False
    if request.headers.get("Purpose") == "prefetch" or request.headers.get("Sec-Purpose", "").startswith("prefetch"):
        return False
    agent = request.headers.get("User-Agent", "")
    return not ROBOT_AGENT.search(agent)


def countable_environ(environ):
    """countable() for a bare WSGI environ (the fast scan path)."""
    if environ.get("REQUEST_METHOD") != "GET":
        return False
    if environ.get("HTTP_IF_NONE_MATCH") or environ.get("HTTP_IF_MODIFIED_SINCE"):
        return False
    if environ.get("HTTP_PURPOSE") == "prefetch" or environ.get("HTTP_SEC_PURPOSE", "").startswith("prefetch"):
        return False
    return not ROBOT_AGENT.search(environ.get("HTTP_USER_AGENT", ""))


def record(plaque_id, day=None, flush_now=False):
    """Count one scan of a plaque (buffered in the worker for at most a second or two)."""
    day = day or datetime.date.today()
    with _lock:
        _pending[(plaque_id, day)] += 1
        due = (
            flush_now
            or sum(_pending.values()) >= FLUSH_COUNT
            or time.monotonic() - _last_flush >= (PUSH_SECONDS if _redis is not None else FLUSH_SECONDS)
        )
    if due:
        try:
            if _redis is not None and not flush_now:
                _push()
            else:
                flush()
        except Exception:  # statistics must never break a page
            logger.warning("scan counts not written yet", exc_info=True)


def record_code(code, day=None):
    """Count one scan of the plaque with CODE (the page came from an exported file: no id at
    hand); the code becomes its plaque id when the buffer is written, in one query."""
    record(code, day)


def _resolve(pending):
    """PENDING with codes (str keys) replaced by their plaque ids; unknown codes dropped."""
    codes = {key for key, _ in pending if isinstance(key, str)}
    if not codes:
        return pending

    ids = {}
    code_list = sorted(codes)
    for start in range(0, len(code_list), 900):
        chunk = code_list[start : start + 900]
        ids.update(PlaqueCode.select(PlaqueCode.code, PlaqueCode.id).where(PlaqueCode.code.in_(chunk)).tuples())
    resolved = Counter()
    for (key, day), count in pending.items():
        plaque_id = ids.get(key) if isinstance(key, str) else key
        if plaque_id is not None:
            resolved[(plaque_id, day)] += count
    return resolved


def add_codes(counts):
    """Write COUNTS {(code, day): n} into scan_count now (nginx's scan log). Returns the scans written."""
    pending = _resolve(Counter(counts))
    if pending:
        _write(pending)
    return sum(pending.values())


def _push():
    """The worker's counts into Redis (one pipelined round trip); into the database every few seconds."""
    global _last_flush, _last_move
    with _lock:
        pending = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    try:
        pending = _resolve(pending)
        pipe = _redis.pipeline(transaction=False)
        for (plaque_id, day), count in pending.items():
            pipe.hincrby(REDIS_KEY, f"{plaque_id}:{day.isoformat()}", count)
        pipe.execute()
    except Exception:
        with _lock:
            _pending.update(pending)
        raise
    if time.monotonic() - _last_move >= FLUSH_SECONDS:
        _last_move = time.monotonic()
        flush()


def _take():
    """Everything counted so far (buffer and Redis), removed from where it was kept."""
    global _last_flush
    with _lock:
        pending = Counter(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    if _redis is not None:
        raw = _redis.eval(_TAKE, 1, REDIS_KEY) or []
        for field, value in zip(raw[::2], raw[1::2]):
            plaque_id, day = (field.decode() if isinstance(field, bytes) else field).split(":")
            pending[(int(plaque_id), datetime.date.fromisoformat(day))] += int(value)
    return pending


def _give_back(pending):
    if _redis is not None:
        try:
            pipe = _redis.pipeline()
            for (plaque_id, day), count in pending.items():
                pipe.hincrby(REDIS_KEY, f"{plaque_id}:{day.isoformat()}", count)
            pipe.execute()
            return
        except Exception:
            pass
    with _lock:
        _pending.update(pending)


def flush():
    """Write the counts taken so far: one upsert per (code, day). Returns how many scans were written."""
    pending = _take()
    if not pending:
        return 0
    try:
        pending = _resolve(pending)
        if not pending:
            return 0
        _write(pending)
    except IntegrityError:
        # A plaque that no longer exists (e.g. a test database replaced under a worker): drop.
        logger.warning("dropped %d scan counts for unknown plaques", sum(pending.values()))
        return 0
    except Exception:
        # The database is busy or away: keep the counts for the next attempt.
        _give_back(pending)
        raise
    return sum(pending.values())


def _write(pending):
    rows = [{"plaque": plaque_id, "day": day, "count": count} for (plaque_id, day), count in pending.items()]
    with database.atomic():
        (
            ScanCount.insert_many(rows)
            .on_conflict(
                conflict_target=[ScanCount.plaque, ScanCount.day],
                update={ScanCount.count: ScanCount.count + EXCLUDED.count},
            )
            .execute()
        )


def _flush_at_exit():
    try:
        flush()
    except Exception:
        logger.warning("scan counts not written at exit", exc_info=True)
    finally:
        if not database.is_closed():
            database.close()


def reset():
    """Forget buffered counts and restart the flush clock (tests)."""
    global _last_flush
    with _lock:
        _pending.clear()
        _last_flush = time.monotonic()


def total(plaque_ids):
    """All scans ever counted for these plaques (written counts only)."""

    return (
        ScanCount.select(fn.COALESCE(fn.SUM(ScanCount.count), 0)).where(ScanCount.plaque.in_(list(plaque_ids))).scalar()
    ) or 0
