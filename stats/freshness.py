"""What the statistics read, and which snapshots a change to it makes stale.

`WATCHED` is the one declaration: every model (and the fields of it) that `stats.aggregation`
reads, with the scopes a changed row touches. `stats.receivers` connects Django's own model
signals (post_save, post_delete, m2m_changed) for each entry, so every committed write marks
the touched snapshots stale and queues their debounced recompute — whichever service, admin
action, import or management command made it, and without the lower apps knowing of the
statistics. Writes that send no signal (``QuerySet.update``, ``bulk_create``, ``bulk_update``)
are not allowed on watched fields: `tests/stats/test_freshness.py` reads the code of every app
and fails by name on one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model

from activities.models import Achievement, ActivityLog, IndicatorValue, Photo
from branches.models import Branch, Group
from members.models import Member
from projects.models import Indicator, MicroProject, ProjectTarget, ProjectType

from .enums import StatScope
from .scopes import scope_key


@dataclass(frozen=True)
class Touch:
    """Snapshots a change makes stale: one committee's, of one school year or every year, some scopes or all."""

    committee_id: int
    school_year: str | None  # None: every school year of the committee
    scopes: tuple[str, ...] | None  # scope keys; None: every scope


def _project_touch(**where) -> list[Touch]:
    """The scopes of the (one) project matching ``where``, in its school year (one query)."""
    row = (
        MicroProject.objects.filter(**where)
        .values_list("pk", "committee_id", "school_year", "group_id", "group__branch_id", "project_type_id")
        .first()
    )
    if row is None:  # deleted with its project, whose own signal says so
        return []
    pk, committee_id, school_year, group_id, branch_id, type_id = row
    keys = [scope_key(StatScope.PROJECT, pk), scope_key(StatScope.GROUP, group_id)]
    if branch_id is not None:
        keys.append(scope_key(StatScope.BRANCH, branch_id))
    if type_id is not None:
        keys.append(scope_key(StatScope.TYPE, type_id))
    keys.append(scope_key(StatScope.COMMITTEE, committee_id))
    return [Touch(committee_id, school_year, tuple(keys))]


def _whole_committee(committee_id: int | None) -> list[Touch]:
    return [] if committee_id is None else [Touch(committee_id, None, None)]


def _project(project: MicroProject) -> list[Touch]:
    return _project_touch(pk=project.pk)


def _of_project(row: ActivityLog | ProjectTarget) -> list[Touch]:
    return _project_touch(pk=row.project_id)


def _indicator_value(value: IndicatorValue) -> list[Touch]:
    return _project_touch(activity_logs__pk=value.activity_id)


def _photo(photo: Photo) -> list[Touch]:
    return _project_touch(activity_logs__pk=photo.activity_id)


def _achievement(achievement: Achievement) -> list[Touch]:
    if achievement.project_id is not None:
        return _project_touch(pk=achievement.project_id) or _whole_committee(achievement.committee_id)
    # Counted by the school year of its date, which an edit may have moved: the committee in every year.
    return [Touch(achievement.committee_id, None, (scope_key(StatScope.COMMITTEE, achievement.committee_id),))]


def _member(member: Member) -> list[Touch]:
    # Member counts and participation of every group, branch, type and year (current roster).
    return _whole_committee(member.committee_id)


def _group(group: Group) -> list[Touch]:
    return _whole_committee(Branch.objects.filter(pk=group.branch_id).values_list("committee_id", flat=True).first())


def _committee_row(row: Branch | Indicator | ProjectType) -> list[Touch]:
    return _whole_committee(row.committee_id)


@dataclass(frozen=True)
class Watched:
    """A model the statistics read: the fields they read (None: all) and the scopes a changed row touches."""

    model: type[Model]
    fields: frozenset[str] | None
    touches: Callable[[Model], list[Touch]]
    m2m: tuple[str, ...] = ()  # many-to-many fields the statistics read (their through rows)

    @property
    def label(self) -> str:
        return self.model._meta.label


WATCHED: tuple[Watched, ...] = (
    Watched(
        ActivityLog,
        frozenset({"project", "date", "is_archived", "beneficiaries_count", "duration_hours"}),
        _of_project,
        m2m=("participants",),
    ),
    Watched(IndicatorValue, None, _indicator_value),
    Watched(Photo, frozenset({"activity", "is_archived"}), _photo),
    Watched(
        Achievement,
        frozenset({"status", "project", "committee", "level", "rank", "awarded_on", "is_committee_honour"}),
        _achievement,
    ),
    Watched(
        MicroProject,
        frozenset({"status", "school_year", "group", "project_type", "committee"}),
        _project,
        m2m=("participants",),
    ),
    Watched(ProjectTarget, None, _of_project),
    Watched(Member, frozenset({"committee", "group", "is_active", "party_status"}), _member),
    Watched(Group, frozenset({"branch"}), _group),
    Watched(Branch, frozenset({"committee"}), _committee_row),
    # Names are stored in the figures (an indicator's name and unit beside its values).
    Watched(Indicator, frozenset({"committee", "name", "unit", "position"}), _committee_row),
    Watched(ProjectType, frozenset({"committee"}), _committee_row),
)


def watched_for(model: type[Model]) -> Watched | None:
    return next((watched for watched in WATCHED if watched.model is model), None)
