"""On-time rates under a pinned clock: months logged by the calendar's day, first-round reviews by their date."""

import datetime
import io

import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from activities import activity_services
from projects import calendar_services, services
from stats.on_time import on_time_rates
from stats.selectors import committee_stats
from tests.activities.conftest import tutoring_data
from tests.printable_sheets import assert_prints_on_a4
from tests.yearend.assessment_fixtures import approved_of
from yearend.annual_workbook import ReportContext, write_workbook

YEAR = "2025-2026"


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)).astimezone(), tick=False)


def _log(leader, project, month_day: datetime.date, entered: datetime.date):
    with _at(entered):
        activity_services.activity_log_create(
            actor=leader, project=project, data=tutoring_data(project, date=month_day)
        )


def test_months_logged_by_the_logging_day_and_reviews_by_their_date(rubric, login, secretary, leader_a, daping):
    calendar_services.calendar_save(
        actor=secretary,
        school_year=YEAR,
        data=calendar_services.CalendarData(logging_due_day=5, review_due_on=datetime.date(2025, 9, 20)),
    )
    with _at(datetime.date(2025, 9, 10)):
        project = approved_of(leader_a, "红领巾助学行动")  # the secretary scores on 9-10: on time
    _log(leader_a, project, datetime.date(2025, 9, 25), entered=datetime.date(2025, 10, 3))  # September: on time
    _log(leader_a, project, datetime.date(2025, 10, 20), entered=datetime.date(2025, 11, 8))  # October: late
    # November: nothing logged. December is not due before 2026-01-05.
    services.project_start(actor=leader_a, project=project)

    rates = on_time_rates(daping, YEAR, today=datetime.date(2025, 12, 10))
    group = rates.groups[project.group_id]
    assert (group.due, group.on_time, group.percent) == (3, 1, 33.3)
    assert rates.branches[project.group.branch_id] == group
    assert (rates.reviews.due, rates.reviews.on_time, rates.reviews.percent) == (1, 1, 100.0)

    with _at(datetime.date(2025, 12, 10)):
        response = login(secretary).get(reverse("stats:dashboard_committee") + f"?year={YEAR}")
    rows = {row.label: [cell.value for cell in row.cells] for row in response.context["board"].on_time.rows}
    assert rows == {"第一党支部": [3, 1, 33.3], "第一党小组": [3, 1, 33.3], "首轮评审（全校）": [1, 1, 100.0]}
    assert 'data-testid="on-time-section"' in response.content.decode()

    assert rates.projects[project.pk] == group

    # The annual workbook's 按时率 sheet has the same figures.
    output = io.BytesIO()
    with _at(datetime.date(2025, 12, 10)):
        context = ReportContext(
            committee=daping, school_year=YEAR, viewer=secretary, stats=committee_stats(daping, YEAR)
        )
        write_workbook(context, output)
    sheet = load_workbook(io.BytesIO(output.getvalue()))["按时率"]
    assert assert_prints_on_a4(sheet, heading=sheet["A1"].value) == [
        ("第一党支部", 3, 1, 33.3),
        ("  第一党小组", 3, 1, 33.3),
        ("首轮评审（全校）", 1, 1, 100),
    ]


def test_no_calendar_no_rate(rubric, daping, leader_a):
    approved_of(leader_a, "红领巾助学行动")
    rates = on_time_rates(daping, YEAR)
    assert (rates.logging_day, rates.groups, rates.committee, rates.reviews) == (None, {}, None, None)
