"""An independent check of the statistics: every stored figure of every scope equals plain SQL.

On the demo, and on a random school built through the services, then after a random sequence of
edits made through the services (new, edited, archived and re-dated activities, approvals,
roster moves, verifications): once the recomputes the edits queued have run, every snapshot
equals what `independent_figures` (SQL written apart from the engine) finds in the tables.
In the embedded run the recomputes run in process at commit; in the PostgreSQL + Redis pass a
real Celery worker runs them (test_independent_figures_after_edits_with_a_worker).
"""

import datetime
import random
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections

from activities import achievement_services, activity_services
from activities.enums import AchievementKind, AchievementLevel, AchievementRank, AchievementStatus, ActivityType
from activities.models import Achievement, ActivityLog
from branches.models import Committee, Group
from members import demo
from members.models import Member, User
from projects import review_services
from projects import services as project_services
from projects.enums import ProjectStatus
from projects.models import Indicator, MicroProject
from projects.school_years import school_year_bounds
from stats.models import StatSnapshot
from stats.scopes import school_years_of
from tests.projects.workflow_fixtures import complete_application, full_scores
from tests.stats.independent_figures import comparable, independent_comparable, independent_figures


def mismatches(committee_id: int) -> list[str]:
    """Scopes whose stored snapshot differs from the independent SQL, or that have none."""
    wrong = []
    for year in school_years_of(committee_id):
        expected = independent_figures(committee_id, year)
        stored = {
            (row.scope_kind, row.scope_id, row.month.isoformat() if row.month else None): row.figures
            for row in StatSnapshot.objects.filter(committee_id=committee_id, school_year=year)
        }
        for key, figures in expected.items():
            if key not in stored:
                wrong.append(f"{year} {key}: no snapshot")
                continue
            ours = independent_comparable(figures, whole_year=key[2] is None)
            theirs = comparable(stored[key])
            if ours != theirs:
                diff = {name: (theirs[name], ours[name]) for name in ours if ours[name] != theirs[name]}
                wrong.append(f"{year} {key}: stored vs SQL {diff}")
    return wrong


