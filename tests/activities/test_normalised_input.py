"""Input normalised where meaning demands: NFKC years, invisible characters out of names and titles."""

import pytest
from django.urls import reverse

from activities.models import ActivityLog
from config.text_input import clean_title, nfkc
from projects.forms import SchoolYearChoiceField
from projects.models import MicroProject
from tests.activities.test_activity_views import _post_data
from tests.form_fields import form_fields


def _school_year_field() -> SchoolYearChoiceField:
    field = SchoolYearChoiceField()
    field.set_school_years(["2026-2027", "2025-2026"])
    return field


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2025-2026", "2025-2026"),
        ("２０２５-２０２６", "2025-2026"),
        ("２０２５－２０２６", "2025-2026"),
        (" 2025-2026\u200b ", "2025-2026"),
    ],
)
def test_a_school_year_is_normalised_to_ascii(typed, stored):
    assert _school_year_field().clean(typed) == stored


@pytest.mark.parametrize("typed", ["0000-0001", "9998-9999", "2024-2025", "2025-2027", "2025/2026", "٢٠٢٥-٢٠٢٦x"])
def test_a_school_year_not_offered_is_refused(typed):
    from django import forms

    with pytest.raises(forms.ValidationError, match="请从列表中选择学年：可选 2026-2027 学年、2025-2026 学年。"):
        _school_year_field().clean(typed)


def test_invisible_characters_leave_names_and_titles():
    assert clean_title("张\u200b玺") == "张玺"
    assert clean_title("\u202e红领巾\u202c 助学\ufeff") == "红领巾 助学"
    assert clean_title("党员\u2066微讲座\u2069\u200d") == "党员微讲座"
    assert nfkc("１２３") == "123"


def test_an_application_with_a_full_width_year_is_stored_as_that_year(login, leader_a, rubric):
    client = login(leader_a)
    fields = form_fields(client.get(reverse("projects:create")).content.decode())
    year = fields["school_year"]
    full_width = year.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    fields |= {"title": "\u200b全角学年\u202e申报", "school_year": full_width}

    assert client.post(reverse("projects:create"), fields).status_code == 302

    project = MicroProject.objects.get(title="全角学年申报")
    assert project.school_year == year


def test_an_activity_title_keeps_no_zero_width_space(login, leader_a, open_project):
    response = login(leader_a).post(
        reverse("activities:activity_create", args=[open_project.pk]),
        _post_data(open_project, title="周三\u200b辅导\u200f", place="\u2067三年级教室\u2069"),
    )

    assert response.status_code == 302
    assert ActivityLog.objects.values_list("title", "place").get() == ("周三辅导", "三年级教室")


def test_a_roster_name_with_a_zero_width_space_is_the_same_member():
    from members.roster import _clean_name

    assert _clean_name("张\u200b 玺") == "张玺"
    assert _clean_name("\u202d李雪梅\u202c") == "李雪梅"
