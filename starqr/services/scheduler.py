"""The publication schedule: local (Asia/Shanghai) times and the due run.

Administrators enter times in Beijing time; the database stores naive UTC. Whatever runs
the schedule (the huey consumer's minute task, or a systemd timer calling
`starqr publish --due`) ends in `run_due`, which is safe to run twice or concurrently:
ratings.publish_due claims each period with a conditional UPDATE.
"""

import datetime
import logging
from zoneinfo import ZoneInfo

from starqr import monitoring
from starqr.log_events import log_event
from starqr.models import RatingPeriod, utcnow
from starqr.services import ratings

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
log = logging.getLogger("starqr.scheduler")


def to_utc(local):
    """Naive Beijing time → naive UTC."""
    return local.replace(tzinfo=LOCAL_ZONE).astimezone(datetime.timezone.utc).replace(tzinfo=None)


def to_local(utc):
    """Naive UTC → naive Beijing time (None stays None)."""
    if utc is None:
        return None
    return utc.replace(tzinfo=datetime.timezone.utc).astimezone(LOCAL_ZONE).replace(tzinfo=None)


def run_due(now=None):
    """Publish and finalise what is due. Returns the report lines."""
    report = ratings.publish_due(now)
    monitoring.count_publications(report)
    for name, what in report:
        log_event(log, "scheduler.report", period=name, what=what)
    return report


def calendar(now=None, limit=20):
    """Upcoming and recent publication events: (UTC time, period, what) sorted by time."""
    now = now or utcnow()
    events = []
    for period in RatingPeriod.select().where(RatingPeriod.state.in_(("scheduled", "notice", "final"))):
        if period.state == "scheduled" and period.publish_at:
            events.append((period.publish_at, period, "publish"))
        if period.published_at:
            events.append((period.published_at, period, "published"))
        if period.notice_ends_at:
            events.append((period.notice_ends_at, period, "notice_ends" if period.state == "notice" else "finalised"))
    events.sort(key=lambda e: e[0])
    upcoming = [e for e in events if e[0] >= now]
    recent = [e for e in events if e[0] < now][-5:]
    return recent + upcoming[:limit]
