"""Reminders that escalate, under a pinned clock: 8 and 7 days before, 1 day before, the day, 3 days after.

For each kind of deadline: who gets what, and who is told once it is late. The sweep is run
twice on each day, so every test also shows that a second run sends nothing.
"""

import datetime

import pytest
import time_machine

from activities import activity_services
from deadlines.models import ReminderSent
from deadlines.services import reminders_send
from members.models import Notification
from projects import calendar_services, review_services, services
from tests.activities.conftest import tutoring_data
from tests.projects.workflow_fixtures import draft_of, full_scores
from tests.yearend.assessment_fixtures import approved_of, assess, concluded_of, open_round

YEAR = "2025-2026"


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(7, 15)).astimezone(), tick=False)


def _calendar(secretary, **dates):
    calendar_services.calendar_save(actor=secretary, school_year=YEAR, data=calendar_services.CalendarData(**dates))


def _sweep(day: datetime.date) -> set[tuple[str, str]]:
    """Run the sweep twice on the day; the notices the first run sent, as (username, message)."""
    before = set(Notification.objects.values_list("pk", flat=True))
    with _at(day):
        first = reminders_send()
        assert reminders_send() == 0  # beat twice the same day: nothing more
    sent = Notification.objects.exclude(pk__in=before)
    assert sent.count() == first
    return set(sent.values_list("recipient__username", "message"))


def _days(due: datetime.date, offset: int) -> datetime.date:
    return due + datetime.timedelta(days=offset)


def test_review_reminders_go_to_reviewers_who_have_not_scored_and_the_secretary_when_late(
    rubric, secretary, committee_member, committee_member_2, leader_a
):
    due = datetime.date(2025, 10, 20)
    _calendar(secretary, review_due_on=due)
    project = services.project_submit(actor=leader_a, project=draft_of(leader_a))
    for reviewer in (committee_member, secretary):
        review_services.score_record(
            actor=reviewer, project=project, scores=full_scores(project), recommendation="approve"
        )
    what = "评审《红领巾助学行动》（第 1 轮）"

    assert _sweep(_days(due, -8)) == set()
    assert _sweep(_days(due, -7)) == {("committee2", f"到期提醒：请在 2025-10-20 前{what}（还有 7 天）。")}
    assert _sweep(_days(due, -1)) == {("committee2", f"到期提醒：请在 2025-10-20 前{what}（还有 1 天）。")}
    assert _sweep(due) == set()  # the 1-day reminder was the day's step; nothing twice
    assert _sweep(_days(due, 3)) == {
        ("committee2", f"逾期提醒：{what}已于 2025-10-20 截止，已逾期 3 天，请尽快完成。"),
        ("secretary", f"逾期告知：{what}已于 2025-10-20 截止，尚未完成：周文静。"),
    }
    # Each reminder is recorded once per person, deadline and step.
    assert ReminderSent.objects.count() == 4
    # Every reminder to score resolves itself once the reviewer scores.
    review_services.score_record(
        actor=committee_member_2, project=project, scores=full_scores(project), recommendation="approve"
    )
    assert not Notification.objects.filter(
        recipient__username="committee2", subject=f"review:{project.pk}:1", resolved_at__isnull=True
    ).exists()


def test_a_missed_morning_is_caught_up_with_one_step_not_two(rubric, secretary, leader_a):
    due = datetime.date(2025, 10, 20)
    _calendar(secretary, review_due_on=due)
    services.project_submit(actor=leader_a, project=draft_of(leader_a))
    # No sweep ran 7 days before: the day before sends the 1-day reminder only, to each reviewer.
    sent = _sweep(_days(due, -1))
    assert {username for username, _message in sent} == {"committee1", "committee2", "secretary"}
    assert all("还有 1 天" in message for _username, message in sent)


def _in_progress_since(leader, day: datetime.date):
    with _at(day):
        project = approved_of(leader, "红领巾助学行动")
        return services.project_start(actor=leader, project=project)


def test_monthly_logging_reminders_go_to_the_leader_and_the_branch_secretary_when_late(
    rubric, secretary, leader_a, branch_secretary
):
    _calendar(secretary, logging_due_day=5)
    _in_progress_since(leader_a, datetime.date(2025, 9, 10))
    due = datetime.date(2025, 10, 5)  # September's activities
    what = "记录《红领巾助学行动》2025年9月的活动"

    assert _sweep(_days(due, -8)) == set()
    assert _sweep(_days(due, -7)) == {("leader1", f"到期提醒：请在 2025-10-05 前{what}（还有 7 天）。")}
    assert _sweep(_days(due, -1)) == {("leader1", f"到期提醒：请在 2025-10-05 前{what}（还有 1 天）。")}
    assert _sweep(due) == set()
    assert _sweep(_days(due, 3)) == {
        ("leader1", f"逾期提醒：{what}已于 2025-10-05 截止，已逾期 3 天，请尽快完成。"),
        ("branch1", f"逾期告知：{what}已于 2025-10-05 截止，尚未完成：袁懿。"),
    }


