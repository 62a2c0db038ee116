"""The database drops every connection under traffic (the .ci/run PostgreSQL + Redis pass).

gunicorn (two sync workers, persistent connections, CONN_HEALTH_CHECKS) serves logged-in
users while every backend of the test database is terminated, three times: the effect of a
PostgreSQL restart on the web process. Each request succeeds or fails cleanly (a 500, never
a hang or a dropped socket), and the requests after it succeed with the same web processes.
"""

import threading
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.faults.conftest import PYTHON, child_env, free_port, needs_server_run, port_open, wait_for

pytestmark = [pytest.mark.worker, needs_server_run]

REQUEST_TIMEOUT = 15


def _children(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def _terminate_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return sum(1 for (terminated,) in cursor.fetchall() if terminated)


class Traffic:
    """Threads that GET pages until stopped, each answer noted as (time, status or error, seconds)."""

    def __init__(self, base: str, cookies: dict[str, str], pages: list[str], threads: int = 4) -> None:
        self.base, self.cookies, self.pages = base, cookies, pages
        self.results: list[tuple[float, str, float]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]

    def _run(self, number: int) -> None:
        session = requests.Session()
        session.cookies.update(self.cookies)
        index = number
        while not self._stop.is_set():
            page = self.pages[index % len(self.pages)]
            index += 1
            started = time.monotonic()
            try:
                response = session.get(self.base + page, timeout=REQUEST_TIMEOUT, allow_redirects=False)
                outcome = str(response.status_code)
            except requests.RequestException as exc:
                outcome = type(exc).__name__
            with self._lock:
                self.results.append((started, outcome, time.monotonic() - started))

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT + 5)


def test_dropped_database_connections_fail_requests_cleanly_and_the_next_ones_succeed(
    transactional_db, demo_schools, processes, secretary, leader_a, collected_static
):
    port = free_port()
    gunicorn = processes(
        "gunicorn",
        [PYTHON, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "30"],
        child_env(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=settings.SECRET_KEY,  # the sessions below are signed with it
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_HSTS_SECONDS="0",
            # Production pages name the hashed static files of a collectstatic run.
            STATIC_ROOT=str(collected_static),
        ),
    )
    assert wait_for(lambda: port_open(port), 30), gunicorn.output()
    cookies = {}
    for user in (secretary, leader_a):
        client = Client()
        client.force_login(user)
        cookies[user.username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    pages = [reverse("home"), reverse("projects:list"), reverse("activities:achievement_list")]
    base = f"http://127.0.0.1:{port}"
    for name, cookie in cookies.items():
        response = requests.get(base + pages[0], cookies={settings.SESSION_COOKIE_NAME: cookie}, timeout=10)
        assert response.status_code == 200 and not response.history, name  # logged in, not sent to login
    workers = _children(gunicorn.pid)
    assert len(workers) == 2

    terminated = 0
    with (
        Traffic(base, {settings.SESSION_COOKIE_NAME: cookies["secretary"]}, pages, threads=2) as secretaries,
        Traffic(base, {settings.SESSION_COOKIE_NAME: cookies["leader1"]}, pages, threads=2) as leaders,
    ):
        time.sleep(2)
        fault_started = time.monotonic()
        for _ in range(3):
            terminated += _terminate_backends()
            time.sleep(1)
        recovered_from = time.monotonic() + 1
        time.sleep(4)
    everything = secretaries.results + leaders.results
    before = [r for r in everything if r[0] + r[2] < fault_started]  # answered before the first drop
    results = [r for r in everything if r[0] + r[2] >= fault_started]
    after = [r for r in results if r[0] >= recovered_from]

    assert terminated >= 2, "the web process held no database connection to drop"
    assert before and {outcome for _, outcome, _ in before} == {"200"}
    outcomes = {outcome for _, outcome, _ in results}
    assert outcomes <= {"200", "500"}, outcomes  # a clean answer each time: no hang, no dropped socket
    assert max(seconds for _, _, seconds in results) < 10
    assert len(after) >= 10 and {outcome for _, outcome, _ in after} == {"200"}, after
    assert _children(gunicorn.pid) == workers  # recovered without restarting a web process
    print(
        f"\nterminated {terminated} backends; {len(results)} requests during and after: "
        f"{sum(1 for r in results if r[1] == '500')} answered 500, the rest 200"
    )
