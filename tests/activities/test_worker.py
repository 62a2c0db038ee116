"""Display sizes made by a real Celery worker through Redis (the .ci/run PostgreSQL + Redis pass)."""

import time

import pytest
from django.conf import settings
from django.db import connections

from activities import activity_services, photo_services
from activities.models import Photo
from tests.activities import image_files as files
from tests.activities.conftest import in_progress_of, tutoring_data

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


def test_real_worker_makes_the_display_sizes_after_commit(transactional_db, leader_a, teacher):
    from celery.contrib.testing import tasks as _ping_task  # noqa: F401  (registers celery.ping)
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from config.celery import app

    project = in_progress_of(leader_a)
    activity = activity_services.activity_log_create(actor=leader_a, project=project, data=tutoring_data(project))
    app.control.purge()
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=True, shutdown_timeout=30):
            result = photo_services.photo_upload(
                actor=teacher,
                activity=activity,
                files=[files.upload("wide.jpg", files.jpeg_bytes((3200, 1800)))],
            )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                photo = Photo.objects.get(pk=result.saved[0].pk)
                if photo.has_display_sizes:
                    break
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(_close_worker_connections)
    assert photo.has_display_sizes, "the worker did not make the display sizes within 30 s"
    assert photo.display_small.storage.exists(photo.display_small.name)
    assert photo.display_large.storage.exists(photo.display_large.name)
