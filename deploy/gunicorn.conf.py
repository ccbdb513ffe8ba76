# gunicorn -c deploy/gunicorn.conf.py starqr.wsgi:app
# Sync workers: pages are small and server-rendered; the database is the shared state.
import multiprocessing

bind = "127.0.0.1:8000"
workers = multiprocessing.cpu_count() * 2 + 1
worker_class = "sync"
max_requests = 5000
max_requests_jitter = 500
timeout = 30
graceful_timeout = 20
accesslog = "-"
# No client addresses in the access log: scan statistics must not track people.
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = "127.0.0.1"
