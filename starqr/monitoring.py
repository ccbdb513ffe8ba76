"""Prometheus metrics and JSON logs.

Metrics (prometheus-client). Under gunicorn every worker is a process: set
PROMETHEUS_MULTIPROC_DIR (an empty folder, emptied at each start: deploy/gunicorn.conf.py does
it) for the web service and the scheduler alike, and /metrics adds up every process's values.
Without it, /metrics shows this process only (development, tests).

    starqr_http_requests_total{endpoint,method,status}   requests answered
    starqr_http_request_seconds{endpoint}                time to answer (render time of pages)
    starqr_page_cache_total{result}                      public page cache hits and misses
    starqr_jobs_total{task,outcome}                      background jobs run (scheduler, imports)
    starqr_publications_total{what}                      periods published, finalised, held, failed

/metrics answers only requests from this machine (nginx refuses it from outside too).

Logs: JSON lines on stderr when STARQR_ENV_NAME=production or STARQR_LOG_FORMAT=json; never
a client address (scan statistics must not track people).
"""

import datetime
import json
import logging
import os
import sys
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from starqr.log_events import record_fields

REQUESTS = Counter("starqr_http_requests", "HTTP requests answered", ["endpoint", "method", "status"])
REQUEST_SECONDS = Histogram(
    "starqr_http_request_seconds",
    "Time to answer a request (render time)",
    ["endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PAGE_CACHE = Counter("starqr_page_cache", "Public page cache lookups", ["result"])
JOBS = Counter("starqr_jobs", "Background jobs run", ["task", "outcome"])
PUBLICATIONS = Counter("starqr_publications", "Publication events", ["what"])

LOOPBACK = ("127.0.0.1", "::1")


def count_cache(hit):
    PAGE_CACHE.labels("hit" if hit else "miss").inc()


def count_job(task, outcome):
    JOBS.labels(task, outcome).inc()


PERIOD_EVENTS = ("published", "finalised", "held", "failed")


def count_publications(report):
    """REPORT: [(period name, ReportLine)] as returned by ratings.publish_due; counted by the
    line's code (a period published, finalised, held by open objections, failed), not per subject."""
    for _, what in report or ():
        code = getattr(what, "code", None)
        if code in PERIOD_EVENTS:
            PUBLICATIONS.labels(code).inc()


def watch_huey(huey):
    """Count every job the consumer runs, by task and outcome (complete, error, ...)."""
    from huey import signals  # here, not at the top: starqr.tasks is the one module that imports huey

    @huey.signal(
        signals.SIGNAL_COMPLETE,
        signals.SIGNAL_ERROR,
        signals.SIGNAL_EXPIRED,
        signals.SIGNAL_LOCKED,
        signals.SIGNAL_CANCELED,
    )
    def _count(signal, task, *args, **kwargs):
        count_job(getattr(task, "name", "unknown"), signal)

    return _count


def exposition():
    """(body, content type) of every metric, summed over processes in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def init_app(app):
    # Flask only here: the counters the scheduler and services call import no Flask.
    from flask import Response, abort, g, request

    @app.before_request
    def _start_timer():
        g._started = time.perf_counter()

    @app.after_request
    def _count(response):
        started = g.pop("_started", None)
        endpoint = request.endpoint or "unmatched"
        if started is not None:
            REQUEST_SECONDS.labels(endpoint).observe(time.perf_counter() - started)
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        return response

    @app.route("/metrics")
    def metrics():
        # The direct peer, not X-Forwarded-For: only this machine (Prometheus, or nginx
        # forwarding a local request) may read it.
        peer = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR", request.remote_addr)
        if peer not in LOOPBACK or request.headers.get("X-Forwarded-For", "127.0.0.1") not in LOOPBACK:
            abort(404)
        body, content_type = exposition()
        return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})

    configure_logging(app.config)


# ---------------------------------------------------------------- logs


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the event's fields (log_events),
    and the exception, if any."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key, value in record_fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def json_logs_wanted(config=None):
    env = (config or {}).get("ENV_NAME") or os.environ.get("STARQR_ENV_NAME")
    return os.environ.get("STARQR_LOG_FORMAT", "").lower() == "json" or env == "production"


def configure_logging(config=None, level=logging.INFO):
    """JSON lines on stderr for the root logger (production); a no-op otherwise or when done."""
    if not json_logs_wanted(config):
        return False
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return True
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.handlers = [handler]
    root.setLevel(level)
    return True


# gunicorn: `logconfig_dict = monitoring.GUNICORN_LOGCONFIG` (deploy/gunicorn.conf.py).
GUNICORN_LOGCONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "starqr.monitoring.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
}
