"""Dates inside the year: an activity (and an achievement of a project) is dated within its project's
school year and not in the future; `manage.py check_data` lists the rows saved before the rule."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from activities import achievement_services, activity_services
from activities.enums import AchievementKind, AchievementLevel
from activities.errors import ActivityError
from activities.models import Achievement, ActivityLog
from projects.school_years import date_in_school_year
from tests.activities.conftest import tutoring_data

# open_project is a 2025-2026 project (1 Sept 2025 - 31 Aug 2026).


@pytest.mark.parametrize("day", [datetime.date(2025, 8, 31), datetime.date(2026, 9, 1), datetime.date(2024, 12, 2)])
def test_an_activity_outside_its_projects_school_year_is_refused(open_project, leader_a, day):
    with pytest.raises(ActivityError) as refused:
        activity_services.activity_log_create(
            actor=leader_a, project=open_project, data=tutoring_data(open_project, date=day)
        )
    assert "2025-2026 学年内（2025-09-01 至 2026-08-31）" in refused.value.message
    assert not ActivityLog.objects.exists()


def test_an_edit_cannot_move_an_activity_out_of_its_year(activity, leader_a):
    with pytest.raises(ActivityError, match="学年内"):
        activity_services.activity_log_update(
            actor=leader_a, activity=activity, data=tutoring_data(activity.project, date=datetime.date(2025, 8, 31))
        )
    activity.refresh_from_db()
    assert activity.date == datetime.date(2025, 10, 15)


def test_the_first_and_last_day_of_the_year_are_inside(open_project, leader_a):
    for day in (datetime.date(2025, 9, 1), datetime.date(2026, 8, 31)):
        activity_services.activity_log_create(
            actor=leader_a, project=open_project, data=tutoring_data(open_project, date=day, title=f"{day}")
        )
    assert ActivityLog.objects.count() == 2


def test_the_form_offers_a_date_inside_the_year(login, leader_a, open_project):
    page = login(leader_a).get(reverse("activities:activity_create", args=[open_project.pk]))
    offered = page.context["form"].initial["date"]
    assert datetime.date(2025, 9, 1) <= offered <= datetime.date(2026, 8, 31)
    assert date_in_school_year("2024-2025", datetime.date(2026, 12, 1)) == datetime.date(2025, 8, 31)
    assert date_in_school_year("2027-2028", datetime.date(2026, 12, 1)) == datetime.date(2027, 9, 1)
    assert date_in_school_year("2026-2027", datetime.date(2026, 12, 1)) == datetime.date(2026, 12, 1)


def test_a_wrong_date_on_the_form_gets_the_message_and_keeps_the_input(login, leader_a, open_project):
    post = {
        "date": "2024-12-02",
        "activity_type": "tutoring",
        "title": "送教下乡",
        "beneficiaries_count": "3",
        "duration_hours": "2",
        "values-TOTAL_FORMS": "0",
        "values-INITIAL_FORMS": "0",
        "values-MIN_NUM_FORMS": "0",
        "values-MAX_NUM_FORMS": "50",
    }
    page = login(leader_a).post(reverse("activities:activity_create", args=[open_project.pk]), post)
    content = page.content.decode()
    assert page.status_code == 200
    assert "学年内" in content and 'value="送教下乡"' in content
    assert not ActivityLog.objects.exists()


def test_an_achievement_of_a_project_is_dated_inside_its_year(open_project, leader_a):
    data = achievement_services.AchievementData(
        kind=AchievementKind.AWARD,
        title="区级一等奖",
        level=AchievementLevel.DISTRICT,
        awarded_on=datetime.date(2024, 6, 1),
        members=[leader_a.member],
        project=open_project,
    )
    with pytest.raises(ActivityError, match="该项目所属的 2025-2026 学年内"):
        achievement_services.achievement_record(actor=leader_a, data=data)
    assert not Achievement.objects.exists()


def test_check_data_lists_old_rows_outside_their_year_with_links(activity, daping):
    out = io.StringIO()
    call_command("check_data", stdout=out)
    assert "every activity and achievement lies inside its school year" in out.getvalue()

    # Saved before the rule (straight into the table, as an old database holds it).
    ActivityLog.objects.filter(pk=activity.pk).update(date=datetime.date(2026, 12, 2))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("check_data", stdout=out, stderr=err)
    assert exited.value.code == 1
    line = out.getvalue().strip()
    assert "2026-12-02" in line and "不在 2025-2026 学年内" in line
    assert reverse("activities:activity_detail", args=[activity.pk]) in line
    assert "1 row(s)" in err.getvalue()
