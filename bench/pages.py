"""Pages through the Django test client, as the user who opens them, against the floor view.

Each page is requested once to count its queries (they must not depend on the data size),
then timed interleaved with the floor view (`bench/urls.py`: base.html for the same user and
no data), so the ratio holds however busy the machine is.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from .measure import interleaved_medians, ratio_result

GOAL_RATIO = 2.5


@dataclass(frozen=True)
class Page:
    name: str
    persona: str
    url: str


def pages_of(people: dict[str, Any]) -> list[Page]:
    """The pages of the issue, in the page school, each as the user who works with it."""
    from activities.models import ActivityLog
    from members.models import Member
    from projects.enums import ProjectStatus
    from projects.models import MicroProject
    from yearend.models import AssessmentRound

    from .district_shape import CURRENT_YEAR

    committee_id = people["committee_id"]
    leader = Member.objects.get(user__username=people["leader"])
    current = MicroProject.objects.filter(
        group_id=leader.group_id,
        school_year=CURRENT_YEAR,
        status__in=[ProjectStatus.IN_PROGRESS, ProjectStatus.APPROVED],
    ).first()
    in_review = (
        MicroProject.objects.filter(committee_id=committee_id, status=ProjectStatus.IN_REVIEW).order_by("pk").first()
    )
    teacher = Member.objects.get(user__username=people["teacher"])
    # The generator gives the first activity of each school year a wall of 30 photos.
    photo_wall = (
        ActivityLog.objects.filter(project__committee_id=committee_id, project__school_year=CURRENT_YEAR)
        .order_by("pk")
        .first()
    )
    last_round = AssessmentRound.objects.filter(committee_id=committee_id).order_by("-school_year").first()
    return [
        Page("home", "secretary", reverse("home")),
        Page("dashboard", "secretary", reverse("stats:dashboard_committee")),
        Page("project list", "secretary", reverse("projects:list")),
        Page("review queue", "committee_member", reverse("projects:queue")),
        Page("review table", "committee_member", reverse("projects:review", args=[in_review.pk])),
        Page("activity list", "leader", reverse("projects:detail", args=[current.pk])),
        Page("gallery", "teacher", reverse("activities:activity_detail", args=[photo_wall.pk])),
        Page("member page", "teacher", reverse("members:detail", args=[teacher.pk])),
        Page("achievements", "secretary", reverse("activities:achievement_list")),
        Page("assessment ranking", "secretary", reverse("yearend:assessment_ranking", args=[last_round.pk])),
        Page("district dashboard", "district", reverse("stats:dashboard_district")),
    ]


def _client(username: str) -> Client:
    from members.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _usernames(people: dict[str, Any], district_login: str) -> dict[str, str]:
    return {**{k: v for k, v in people.items() if isinstance(v, str)}, "district": district_login}


def count_queries(people: dict[str, Any], district_login: str) -> dict[str, int]:
    """Queries each page runs (after one warm-up request), by page name."""
    counts = {}
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        usernames = _usernames(people, district_login)
        for page in pages_of(people):
            client = _client(usernames[page.persona])
            _check(client.get(page.url), page)
            with CaptureQueriesContext(connection) as queries:
                _check(client.get(page.url), page)
            counts[page.name] = len(queries)
    return counts


def _check(response, page: Page) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{page.name}: {page.url} answered {response.status_code}")


def run(
    people: dict[str, Any], district_login: str, *, repeats: int, small_counts: dict[str, int] | None
) -> list[dict]:
    """One record per page: median time, floor, ratio (goal ≤ 3×), queries here and at `small`."""
    counts = count_queries(people, district_login)
    records = []
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        usernames = _usernames(people, district_login)
        floor_url = reverse("bench_floor")
        for page in pages_of(people):
            client = _client(usernames[page.persona])
            medians = interleaved_medians(
                {
                    "page": lambda client=client, page=page: _check(client.get(page.url), page),
                    "floor": lambda client=client: client.get(floor_url),
                },
                repeats=repeats,
                warmup=2,
            )
            small = small_counts.get(page.name) if small_counts else None
            records.append(
                ratio_result(
                    f"page: {page.name}",
                    median=medians["page"],
                    floor=medians["floor"],
                    goal=GOAL_RATIO,
                    user=page.persona,
                    url=page.url,
                    queries=counts[page.name],
                    queries_at_small=small,
                    queries_equal=None if small is None else small == counts[page.name],
                )
            )
    return records
