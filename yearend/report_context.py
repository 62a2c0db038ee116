"""What every report file of a school year is about, and the reads they share.

`ReportContext` carries the committee, the year, who asked (score sheets follow their
permissions) and the year's figures from the statistics snapshots (`stats.committee_stats`), so
the workbook, the summary and the dashboard say the same thing.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from activities.models import Achievement
from branches.models import Committee
from members.models import User
from projects.enums import PUBLIC_STATUSES
from projects.models import MicroProject
from projects.school_years import school_year_bounds
from stats.selectors import CommitteeStats

from .enums import AssessmentStatus
from .models import AssessmentRound

CHUNK_SIZE = 500
Progress = Callable[[int], None]


def no_progress(_percent: int) -> None:
    return None


@dataclass(frozen=True)
class ReportContext:
    """What the report files are about: whose year, seen by whom, with which figures."""

    committee: Committee
    school_year: str
    viewer: User
    stats: CommitteeStats

    def generated_note(self) -> str:
        """The line under a sheet's title: when it was made, and how fresh its figures are."""
        made = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        computed = timezone.localtime(self.stats.computed_at).strftime("%Y-%m-%d %H:%M")
        return f"生成时间：{made}　统计数据更新于：{computed}"


def year_projects(committee: Committee, school_year: str) -> QuerySet[MicroProject]:
    """The year's approved projects in the order of the organisation (branch, group, title)."""
    return (
        MicroProject.objects.filter(committee=committee, school_year=school_year, status__in=PUBLIC_STATUSES)
        .select_related("group__branch", "project_type")
        .order_by("group__branch__position", "group__position", "title", "pk")
    )


def year_achievements(committee: Committee, school_year: str) -> QuerySet[Achievement]:
    """Achievements of the year's projects, and the committee's own of dates within the year."""
    first, last = school_year_bounds(school_year)
    return Achievement.objects.filter(committee=committee).filter(
        Q(project__school_year=school_year) | Q(project__isnull=True, awarded_on__range=(first, last))
    )


def published_round(committee: Committee, school_year: str) -> AssessmentRound | None:
    return AssessmentRound.objects.filter(
        committee=committee, school_year=school_year, status=AssessmentStatus.PUBLISHED
    ).first()


def in_chunks(queryset: QuerySet[Any]) -> Iterator[list[Any]]:
    """The queryset's rows streamed from the database, CHUNK_SIZE at a time."""
    rows = queryset.iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(rows, CHUNK_SIZE)):
        yield chunk


def person_name(user: User | None) -> str:
    member = getattr(user, "member", None) if user is not None else None
    return member.name if member is not None else (user.get_username() if user is not None else "")
