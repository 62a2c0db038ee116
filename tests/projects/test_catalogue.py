"""The secretary's catalogue: project types, indicators and rubric criteria; deactivate, never delete."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.errors import ProjectError
from projects.models import Indicator, ProjectType, RubricCriterion


def test_secretary_lists_and_creates_each_kind(login, rubric, secretary, daping):
    client = login(secretary)
    page = client.get(reverse("projects:catalogue")).content.decode()
    assert "帮扶暖心" in page and "一对一助学" in page and "党建引领" in page
    response = client.post(
        reverse("projects:catalogue_create", args=["types"]),
        {"name": "红色研学", "organisation_type": "learning", "description": "走进红岩村", "position": 4},
    )
    assert response.status_code == 302
    new_type = ProjectType.objects.get(committee=daping, name="红色研学")
    client.post(
        reverse("projects:catalogue_create", args=["indicators"]),
        {"name": "研学活动", "unit": "次", "project_type": new_type.pk, "position": 1},
    )
    assert Indicator.objects.get(committee=daping, name="研学活动").project_type == new_type
    client.post(
        reverse("projects:catalogue_create", args=["criteria"]),
        {"name": "安全保障", "description": "有预案", "max_score": 10, "weight": "0.5", "position": 6},
    )
    criterion = RubricCriterion.objects.get(committee=daping, name="安全保障")
    assert (criterion.max_score, criterion.weight) == (10, Decimal("0.50"))


def test_duplicate_name_is_a_form_error_not_a_500(login, rubric, secretary, daping):
    response = login(secretary).post(
        reverse("projects:catalogue_create", args=["types"]),
        {"name": "帮扶暖心", "organisation_type": "service", "description": "", "position": 1},
    )
    assert response.status_code == 200
    assert "本校已有名为「帮扶暖心」的项目类型" in response.content.decode()
    assert ProjectType.objects.filter(committee=daping, name="帮扶暖心").count() == 1


def test_same_name_is_fine_in_another_school(rubric, other_school_user):
    services.catalogue_project_type_save(actor=other_school_user, name="帮扶暖心", organisation_type="service")
    assert ProjectType.objects.filter(name="帮扶暖心").count() == 2


def test_edit_and_deactivate_without_deleting(login, rubric, secretary, daping):
    client = login(secretary)
    indicator = Indicator.objects.get(committee=daping, name="捐赠图书")
    client.post(
        reverse("projects:catalogue_edit", args=["indicators", indicator.pk]),
        {"name": "捐赠图书", "unit": "本", "project_type": "", "position": 3},
    )
    indicator.refresh_from_db()
    assert (indicator.unit, indicator.project_type) == ("本", None)
    client.post(reverse("projects:catalogue_set_active", args=["indicators", indicator.pk]), {"is_active": "0"})
    indicator.refresh_from_db()
    assert indicator.is_active is False
    criterion = RubricCriterion.objects.get(committee=daping, name="特色创新")
    client.post(reverse("projects:catalogue_set_active", args=["criteria", criterion.pk]), {"is_active": "0"})
    assert [c.name for c in services.active_criteria(daping.pk)] == ["目标明确", "方案可行", "党建引领", "预期成效"]
    assert RubricCriterion.objects.filter(pk=criterion.pk).exists()


def test_scale_of_a_used_criterion_is_fixed(application_a, committee_member, secretary, daping):
    criteria = services.active_criteria(daping.pk)
    services.score_record(
        actor=committee_member,
        project=application_a,
        scores={c.pk: Decimal(10) for c in criteria},
        recommendation="approve",
    )
    with pytest.raises(ProjectError, match="已有评分记录"):
        services.catalogue_criterion_save(
            actor=secretary, criterion=criteria[0], name="目标明确", max_score=10, weight=Decimal(1)
        )
    renamed = services.catalogue_criterion_save(
        actor=secretary, criterion=criteria[0], name="目标明确具体", max_score=20, weight=Decimal(1)
    )
    assert renamed.name == "目标明确具体"


@pytest.mark.parametrize("persona", ["committee_member", "teacher", "leader_a"])
def test_catalogue_is_for_the_secretary(request, login, rubric, daping, persona):
    client = login(request.getfixturevalue(persona))
    project_type = ProjectType.objects.get(committee=daping, name="帮扶暖心")
    assert client.get(reverse("projects:catalogue")).status_code == 403
    assert (
        client.post(
            reverse("projects:catalogue_create", args=["types"]),
            {"name": "新类型", "organisation_type": "service", "position": 1},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("projects:catalogue_set_active", args=["types", project_type.pk]), {"is_active": "0"}
        ).status_code
        == 403
    )
    assert ProjectType.objects.filter(committee=daping).count() == 3
    assert ProjectType.objects.get(pk=project_type.pk).is_active


def test_other_schools_catalogue_is_404(login, rubric, daping, other_school_user):
    project_type = ProjectType.objects.get(committee=daping, name="帮扶暖心")
    client = login(other_school_user)
    assert client.get(reverse("projects:catalogue_edit", args=["types", project_type.pk])).status_code == 404
    response = client.post(
        reverse("projects:catalogue_set_active", args=["types", project_type.pk]), {"is_active": "0"}
    )
    assert response.status_code == 404
    assert ProjectType.objects.get(pk=project_type.pk).is_active
    with pytest.raises(ProjectError):
        services.catalogue_item_set_active(actor=other_school_user, item=project_type, is_active=False)
