"""Fresh by construction: after any committed write, every snapshot holds what a recompute would.

`stats.freshness.WATCHED` declares what the statistics read. These tests check the declaration
against the engine's own code (every model it reads is declared), the code of every app
against the declaration (no write that bypasses the model signals touches a watched field),
and the behaviour: each watched model's save, and each write a user can make through the
services, leaves every snapshot of the committee equal to a fresh computation.
"""

import ast
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from celery import current_app
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from activities import achievement_services, activity_services
from activities.enums import AchievementKind, AchievementLevel, AchievementStatus
from activities.models import ActivityLog
from branches.models import Committee, Group
from members import demo
from members import services as member_services
from members.models import Member, User
from projects import catalogue_services, review_services
from projects import services as project_services
from projects.enums import ProjectStatus
from projects.models import Indicator, MicroProject
from stats.aggregation import compute_figures_of_years
from stats.freshness import WATCHED
from stats.models import StatSnapshot
from stats.scopes import school_years_of
from stats.services import stats_queue
from tests.projects.workflow_fixtures import complete_application, full_scores
from tests.shared_dataset import module_dataset

BASE_DIR = Path(__file__).resolve().parents[2]
APPS = ["config", "branches", "members", "projects", "activities", "yearend"]  # stats writes only its snapshots
WATCHED_BY_NAME = {watched.model.__name__: watched for watched in WATCHED}


# --- the declaration against the code ---------------------------------------------------------


def _models_read(path: Path) -> set[str]:
    """Model classes a module reads through ``X.objects`` or ``X.<m2m>.through``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "through"):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id[:1].isupper():
                found.add(root.id)
    return found


def test_every_model_the_engine_reads_is_declared():
    read = _models_read(BASE_DIR / "stats" / "aggregation.py") | _models_read(BASE_DIR / "stats" / "scopes.py")
    ours = {"StatSnapshot"}
    assert read - ours, "the engine reads no model?"
    assert sorted(read - ours - set(WATCHED_BY_NAME)) == []


def test_every_declared_field_exists():
    for watched in WATCHED:
        names = {field.name for field in watched.model._meta.get_fields()}
        assert (watched.fields or set()) <= names, watched.label
        assert set(watched.m2m) <= names, watched.label


def _chain_root(node: ast.AST) -> ast.AST:
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        else:
            return node


def _bulk_writes(path: Path):
    """(line, model name or None, method, keyword fields) of each update/bulk write in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        assigned: dict[str, ast.AST] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                assigned[node.targets[0].id] = node.value
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method = node.func.attr
            if method not in ("update", "bulk_create", "bulk_update"):
                continue
            root = _chain_root(node.func.value)
            seen = set()
            while isinstance(root, ast.Name) and root.id in assigned and root.id not in seen:
                seen.add(root.id)
                root = _chain_root(assigned[root.id])
            model = root.id if isinstance(root, ast.Name) and root.id in WATCHED_BY_NAME else None
            yield node.lineno, model, method, {keyword.arg for keyword in node.keywords if keyword.arg}


def test_no_write_on_a_watched_field_bypasses_the_model_signals():
    """QuerySet.update, bulk_create and bulk_update send no signal, so they must not write what the statistics read."""
    offenders = []
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for line, model, method, fields in _bulk_writes(path):
                if model is None:
                    continue
                watched = WATCHED_BY_NAME[model]
                if method != "update" or watched.fields is None or fields & watched.fields:
                    offenders.append(
                        f"{path.relative_to(BASE_DIR)}:{line} {model}.{method}({', '.join(sorted(fields))})"
                    )
    assert offenders == []


