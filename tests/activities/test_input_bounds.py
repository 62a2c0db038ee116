"""Every number and date a user types has a domain bound: a Chinese message beside the field, the
input kept, nothing stored; the database holds the same bounds as CHECK constraints."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from activities.models import Achievement, ActivityLog
from config import input_bounds as bounds
from projects.models import MicroProject, ProjectPhase
from tests.activities.test_achievement_views import form_data, member_of
from tests.activities.test_activity_views import _post_data

HUGE = str(2**63)


def _field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("beneficiaries_count", HUGE, "确保该值小于或等于100000"),
        ("beneficiaries_count", "100001", "确保该值小于或等于100000"),
        ("beneficiaries_count", "2147483648", "确保该值小于或等于100000"),
        ("beneficiaries_count", "-1", "确保该值大于或等于0"),
        ("duration_hours", "744.1", "确保该值小于或等于744"),
        ("duration_hours", "NaN", "输入一个数字"),
        ("duration_hours", "Infinity", "输入一个数字"),
        ("date", "0001-01-01", "日期不能早于 2000-01-01"),
        ("date", "1999-12-31", "日期不能早于 2000-01-01"),
        ("date", "9999-12-31", "日期不能晚于今天"),
    ],
)
def test_an_out_of_bounds_activity_value_is_refused_beside_its_field(
    login, leader_a, open_project, field, value, message
):
    response = login(leader_a).post(
        reverse("activities:activity_create", args=[open_project.pk]), _post_data(open_project, **{field: value})
    )

    assert response.status_code == 200
    errors = _field_errors(response, field)
    assert any(message in error for error in errors), errors
    page = response.content.decode()
    assert f'value="{value}"' in page  # the user's input is kept
    assert not ActivityLog.objects.exists()


def test_an_indicator_value_past_its_bound_is_refused_and_nothing_is_stored(login, leader_a, open_project):
    response = login(leader_a).post(
        reverse("activities:activity_create", args=[open_project.pk]), _post_data(open_project, tutoring="10000001")
    )

    assert response.status_code == 200
    assert "确保该值小于或等于10000000" in response.content.decode()
    assert not ActivityLog.objects.exists()


def test_the_bounds_themselves_are_accepted(login, leader_a, open_project):
    response = login(leader_a).post(
        reverse("activities:activity_create", args=[open_project.pk]),
        _post_data(
            open_project,
            beneficiaries_count="100000",
            duration_hours="744",
            date="2026-08-31",  # the last day of the project's 2025-2026 school year
            tutoring="10000000",
        ),
    )

    assert response.status_code == 302
    activity = ActivityLog.objects.get()
    assert (activity.beneficiaries_count, activity.duration_hours) == (100000, Decimal(744))
    assert activity.indicator_values.get().value == Decimal(10000000)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("word_count", HUGE, "确保该值小于或等于10000000"),
        ("word_count", "10000001", "确保该值小于或等于10000000"),
        ("awarded_on", "0001-01-01", "日期不能早于 2000-01-01"),
        ("awarded_on", "9999-12-31", "日期不能晚于今天"),
    ],
)
def test_an_out_of_bounds_achievement_value_is_refused(login, teacher, field, value, message):
    data = form_data(member_of(teacher), **{field: value})

    response = login(teacher).post(reverse("activities:achievement_create"), data)

    assert response.status_code == 200
    assert any(message in error for error in _field_errors(response, field))
    assert not Achievement.objects.exists()


def test_a_phase_date_outside_the_window_is_refused(login, leader_a, rubric):
    from tests.form_fields import form_fields

    client = login(leader_a)
    fields = form_fields(client.get(reverse("projects:create")).content.decode())
    fields |= {
        "title": "界外日期",
        "phases-TOTAL_FORMS": "1",
        "phases-0-title": "准备",
        "phases-0-starts_on": "0001-01-01",
        "phases-0-ends_on": "9999-12-31",
    }

    response = client.post(reverse("projects:create"), fields)

    assert response.status_code == 200
    page = response.content.decode()
    assert "日期不能早于 2000-01-01" in page and "日期不能晚于" in page
    assert not MicroProject.objects.filter(title="界外日期").exists()


def test_the_database_holds_the_bounds_too(activity):
    late = bounds.LATEST_STORED_DATE + datetime.timedelta(days=1)
    for change in (
        {"beneficiaries_count": bounds.BENEFICIARIES_MAX + 1},
        {"duration_hours": Decimal("744.1")},
        {"date": datetime.date(1999, 12, 31)},
        {"date": late},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ActivityLog.objects.filter(pk=activity.pk).update(**change)
    stored = ActivityLog.objects.get(pk=activity.pk)
    assert stored.beneficiaries_count <= bounds.BENEFICIARIES_MAX and stored.date >= bounds.EARLIEST_DATE
    phase = ProjectPhase.objects.filter(project=activity.project).first()
    if phase is not None:
        with pytest.raises(IntegrityError), transaction.atomic():
            ProjectPhase.objects.filter(pk=phase.pk).update(starts_on=datetime.date(1, 1, 1))
