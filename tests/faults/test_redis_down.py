"""Redis stopped while users file activities and upload photos (the .ci/run PostgreSQL + Redis pass).

A redis-server of this test's own (a spare port, no persistence) is the broker and cache of this
process and of the worker; the shared Redis is not touched. While it is stopped every save goes
through and every page renders; when it is back (empty: what was queued before is lost) a worker
and the sweeps make the missed display sizes and recompute the stale snapshots.
"""

import time
from contextlib import contextmanager

import pytest
from django.urls import reverse

from activities.models import ActivityLog, Photo
from projects.models import MicroProject
from stats import services as stats_services
from stats.selectors import committee_stats
from tests.activities import image_files as files
from tests.activities.conftest import in_progress_of
from tests.activities.test_activity_views import _post_data
from tests.faults.conftest import (
    child_env,
    clean_figures,
    free_port,
    needs_server_run,
    port_open,
    snapshot_figures,
    wait_for,
    worker_args,
)
from tests.stats.school_year import YEAR

pytestmark = [pytest.mark.worker, needs_server_run]

# A request with Redis down must not wait on it: every one answers well within this.
REQUEST_SECONDS = 5


@contextmanager
def broker_and_cache_at(url: str, settings):
    """This process's Celery broker and Django cache at ``url`` (the result backend stays)."""
    from config.celery import app

    def reset_pools() -> None:
        # Forget the app's pools so the next send takes the pools of the current URL from kombu's
        # registry (never close them: the registry would hand the closed ones out again).
        app._pool = None
        app.amqp._producer_pool = None

    before = app.conf.broker_url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    app.conf.broker_url = url
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url = before
        reset_pools()


def redis_server(processes, port: int, name: str):
    server = processes(
        name,
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        {"PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert wait_for(lambda: port_open(port), 10), server.output()
    return server


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_with_redis_stopped_saves_succeed_pages_render_and_the_missed_work_is_done_later(
    transactional_db, demo_schools, processes, settings, login, leader_a, teacher, secretary
):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    project = in_progress_of(leader_a)
    committee_id = project.committee_id
    stats_services.stats_recompute(committee_id=committee_id, school_year=YEAR)
    leader, uploader, reader = login(leader_a), login(teacher), login(secretary)

    with broker_and_cache_at(url, settings):
        server = redis_server(processes, port, "redis-before")
        # Redis up, no worker yet: a first activity's work is queued, then lost with the server.
        response = leader.post(reverse("activities:activity_create", args=[project.pk]), _post_data(project))
        assert response.status_code == 302
        server.kill()
        assert not port_open(port)

        slowest = 0.0
        for number in range(3):
            response, seconds = timed(
                lambda number=number: leader.post(
                    reverse("activities:activity_create", args=[project.pk]),
                    _post_data(project, title=f"停机期间的活动 {number}", date=f"2025-11-{number + 3:02d}"),
                )
            )
            assert response.status_code == 302, response.content.decode()[:2000]
            slowest = max(slowest, seconds)
        activities = list(ActivityLog.objects.filter(project=project).order_by("pk"))
        assert [activity.title for activity in activities[1:]] == [f"停机期间的活动 {n}" for n in range(3)]
        for activity in activities[1:]:
            response, seconds = timed(
                lambda activity=activity: uploader.post(
                    reverse("activities:photo_upload", args=[activity.pk]),
                    {"caption": "停机期间上传", "photos": [files.upload("a.jpg", files.jpeg_bytes((1600, 1200)))]},
                    follow=True,
                )
            )
            assert response.status_code == 200
            assert response.redirect_chain[-1][0].endswith("#gallery")
            slowest = max(slowest, seconds)
        assert Photo.objects.filter(activity__project=project).count() == 3
        assert not Photo.objects.filter(activity__project=project).exclude(display_small="").exists()

        pages = [
            (leader, reverse("home")),
            (leader, reverse("projects:detail", args=[project.pk])),
            (uploader, reverse("activities:activity_detail", args=[activities[-1].pk])),
            (reader, reverse("home")),
            (reader, reverse("projects:list")),
        ]
        for client, page in pages:
            response, seconds = timed(lambda client=client, page=page: client.get(page))
            assert response.status_code == 200, page
            slowest = max(slowest, seconds)
        assert slowest < REQUEST_SECONDS
        assert committee_stats(MicroProject.objects.get(pk=project.pk).committee, YEAR).stale

        # Redis is back, empty; a worker starts and beat's sweeps run (sent here rather than waited for).
        redis_server(processes, port, "redis-after")
        worker = processes("worker", worker_args("celery"), child_env(REDIS_URL=url))
        from activities.tasks import sweep_photo_display_sizes
        from stats.tasks import sweep_stale_stats

        sweep_photo_display_sizes.apply_async(kwargs={"min_age_seconds": 0})
        sweep_stale_stats.apply_async(kwargs={"min_age_seconds": 0})

        def caught_up() -> bool:
            photos_done = not Photo.objects.filter(activity__project=project, display_small="").exists()
            return photos_done and snapshot_figures(committee_id, YEAR) == clean_figures(committee_id, YEAR)

        assert wait_for(caught_up, 60), worker.output()[-3000:]

    for photo in Photo.objects.filter(activity__project=project):
        assert photo.display_small.storage.exists(photo.display_small.name)
        assert photo.display_large.storage.exists(photo.display_large.name)
    assert not committee_stats(MicroProject.objects.get(pk=project.pk).committee, YEAR).stale
    response = uploader.get(reverse("activities:activity_detail", args=[activities[-1].pk]))
    assert reverse("activities:photo_file", args=[activities[-1].photos.get().pk, "small"]) in response.content.decode()
