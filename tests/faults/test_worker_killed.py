"""A Celery worker killed with SIGKILL half-way through a job (the .ci/run PostgreSQL + Redis pass).

The worker runs in a subprocess on a queue of its own, with a 5 s visibility timeout. Its job
stalls half-way (tests/faults/stalling_worker.py) and is killed there; a new worker started once
the visibility timeout has passed gets the unacknowledged message again (acks_late) and finishes
it: the result is complete and there exactly once.
"""

import datetime
import os
import time
import uuid

import pytest
from django.conf import settings
from django.db import connections

from activities import activity_services, photo_services
from activities.models import Photo
from members.models import User
from stats import services as stats_services
from stats import tasks as stats_tasks
from stats.selectors import committee_stats
from tests.activities import image_files as files
from tests.activities.conftest import in_progress_of, tutoring_data
from tests.faults.conftest import (
    child_env,
    clean_figures,
    needs_server_run,
    snapshot_figures,
    stalling_worker_args,
    wait_for,
    worker_args,
)
from tests.stats.school_year import YEAR, build_school_year, log

pytestmark = [pytest.mark.worker, needs_server_run]

VISIBILITY_TIMEOUT = 5


@pytest.fixture
def queue():
    """A queue of this test's own, so no other test's leftover task reaches its workers."""
    from config.celery import app

    name = f"faults-{uuid.uuid4().hex[:8]}"
    yield name
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(name)


def _kill_half_way_then_restart(processes, tmp_path, queue: str, send) -> tuple:
    """Start a stalling worker, send the job, SIGKILL the worker half-way, start a clean worker.

    Returns the clean worker and the moment the first one was killed.
    """
    marker = tmp_path / "half-way"
    env = child_env(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    doomed = processes(
        "doomed-worker",
        stalling_worker_args(queue),
        {**env, "FAULT_MARKER": str(marker), "FAULT_STALL_SECONDS": "60"},
    )
    send()
    assert wait_for(marker.exists, 60), f"the job never reached its middle:\n{doomed.output()[-3000:]}"
    doomed.kill()  # SIGKILL, half-way through the job
    killed_at = time.monotonic()
    # Redelivery waits for the visibility timeout; a worker starting later restores the message at once.
    time.sleep(VISIBILITY_TIMEOUT + 1)
    survivor = processes("survivor-worker", worker_args(queue), env)
    return survivor, killed_at


def test_a_display_size_job_killed_half_way_is_finished_once_by_the_next_worker(
    transactional_db, demo_schools, processes, tmp_path, queue, leader_a, teacher
):
    project = in_progress_of(leader_a)
    activity = activity_services.activity_log_create(actor=leader_a, project=project, data=tutoring_data(project))
    photo = photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("wide.jpg", files.jpeg_bytes((3200, 1800)))]
    ).saved[0]
    media = settings.MEDIA_ROOT
    before = {path for path in media.rglob("*") if path.is_file()}
    Photo.objects.filter(pk=photo.pk).update(display_small="", display_large="")  # as if its task were lost

    from activities.tasks import make_photo_display_sizes

    survivor, killed_at = _kill_half_way_then_restart(
        processes, tmp_path, queue, lambda: make_photo_display_sizes.apply_async(args=[photo.pk], queue=queue)
    )
    assert not Photo.objects.get(pk=photo.pk).has_display_sizes  # nothing was written half-way

    def done() -> bool:
        return Photo.objects.get(pk=photo.pk).has_display_sizes

    assert wait_for(done, 40), f"no worker finished the job:\n{survivor.output()[-3000:]}"
    recovered_in = time.monotonic() - killed_at
    time.sleep(2)  # a second run, had one been queued, would be writing by now
    photo.refresh_from_db()
    new_files = {path for path in media.rglob("*") if path.is_file()} - before
    added = {str(path.relative_to(media)) for path in new_files}
    assert added == {photo.display_small.name, photo.display_large.name}, added  # two files, once each
    assert survivor.output().count("make_photo_display_sizes[") >= 1
    assert survivor.output().count(" succeeded in ") == 1
    assert recovered_in < 40
    connections.close_all()


def test_a_statistics_recompute_killed_half_way_is_finished_once_by_the_next_worker(
    transactional_db, demo_schools, processes, tmp_path, queue
):
    built = build_school_year()
    committee_id = built.p2.committee_id
    stats_services.stats_recompute(committee_id=committee_id, school_year=YEAR)
    log(User.objects.get(username="leader2"), built.p2, datetime.date(2025, 12, 8), ["刘洋"], beneficiaries_count=4)
    log(User.objects.get(username="leader1"), built.p1, datetime.date(2026, 5, 6), ["张玺"], beneficiaries_count=7)
    stale = snapshot_figures(committee_id, YEAR)
    assert stale != clean_figures(committee_id, YEAR)

    survivor, killed_at = _kill_half_way_then_restart(
        processes,
        tmp_path,
        queue,
        lambda: stats_tasks.recompute_committee_stats.apply_async(args=[committee_id, YEAR], queue=queue),
    )
    # Killed inside its transaction: the rows it had updated rolled back with the connection.
    assert snapshot_figures(committee_id, YEAR) == stale

    def done() -> bool:
        return snapshot_figures(committee_id, YEAR) == clean_figures(committee_id, YEAR)

    assert wait_for(done, 40), f"no worker finished the recompute:\n{survivor.output()[-3000:]}"
    assert time.monotonic() - killed_at < 40
    time.sleep(2)
    assert snapshot_figures(committee_id, YEAR) == clean_figures(committee_id, YEAR)  # no duplicate rows either
    assert survivor.output().count(" succeeded in ") == 1
    assert not committee_stats(built.p2.committee, YEAR).stale
    assert os.environ.get("CELERY_VISIBILITY_TIMEOUT") is None  # the test process kept the default
    connections.close_all()
