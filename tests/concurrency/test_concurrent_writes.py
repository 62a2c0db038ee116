"""The embedded SQLite run takes concurrent writes: no "database is locked" 500, no duplicate.

A real server (gunicorn, four worker processes, DEBUG on as in `make run`) on an SQLite file
seeded with the demo takes, all released at once and each posted twice as a double tap would
(the same form, so the same one-time id): each reviewer's score sheet, a new application from
each of the six group leaders and two activity logs from each leader of a project in progress.
Every post must answer with its redirect, and the database must hold exactly one sheet per
reviewer, each application once and each activity log once.
"""

import os
import re
import sqlite3
import threading
from pathlib import Path

import pytest
import requests

from members import demo
from tests.faults.conftest import PYTHON, Process, free_port, port_open, wait_for
from tests.form_fields import form_fields
from tests.test_settings import run

pytestmark = pytest.mark.slow

REVIEWERS = ["secretary", "committee1", "committee2"]
LEADERS = [f"leader{n}" for n in range(1, 7)]
ROUNDS = 2


@pytest.fixture
def server(tmp_path):
    """A seeded SQLite file and gunicorn serving it: (base URL, database path)."""
    database = tmp_path / "embedded.sqlite3"
    env = {"SQLITE_PATH": str(database), "MEDIA_ROOT": str(tmp_path / "media")}
    for command in (["manage.py", "migrate", "--noinput", "-v0"], ["manage.py", "seed_demo"]):
        result = run(command, **env)
        assert result.returncode == 0, result.stderr
    port = free_port()
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_")) and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    clean |= env | {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
    process = Process(
        [PYTHON, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "4", "--timeout", "60"],
        clean,
        tmp_path / "gunicorn.log",
    )
    try:
        assert wait_for(lambda: port_open(port), 30), process.output()
        yield f"http://127.0.0.1:{port}", database, process
    finally:
        process.stop()


def _login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30).text
    fields = form_fields(page) | {"username": username, "password": demo.DEMO_PASSWORD}
    response = session.post(f"{base}/accounts/login/", data=fields, timeout=30, allow_redirects=False)
    assert response.status_code == 302, (username, response.status_code)
    return session


def _query(database: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, params).fetchall()


def _prepared(session: requests.Session, base: str, path: str, **changes: str) -> tuple:
    page = session.get(base + path, timeout=30)
    assert page.status_code == 200, (path, page.status_code)
    fields = form_fields(page.text, action=path) or form_fields(page.text)
    return session, base + path, fields | changes


def _fire_at_once(posts: list[tuple]) -> list[tuple[str, int | str]]:
    """Post every (session, url, fields) from its own thread, all released together."""
    barrier = threading.Barrier(len(posts))
    answers: list[tuple[str, int | str]] = [("", "")] * len(posts)

    def post(index: int, session: requests.Session, url: str, fields: dict) -> None:
        barrier.wait()
        try:
            response = session.post(url, data=fields, timeout=60, allow_redirects=False)
            answers[index] = (url, response.status_code)
        except requests.RequestException as error:
            answers[index] = (url, type(error).__name__)

    threads = [threading.Thread(target=post, args=(i, *p)) for i, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return answers


def test_concurrent_posts_on_embedded_sqlite_give_no_500_and_no_duplicate(server):
    base, database, process = server
    sessions = {name: _login(base, name) for name in REVIEWERS + LEADERS}
    (submitted_id,) = _query(database, "SELECT id FROM projects_microproject WHERE status = 'submitted'")[0]
    in_progress = _query(
        database,
        "SELECT p.id, u.username FROM projects_microproject p JOIN branches_group g ON g.id = p.group_id"
        " JOIN members_member m ON m.id = g.leader_id JOIN members_user u ON u.id = m.user_id"
        " WHERE p.status = 'in_progress'",
    )
    assert len(in_progress) == 3

    for round_number in range(ROUNDS):
        posts = []
        for name in REVIEWERS:
            session, url, fields = _prepared(sessions[name], base, f"/projects/{submitted_id}/review/")
            scores = {key: "15" for key in fields if re.fullmatch(r"criterion_\d+", key)}
            assert scores, f"{name} has no score sheet to fill"
            fields |= scores | {"comment": f"{name} 第 {round_number} 轮评审意见"}
            posts += [(session, url, fields), (session, url, fields)]  # a double tap
        for name in LEADERS:
            application = _prepared(sessions[name], base, "/projects/new/", title=f"{name} 并发申报 {round_number}")
            posts += [application, application]
        for project_id, leader in in_progress:
            for n in range(2):
                posts += 2 * [
                    _prepared(
                        sessions[leader],
                        base,
                        f"/activities/projects/{project_id}/new/",
                        title=f"{leader} 并发活动 {round_number}-{n}",
                        date="2025-03-01",
                        activity_type="lecture",
                        beneficiaries_count="12",
                        duration_hours="1.5",
                    )
                ]

        answers = _fire_at_once(posts)
        assert {status for _, status in answers} == {302}, [a for a in answers if a[1] != 302]
        assert "database is locked" not in process.output()

    sheets = _query(
        database,
        "SELECT u.username, COUNT(*) FROM projects_scoresheet s JOIN members_user u ON u.id = s.reviewer_id"
        " WHERE s.project_id = ? GROUP BY u.username",
        submitted_id,
    )
    assert dict(sheets) == dict.fromkeys(REVIEWERS, 1)
    applications = _query(
        database, "SELECT title, COUNT(*) FROM projects_microproject WHERE title LIKE '%并发申报%' GROUP BY title"
    )
    assert dict(applications) == {f"{name} 并发申报 {r}": 1 for name in LEADERS for r in range(ROUNDS)}
    logs = _query(
        database, "SELECT title, COUNT(*) FROM activities_activitylog WHERE title LIKE '%并发活动%' GROUP BY title"
    )
    assert dict(logs) == {
        f"{leader} 并发活动 {r}-{n}": 1 for _, leader in in_progress for r in range(ROUNDS) for n in range(2)
    }
