"""The application pages as each persona sees them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from branches.models import Group
from projects.enums import ProjectStatus
from projects.models import Indicator, MicroProject, ProjectType
from projects.school_years import school_year_of
from tests.activities import image_files as files
from tests.projects.workflow_fixtures import draft_of, submitted_of


def _form_data(committee, group, *, title="党员先锋岗", submit=False) -> dict:
    data = {
        "group": group.pk,
        "title": title,
        "project_type": ProjectType.objects.get(committee=committee, name="帮扶暖心").pk,
        "school_year": school_year_of(timezone.localdate()),  # one of the years the form offers
        "background": "学困生需要帮扶。",
        "goals": "每周结对辅导。",
        "expected_achievements": "一对一助学 30 人次。",
        "participants": [member.pk for member in group.members.all()],
        "phases-TOTAL_FORMS": "1",
        "phases-INITIAL_FORMS": "0",
        "phases-0-title": "结对辅导",
        "phases-0-starts_on": "2025-09-01",
        "phases-0-ends_on": "2026-01-15",
        "phases-0-description": "每周一次",
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-0-indicator": Indicator.objects.get(committee=committee, name="一对一助学").pk,
        "targets-0-target_value": "30",
    }
    if submit:
        data["submit"] = "1"
    else:
        data["save"] = "1"
    return data


def test_leader_saves_a_draft_then_submits_through_the_form(login, leader_a, daping):
    from projects.demo import seed_catalogue

    seed_catalogue(daping)
    group = Group.objects.get(leader__user=leader_a)
    client = login(leader_a)
    response = client.post(reverse("projects:create"), _form_data(daping, group))
    project = MicroProject.objects.get(title="党员先锋岗")
    assert response.status_code == 302 and response["Location"] == reverse("projects:detail", args=[project.pk])
    assert project.status == ProjectStatus.DRAFT
    assert project.targets.get().target_value == 30
    assert project.phases.get().title == "结对辅导"

    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "党员先锋岗" in page and "草稿" in page and "一对一助学" in page

    data = _form_data(daping, group, title="党员先锋岗（修订）", submit=True)
    response = client.post(reverse("projects:edit", args=[project.pk]), data)
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED and project.title == "党员先锋岗（修订）"


def test_edit_form_shows_the_saved_phase_dates_in_the_date_inputs(login, leader_a, daping):
    from projects.demo import seed_catalogue

    seed_catalogue(daping)
    group = Group.objects.get(leader__user=leader_a)
    client = login(leader_a)
    client.post(reverse("projects:create"), _form_data(daping, group))
    project = MicroProject.objects.get(title="党员先锋岗")

    html = client.get(reverse("projects:edit", args=[project.pk])).content.decode()
    # <input type="date"> shows only an ISO value; the zh-Hans format 2025/09/01 would be blank.
    assert 'type="date" name="phases-0-starts_on" value="2025-09-01"' in html
    assert 'type="date" name="phases-0-ends_on" value="2026-01-15"' in html


def test_bad_input_is_explained_and_nothing_is_saved(login, leader_a, daping):
    from projects.demo import seed_catalogue

    seed_catalogue(daping)
    group = Group.objects.get(leader__user=leader_a)
    data = _form_data(daping, group)
    data["school_year"] = "2025"  # a hand-made post: not one of the offered years
    data["phases-0-ends_on"] = "2025-08-01"
    response = login(leader_a).post(reverse("projects:create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "请从列表中选择学年" in html and "结束日期不能早于开始日期" in html
    # What the user typed is still in the form.
    assert "学困生需要帮扶" in html
    assert MicroProject.objects.count() == 0


def test_attachment_must_be_a_real_document(login, leader_a, daping):
    from projects.demo import seed_catalogue

    seed_catalogue(daping)
    group = Group.objects.get(leader__user=leader_a)
    data = _form_data(daping, group)
    data["attachment"] = SimpleUploadedFile("方案.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    response = login(leader_a).post(reverse("projects:create"), data)
    assert "附件只能是 PDF" in response.content.decode()
    assert MicroProject.objects.count() == 0


def test_attachment_is_downloaded_as_an_attachment_by_the_committee_only(
    login, leader_a, secretary, other_school_user, daping
):
    from projects.demo import seed_catalogue

    seed_catalogue(daping)
    group = Group.objects.get(leader__user=leader_a)
    data = _form_data(daping, group, submit=True)
    data["attachment"] = SimpleUploadedFile("实施方案.pdf", files.pdf_bytes(), "application/pdf")
    login(leader_a).post(reverse("projects:create"), data)
    project = MicroProject.objects.get()
    url = reverse("projects:attachment", args=[project.pk])
    response = login(secretary).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(other_school_user).get(url).status_code == 404


@pytest.mark.parametrize("persona", ["leader_b", "teacher"])
def test_others_get_403_on_edit_and_submit_and_nothing_changes(request, login, leader_a, persona):
    project = draft_of(leader_a)
    client = login(request.getfixturevalue(persona))
    group = project.group
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code in (403, 404)
    response = client.post(
        reverse("projects:edit", args=[project.pk]), _form_data(project.committee, group, title="改")
    )
    assert response.status_code in (403, 404)
    assert client.post(reverse("projects:submit", args=[project.pk])).status_code in (403, 404)
    project.refresh_from_db()
    assert (project.title, project.status) == ("红领巾助学行动", ProjectStatus.DRAFT)


def test_teacher_of_the_group_sees_the_draft_but_cannot_change_it(login, leader_a, teacher):
    project = draft_of(leader_a)
    client = login(teacher)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "红领巾助学行动" in page and "编辑申报" not in page
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code == 403
    assert client.post(reverse("projects:submit", args=[project.pk])).status_code == 403
    assert MicroProject.objects.get(pk=project.pk).status == ProjectStatus.DRAFT


def test_drafts_are_private_to_the_group_until_submitted(login, leader_a, leader_b, committee_member):
    project = draft_of(leader_a)
    assert login(leader_b).get(reverse("projects:detail", args=[project.pk])).status_code == 404
    assert login(committee_member).get(reverse("projects:detail", args=[project.pk])).status_code == 404
    assert "红领巾助学行动" not in login(leader_b).get(reverse("projects:list")).content.decode()


def test_other_school_gets_404_everywhere(login, leader_a, other_school_user):
    project = submitted_of(leader_a)
    client = login(other_school_user)
    for name in ("detail", "edit", "submit", "withdraw", "start", "conclude", "attachment"):
        method = client.get if name in ("detail", "edit", "attachment") else client.post
        assert method(reverse(f"projects:{name}", args=[project.pk])).status_code == 404, name
    assert "红领巾助学行动" not in client.get(reverse("projects:list")).content.decode()
    assert MicroProject.objects.get(pk=project.pk).status == ProjectStatus.SUBMITTED


def test_withdraw_through_the_page(login, leader_a):
    project = submitted_of(leader_a)
    response = login(leader_a).post(reverse("projects:withdraw", args=[project.pk]), {"comment": "暂缓"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.WITHDRAWN
    assert project.events.latest("pk").comment == "暂缓"


def test_project_list_runs_a_fixed_number_of_queries(login, secretary, leader_a, leader_b, django_assert_num_queries):
    client = login(secretary)
    url = reverse("projects:list")
    submitted_of(leader_a)
    client.get(url)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.content.decode().count('class="list-group-item list-group-item-action"') == 1
    for index in range(8):
        submitted_of(leader_b) if index % 2 else draft_of(leader_a, title=f"草稿{index}")
    with django_assert_num_queries(9):
        client.get(url)


def test_home_tells_the_leader_and_the_secretary_what_waits_on_them(
    login, leader_a, leader_b, committee_member, secretary
):
    from projects import review_services
    from tests.projects.workflow_fixtures import in_review_of

    draft = draft_of(leader_a, title="待完善的草稿")
    returned = in_review_of(leader_a, committee_member)
    review_services.project_decide(
        actor=secretary, project=returned, decision="return", comment="请补充", confirm_below_quorum=True
    )
    waiting = in_review_of(leader_b, committee_member)

    leader_home = login(leader_a).get(reverse("home")).content.decode()
    assert "继续填写草稿《待完善的草稿》" in leader_home
    assert "《红领巾助学行动》被退回修改" in leader_home
    assert reverse("projects:detail", args=[draft.pk]) in leader_home
    assert "申报新的党建微项目" in leader_home

    secretary_home = login(secretary).get(reverse("home")).content.decode()
    assert "待决定：第二党小组《红领巾助学行动》" in secretary_home
    assert reverse("projects:review", args=[waiting.pk]) in secretary_home
    assert "继续填写草稿" not in secretary_home
