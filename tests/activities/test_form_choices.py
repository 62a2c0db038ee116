"""Every select's empty choice reads 请选择, never Django's "---------"."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
EMPTY_OPTION = re.compile(r'<option value=""[^>]*>([^<]*)</option>')


def empty_choices(page: str) -> list[str]:
    return EMPTY_OPTION.findall(page)


def test_the_leaders_forms_say_please_choose(login, leader_a, open_project):
    client = login(leader_a)
    application = client.get(reverse("projects:create")).content.decode()
    activity = client.get(reverse("activities:activity_create", args=[open_project.pk])).content.decode()
    achievement = client.get(reverse("activities:achievement_create")).content.decode()

    for page in (application, activity, achievement):
        assert "---------" not in page
    assert "请选择" in empty_choices(application)  # 项目类型 and every indicator row
    assert empty_choices(activity).count("请选择") >= 2  # 活动类型 and the indicator rows
    assert "请选择" in empty_choices(achievement)  # 关联微项目


def test_the_catalogue_forms_say_please_choose(login, secretary):
    page = login(secretary).get(reverse("projects:catalogue_create", args=["types"])).content.decode()
    assert "---------" not in page
    assert empty_choices(page) == ["请选择"]  # 三型组织