def test_a_month_with_an_activity_is_not_reminded_and_its_notice_resolves(rubric, secretary, leader_a):
    _calendar(secretary, logging_due_day=5)
    project = _in_progress_since(leader_a, datetime.date(2025, 9, 10))
    due = datetime.date(2025, 10, 5)
    assert len(_sweep(_days(due, -7))) == 1
    with _at(datetime.date(2025, 9, 30)):
        activity_services.activity_log_create(
            actor=leader_a, project=project, data=tutoring_data(project, date=datetime.date(2025, 9, 29))
        )
    notice = Notification.objects.get(recipient=leader_a, subject=f"log:{project.pk}:202509")
    assert notice.resolved_at is not None and notice.read_at is not None
    assert _sweep(_days(due, -1)) == set()
    assert _sweep(_days(due, 3)) == set()


def test_a_returned_application_is_reminded_until_the_window_closes(rubric, secretary, leader_a, branch_secretary):
    closes = datetime.date(2025, 9, 30)
    _calendar(secretary, application_opens_on=datetime.date(2025, 9, 1), application_closes_on=closes)
    with _at(datetime.date(2025, 9, 10)):
        project = services.project_submit(actor=leader_a, project=draft_of(leader_a))
        review_services.score_record(
            actor=secretary, project=project, scores=full_scores(project), recommendation="revise"
        )
        review_services.project_decide(
            actor=secretary, project=project, decision="return", comment="请补充", confirm_below_quorum=True
        )
    what = "修改并重新提交《红领巾助学行动》"

    assert _sweep(_days(closes, -8)) == set()
    assert _sweep(_days(closes, -7)) == {("leader1", f"到期提醒：请在 2025-09-30 前{what}（还有 7 天）。")}
    assert _sweep(_days(closes, -1)) == {("leader1", f"到期提醒：请在 2025-09-30 前{what}（还有 1 天）。")}
    assert _sweep(closes) == set()
    assert _sweep(_days(closes, 3)) == {
        ("leader1", f"逾期提醒：{what}已于 2025-09-30 截止，已逾期 3 天，请尽快完成。"),
        ("branch1", f"逾期告知：{what}已于 2025-09-30 截止，尚未完成：袁懿。"),
    }


def test_an_extension_moves_the_returned_deadline_and_restarts_its_reminders(rubric, secretary, leader_a):
    closes = datetime.date(2025, 9, 30)
    _calendar(secretary, application_closes_on=closes)
    with _at(datetime.date(2025, 9, 10)):
        project = services.project_submit(actor=leader_a, project=draft_of(leader_a))
        review_services.score_record(
            actor=secretary, project=project, scores=full_scores(project), recommendation="revise"
        )
        review_services.project_decide(
            actor=secretary, project=project, decision="return", comment="请补充", confirm_below_quorum=True
        )
    assert len(_sweep(_days(closes, -1))) == 1
    with _at(datetime.date(2025, 10, 2)):
        calendar_services.extension_grant(
            actor=secretary, group=project.group, school_year=YEAR, until=datetime.date(2025, 10, 20), reason="补材料"
        )
    assert _sweep(datetime.date(2025, 10, 3)) == set()  # 17 days before the new date: no step yet
    assert _sweep(datetime.date(2025, 10, 13)) == {
        ("leader1", "到期提醒：请在 2025-10-20 前修改并重新提交《红领巾助学行动》（还有 7 天）。")
    }
    # Resubmitting resolves the leader's reminders.
    with _at(datetime.date(2025, 10, 14)):
        services.project_submit(actor=leader_a, project=project)
    assert not Notification.objects.filter(subject__startswith=f"returned:{project.pk}:", resolved_at=None).exists()


def test_assessment_reminders_go_to_members_who_have_not_assessed(
    rubric, secretary, committee_member, committee_member_2, leader_a
):
    project = concluded_of(leader_a, "红领巾助学行动")
    assessment_round = open_round(YEAR)
    due = datetime.date(2026, 7, 10)
    _calendar(secretary, assessment_due_on=due)
    for assessor in (secretary, committee_member):
        assess(assessor, assessment_round, project, [15] * 5)
    what = "2025-2026 学年年度考核评分"

    assert _sweep(_days(due, -8)) == set()
    assert _sweep(_days(due, -1)) == {("committee2", f"到期提醒：请在 2026-07-10 前{what}（还有 1 天）。")}
    assert _sweep(due) == set()
    assert _sweep(_days(due, 3)) == {
        ("committee2", f"逾期提醒：{what}已于 2026-07-10 截止，已逾期 3 天，请尽快完成。"),
        ("secretary", f"逾期告知：{what}已于 2026-07-10 截止，尚未完成：周文静。"),
    }


@pytest.mark.parametrize("offset", [1, 2, 31])
def test_no_reminder_between_the_steps_or_long_after(rubric, secretary, leader_a, offset):
    due = datetime.date(2025, 10, 20)
    _calendar(secretary, review_due_on=due)
    services.project_submit(actor=leader_a, project=draft_of(leader_a))
    assert _sweep(_days(due, offset)) == set()


def test_nothing_without_dates_in_the_calendar(rubric, secretary, leader_a):
    services.project_submit(actor=leader_a, project=draft_of(leader_a))
    assert _sweep(datetime.date(2025, 10, 19)) == set()
    assert not ReminderSent.objects.exists()
