"""Fault tests: sweeps for lost work (embedded and server runs) and real faults (the server run).

Tests marked `worker` start real processes (a Celery worker, a second redis-server, gunicorn)
against the PostgreSQL test database; each is bounded in time and stops what it started.
"""

import datetime
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from stats.aggregation import compute_figures
from stats.models import StatSnapshot

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable

needs_server_run = pytest.mark.skipif(
    not django_settings.REDIS_URL or connection.vendor != "postgresql",
    reason="needs REDIS_URL and PostgreSQL (DATABASE_URL): .ci/run's second pass sets both",
)


@pytest.fixture(autouse=True)
def no_pending_marks(settings):
    # The embedded run's locmem cache lives as long as the process; start every test clean.
    if not settings.REDIS_URL:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def eager_celery():
    """Tasks run in this process in either run, so a sweep's effect is visible at once."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def wait_for(condition: Callable[[], bool], seconds: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_database_url() -> str:
    """The URL of pytest-django's test database, for processes started by a test."""
    params = connection.settings_dict
    user = params["USER"] or "postgres"
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def child_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=test_database_url(),
        MEDIA_ROOT=str(django_settings.MEDIA_ROOT),
        PYTHONUNBUFFERED="1",
        DJANGO_LOG_LEVEL="INFO",
    )
    env.update(overrides)
    return env


class Process:
    """A child process in its own session, its output in a log file; stopped for good at exit."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("ab")
        self.popen = subprocess.Popen(
            args, cwd=BASE_DIR, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (a worker's children too) and wait for the leader."""
        if self.popen.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)

    def stop(self) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        self.kill()
        self._out.close()


@pytest.fixture
def processes(tmp_path) -> Iterator[Callable[..., Process]]:
    """start(name, args, env) -> Process; every process started is stopped when the test ends."""
    started: list[Process] = []

    def start(name: str, args: list[str], env: dict[str, str]) -> Process:
        process = Process(args, env, tmp_path / f"{name}-{len(started)}.log")
        started.append(process)
        return process

    yield start
    for process in reversed(started):
        process.stop()


def worker_options(queue: str) -> list[str]:
    """Options of a one-process worker of one queue, without the chatter between workers."""
    return [
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"{queue}@%h",
        "--loglevel=INFO",
    ]


def worker_args(queue: str) -> list[str]:
    return [PYTHON, "-m", "celery", "-A", "config", "worker", *worker_options(queue)]


def stalling_worker_args(queue: str) -> list[str]:
    return [PYTHON, "-m", "tests.faults.stalling_worker", *worker_options(queue)]


def snapshot_figures(committee_id: int, school_year: str) -> dict:
    """Every snapshot row of a committee's year as {(kind, id, month): figures}; duplicates fail."""
    rows = StatSnapshot.objects.filter(committee_id=committee_id, school_year=school_year).values_list(
        "scope_kind", "scope_id", "month", "figures"
    )
    figures = {}
    for kind, scope_id, month, data in rows:
        key = (kind, scope_id, month)
        assert key not in figures, f"duplicate snapshot row {key}"
        figures[key] = data
    return figures


def clean_figures(committee_id: int, school_year: str) -> dict:
    """What a clean recompute would write, normalised through JSON like the stored figures."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return {
        key: json.loads(json.dumps(data, cls=DjangoJSONEncoder))
        for key, data in compute_figures(committee_id, school_year).items()
    }


def backdate_snapshots(committee_id: int, minutes: int) -> None:
    """Move the committee's computed/edited times into the past, as if the edits were long ago."""
    from django.db.models import F

    delta = datetime.timedelta(minutes=minutes)
    StatSnapshot.objects.filter(committee_id=committee_id).update(computed_at=F("computed_at") - delta)
    StatSnapshot.objects.filter(committee_id=committee_id, edited_at__isnull=False).update(
        edited_at=F("edited_at") - delta
    )


@contextmanager
def step(label: str, timings: dict[str, float]):
    started = time.monotonic()
    yield
    timings[label] = round(time.monotonic() - started, 2)
