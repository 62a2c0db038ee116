"""The 日程 page and the private ICS feed: a person's dates, and a token that can be revoked."""

import datetime

import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from deadlines.feeds import feed_of
from projects import calendar_services, review_selectors, review_services, services
from tests.projects.workflow_fixtures import draft_of

YEAR = "2025-2026"


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)).astimezone(), tick=False)


def _events(body: bytes) -> dict[str, datetime.date]:
    calendar = Calendar.from_ical(body)
    return {str(event["summary"]): event.decoded("dtstart") for event in calendar.walk("VEVENT")}


def test_a_reviewer_sees_what_they_owe_and_subscribes_to_it(rubric, login, secretary, committee_member, leader_a):
    calendar_services.calendar_save(
        actor=secretary,
        school_year=YEAR,
        data=calendar_services.CalendarData(
            application_closes_on=datetime.date(2025, 9, 30), review_due_on=datetime.date(2025, 10, 20)
        ),
    )
    with _at(datetime.date(2025, 9, 15)):
        services.project_submit(actor=leader_a, project=draft_of(leader_a))
        page = login(committee_member).get(reverse("deadlines:schedule")).content.decode()
        assert "评审《红领巾助学行动》（第 1 轮）" in page and "2025-10-20" in page
        assert "2025-2026 学年项目申报截止" in page
        token = feed_of(committee_member).token
        response = Client().get(reverse("deadlines:feed", args=[token]))  # a calendar app: no login
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = _events(response.content)
    assert events["【我的待办】评审《红领巾助学行动》（第 1 轮）"] == datetime.date(2025, 10, 20)
    assert events["【学年日程】2025-2026 学年首轮评审截止"] == datetime.date(2025, 10, 20)
    assert events["【学年日程】2025-2026 学年项目申报截止"] == datetime.date(2025, 9, 30)


def test_the_leader_is_not_shown_the_committees_dates(rubric, login, secretary, leader_a):
    calendar_services.calendar_save(
        actor=secretary,
        school_year=YEAR,
        data=calendar_services.CalendarData(
            application_closes_on=datetime.date(2025, 9, 30), review_due_on=datetime.date(2025, 10, 20)
        ),
    )
    with _at(datetime.date(2025, 9, 15)):
        page = login(leader_a).get(reverse("deadlines:schedule")).content.decode()
    assert "2025-2026 学年项目申报截止" in page
    assert "首轮评审截止" not in page


def test_resetting_the_token_revokes_the_old_address(login, leader_a):
    old = feed_of(leader_a).token
    assert Client().get(reverse("deadlines:feed", args=[old])).status_code == 200
    login(leader_a).post(reverse("deadlines:feed_reset"))
    new = feed_of(leader_a).token
    assert new != old
    assert Client().get(reverse("deadlines:feed", args=[old])).status_code == 404
    assert Client().get(reverse("deadlines:feed", args=[new])).status_code == 200


def test_late_work_is_listed_as_late_for_the_owner_and_the_secretary(
    rubric, login, secretary, committee_member, leader_a
):
    calendar_services.calendar_save(
        actor=secretary,
        school_year=YEAR,
        data=calendar_services.CalendarData(review_due_on=datetime.date(2025, 10, 20)),
    )
    with _at(datetime.date(2025, 9, 15)):
        project = services.project_submit(actor=leader_a, project=draft_of(leader_a))
        review_services.score_record(
            actor=secretary,
            project=project,
            scores={criterion.pk: 15 for criterion in review_selectors.active_criteria(project.committee_id)},
            recommendation="approve",
        )
    with _at(datetime.date(2025, 10, 25)):
        owner = login(committee_member).get(reverse("deadlines:schedule")).content.decode()
        boss = login(secretary).get(reverse("deadlines:schedule")).content.decode()
    assert 'data-testid="schedule-late"' in owner and "评审《红领巾助学行动》（第 1 轮）" in owner
    late = boss[boss.index('data-testid="schedule-late"') : boss.index('data-testid="schedule-coming"')]
    assert "评审截止：评审《红领巾助学行动》（第 1 轮）（尚未完成：周文静、陈立新）" in late


def _schedule_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("deadlines:schedule"))  # the first page after login also stores the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("deadlines:schedule")).status_code == 200
    return len(queries)


def test_the_schedule_runs_the_same_queries_for_one_project_owed_or_many(
    rubric, login, secretary, committee_member, leader_a, leader_b
):
    """Reviews owed, months unlogged and an open assessment round: a fixed number of queries
    whatever the number of projects and officers (each used to cost its own queries)."""
    from tests.yearend.assessment_fixtures import concluded_of, in_progress_of, open_round

    calendar_services.calendar_save(
        actor=secretary,
        school_year=YEAR,
        data=calendar_services.CalendarData(
            review_due_on=datetime.date(2025, 10, 20), logging_due_day=5, assessment_due_on=datetime.date(2026, 6, 30)
        ),
    )
    with _at(datetime.date(2025, 9, 15)):
        services.project_submit(actor=leader_a, project=draft_of(leader_a, "第一份申报"))
        concluded_of(leader_b, "已结项的项目")
        in_progress_of(leader_a, "实施中的第一个项目")
        open_round()
        client = login(committee_member)
        few = _schedule_queries(client)
        services.project_submit(actor=leader_a, project=draft_of(leader_a, "第二份申报"))
        services.project_submit(actor=leader_b, project=draft_of(leader_b, "第三份申报"))
        concluded_of(leader_a, "又一个已结项的项目")
        in_progress_of(leader_b, "实施中的项目")
        many = _schedule_queries(client)
        page = client.get(reverse("deadlines:schedule")).content.decode()
    assert "评审《第三份申报》（第 1 轮）" in page and "2025-2026 学年年度考核评分" in page
    assert few == many == 22
