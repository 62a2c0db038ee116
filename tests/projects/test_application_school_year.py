"""学年 on the application form: a choice of the years one can apply for, defaulting to the open window."""

import datetime
import re

import time_machine
from django.urls import reverse

from branches.models import Group
from projects import calendar_services, review_services
from projects.enums import ProjectStatus
from projects.models import MicroProject
from tests.form_fields import form_fields
from tests.projects.test_application_views import _form_data
from tests.projects.workflow_fixtures import in_review_of

TODAY = datetime.date(2026, 5, 10)  # in school year 2025-2026; 2026-2027 is the next one


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0)).astimezone(), tick=False)


def _year_options(html: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of the 学年 select."""
    select = re.search(r'<select name="school_year"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the form has a 学年 select"
    return [
        (value, label.strip(), "selected" in attrs)
        for value, attrs, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select.group(1))
    ]


def _window(secretary, school_year: str, opens: datetime.date, closes: datetime.date) -> None:
    calendar_services.calendar_save(
        actor=secretary,
        school_year=school_year,
        data=calendar_services.CalendarData(application_opens_on=opens, application_closes_on=closes),
    )


def test_the_form_offers_this_and_next_school_year_and_starts_on_this_one(login, leader_a, rubric):
    with _at(TODAY):
        html = login(leader_a).get(reverse("projects:create")).content.decode()
    assert _year_options(html) == [
        ("2026-2027", "2026-2027 学年", False),
        ("2025-2026", "2025-2026 学年", True),
    ]


def test_the_form_starts_on_the_year_whose_application_window_is_open(login, leader_a, secretary, rubric):
    _window(secretary, "2025-2026", datetime.date(2025, 9, 1), datetime.date(2025, 9, 30))
    _window(secretary, "2026-2027", datetime.date(2026, 5, 1), datetime.date(2026, 6, 15))
    client = login(leader_a)
    with _at(TODAY):
        assert [
            value
            for value, _, selected in _year_options(client.get(reverse("projects:create")).content.decode())
            if selected
        ] == ["2026-2027"]
    with _at(datetime.date(2026, 7, 1)):  # both windows closed: back to the current year
        assert [
            value
            for value, _, selected in _year_options(client.get(reverse("projects:create")).content.decode())
            if selected
        ] == ["2025-2026"]


def test_a_year_not_offered_is_refused_in_chinese_and_nothing_is_saved(login, leader_a, daping, rubric):
    group = Group.objects.get(leader__user=leader_a)
    with _at(TODAY):
        for tampered in ("2024-2025", "2027-2028", "2025", "<script>"):
            data = _form_data(daping, group) | {"school_year": tampered}
            html = login(leader_a).post(reverse("projects:create"), data).content.decode()
            assert "请从列表中选择学年：可选 2026-2027 学年、2025-2026 学年。" in html
            assert "学困生需要帮扶" in html  # what was typed is kept
    assert not MicroProject.objects.exists()


def test_a_returned_application_keeps_its_own_year_on_the_list(
    login, leader_a, committee_member, secretary, daping, rubric
):
    project = in_review_of(leader_a, committee_member)  # school year 2025-2026
    review_services.project_decide(
        actor=secretary, project=project, decision="return", comment="请补充阶段安排。", confirm_below_quorum=True
    )
    url = reverse("projects:edit", args=[project.pk])
    with _at(datetime.date(2027, 9, 15)):  # two school years later: 2027-2028 and 2028-2029 are open
        client = login(leader_a)
        html = client.get(url).content.decode()
        assert _year_options(html) == [
            ("2028-2029", "2028-2029 学年", False),
            ("2027-2028", "2027-2028 学年", False),
            ("2025-2026", "2025-2026 学年", True),
        ]
        response = client.post(url, form_fields(html) | {"title": "红领巾助学行动（修订）"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.school_year, project.status) == (
        "红领巾助学行动（修订）",
        "2025-2026",
        ProjectStatus.RETURNED,
    )
