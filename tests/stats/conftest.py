"""Fixtures of the statistics tests: the hand-counted school year and the recomputes that start."""

import pytest
from celery.signals import task_prerun
from django.core.cache import cache

from tests.stats.school_year import SchoolYear, build_school_year


@pytest.fixture(autouse=True)
def no_pending_marks(settings):
    # The embedded run's locmem cache outlives a test: pending recompute marks must not leak
    # from one statistics test into the next.
    if not settings.REDIS_URL:
        cache.clear()


@pytest.fixture
def school_year(demo_schools, django_capture_on_commit_callbacks) -> SchoolYear:
    """The school year of `tests/stats/school_year.py`, its writes committed (their on-commit hooks
    ran, as in real use)."""
    with django_capture_on_commit_callbacks(execute=True):
        built = build_school_year()
    return built


@pytest.fixture
def recomputations():
    """(committee, year, scopes) of every `recompute_stats_for` that starts, eager or in a worker thread."""
    seen: list[tuple] = []

    def count(sender=None, args=None, **_kwargs) -> None:
        if sender is not None and sender.name == "stats.tasks.recompute_stats_for":
            seen.append((args[0], args[1], tuple(args[2] or ("*",))))

    task_prerun.connect(count, weak=False)
    yield seen
    task_prerun.disconnect(count)
