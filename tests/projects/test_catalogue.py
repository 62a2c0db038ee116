"""The secretary's catalogue: project types, indicators and rubric criteria; deactivate, never delete."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects import catalogue_services, review_selectors, review_services
from projects.errors import ProjectError
from projects.models import CatalogueEvent, Indicator, ProjectType, RubricCriterion


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
    catalogue_services.catalogue_project_type_save(
        actor=other_school_user, name="帮扶暖心", organisation_type="service"
    )
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
    assert [c.name for c in review_selectors.active_criteria(daping.pk)] == [
        "目标明确",
        "方案可行",
        "党建引领",
        "预期成效",
    ]
    assert RubricCriterion.objects.filter(pk=criterion.pk).exists()


def test_scale_of_a_used_criterion_is_fixed(application_a, committee_member, secretary, daping):
    criteria = review_selectors.active_criteria(daping.pk)
    review_services.score_record(
        actor=committee_member,
        project=application_a,
        scores={c.pk: Decimal(10) for c in criteria},
        recommendation="approve",
    )
    with pytest.raises(ProjectError, match="已有评分记录"):
        catalogue_services.catalogue_criterion_save(
            actor=secretary, criterion=criteria[0], name="目标明确", max_score=10, weight=Decimal(1)
        )
    renamed = catalogue_services.catalogue_criterion_save(
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
        catalogue_services.catalogue_item_set_active(actor=other_school_user, item=project_type, is_active=False)


# The record of changes: who changed which entry, when, and each field before and after.


def _records(daping) -> list[tuple]:
    return list(
        CatalogueEvent.objects.filter(committee=daping)
        .order_by("pk")
        .values_list("action", "item_kind", "item_name", "changes", "actor__username")
    )


def test_every_change_to_the_catalogue_is_recorded_with_before_and_after(login, rubric, secretary, daping):
    client = login(secretary)
    client.post(
        reverse("projects:catalogue_create", args=["criteria"]),
        {"name": "安全保障", "description": "有预案", "max_score": 10, "weight": "0.5", "position": 6},
    )
    criterion = RubricCriterion.objects.get(committee=daping, name="安全保障")
    edit = reverse("projects:catalogue_edit", args=["criteria", criterion.pk])
    client.post(
        edit, {"name": "安全保障", "description": "有预案和演练", "max_score": 20, "weight": "1", "position": 6}
    )
    client.post(
        edit, {"name": "安全保障", "description": "有预案和演练", "max_score": 20, "weight": "1", "position": 6}
    )
    toggle = reverse("projects:catalogue_set_active", args=["criteria", criterion.pk])
    client.post(toggle, {"is_active": "0"})
    client.post(toggle, {"is_active": "1"})
    indicator = Indicator.objects.get(committee=daping, name="捐赠图书")
    client.post(
        reverse("projects:catalogue_edit", args=["indicators", indicator.pk]),
        {"name": "捐赠图书", "unit": "本", "project_type": "", "position": indicator.position},
    )

    assert _records(daping) == [
        ("created", "criterion", "安全保障", {}, "secretary"),
        (
            "changed",
            "criterion",
            "安全保障",
            {"description": ["有预案", "有预案和演练"], "max_score": ["10", "20"], "weight": ["0.5", "1"]},
            "secretary",
        ),
        # The second, identical save changed nothing and is not recorded.
        ("deactivated", "criterion", "安全保障", {}, "secretary"),
        ("reactivated", "criterion", "安全保障", {}, "secretary"),
        ("changed", "indicator", "捐赠图书", {"unit": ["册", "本"], "project_type": ["帮扶暖心", ""]}, "secretary"),
    ]
    page = client.get(reverse("projects:catalogue")).content.decode()
    assert page.count('data-testid="catalogue-record"') == 5
    assert "满分：10 → 20" in page
    assert "适用项目类型：帮扶暖心 → —" in page
    assert "停用</span> 评审维度「安全保障」" in page


def test_a_refused_change_records_nothing(rubric, other_school_user, daping):
    project_type = ProjectType.objects.get(committee=daping, name="帮扶暖心")
    with pytest.raises(ProjectError):
        catalogue_services.catalogue_item_set_active(actor=other_school_user, item=project_type, is_active=False)
    assert not CatalogueEvent.objects.exists()
    project_type.refresh_from_db()
    assert project_type.is_active


def test_the_catalogue_page_runs_a_fixed_number_of_queries(login, rubric, secretary, daping, django_assert_num_queries):
    client = login(secretary)
    url = reverse("projects:catalogue")
    project_type = ProjectType.objects.get(committee=daping, name="帮扶暖心")
    catalogue_services.catalogue_item_set_active(actor=secretary, item=project_type, is_active=False)
    client.get(url)
    with django_assert_num_queries(8):
        assert client.get(url).content.decode().count('data-testid="catalogue-record"') == 1
    for is_active in [True, False] * 15:
        catalogue_services.catalogue_item_set_active(actor=secretary, item=project_type, is_active=is_active)
    with django_assert_num_queries(8):
        page = client.get(url).content.decode()
    assert page.count('data-testid="catalogue-record"') == 20
    assert "只显示最近 20 条" in page