@pytest.mark.slow
def test_the_demo_matches_the_independent_sql(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        daping, _hongyan = demo.seed_demo()
    assert mismatches(daping.pk) == []


# --- a random school and random edits ------------------------------------------------------


def _approved(committee: Committee, group: Group, title: str, rng: random.Random) -> MicroProject:
    leader = group.leader.user
    data = complete_application(committee, group, title)
    indicators = list(Indicator.objects.filter(committee=committee).order_by("pk"))
    data = data.__class__(
        **{
            **data.__dict__,
            "targets": [
                project_services.TargetData(indicator, Decimal(rng.randint(5, 60)))
                for indicator in rng.sample(indicators, 2)
            ],
        }
    )
    project = project_services.project_create(actor=leader, group=group, data=data)
    project = project_services.project_submit(actor=leader, project=project)
    for username in ("committee1", "committee2"):
        reviewer = User.objects.get(username=username)
        if reviewer.has_perm("projects.score_project", project):
            review_services.score_record(
                actor=reviewer, project=project, scores=full_scores(project), recommendation="approve"
            )
    secretary = User.objects.get(username="secretary")
    project = review_services.project_decide(
        actor=secretary, project=project, decision="approve", comment="同意", confirm_below_quorum=True
    )
    return project_services.project_start(actor=leader, project=project)


def _activity_data(project: MicroProject, rng: random.Random) -> activity_services.ActivityData:
    start, end = school_year_bounds(project.school_year)
    end = min(end, datetime.date.today())
    indicators = list(Indicator.objects.filter(committee_id=project.committee_id).order_by("pk"))
    people = list(Member.objects.filter(committee_id=project.committee_id, group__branch=project.group.branch))
    return activity_services.ActivityData(
        date=start + datetime.timedelta(days=rng.randint(0, (end - start).days)),
        activity_type=rng.choice(ActivityType.values),
        title=f"活动{rng.randint(1, 10**6)}",
        participants=rng.sample(people, rng.randint(0, min(4, len(people)))),
        beneficiaries_count=rng.randint(0, 40),
        duration_hours=Decimal(rng.randint(0, 12)) / 2,
        indicator_values=[
            activity_services.IndicatorValueData(indicator, Decimal(rng.randint(1, 9)))
            for indicator in rng.sample(indicators, rng.randint(0, 3))
        ],
    )


def random_school(rng: random.Random) -> tuple[Committee, list[MicroProject]]:
    daping, _hongyan = demo.seed_organisation()
    projects = []
    for index, group in enumerate(Group.objects.filter(branch__committee=daping).order_by("pk")):
        if rng.random() < 0.7:
            projects.append(_approved(daping, group, f"随机项目{index}", rng))
    for project in projects:
        for _ in range(rng.randint(0, 6)):
            activity_services.activity_log_create(
                actor=project.group.leader.user, project=project, data=_activity_data(project, rng)
            )
    return daping, projects


def random_edits(daping: Committee, projects: list[MicroProject], rng: random.Random, count: int) -> list[str]:
    """A random sequence of the writes users make; returns what was done, for the failure message."""
    secretary = User.objects.get(username="secretary")
    done = []
    for step in range(count):
        action = rng.choice(["new", "edit", "archive", "redate", "approve", "move", "verify", "leave", "conclude"])
        live = list(ActivityLog.objects.filter(project__in=projects, is_archived=False).order_by("pk"))
        if action == "new" and projects:
            project = rng.choice([p for p in projects if p.status == ProjectStatus.IN_PROGRESS] or projects)
            if project.status == ProjectStatus.IN_PROGRESS:
                activity_services.activity_log_create(
                    actor=project.group.leader.user, project=project, data=_activity_data(project, rng)
                )
        elif action in ("edit", "redate") and live:
            activity = rng.choice(live)
            if activity.project.status == ProjectStatus.IN_PROGRESS:
                activity_services.activity_log_update(
                    actor=activity.project.group.leader.user,
                    activity=activity,
                    data=_activity_data(activity.project, rng),
                )
        elif action == "archive" and live:
            activity = rng.choice(live)
            if activity.project.status == ProjectStatus.IN_PROGRESS:
                activity_services.activity_log_archive(actor=activity.project.group.leader.user, activity=activity)
        elif action == "approve":
            free = Group.objects.filter(branch__committee=daping).exclude(projects__in=projects).order_by("pk").first()
            if free is not None:
                projects.append(_approved(daping, free, f"新立项{step}", rng))
        elif action == "move":
            member = rng.choice(list(Member.objects.filter(committee=daping, user__isnull=True)))
            member.group = rng.choice(list(Group.objects.filter(branch__committee=daping)))
            member.save()
        elif action == "leave":
            member = rng.choice(list(Member.objects.filter(committee=daping, user__isnull=True, is_active=True)))
            member.is_active = False
            member.save(update_fields=["is_active"])
        elif action == "verify" and projects:
            project = rng.choice(projects)
            if project.status == ProjectStatus.IN_PROGRESS:
                leader = project.group.leader.user
                start, _end = school_year_bounds(project.school_year)
                achievement = achievement_services.achievement_record(
                    actor=leader,
                    data=achievement_services.AchievementData(
                        kind=AchievementKind.AWARD,
                        title=f"获奖{step}",
                        level=rng.choice(AchievementLevel.values),
                        rank=rng.choice(AchievementRank.values),
                        awarded_on=start + datetime.timedelta(days=rng.randint(0, 200)),
                        members=[leader.member],
                        project=project,
                    ),
                )
                achievement_services.achievement_verify(actor=secretary, achievement=achievement)
        elif action == "conclude":
            running = [p for p in projects if p.status == ProjectStatus.IN_PROGRESS]
            if running:
                project = rng.choice(running)
                project_services.project_conclude(actor=secretary, project=project, comment="结项")
                project.refresh_from_db()
        done.append(action)
    assert Achievement.objects.filter(status=AchievementStatus.VERIFIED).count() >= 0
    return done


@pytest.mark.slow
@pytest.mark.skipif(bool(settings.REDIS_URL), reason="the worker variant below runs with REDIS_URL")
@pytest.mark.parametrize("seed", [3, 11])
def test_a_random_school_and_random_edits_match_the_independent_sql(
    seed, demo_schools, django_capture_on_commit_callbacks
):
    rng = random.Random(seed)
    with django_capture_on_commit_callbacks(execute=True):
        daping, projects = random_school(rng)
    assert mismatches(daping.pk) == []
    for _round in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            done = random_edits(daping, projects, rng, 6)
        assert mismatches(daping.pk) == [], done


@pytest.mark.worker
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real worker runs the queued recomputes")
def test_independent_figures_after_edits_with_a_worker(transactional_db, settings, tmp_path):
    from celery.contrib.testing import tasks as _ping_task  # noqa: F401  (registers celery.ping)
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from config.celery import app
    from stats.services import stats_recompute

    settings.STATS_RECOMPUTE_DELAY = 1

    def close_connections(**_kwargs):
        connections.close_all()

    rng = random.Random(5)
    daping, projects = random_school(rng)
    app.control.purge()
    stats_recompute(committee_id=daping.pk)
    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=True, shutdown_timeout=30):
            done = random_edits(daping, projects, rng, 10)
            deadline = time.monotonic() + 60
            while mismatches(daping.pk) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert mismatches(daping.pk) == [], done
    finally:
        task_postrun.disconnect(close_connections)
