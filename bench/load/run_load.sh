#!/usr/bin/env bash
# The load run: a fresh PostgreSQL database seeded with the demo, Redis db 14, a Celery worker
# and gunicorn with production settings on loopback, then locust headless for a bounded time.
# Every process this script starts it stops again, also on Ctrl-C or failure; PostgreSQL and
# Redis are started (and stopped afterwards) only if they were not already running.
#
#   bench/load/run_load.sh                       # 50 users, 2 minutes
#   LOAD_USERS=10 LOAD_DURATION=30s bench/load/run_load.sh
#
# Results: $LOAD_OUT (default /tmp/dangjian-load/results): locust's CSV and HTML report,
# summary.md (the table for docs/load-test.md), machine.txt, gunicorn and worker logs.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
BIN="$VENV/bin"
PG_URL="${LOAD_PG_URL:-postgres://postgres@127.0.0.1:5432}"
DB_NAME="${LOAD_DB:-dangjian_load}"
REDIS_DB="${LOAD_REDIS_DB:-14}"
PORT="${LOAD_PORT:-8765}"
USERS="${LOAD_USERS:-50}"
SPAWN_RATE="${LOAD_SPAWN_RATE:-10}"
DURATION="${LOAD_DURATION:-2m}"
WEB_WORKERS="${LOAD_WEB_WORKERS:-5}"
CELERY_CONCURRENCY="${LOAD_CELERY_CONCURRENCY:-2}"
WORK="${LOAD_WORK:-/tmp/dangjian-load}"
OUT="${LOAD_OUT:-$WORK/results}"

case "$DB_NAME" in
  dangjian_load*) ;;
  *) echo "LOAD_DB must start with dangjian_load: this script drops and recreates it" >&2; exit 2 ;;
esac

[ -x "$BIN/locust" ] || { echo "locust missing: $BIN/pip install -r requirements-bench.txt" >&2; exit 2; }

port_open() {
  "$BIN/python" - "$1" <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

wait_for() {  # wait_for <seconds> <command...>
  local seconds=$1
  shift
  for _ in $(seq 1 "$seconds"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}

STARTED_PIDS=()
STARTED_PG=""
STARTED_REDIS=""
cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "$STARTED_REDIS" ]; then
    redis-cli -p 6379 shutdown nosave >/dev/null 2>&1 || true
  fi
  if [ -n "$STARTED_PG" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$STARTED_PG" main stop || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if port_open "$PORT"; then
  echo "port $PORT is taken; set LOAD_PORT" >&2
  exit 2
fi
if ! port_open 5432; then
  STARTED_PG="$(ls /etc/postgresql | head -n 1)"
  pg_ctlcluster --skip-systemctl-redirect "$STARTED_PG" main start
  wait_for 30 port_open 5432
fi
if ! port_open 6379; then
  mkdir -p "$WORK/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$WORK/redis" --logfile "$WORK/redis/redis.log"
  STARTED_REDIS=1
  wait_for 30 port_open 6379
fi

rm -rf "$OUT" "$WORK/media"
mkdir -p "$OUT" "$WORK/media"

# Production settings, as deploy/env.example has them, minus TLS: the load client stands in for
# nginx and says X-Forwarded-Proto: https (see locustfile.py).
export DATABASE_URL="$PG_URL/$DB_NAME"
export REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB"
export MEDIA_ROOT="$WORK/media"
export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY="load-test-only-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost"
export DJANGO_BEHIND_PROXY=1
export DJANGO_LOG_LEVEL=WARNING

echo "== database $DB_NAME: recreate, migrate, seed the demo"
"$BIN/python" - "$PG_URL" "$DB_NAME" <<'PY'
import sys
import psycopg2
connection = psycopg2.connect(sys.argv[1] + "/postgres")
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
    cursor.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PY
redis-cli -n "$REDIS_DB" flushdb >/dev/null
"$BIN/python" manage.py migrate --noinput >"$OUT/setup.log" 2>&1
"$BIN/python" manage.py seed_demo --force >>"$OUT/setup.log" 2>&1

echo "== Celery worker (concurrency $CELERY_CONCURRENCY) and gunicorn ($WEB_WORKERS sync workers) on 127.0.0.1:$PORT"
"$BIN/celery" -A config worker --concurrency="$CELERY_CONCURRENCY" --loglevel=WARNING \
  --hostname="load@%h" >"$OUT/worker.log" 2>&1 &
STARTED_PIDS+=($!)
"$BIN/gunicorn" config.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WEB_WORKERS" --timeout 60 \
  --no-control-socket --error-logfile "$OUT/gunicorn.log" &
STARTED_PIDS+=($!)
if ! wait_for 60 curl -fsS -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT/accounts/login/"; then
  echo "gunicorn did not answer; see $OUT/gunicorn.log" >&2
  exit 1
fi
redis_ready() { "$BIN/celery" -A config inspect ping --timeout 2; }
wait_for 60 redis_ready || { echo "the Celery worker did not answer; see $OUT/worker.log" >&2; exit 1; }
# Let the seeding's queued tasks (thumbnails, statistics) finish before measuring.
queue_empty() { [ "$(redis-cli -n "$REDIS_DB" llen celery)" = "0" ]; }
wait_for 120 queue_empty || true
sleep 5

{
  echo "date_utc: $(date -u '+%Y-%m-%d %H:%M:%S')"
  echo "commit: ${LOAD_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
  echo "nproc: $(nproc)"
  echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MiB total, " $7 " MiB available"}')"
  echo "uptime_before: $(uptime)"
  echo "users: $USERS, spawn rate: $SPAWN_RATE/s, duration: $DURATION"
  echo "gunicorn: $WEB_WORKERS sync workers; celery: concurrency $CELERY_CONCURRENCY"
} >"$OUT/machine.txt"
cat "$OUT/machine.txt"

echo "== locust: $USERS users for $DURATION"
locust_status=0
# `timeout` bounds the run even if locust hangs: the duration plus a minute.
timeout --signal=TERM 600 "$BIN/locust" -f bench/load/locustfile.py --host "http://127.0.0.1:$PORT" \
  --headless --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$DURATION" --stop-timeout 15 \
  --csv "$OUT/load" --html "$OUT/report.html" --only-summary --loglevel WARNING \
  >"$OUT/locust.log" 2>&1 || locust_status=$?
echo "uptime_after: $(uptime)" >>"$OUT/machine.txt"

# The worker's backlog when the load stops, and how long it takes to drain.
drain_start=$(date +%s)
backlog=$(redis-cli -n "$REDIS_DB" llen celery)
wait_for 300 queue_empty || true
echo "celery_backlog_at_end: $backlog tasks, drained in $(($(date +%s) - drain_start)) s" >>"$OUT/machine.txt"
"$BIN/python" manage.py shell --no-imports -c "
from activities.models import ActivityLog, Photo
print('activities_total:', ActivityLog.objects.count())
print('photos_total:', Photo.objects.count())
print('photos_without_thumbnail_after_drain:', Photo.objects.filter(display_small='').count())
" >>"$OUT/machine.txt" 2>>"$OUT/setup.log" || true

"$BIN/python" bench/load/summarise.py "$OUT" >"$OUT/summary.md"
cat "$OUT/machine.txt" "$OUT/summary.md"
echo "locust exit status: $locust_status (1 means some requests failed); results in $OUT"
exit "$locust_status"
