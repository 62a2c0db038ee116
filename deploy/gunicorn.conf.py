"""gunicorn settings of the portal's web process (deploy/systemd/dangjian-web.service, the Dockerfile
and docker-compose.yml start gunicorn with `-c deploy/gunicorn.conf.py`).

Sync workers, one per core plus one, as `bench/rush.py` measured on the two-core machine with
nothing else running (the page mix and the floor view under wrk at 10, 50 and 200 connections,
PostgreSQL on the same box; figures in docs/benchmarks.md, "Under a rush"). Two quiet runs
(the second with every configuration) agree, page mix at 10/50/200 connections:
  sync 2        75-91 req/s, p95 at 50 connections 629-702 ms (the best);
  sync 3        73-75 req/s, p95 at 50 711 ms;
  gthread 2x4   65-70 req/s, p95 at 50 1.46 s;
  gthread 3x8   65-77 req/s, p95 at 50 1.29-1.54 s (the previous default).
A page is CPU in Python far more than waiting on PostgreSQL here, so threads only add GIL
contention, and more processes than cores fight over the same cores. The one worker beyond the
core count costs about a tenth of the throughput and keeps the site answering while a worker
decodes a large photo upload. (An earlier matrix, taken while four test suites shared the cores,
ranked gthread first; it measured the neighbours, not the server.) The rule per core count:
cores + 1 sync workers. Each worker holds one database connection (CONN_MAX_AGE), so workers
plus the Celery workers' processes stay far below PostgreSQL's max_connections (100 by default).
GUNICORN_WORKERS overrides the count; GUNICORN_THREADS > 1 switches to gthread with that many
threads. Re-measure with bench/rush.py on the real machine before changing it.

nginx buffers uploads and sends files itself (X-Accel-Redirect), so no request waits on a slow
phone's network inside a worker; photo uploads decode in the request, hence the long timeout.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


cores = multiprocessing.cpu_count()
workers = _int("GUNICORN_WORKERS", cores + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = 300
graceful_timeout = 30
# Recycle workers now and then, so a slow leak in a library never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
control_socket_disable = True
