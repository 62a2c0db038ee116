"""gunicorn settings of the portal's web process (deploy/systemd/dangjian-web.service, the Dockerfile
and docker-compose.yml start gunicorn with `-c deploy/gunicorn.conf.py`).

Threaded workers (gthread), as `bench/rush.py` measured on the two-core machine (the page mix
and the floor view under wrk at 10, 50 and 200 connections, PostgreSQL on the same box; figures in
docs/benchmarks.md): a request spends much of its time waiting on PostgreSQL, and threads let a
worker serve another request meanwhile without a process (and its memory) per request in
flight; sync workers beyond the core count only fought over the same cores. The rule per core
count: one process per core plus one, eight threads each (2 cores: 3 × 8). Each thread holds
its own database connection (CONN_MAX_AGE), so workers × threads, plus the Celery workers'
processes, must stay below PostgreSQL's max_connections (100 by default): past 8 cores lower
the threads or raise max_connections. GUNICORN_WORKERS and GUNICORN_THREADS override the rule;
re-measure with bench/rush.py on the real machine before changing it.

nginx buffers uploads and sends files itself (X-Accel-Redirect), so no request waits on a slow
phone's network inside a worker; photo uploads decode in the request, hence the long timeout.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


cores = multiprocessing.cpu_count()
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", cores + 1)
threads = _int("GUNICORN_THREADS", 8)
timeout = 300
graceful_timeout = 30
# Recycle workers now and then, so a slow leak in a library never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
control_socket_disable = True
