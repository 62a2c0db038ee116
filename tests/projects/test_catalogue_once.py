"""A repeated post of a catalogue create form (double tap, reload, retry) makes one entry."""

import uuid

import pytest
from django.urls import reverse

from projects.models import CatalogueEvent, Indicator, ProjectType, RubricCriterion
from tests.form_fields import form_fields

IN_USE = "这份表单的提交编号已被使用，请刷新页面后重新填写。"

NEW_ENTRIES = [
    ("types", ProjectType, {"name": "红色研学", "organisation_type": "learning", "description": "", "position": 4}),
    ("indicators", Indicator, {"name": "研学活动", "unit": "次", "project_type": "", "position": 1}),
    (
        "criteria",
        RubricCriterion,
        {"name": "安全保障", "description": "", "max_score": 10, "weight": "0.5", "position": 6},
    ),
]


@pytest.mark.parametrize(("kind", "model", "data"), NEW_ENTRIES)
def test_a_catalogue_entry_posted_twice_is_one_entry(login, rubric, secretary, daping, kind, model, data):
    client = login(secretary)
    url = reverse("projects:catalogue_create", args=[kind])
    page = client.get(url).content.decode()
    assert "data-submit-once" in page
    data = data | {"client_id": form_fields(page)["client_id"]}

    first, second = client.post(url, data), client.post(url, data)

    entry = model.objects.get(committee=daping, name=data["name"])
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("projects:catalogue")
    assert (str(entry.client_id), entry.created_by) == (data["client_id"], secretary)
    assert CatalogueEvent.objects.filter(item_id=entry.pk, item_name=entry.name).count() == 1  # one 新增 record
    assert "已保存" in client.get(second["Location"]).content.decode()


@pytest.mark.parametrize(("kind", "model", "data"), NEW_ENTRIES)
def test_another_users_one_time_id_is_refused_for_a_catalogue_entry(
    login, rubric, secretary, other_school_user, daping, kind, model, data
):
    client_id = str(uuid.uuid4())
    url = reverse("projects:catalogue_create", args=[kind])
    login(secretary).post(url, data | {"client_id": client_id})
    before = list(model.objects.order_by("pk").values_list("pk", "committee_id", "name"))

    response = login(other_school_user).post(url, data | {"name": "另一个名称", "client_id": client_id})

    assert response.status_code == 200
    assert IN_USE in response.content.decode()
    assert list(model.objects.order_by("pk").values_list("pk", "committee_id", "name")) == before


def test_an_edit_form_carries_no_one_time_id(login, rubric, secretary, daping):
    client = login(secretary)
    project_type = ProjectType.objects.filter(committee=daping).first()
    page = client.get(reverse("projects:catalogue_edit", args=["types", project_type.pk])).content.decode()
    assert "client_id" not in form_fields(page)
    first = form_fields(client.get(reverse("projects:catalogue_create", args=["types"])).content.decode())
    second = form_fields(client.get(reverse("projects:catalogue_create", args=["types"])).content.decode())
    assert uuid.UUID(first["client_id"]) != uuid.UUID(second["client_id"])


def _first_look_misses(real):
    """`created_before` as a racing copy sees it: its first look comes before the other copy commits."""
    looks = []

    def look(*args, **kwargs):
        looks.append(args)
        return None if len(looks) == 1 else real(*args, **kwargs)

    return look


def test_a_racing_copy_that_finds_the_name_taken_answers_with_the_entry_its_twin_made(
    monkeypatch, rubric, secretary, daping
):
    """The copy that looked for its id before its twin committed, then found the name taken (CI saw
    this as a 200 with 已有名为 on PostgreSQL): it answers with the twin's entry, recorded once."""
    from projects import catalogue_services

    data = {"name": "竞速类型", "organisation_type": "service", "client_id": uuid.uuid4()}
    made = catalogue_services.catalogue_project_type_save(actor=secretary, **data)
    monkeypatch.setattr(catalogue_services, "created_before", _first_look_misses(catalogue_services.created_before))

    again = catalogue_services.catalogue_project_type_save(actor=secretary, **data)

    assert again.pk == made.pk
    assert ProjectType.objects.filter(committee=daping, name="竞速类型").count() == 1
    assert CatalogueEvent.objects.filter(item_id=made.pk, item_name="竞速类型").count() == 1


def test_a_taken_name_with_a_new_one_time_id_is_still_refused(rubric, secretary, daping):
    from projects import catalogue_services
    from projects.errors import CatalogueNameTaken

    catalogue_services.catalogue_project_type_save(
        actor=secretary, name="竞速类型", organisation_type="service", client_id=uuid.uuid4()
    )

    with pytest.raises(CatalogueNameTaken, match="本校已有名为「竞速类型」的项目类型"):
        catalogue_services.catalogue_project_type_save(
            actor=secretary, name="竞速类型", organisation_type="service", client_id=uuid.uuid4()
        )
