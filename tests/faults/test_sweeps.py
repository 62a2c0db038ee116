"""The beat sweeps for lost work: photos without display sizes and snapshots edited after their
recompute. Both runs; Celery runs in process here (eager_celery)."""

import datetime

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from activities import activity_services, photo_services
from activities import tasks as activity_tasks
from activities.models import Photo
from members.models import User
from stats import services as stats_services
from stats import tasks as stats_tasks
from stats.aggregation import compute_figures
from stats.models import StatSnapshot
from stats.scopes import project_scope_keys, scope_key
from stats.selectors import committee_stats
from tests.activities import image_files as files
from tests.activities.conftest import in_progress_of, tutoring_data
from tests.faults.conftest import backdate_snapshots, clean_figures, snapshot_figures
from tests.stats.school_year import YEAR, build_school_year, log

pytestmark = pytest.mark.usefixtures("eager_celery")


@pytest.fixture
def broker_down(monkeypatch):
    """Sending any task fails as it does with Redis stopped."""

    def refuse(*_args, **_kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(activity_tasks.make_photo_display_sizes, "apply_async", refuse)
    monkeypatch.setattr(stats_tasks.recompute_stats_for, "apply_async", refuse)


def _upload(teacher, activity, name: str) -> Photo:
    result = photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload(name, files.jpeg_bytes((640, 480)))]
    )
    return result.saved[0]


def test_an_upload_with_the_broker_down_is_saved_and_the_sweep_makes_its_sizes(
    leader_a, teacher, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    project = in_progress_of(leader_a)
    activity = activity_services.activity_log_create(actor=leader_a, project=project, data=tutoring_data(project))
    with django_capture_on_commit_callbacks(execute=True):
        old = _upload(teacher, activity, "old.jpg")
        young = _upload(teacher, activity, "young.jpg")
    Photo.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    assert list(Photo.objects.filter(activity=activity).values_list("display_small", "display_large")) == [
        ("", ""),
        ("", ""),
    ]

    monkeypatch.undo()  # the broker is back
    assert activity_tasks.sweep_photo_display_sizes() == 1

    old.refresh_from_db()
    young.refresh_from_db()
    assert old.has_display_sizes
    assert old.display_small.storage.exists(old.display_small.name)
    assert old.display_large.storage.exists(old.display_large.name)
    assert not young.has_display_sizes  # its own task may still be on its way
    assert activity_tasks.sweep_photo_display_sizes(min_age_seconds=0) == 1
    young.refresh_from_db()
    assert young.has_display_sizes


def test_the_photo_sweep_is_idempotent(leader_a, teacher, django_capture_on_commit_callbacks):
    project = in_progress_of(leader_a)
    activity = activity_services.activity_log_create(actor=leader_a, project=project, data=tutoring_data(project))
    with django_capture_on_commit_callbacks(execute=True):
        photo = _upload(teacher, activity, "a.jpg")
    photo.refresh_from_db()
    names = (photo.display_small.name, photo.display_large.name)
    assert all(names)

    assert activity_tasks.sweep_photo_display_sizes(min_age_seconds=0) == 0
    photo.refresh_from_db()
    assert (photo.display_small.name, photo.display_large.name) == names


def test_snapshots_edited_with_the_broker_down_are_recomputed_by_the_sweep(
    demo_schools, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        built = build_school_year()
    committee_id = built.p2.committee_id
    stats_services.stats_pending_clear(
        committee_id=committee_id,
        school_year=YEAR,
        scopes=sorted({scope_key(kind, sid) for kind, sid, _ in compute_figures(committee_id, YEAR)}),
    )
    stats_services.stats_recompute(committee_id=committee_id, school_year=YEAR)
    assert not committee_stats(built.p2.committee, YEAR).stale

    with django_capture_on_commit_callbacks(execute=True):
        log(User.objects.get(username="leader2"), built.p2, datetime.date(2025, 12, 8), ["刘洋"])
    assert committee_stats(built.p2.committee, YEAR).stale
    assert snapshot_figures(committee_id, YEAR) != clean_figures(committee_id, YEAR)
    assert stats_services.stale_snapshot_scopes(older_than=datetime.timedelta(minutes=5)) == {}  # too young

    backdate_snapshots(committee_id, minutes=10)
    assert stats_services.stale_snapshot_scopes(older_than=datetime.timedelta(minutes=5)) == {
        (committee_id, YEAR): sorted(project_scope_keys(built.p2))
    }
    monkeypatch.undo()  # the broker is back
    assert stats_tasks.sweep_stale_stats() == 1

    assert snapshot_figures(committee_id, YEAR) == clean_figures(committee_id, YEAR)
    assert not committee_stats(built.p2.committee, YEAR).stale
    assert stats_tasks.sweep_stale_stats(min_age_seconds=0) == 0
    assert not StatSnapshot.objects.filter(committee_id=committee_id, edited_at__gt=timezone.now()).exists()
