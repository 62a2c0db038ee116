"""What the annual summary names beyond the statistics: notable activities, credited achievements,
the committee's honours of the year, photos, and where each project stood at the year's end.

The figures themselves (counts, sums, completion) come from `stats.selectors.committee_stats`
through the report context; this module only picks and names rows. A fixed number of queries
per call, whatever the year holds.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from activities.enums import AchievementStatus
from activities.models import Achievement, ActivityLog, Photo
from branches.models import Committee
from members.models import Member
from projects.enums import EventAction, ProjectStatus
from projects.models import MicroProject, ProjectEvent
from projects.school_years import school_year_bounds

NOTABLE_ACTIVITIES = 3
PHOTOS_PER_PROJECT = 4
PARTICIPANTS_NAMED = 3


@dataclass(frozen=True)
class NotableActivity:
    date: datetime.date
    title: str
    place: str
    beneficiaries_count: int
    beneficiaries: str
    participants: list[str]  # the first few names, by roster order
    participant_count: int
    photo_count: int


@dataclass(frozen=True)
class CreditedAchievement:
    kind: str
    title: str
    level: str
    level_label: str
    rank: str
    rank_label: str
    issuing_body: str
    holders: list[str]
    pupils: str
    word_count: int | None
    awarded_on: datetime.date


@dataclass(frozen=True)
class YearEndStatus:
    """Where a project stood on the last day of its school year."""

    concluded_on: datetime.date | None  # concluded within the year
    year_over: bool  # the year's last day has passed

    @property
    def concluded(self) -> bool:
        return self.concluded_on is not None


def year_end(school_year: str) -> datetime.datetime:
    """The end of the school year's last day, in the site's time zone."""
    _first, last = school_year_bounds(school_year)
    return timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min))


def year_end_statuses(project_ids: list[int], school_year: str, now: datetime.datetime | None = None) -> dict:
    """Each project's state at the year's end (one query): concluded then only if its 结项 was
    recorded by that day, so a project concluded later, or never, is not called concluded."""
    end = year_end(school_year)
    over = (now or timezone.now()) >= end
    concluded = dict(
        ProjectEvent.objects.filter(
            project_id__in=project_ids,
            action=EventAction.CONCLUDED,
            to_status=ProjectStatus.CONCLUDED,
            created_at__lt=end,
        )
        .order_by("project_id", "created_at")
        .values_list("project_id", "created_at")
    )
    return {
        pk: YearEndStatus(
            concluded_on=timezone.localtime(concluded[pk]).date() if pk in concluded else None, year_over=over
        )
        for pk in project_ids
    }


def notable_activities(project_ids: list[int], limit: int = NOTABLE_ACTIVITIES) -> dict[int, list[NotableActivity]]:
    """Each project's most notable activities, chosen by evidence (photos), then size (people
    served, members taking part), in date order (two queries)."""
    logs = list(
        ActivityLog.objects.filter(project_id__in=project_ids, is_archived=False)
        .annotate(
            photo_count=Count("photos", filter=Q(photos__is_archived=False), distinct=True),
            participant_count=Count("participants", distinct=True),
        )
        .order_by("project_id", "-photo_count", "-beneficiaries_count", "-participant_count", "date", "pk")
        .values_list(
            "pk",
            "project_id",
            "date",
            "title",
            "place",
            "beneficiaries_count",
            "beneficiaries",
            "participant_count",
            "photo_count",
        )
    )
    chosen: dict[int, list[tuple]] = defaultdict(list)
    for row in logs:
        if len(chosen[row[1]]) < limit:
            chosen[row[1]].append(row)
    ids = [row[0] for rows in chosen.values() for row in rows]
    names: dict[int, list[str]] = defaultdict(list)
    for activity_id, name in (
        ActivityLog.participants.through.objects.filter(activitylog_id__in=ids)
        .order_by("member__group__position", "member__name", "member_id")
        .values_list("activitylog_id", "member__name")
    ):
        names[activity_id].append(name)
    return {
        project_id: [
            NotableActivity(
                date=date,
                title=title,
                place=place,
                beneficiaries_count=count,
                beneficiaries=beneficiaries,
                participants=names[pk][:PARTICIPANTS_NAMED],
                participant_count=participant_count,
                photo_count=photo_count,
            )
            for pk, _project, date, title, place, count, beneficiaries, participant_count, photo_count in sorted(
                rows, key=lambda row: (row[2], row[0])
            )
        ]
        for project_id, rows in chosen.items()
    }


def _credited(achievement: Achievement) -> CreditedAchievement:
    return CreditedAchievement(
        kind=achievement.kind,
        title=achievement.title,
        level=achievement.level,
        level_label=str(achievement.get_level_display()),
        rank=achievement.rank,
        rank_label=str(achievement.get_rank_display()),
        issuing_body=achievement.issuing_body,
        holders=[member.name for member in achievement.members.all()],
        pupils=achievement.pupils,
        word_count=achievement.word_count,
        awarded_on=achievement.awarded_on,
    )


def verified_achievements(project_ids: list[int]) -> dict[int, list[CreditedAchievement]]:
    """The verified achievements of each project with the people credited (two queries)."""
    achievements = (
        Achievement.objects.filter(project_id__in=project_ids, status=AchievementStatus.VERIFIED)
        .prefetch_related(Prefetch("members", queryset=Member.objects.order_by("name", "pk")))
        .order_by("awarded_on", "pk")
    )
    found: dict[int, list[CreditedAchievement]] = defaultdict(list)
    for achievement in achievements:
        found[achievement.project_id].append(_credited(achievement))
    return found


def year_honours(committee: Committee, school_year: str) -> list[CreditedAchievement]:
    """The committee's own verified honours dated within the school year (and no other year's)."""
    first, last = school_year_bounds(school_year)
    honours = Achievement.objects.filter(
        committee=committee,
        is_committee_honour=True,
        status=AchievementStatus.VERIFIED,
        awarded_on__range=(first, last),
    ).order_by("awarded_on", "pk")
    return [_credited(honour) for honour in honours.prefetch_related("members")]


def project_photos(project_ids: list[int], limit: int = PHOTOS_PER_PROJECT) -> dict[int, list[Photo]]:
    """A few photos per project with a display size made, one per activity, the activities with
    the most people served first (one query)."""
    candidates = (
        Photo.objects.filter(activity__project_id__in=project_ids, activity__is_archived=False, is_archived=False)
        .exclude(display_large="", display_small="")
        .select_related("activity")
        .order_by("activity__project_id", "-activity__beneficiaries_count", "activity__date", "activity_id", "pk")
    )
    photos: dict[int, list[Photo]] = defaultdict(list)
    for photo in candidates:
        chosen = photos[photo.activity.project_id]
        if len(chosen) < limit and all(photo.activity_id != other.activity_id for other in chosen):
            chosen.append(photo)
    return {project_id: sorted(chosen, key=lambda photo: photo.activity.date) for project_id, chosen in photos.items()}


def project_details(project_ids: list[int]) -> dict[int, MicroProject]:
    """Goals and organisation type of the year's projects (one query)."""
    return {
        project.pk: project
        for project in MicroProject.objects.filter(pk__in=project_ids).select_related("project_type", "group__branch")
    }
