"""The year's calendar: the application window, extensions, the quorum, the decision shown, notices resolving."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from members.models import Notification
from projects import calendar_selectors, calendar_services, review_selectors, review_services, services
from projects.enums import EventAction, ProjectStatus
from projects.errors import ProjectError
from projects.models import ApplicationExtension, CalendarChange, MicroProject, YearCalendar
from tests.projects.workflow_fixtures import draft_of

YEAR = "2025-2026"  # the school year of workflow_fixtures.complete_application
OPENS, CLOSES = datetime.date(2025, 9, 1), datetime.date(2025, 9, 30)


def _calendar(secretary, **dates):
    data = {"application_opens_on": OPENS, "application_closes_on": CLOSES} | dates
    return calendar_services.calendar_save(
        actor=secretary, school_year=YEAR, data=calendar_services.CalendarData(**data)
    )


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0)).astimezone(), tick=False)


def _score(reviewer, project, value=15):
    criteria = review_selectors.active_criteria(project.committee_id)
    return review_services.score_record(
        actor=reviewer,
        project=project,
        scores={criterion.pk: Decimal(value) for criterion in criteria},
        recommendation="approve",
    )


# --- the application window ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "refusal"),
    [
        (datetime.date(2025, 8, 31), "2025-2026 学年的项目申报 2025-09-01 开始、2025-09-30 截止，尚未开始"),
        (datetime.date(2025, 10, 1), "2025-2026 学年的项目申报已于 2025-09-30 截止。如需延期，请联系党委书记。"),
    ],
)
def test_submission_outside_the_window_is_refused_with_its_dates(rubric, secretary, leader_a, day, refusal):
    _calendar(secretary)
    project = draft_of(leader_a)
    with _at(day), pytest.raises(ProjectError, match=refusal):
        services.project_submit(actor=leader_a, project=project)
    assert MicroProject.objects.get(pk=project.pk).status == ProjectStatus.DRAFT


@pytest.mark.parametrize("day", [OPENS, datetime.date(2025, 9, 15), CLOSES])
def test_submission_inside_the_window_goes_through(rubric, secretary, leader_a, day):
    _calendar(secretary)
    with _at(day):
        project = services.project_submit(actor=leader_a, project=draft_of(leader_a))
    assert project.status == ProjectStatus.SUBMITTED


def _returned_on(day, secretary, leader_a, committee_member):
    """An application submitted in the window, returned by the committee on ``day``."""
    with _at(datetime.date(2025, 9, 5)):
        project = services.project_submit(actor=leader_a, project=draft_of(leader_a))
    _score(committee_member, project)
    with _at(day):
        return review_services.project_decide(
            actor=secretary, project=project, decision="return", comment="请补充预算。", confirm_below_quorum=True
        )


def test_an_application_returned_after_the_close_comes_back_within_fourteen_days(
    rubric, secretary, leader_a, committee_member
):
    """Reviews end after the close, so returns do too: the group has 14 days from the return."""
    _calendar(secretary)
    project = _returned_on(datetime.date(2025, 10, 10), secretary, leader_a, committee_member)
    assert calendar_selectors.resubmission_due_on(project) == datetime.date(2025, 10, 24)
    note = calendar_selectors.window_note(project, today=datetime.date(2025, 10, 12))
    assert note == "退回修改的申报请在 2025-10-24 前重新提交。"
    with _at(datetime.date(2025, 10, 24)):
        assert services.project_submit(actor=leader_a, project=project).status == ProjectStatus.SUBMITTED


def test_an_application_returned_early_has_until_the_window_closes_and_not_a_day_more(
    rubric, secretary, leader_a, committee_member
):
    _calendar(secretary)
    project = _returned_on(datetime.date(2025, 9, 8), secretary, leader_a, committee_member)
    assert calendar_selectors.resubmission_due_on(project) == CLOSES  # later than 8 + 14 = 22 September
    with _at(datetime.date(2025, 10, 1)), pytest.raises(ProjectError, match="须在 2025-09-30 前重新提交，现已逾期"):
        services.project_submit(actor=leader_a, project=project)
    assert "现已逾期" in calendar_selectors.window_note(project, today=datetime.date(2025, 10, 1))


def test_without_a_calendar_the_window_is_open(rubric, leader_a):
    assert services.project_submit(actor=leader_a, project=draft_of(leader_a)).status == ProjectStatus.SUBMITTED


def test_an_extension_lets_one_group_submit_late_and_is_recorded(rubric, secretary, leader_a, leader_b):
    _calendar(secretary)
    project_a, project_b = draft_of(leader_a), draft_of(leader_b, "第二党小组的项目")
    with _at(datetime.date(2025, 9, 20)):
        extension = calendar_services.extension_grant(
            actor=secretary,
            group=project_a.group,
            school_year=YEAR,
            until=datetime.date(2025, 10, 15),
            reason="组长外出支教",
        )
    assert (extension.granted_by, extension.reason) == (secretary, "组长外出支教")
    assert Notification.objects.filter(recipient=leader_a, message__contains="延期至 2025-10-15").exists()
    with _at(datetime.date(2025, 10, 10)):
        assert services.project_submit(actor=leader_a, project=project_a).status == ProjectStatus.SUBMITTED
        with pytest.raises(ProjectError, match="已于 2025-09-30 截止"):
            services.project_submit(actor=leader_b, project=project_b)
    with _at(datetime.date(2025, 10, 16)), pytest.raises(ProjectError, match="已于 2025-10-15 截止"):
        services.project_submit(actor=leader_a, project=draft_of(leader_a, "第二个项目"))


@pytest.mark.parametrize("persona", ["committee_member", "leader_a", "branch_secretary", "teacher"])
def test_only_the_secretary_sets_the_calendar_and_grants_extensions(request, rubric, secretary, leader_a, persona):
    _calendar(secretary)
    actor = request.getfixturevalue(persona)
    with pytest.raises(ProjectError, match="只有党委书记"):
        _calendar(actor, application_closes_on=datetime.date(2026, 1, 1))
    with pytest.raises(ProjectError, match="只有党委书记"):
        calendar_services.extension_grant(
            actor=actor, group=leader_a.member.group, school_year=YEAR, until=datetime.date(2025, 12, 1), reason="x"
        )
    assert YearCalendar.objects.get().application_closes_on == CLOSES
    assert not ApplicationExtension.objects.exists()


@time_machine.travel(datetime.datetime(2025, 8, 20, 10, 0).astimezone(), tick=False)
def test_the_calendar_page_saves_the_dates_and_keeps_the_change(login, secretary, committee_member):
    assert login(committee_member).get(reverse("projects:calendar")).status_code == 403
    client = login(secretary)
    response = client.post(
        f"{reverse('projects:calendar')}?year={YEAR}",
        {
            "year": YEAR,
            "application_opens_on": "2025-09-01",
            "application_closes_on": "2025-09-30",
            "review_due_on": "2025-10-20",
            "resubmission_review_days": "10",
            "logging_due_day": "5",
            "review_quorum": "2",
        },
        follow=True,
    )
    assert "2025-2026 学年日程已保存" in response.content.decode()
    calendar = YearCalendar.objects.get()
    assert (calendar.review_due_on, calendar.logging_due_day, calendar.review_quorum) == (
        datetime.date(2025, 10, 20),
        5,
        2,
    )
    change = CalendarChange.objects.get()
    assert change.actor == secretary and change.changes["application_closes_on"] == ["", "2025-09-30"]
    # A bad window is refused beside the field, nothing saved over the good one.
    response = client.post(
        f"{reverse('projects:calendar')}?year={YEAR}",
        {
            "year": YEAR,
            "application_opens_on": "2025-10-01",
            "application_closes_on": "2025-09-01",
            "resubmission_review_days": "14",
        },
    )
    assert "申报截止日期不能早于申报开始日期" in response.content.decode()
    assert YearCalendar.objects.get().application_closes_on == datetime.date(2025, 9, 30)


def test_the_leader_reads_the_window_on_the_project_page(login, rubric, secretary, leader_a):
    _calendar(secretary)
    project = draft_of(leader_a)
    with _at(datetime.date(2025, 10, 2)):
        page = login(leader_a).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "2025-2026 学年项目申报：2025-09-01 开始，2025-09-30 截止。现在不在申报期内，不能提交。" in page


# --- the quorum -----------------------------------------------------------------------------------


def test_deciding_below_the_quorum_names_who_has_not_scored_and_needs_confirmation(
    login, application_a, secretary, committee_member
):
    _score(committee_member, application_a)
    client = login(secretary)
    page = client.get(reverse("projects:review", args=[application_a.pk])).content.decode()
    assert "本轮已有 1 人评分，作出决定需 3 人。" in page and "尚未评分：周文静、李雪梅" in page
    response = client.post(
        reverse("projects:decide", args=[application_a.pk]), {"decision": "approve", "comment": "同意"}
    )
    assert "尚未评分：周文静、李雪梅。如确需作出决定，请勾选确认后再提交。" in response.content.decode()
    assert MicroProject.objects.get(pk=application_a.pk).status == ProjectStatus.IN_REVIEW

    client.post(
        reverse("projects:decide", args=[application_a.pk]),
        {"decision": "approve", "comment": "同意立项", "confirm_below_quorum": "on"},
    )
    project = MicroProject.objects.get(pk=application_a.pk)
    assert project.status == ProjectStatus.APPROVED
    event = project.events.get(action=EventAction.APPROVED)
    assert event.details == {"quorum": 3, "scores": 1, "below_quorum": True, "not_scored": ["周文静", "李雪梅"]}


def test_a_configured_quorum_is_enough_without_confirmation(application_a, secretary, committee_member):
    _calendar(secretary, application_opens_on=None, application_closes_on=None, review_quorum=1)
    _score(committee_member, application_a)
    review_services.project_decide(actor=secretary, project=application_a, decision="approve", comment="同意")
    event = MicroProject.objects.get(pk=application_a.pk).events.get(action=EventAction.APPROVED)
    assert (event.details["quorum"], event.details["below_quorum"]) == (1, False)


def test_the_decision_its_date_and_comment_show_on_the_review_and_project_pages(
    login, application_a, secretary, committee_member, leader_a
):
    _score(committee_member, application_a)
    review_services.project_decide(
        actor=secretary, project=application_a, decision="return", comment="请补充量化目标", confirm_below_quorum=True
    )
    decided_at = MicroProject.objects.get(pk=application_a.pk).events.latest("pk").created_at
    for user, url in [(secretary, "projects:review"), (leader_a, "projects:detail")]:
        page = login(user).get(reverse(url, args=[application_a.pk])).content.decode()
        assert "党委决定：退回修改" in page
        assert "请补充量化目标" in page
        assert f"{decided_at.astimezone():%Y-%m-%d}" in page
    assert (
        "当时尚未评分：周文静、李雪梅"
        in login(secretary).get(reverse("projects:review", args=[application_a.pk])).content.decode()
    )


# --- notices that resolve themselves ------------------------------------------------------------


def test_a_review_notice_is_done_when_the_reviewer_scores_and_all_when_decided(
    application_a, secretary, committee_member, committee_member_2
):
    notices = Notification.objects.filter(subject=f"review:{application_a.pk}:1")
    assert notices.count() == 3 and not notices.filter(resolved_at__isnull=False).exists()
    _score(committee_member, application_a)
    assert list(notices.filter(resolved_at__isnull=False).values_list("recipient", flat=True)) == [committee_member.pk]
    assert notices.get(recipient=committee_member).read_at is not None
    review_services.project_decide(
        actor=secretary, project=application_a, decision="approve", comment="同意", confirm_below_quorum=True
    )
    assert not notices.filter(resolved_at__isnull=True).exists()
    assert not Notification.objects.filter(recipient=committee_member_2, read_at__isnull=True).exists()


def test_a_resubmission_in_the_small_hours_is_due_by_its_local_date():
    """01:00 in Beijing is the evening before in UTC: the due date counts from the local day."""
    # As the database hands it back: in UTC, 17:00 on 1 October, which is 01:00 on 2 October here.
    submitted = datetime.datetime(2025, 10, 1, 17, 0, tzinfo=datetime.UTC)
    assert submitted.astimezone(ZoneInfo("Asia/Shanghai")).day == 2
    project = MicroProject(review_round=2, submitted_at=submitted)
    calendar = YearCalendar(resubmission_review_days=14)
    assert calendar_selectors.review_due_on(project, calendar) == datetime.date(2025, 10, 16)
