"""The secretary's decision: permissions, the page, bulk decisions, and what the group reads."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects import review_selectors, review_services
from projects.enums import ProjectStatus
from projects.models import MicroProject
from tests.projects.review_fixtures import submit_application


def score(reviewer, project, value=15, comment=""):
    criteria = review_selectors.active_criteria(project.committee_id)
    return review_services.score_record(
        actor=reviewer,
        project=project,
        scores={criterion.pk: Decimal(value) for criterion in criteria},
        recommendation="approve",
        comment=comment,
    )


def snapshot(project):
    row = MicroProject.objects.get(pk=project.pk)
    return (row.status, row.decision_comment, row.decided_at, row.share_reviewer_comments, row.updated_at)


@pytest.fixture
def in_review(application_a, committee_member):
    score(committee_member, application_a)
    application_a.refresh_from_db()
    return application_a


@pytest.mark.parametrize("persona", ["teacher", "leader_a", "leader_b", "committee_member", "committee_member_2"])
def test_only_the_secretary_decides(request, login, in_review, persona):
    before = snapshot(in_review)
    response = login(request.getfixturevalue(persona)).post(
        reverse("projects:decide", args=[in_review.pk]), {"decision": "approve", "comment": "同意"}
    )
    assert response.status_code == 403
    assert snapshot(in_review) == before


def test_decision_form_is_shown_only_to_the_secretary(login, in_review, secretary, committee_member):
    url = reverse("projects:review", args=[in_review.pk])
    assert 'data-testid="decision-form"' in login(secretary).get(url).content.decode()
    assert 'data-testid="decision-form"' not in login(committee_member).get(url).content.decode()


def test_secretary_page_labels_each_comment_box_of_its_own_form(login, in_review, secretary):
    html = login(secretary).get(reverse("projects:review", args=[in_review.pk])).content.decode()
    # The secretary's score sheet and the decision form both have a comment: ids must not clash.
    assert html.count('id="id_comment"') == 1
    assert html.count('id="id_decision_comment"') == 1
    assert 'for="id_decision_comment"' in html


def test_secretary_approves_through_the_page(login, in_review, secretary, committee_member_2, leader_a):
    score(committee_member_2, in_review)
    score(secretary, in_review)  # every reviewer without a conflict has scored: the quorum
    response = login(secretary).post(
        reverse("projects:decide", args=[in_review.pk]), {"decision": "approve", "comment": "同意立项，按计划推进。"}
    )
    assert response.status_code == 302
    row = MicroProject.objects.get(pk=in_review.pk)
    assert (row.status, row.decision_comment) == (ProjectStatus.APPROVED, "同意立项，按计划推进。")
    assert row.events.latest("pk").actor == secretary


def test_return_needs_a_comment(login, in_review, secretary):
    before = snapshot(in_review)
    response = login(secretary).post(reverse("projects:decide", args=[in_review.pk]), {"decision": "return"})
    assert response.status_code == 200
    assert "退回修改时请写明修改意见" in response.content.decode()
    assert snapshot(in_review) == before


def test_deciding_a_project_not_in_review_is_refused_with_a_message(login, application_a, secretary):
    before = snapshot(application_a)  # submitted, nobody has scored yet
    response = login(secretary).post(
        reverse("projects:decide", args=[application_a.pk]), {"decision": "approve", "comment": "x"}, follow=True
    )
    assert "不能作出决定" in response.content.decode()
    assert snapshot(application_a) == before


def test_review_starts_with_the_first_score_and_the_page_says_so(login, rubric, application_a, secretary):
    url = reverse("projects:review", args=[application_a.pk])
    page = login(secretary).get(url).content.decode()
    assert "第一位委员提交评分后，项目自动进入评审。" in page
    assert "开始评审" not in page
    score(secretary, application_a)
    assert MicroProject.objects.get(pk=application_a.pk).status == ProjectStatus.IN_REVIEW
    assert "自动进入评审" not in login(secretary).get(url).content.decode()


def test_leader_reads_the_decision_and_only_shared_comments_without_names(
    login, rubric, leader_a, leader_b, committee_member, committee_member_2, secretary
):
    shared = submit_application(leader_a, "共享意见的项目")
    score(committee_member, shared, comment="建议加强过程记录")
    score(committee_member_2, shared, comment="党员参与面广")
    review_services.project_decide(
        actor=secretary,
        project=shared,
        decision="return",
        comment="请细化阶段安排",
        share_reviewer_comments=True,
        confirm_below_quorum=True,
    )
    private = submit_application(leader_b, "不共享意见的项目")
    score(committee_member, private, comment="内部意见不外传")
    review_services.project_decide(
        actor=secretary, project=private, decision="approve", comment="同意立项", confirm_below_quorum=True
    )

    page = login(leader_a).get(reverse("projects:detail", args=[shared.pk])).content.decode()
    assert "请细化阶段安排" in page
    assert "建议加强过程记录" in page and "党员参与面广" in page
    assert "陈立新" not in page and "周文静" not in page

    page = login(leader_b).get(reverse("projects:detail", args=[private.pk])).content.decode()
    assert "同意立项" in page
    assert "内部意见不外传" not in page and "陈立新" not in page


# --- bulk decisions --------------------------------------------------------------------------


def test_bulk_decide_reports_refused_ones(
    login, rubric, leader_a, leader_b, committee_member, committee_member_2, secretary
):
    first = submit_application(leader_a, "项目一")
    second = submit_application(leader_b, "项目二")
    untouched = submit_application(leader_a, "项目三")  # submitted, not in review: refused
    for reviewer in (committee_member, committee_member_2, secretary):
        score(reviewer, first)
    score(committee_member, second)  # below the quorum: bulk never confirms that, so refused
    response = login(secretary).post(
        reverse("projects:bulk_decide"),
        {"projects": [first.pk, second.pk, untouched.pk], "decision": "approve", "comment": "同意"},
        follow=True,
    )
    page = response.content.decode()
    assert "已对 1 个项目作出决定" in page
    assert "《项目二》未处理：本轮已有 1 人评分，少于作出决定所需的 3 人。尚未评分：" in page
    assert "《项目三》未处理" in page
    statuses = dict(MicroProject.objects.values_list("title", "status"))
    assert statuses == {"项目一": "approved", "项目二": "in_review", "项目三": "submitted"}


@pytest.mark.parametrize("persona", ["committee_member", "teacher", "leader_a"])
def test_bulk_decide_is_for_the_secretary_only(request, login, in_review, persona):
    before = snapshot(in_review)
    response = login(request.getfixturevalue(persona)).post(
        reverse("projects:bulk_decide"), {"projects": [in_review.pk], "decision": "approve", "comment": ""}
    )
    assert response.status_code == 403
    assert snapshot(in_review) == before


def test_bulk_decide_cannot_reach_another_school(login, in_review, other_school_user):
    before = snapshot(in_review)
    login(other_school_user).post(
        reverse("projects:bulk_decide"), {"projects": [in_review.pk], "decision": "reject", "comment": "x"}
    )
    assert snapshot(in_review) == before
