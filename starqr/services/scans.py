"""Scan statistics without tracking: a count per code per day, nothing else.

No IP address and no user agent is stored. Obvious robots and conditional re-requests
(a browser revalidating its copy) do not count. Counts are buffered in the worker and
written in one upsert every few seconds, so a busy plaque does not turn every page view
into a database write.
"""
import datetime
import logging
import re
import threading
import time
from collections import Counter

from peewee import EXCLUDED, IntegrityError

from starqr.db import database
from starqr.models import ScanCount

ROBOT_AGENT = re.compile(
    r"bot|spider|crawl|slurp|curl|wget|python|httpclient|http-client|java/|go-http|okhttp|libwww|"
    r"headless|lighthouse|pingdom|uptime|monitor|preview|facebookexternalhit|scan", re.IGNORECASE)

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0
FLUSH_COUNT = 200

_lock = threading.Lock()
_pending = Counter()
_last_flush = time.monotonic()


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


def record(plaque_id, day=None, flush_now=False):
    """Count one scan of a plaque (buffered)."""
    global _last_flush
    day = day or datetime.date.today()
    with _lock:
        _pending[(plaque_id, day)] += 1
        due = (flush_now or sum(_pending.values()) >= FLUSH_COUNT
               or time.monotonic() - _last_flush >= FLUSH_SECONDS)
    if due:
        try:
            flush()
        except Exception:  # statistics must never break a page
            logger.warning("scan counts not written yet", exc_info=True)


def flush():
    """Write buffered counts: one upsert per (code, day). Returns how many scans were written."""
    global _last_flush
    with _lock:
        pending = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    if not pending:
        return 0
    rows = [{"plaque": plaque_id, "day": day, "count": count} for (plaque_id, day), count in pending.items()]
    try:
        with database.atomic():
            (ScanCount.insert_many(rows)
             .on_conflict(conflict_target=[ScanCount.plaque, ScanCount.day],
                          update={ScanCount.count: ScanCount.count + EXCLUDED.count})
             .execute())
    except IntegrityError:
        # A plaque that no longer exists (e.g. a test database replaced under a worker): drop.
        logger.warning("dropped %d scan counts for unknown plaques", sum(pending.values()))
        return 0
    except Exception:
        # The database is busy or away: keep the counts for the next attempt.
        with _lock:
            _pending.update(pending)
        raise
    return sum(pending.values())


def reset():
    """Forget buffered counts and restart the flush clock (tests)."""
    global _last_flush
    with _lock:
        _pending.clear()
        _last_flush = time.monotonic()


def total(plaque_ids):
    """All scans ever counted for these plaques (written counts only)."""
    from peewee import fn
    return (ScanCount.select(fn.COALESCE(fn.SUM(ScanCount.count), 0))
            .where(ScanCount.plaque.in_(list(plaque_ids))).scalar()) or 0