# --- the behaviour ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def recomputes_in_process():
    """The recomputes a write queues run at its commit, in this process, in either run: these tests are
    about what gets marked and queued (test_independent_figures runs the same with a real worker).
    Pending marks left by earlier tests in a shared cache (Redis in the server run) are cleared."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    cache.clear()
    yield
    app.conf.task_always_eager = before


@pytest.fixture(scope="module")
def demo_school(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo as seed_demo builds it (every snapshot computed), shared by this module's tests."""
    media = tmp_path_factory.mktemp("freshness-media")

    def build() -> int:
        committees = demo.seed_demo()
        return committees[0].pk

    with module_dataset(django_db_blocker, build, MEDIA_ROOT=media) as committee_id:
        yield committee_id


@pytest.fixture
def daping_id(demo_school, db) -> int:
    return demo_school


def assert_fresh(committee_id: int) -> None:
    """Every stored snapshot of the committee equals a fresh computation, and none is missing."""
    years = school_years_of(committee_id)
    expected = compute_figures_of_years(committee_id, years)
    stored = {
        (row.school_year, (row.scope_kind, row.scope_id, row.month)): row.figures
        for row in StatSnapshot.objects.filter(committee_id=committee_id)
    }
    wanted = {(year, key): figures for year, table in expected.items() for key, figures in table.items()}
    missing = sorted(f"{year} {key}" for year, key in wanted.keys() - stored.keys())
    assert missing == [], "snapshots missing"
    wrong = sorted(f"{year} {key}" for (year, key), figures in wanted.items() if stored[(year, key)] != figures)
    assert wrong == [], "snapshots older than the data"


def test_a_fresh_demo_has_every_snapshot_right(daping_id):
    assert_fresh(daping_id)
    # 第二党小组 runs no project of its own and still counts its members.
    group = Group.objects.get(branch__committee_id=daping_id, name="第二党小组")
    year = StatSnapshot.objects.get(
        committee_id=daping_id, scope_kind="group", scope_id=group.pk, school_year="2024-2025", month=None
    )
    assert year.figures["members"] == Member.objects.filter(group=group, is_active=True).count() > 0


@pytest.mark.parametrize("watched", WATCHED, ids=lambda watched: watched.label)
def test_saving_any_row_the_statistics_read_recomputes_what_it_touches(
    watched, daping_id, django_capture_on_commit_callbacks
):
    """Walks the declaration: a row of each watched model, changed as a write would, leaves the snapshots fresh."""
    rows = watched.model.objects.all()
    committee_field = {
        "Group": "branch__committee_id",
        "IndicatorValue": "activity__project__committee_id",
        "Photo": "activity__project__committee_id",
        "ProjectTarget": "project__committee_id",
        "ActivityLog": "project__committee_id",
    }.get(watched.model.__name__, "committee_id")
    row = rows.filter(**{committee_field: daping_id}).order_by("pk").first()
    assert row is not None, f"the demo has no {watched.label}"
    with django_capture_on_commit_callbacks(execute=True):
        _change(row)
    assert_fresh(daping_id)


def _change(row) -> None:
    """A change of the kind users make to a row of each watched model (saved with model.save)."""
    name = type(row).__name__
    if name == "ActivityLog":
        row.beneficiaries_count += 7
    elif name == "IndicatorValue":
        row.value += Decimal(3)
    elif name in ("Photo",):
        row.is_archived = not row.is_archived
    elif name == "Achievement":
        rejected = row.status == AchievementStatus.VERIFIED
        row.status = AchievementStatus.REJECTED if rejected else AchievementStatus.VERIFIED
        row.rejection_reason = "证书不清晰" if rejected else ""
    elif name == "MicroProject":
        row.status = ProjectStatus.CONCLUDED if row.status != ProjectStatus.CONCLUDED else ProjectStatus.IN_PROGRESS
    elif name == "ProjectTarget":
        row.target_value += Decimal(10)
    elif name == "Member":
        other = Group.objects.filter(branch__committee_id=row.committee_id).exclude(pk=row.group_id).first()
        row.group = other
    elif name == "Group":
        row.branch = (
            type(row.branch).objects.filter(committee_id=row.branch.committee_id).exclude(pk=row.branch_id).first()
        )
    elif name == "Branch":
        row.name = f"{row.name}（改）"
    elif name == "Indicator" or name == "ProjectType":
        row.name = f"{row.name}（新）"
    row.save()


