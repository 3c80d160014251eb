"""Gunicorn settings for `make serve` and the systemd unit (docs/deploy.md): `gunicorn -c config/gunicorn.py`.

Environment: TSUNAGU_BIND (default 127.0.0.1:8000, loopback: nginx in front terminates TLS) and
WEB_CONCURRENCY (worker processes). Any other setting can be overridden for one run with
GUNICORN_CMD_ARGS, e.g. GUNICORN_CMD_ARGS="--threads 8".

The master also starts the background worker that makes the report files (`manage.py db_worker`,
docs/architecture.md) and stops it when it stops; TSUNAGU_TASK_WORKER=0 leaves it to a unit of its
own (docs/deploy.md).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

wsgi_app = "config.wsgi:application"
proc_name = "tsunagu"

bind = [os.environ.get("TSUNAGU_BIND", "127.0.0.1:8000")]


def default_workers() -> int:
    """2 × cores + 1 (gunicorn's rule of thumb), at most 8.

    One process per core keeps the CPU busy while WeasyPrint builds a PDF report (CPU-bound, holding
    its process's GIL for a second or more); the extra processes keep pages answering meanwhile.
    More than 8 buys nothing for one ward office (tens of users) and costs ~100 MB of memory each.
    """
    cores = len(os.sched_getaffinity(0))
    return min(2 * cores + 1, 8)


workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
# Threads let a worker overlap requests that wait on the database; Django's connections are per thread.
worker_class = "gthread"
threads = 4
# An Excel import or a large report may take tens of seconds; a worker silent for longer is stuck.
timeout = 60
# On restart (systemctl restart, an upgrade), requests in flight get this long to finish.
graceful_timeout = 30
# Idle keep-alive connections are closed by nginx (its upstream keepalive_timeout, 60 s), never first by
# gunicorn: a connection the server closes just as the client sends on it fails that request with no
# response at all (the load test's errors with gunicorn's 5 s: 2 of 2,697 requests; none with 30 s).
keepalive = 75
# Recycle each worker after about a thousand requests (staggered so they never restart together):
# caps slow growth from fonts and layout caches in WeasyPrint.
max_requests = 1000
max_requests_jitter = 100

# nginx on this machine is the only client trusted to say the original scheme (X-Forwarded-Proto);
# Django trusts the same header through SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = "127.0.0.1,::1"

# Signals from systemd (or Ctrl-C) are all we use; no control socket under $HOME, which would also
# clash between two servers on one machine.
control_socket_disable = True

# Logs: one stream on stdout (journald under systemd), every line "ISO time, level, logger,
# [request id], message". Django's own lines go there too (TSUNAGU_LOG_STREAM, config/settings.py).
os.environ.setdefault("TSUNAGU_LOG_STREAM", "stdout")
# Django sets TZ from TIME_ZONE in the workers; the master logs in the same zone.
os.environ["TZ"] = "Asia/Tokyo"
time.tzset()

# The request id comes back from Django in the X-Request-ID response header. The path is logged
# without its query string: a search for a child's name must not end up in the log.
access_log_format = '[%({x-request-id}o)s] %(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "access": {"class": "config.log.IsoFormatter", "format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {"class": "config.log.IsoFormatter", "format": "%(asctime)s %(levelname)s %(name)s [-] %(message)s"},
    },
    "handlers": {
        "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        "server": {"class": "logging.StreamHandler", "formatter": "server", "stream": "ext://sys.stdout"},
    },
    "root": {"level": "INFO", "handlers": ["server"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["server"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}


# The background worker (report files): a child of the master, started before the web workers and
# stopped after them. Not restarted if it dies (its error is in the log): under systemd, a unit of its
# own with Restart= is sturdier (docs/deploy.md), and then TSUNAGU_TASK_WORKER=0 here.
task_worker: subprocess.Popen | None = None


def on_starting(server):
    global task_worker
    if os.environ.get("TSUNAGU_TASK_WORKER", "1").strip().lower() in {"0", "false", "no", "off"}:
        return
    root = Path(__file__).resolve().parent.parent
    task_worker = subprocess.Popen([sys.executable, str(root / "manage.py"), "db_worker", "--no-reload"], cwd=root)
    server.log.info("Started the report files' worker (manage.py db_worker, pid %s)", task_worker.pid)


def on_exit(server):
    if task_worker is None or task_worker.poll() is not None:
        return
    task_worker.terminate()  # finishes the file it is making, then stops
    try:
        task_worker.wait(timeout=graceful_timeout)
    except subprocess.TimeoutExpired:
        task_worker.kill()
        task_worker.wait()
    server.log.info("Stopped the report files' worker (pid %s)", task_worker.pid)
