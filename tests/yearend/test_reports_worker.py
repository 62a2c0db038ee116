"""A report built by a real Celery worker through Redis (the .ci/run PostgreSQL + Redis pass)."""

import io
import time

import pytest
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections
from openpyxl import load_workbook

from config.printable_sheets import HEADER_ROW
from members.models import User
from projects.demo import seed_projects
from yearend import report_services
from yearend.enums import ReportKind, ReportStatus
from yearend.models import ReportJob

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="needs REDIS_URL (a Redis broker) to start a real Celery worker; .ci/run's second pass sets it",
    ),
]


def _close_worker_connections(**_kwargs) -> None:
    # The worker thread keeps its own connection; closing it lets the test database be dropped.
    connections.close_all()


@pytest.fixture
def worker():
    from celery.contrib.testing import tasks as _ping_task  # noqa: F401  (registers celery.ping)
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.control.purge()
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=True, shutdown_timeout=30):
            yield
    finally:
        task_postrun.disconnect(_close_worker_connections)


def test_a_worker_builds_the_requested_workbook(transactional_db, demo_schools, settings, tmp_path, worker):
    daping = demo_schools[0]
    seed_projects(daping)
    job = report_services.report_request(
        actor=User.objects.get(username="secretary"), committee=daping, kind=ReportKind.WORKBOOK, school_year="2024"
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ReportStatus.DONE, ReportStatus.FAILED):
            break
        time.sleep(0.2)
    assert (job.status, job.progress, job.error_message) == (ReportStatus.DONE, 100, "")
    with job.file.open("rb") as stream:
        sheet = load_workbook(io.BytesIO(stream.read()))["项目"]
        titles = [row[1] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]  # after 序号
    assert titles == ["“帮扶暖心”党建微项目", "“学习+成长”党建微项目", "“校家社联合教育”党建微项目"]
    assert ReportJob.objects.count() == 1