def _new_submitted(committee: Committee, group_name: str, title: str) -> MicroProject:
    group = Group.objects.get(branch__committee=committee, name=group_name)
    leader = group.leader.user
    project = project_services.project_create(
        actor=leader, group=group, data=complete_application(committee, group, title)
    )
    project = project_services.project_submit(actor=leader, project=project)
    for username in ("committee1", "committee2"):
        reviewer = User.objects.get(username=username)
        if reviewer.has_perm("projects.score_project", project):
            review_services.score_record(
                actor=reviewer, project=project, scores=full_scores(project, 16), recommendation="approve"
            )
    return project


ACTIONS = [
    "approve",
    "reject",
    "return",
    "start",
    "conclude",
    "participants",
    "activity",
    "activity_archived",
    "member_moves",
    "member_leaves",
    "member_joins",
    "indicator_renamed",
    "verify",
    "reject_achievement",
]


@pytest.mark.parametrize("action", ACTIONS)
def test_every_write_a_user_makes_leaves_the_figures_fresh(action, daping_id, django_capture_on_commit_callbacks):
    committee = Committee.objects.get(pk=daping_id)
    secretary = User.objects.get(username="secretary")
    in_progress = (
        MicroProject.objects.filter(committee=committee, status=ProjectStatus.IN_PROGRESS).order_by("pk").first()
    )
    leader = in_progress.group.leader.user
    with django_capture_on_commit_callbacks(execute=True):
        if action in ("approve", "reject", "return"):
            project = _new_submitted(committee, "第二党小组", f"新申报{action}")
    with django_capture_on_commit_callbacks(execute=True):
        if action in ("approve", "reject", "return"):
            review_services.project_decide(
                actor=secretary, project=project, decision=action, comment="意见", confirm_below_quorum=True
            )
        elif action == "start":
            approved = _new_submitted(committee, "第六党小组", "新项目")
            review_services.project_decide(
                actor=secretary, project=approved, decision="approve", comment="同意", confirm_below_quorum=True
            )
            project_services.project_start(actor=approved.group.leader.user, project=approved)
        elif action == "conclude":
            project_services.project_conclude(actor=secretary, project=in_progress, comment="结项")
        elif action == "participants":
            in_progress.participants.remove(in_progress.participants.order_by("pk").first())
        elif action in ("activity", "activity_archived"):
            activity = ActivityLog.objects.filter(project=in_progress, is_archived=False).order_by("pk").first()
            if action == "activity":
                data = activity_services.ActivityData(
                    date=activity.date + datetime.timedelta(days=3),
                    activity_type=activity.activity_type,
                    title="改期后的活动",
                    participants=list(activity.participants.all()[:2]),
                    beneficiaries_count=3,
                    duration_hours=Decimal(1),
                )
                activity_services.activity_log_update(actor=leader, activity=activity, data=data)
            else:
                activity_services.activity_log_archive(actor=leader, activity=activity)
        elif action == "member_moves":
            member = Member.objects.filter(committee=committee, group__name="第三党小组", user__isnull=True).first()
            member.group = Group.objects.get(branch__committee=committee, name="第二党小组")
            member.save()
        elif action == "member_leaves":
            member = Member.objects.filter(committee=committee, group__name="第二党小组", user__isnull=True).first()
            member.is_active = False
            member.save(update_fields=["is_active"])
        elif action == "member_joins":
            group = Group.objects.get(branch__committee=committee, name="第二党小组")
            member_services.member_upsert(
                committee=committee,
                data=member_services.MemberData(name="新党员", gender="F", group=group, party_status="full"),
            )
        elif action == "indicator_renamed":
            indicator = Indicator.objects.get(committee=committee, name="一对一助学")
            catalogue_services.catalogue_indicator_save(
                actor=secretary,
                indicator=indicator,
                name="一对一助学（学困生）",
                unit=indicator.unit,
                project_type=indicator.project_type,
                position=indicator.position,
            )
        elif action in ("verify", "reject_achievement"):
            achievement = achievement_services.achievement_record(
                actor=leader,
                data=achievement_services.AchievementData(
                    kind=AchievementKind.AWARD,
                    title="新获奖",
                    level=AchievementLevel.DISTRICT,
                    awarded_on=datetime.date(2025, 3, 1),
                    members=[leader.member],
                    project=in_progress,
                ),
            )
            achievement_services.achievement_verify(actor=secretary, achievement=achievement)
            if action == "reject_achievement":  # a verified achievement loses its verification
                achievement.refresh_from_db()
                achievement.status, achievement.rejection_reason = AchievementStatus.REJECTED, "证书不清晰"
                achievement.save(update_fields=["status", "rejection_reason"])
    assert_fresh(daping_id)


