# gunicorn -c /etc/starqr/gunicorn.conf.py starqr.wsgi:app   (a copy of deploy/gunicorn.conf.py)
# Sync workers: pages are small and server-rendered; the database is the shared state.
# STARQR_BIND and STARQR_WORKERS override the address and the worker count (deploy/smoke uses them).
import multiprocessing
import os

bind = os.environ.get("STARQR_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("STARQR_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
max_requests = 5000
max_requests_jitter = 500
timeout = 30
graceful_timeout = 20
accesslog = "-"
# No client addresses in the access log: scan statistics must not track people.
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = "127.0.0.1"
# Nor in the error log ("Invalid request from ip=..."): starqr/gunicorn_logging.py redacts them.
logger_class = "starqr.gunicorn_logging.AddressFreeLogger"

# Production logs are JSON lines (starqr.monitoring.JsonFormatter), access log included.
if os.environ.get("STARQR_ENV_NAME") == "production" or os.environ.get("STARQR_LOG_FORMAT") == "json":
    from starqr.monitoring import GUNICORN_LOGCONFIG as logconfig_dict  # noqa: F401


# Prometheus multiprocess mode: every worker (and the scheduler) writes its metrics to
# PROMETHEUS_MULTIPROC_DIR, /metrics adds them up. At start the files of processes no longer
# running are removed (the scheduler's stay); a dead worker's live gauges are dropped.
def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        pid = name.rsplit("_", 1)[-1].split(".", 1)[0]
        if not pid.isdigit() or not _running(int(pid)):
            os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