def test_a_write_rolled_back_changes_no_snapshot(daping_id, django_capture_on_commit_callbacks):
    before = list(
        StatSnapshot.objects.filter(committee_id=daping_id).order_by("pk").values_list("figures", "edited_at")
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                Member.objects.filter(committee_id=daping_id).first().save()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    after = list(StatSnapshot.objects.filter(committee_id=daping_id).order_by("pk").values_list("figures", "edited_at"))
    assert after == before


def test_a_scope_without_a_snapshot_is_computed_when_first_read(daping_id, login):
    """Never a missing figure shown as zero: the group's page computes it, and its snapshot follows."""
    group = Group.objects.get(branch__committee_id=daping_id, name="第二党小组")
    StatSnapshot.objects.filter(committee_id=daping_id, scope_kind="group", scope_id=group.pk).delete()
    members = Member.objects.filter(group=group, is_active=True).count()
    secretary = User.objects.get(username="secretary")
    page = login(secretary).get(reverse("stats:dashboard_group", args=[group.pk]) + "?year=2024-2025")
    content = page.content.decode()
    assert page.status_code == 200
    # The participation table of the branch lists the group with its members, not 0.
    assert page.context["board"].figures["members"] == members > 0
    stored = StatSnapshot.objects.filter(committee_id=daping_id, scope_kind="group", scope_id=group.pk, month=None)
    if current_app.conf.task_always_eager:  # computed in the request, stored for the next reader
        assert stored.filter(school_year="2024-2025").get().figures["members"] == members
        assert 'data-testid="computing"' not in content
    else:  # queued to the worker; the page says so and shows the live figure meanwhile
        assert 'data-testid="computing"' in content and "正在计算" in content


def test_the_demos_five_year_trend_shows_five_years(daping_id, login):
    from tests.stats.test_dashboards import chart_data

    content = login(User.objects.get(username="secretary")).get(reverse("stats:dashboard_committee")).content.decode()
    trend = chart_data(content, "trend")
    assert trend["categories"] == ["2020-2021", "2021-2022", "2022-2023", "2023-2024", "2024-2025"]
    activities = trend["series"][0]["values"]
    assert activities == sorted(activities) and all(activities)


def test_a_rolled_back_write_is_never_sent_with_a_later_one(daping_id, django_capture_on_commit_callbacks):
    """The batch of a transaction that rolled back is dropped, not joined by the next transaction's writes."""
    from celery.signals import task_prerun

    sent = []

    def record(sender=None, args=None, **_kwargs):
        if sender is not None and sender.name == "stats.tasks.recompute_stats_for":
            sent.append(args[0])

    task_prerun.connect(record, weak=False)
    try:
        try:
            with transaction.atomic():
                Member.objects.filter(committee_id=daping_id).first().save()  # queues the whole committee
                stats_queue(committee_id=987654, school_year="2024-2025", scopes=None)  # a school since removed
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        with django_capture_on_commit_callbacks(execute=True):
            activity = ActivityLog.objects.filter(project__committee_id=daping_id, is_archived=False).first()
            activity.save()
    finally:
        task_prerun.disconnect(record)
    assert sent and 987654 not in sent
