"""Scoring: conflicts of interest, hidden scores, one sheet per round, score ranges, the arithmetic."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from projects import review_selectors, review_services, services
from projects.enums import ProjectStatus
from projects.errors import ProjectError
from projects.models import CriterionScore, MicroProject, RubricCriterion, ScoreSheet
from projects.review_selectors import review_table
from tests.projects.review_fixtures import submit_application


def score(reviewer, project, values, recommendation="approve", comment=""):
    criteria = review_selectors.active_criteria(project.committee_id)
    return review_services.score_record(
        actor=reviewer,
        project=project,
        scores={criterion.pk: Decimal(value) for criterion, value in zip(criteria, values, strict=True)},
        recommendation=recommendation,
        comment=comment,
    )


def score_post(project, values, recommendation="approve", comment=""):
    criteria = review_selectors.active_criteria(project.committee_id)
    data = {f"criterion_{criterion.pk}": value for criterion, value in zip(criteria, values, strict=True)}
    return {**data, "recommendation": recommendation, "comment": comment}


# --- conflict of interest -------------------------------------------------------------------


def test_member_of_the_applying_group_cannot_score(rubric, leader_4, committee_member):
    project = submit_application(leader_4)  # 第四党小组: committee1 belongs to it
    with pytest.raises(ProjectError, match="回避"):
        score(committee_member, project, [15] * 5)
    assert ScoreSheet.objects.count() == 0


def test_participant_cannot_score(rubric, leader_a, committee_member_2):
    from members.models import Member

    project = submit_application(leader_a)
    project.participants.add(Member.objects.get(user=committee_member_2))
    with pytest.raises(ProjectError, match="回避"):
        score(committee_member_2, project, [15] * 5)
    assert ScoreSheet.objects.count() == 0


def test_conflicted_reviewer_sees_notice_instead_of_form_and_post_is_403(login, rubric, leader_4, committee_member):
    project = submit_application(leader_4)
    client = login(committee_member)
    page = client.get(reverse("projects:review", args=[project.pk])).content.decode()
    assert 'data-testid="conflict-notice"' in page and "需回避" in page
    assert 'data-testid="score-form"' not in page
    assert project.title in page  # the application itself is still shown
    response = client.post(reverse("projects:review", args=[project.pk]), score_post(project, [15] * 5))
    assert response.status_code == 403
    assert ScoreSheet.objects.count() == 0
    assert MicroProject.objects.get(pk=project.pk).status == ProjectStatus.SUBMITTED


# --- page permissions -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["teacher", "leader_b", "branch_secretary"])
def test_non_committee_users_get_403_on_the_review_page_and_write_nothing(request, login, application_a, persona):
    client = login(request.getfixturevalue(persona))
    url = reverse("projects:review", args=[application_a.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, score_post(application_a, [15] * 5)).status_code == 403
    assert ScoreSheet.objects.count() == 0


def test_scoring_is_refused_once_decided(login, application_a, committee_member, secretary):
    score(committee_member, application_a, [15] * 5)
    review_services.project_decide(
        actor=secretary, project=application_a, decision="approve", comment="同意", confirm_below_quorum=True
    )
    response = login(committee_member).post(
        reverse("projects:review", args=[application_a.pk]), score_post(application_a, [20] * 5)
    )
    assert response.status_code == 403
    assert ScoreSheet.objects.get().weighted_total == Decimal("75.00")


def test_other_school_gets_404_on_review_urls(login, application_a, other_school_user):
    client = login(other_school_user)
    assert client.get(reverse("projects:review", args=[application_a.pk])).status_code == 404
    assert client.post(reverse("projects:review", args=[application_a.pk]), {}).status_code == 404
    assert client.post(reverse("projects:decide", args=[application_a.pk]), {}).status_code == 404
    assert MicroProject.objects.get(pk=application_a.pk).status == ProjectStatus.SUBMITTED


# --- the reviewer's page ---------------------------------------------------------------


def test_reviewer_scores_through_the_page_and_revises_until_the_decision(login, application_a, committee_member):
    client = login(committee_member)
    url = reverse("projects:review", args=[application_a.pk])
    page = client.get(url).content.decode()
    for name in ["目标明确", "方案可行", "党建引领", "预期成效", "特色创新", "立项", "修改后立项", "不予立项"]:
        assert name in page
    assert "满分 20 分，权重 1.5" in page
    response = client.post(url, score_post(application_a, [20, 20, 20, 20, 20], comment="很好"))
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get()
    assert (sheet.reviewer, sheet.weighted_total, sheet.comment) == (committee_member, Decimal("100.00"), "很好")
    assert MicroProject.objects.get(pk=application_a.pk).status == ProjectStatus.IN_REVIEW
    # Re-posting revises the same sheet.
    client.post(url, score_post(application_a, [10, 10, 10, 10, 10], recommendation="revise"))
    sheet = ScoreSheet.objects.get()
    assert (sheet.weighted_total, sheet.recommendation) == (Decimal("50.00"), "revise")
    assert sorted(CriterionScore.objects.values_list("score", flat=True)) == [Decimal(10)] * 5
    assert 'value="10.0"' in client.get(url).content.decode()  # the form shows the saved scores


# --- hidden scores ------------------------------------------------------------------------


def test_others_scores_are_hidden_until_ones_own_sheet(login, application_a, committee_member, committee_member_2):
    score(committee_member_2, application_a, [12, 12, 12, 12, 12], comment="周文静的意见")  # 60.00
    client = login(committee_member)
    url = reverse("projects:review", args=[application_a.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="scores-hidden"' in page and "本轮已有 1 位委员提交评分" in page
    assert "60.00" not in page and "周文静" not in page and "周文静的意见" not in page
    queue = client.get(reverse("projects:queue")).content.decode()
    assert "60.00" not in queue
    assert not committee_member.has_perm("projects.view_scores", application_a)

    client.post(url, score_post(application_a, [16, 16, 16, 16, 16]))  # 80.00
    page = client.get(url).content.decode()
    assert 'data-testid="review-table"' in page
    assert "60.00" in page and "周文静" in page and "周文静的意见" in page and "80.00" in page


def test_secretary_sees_the_table_without_scoring(login, application_a, committee_member, secretary):
    score(committee_member, application_a, [12, 12, 12, 12, 12], comment="意见甲")
    page = login(secretary).get(reverse("projects:review", args=[application_a.pk])).content.decode()
    assert "60.00" in page and "陈立新" in page and "意见甲" in page


# --- one sheet per reviewer per round ------------------------------------------------------


def test_one_sheet_per_reviewer_per_round(application_a, committee_member):
    score(committee_member, application_a, [15] * 5)
    score(committee_member, application_a, [16] * 5)  # the same form posted again
    assert ScoreSheet.objects.filter(reviewer=committee_member).count() == 1
    assert ScoreSheet.objects.get().weighted_total == Decimal("80.00")
    # The database refuses a second sheet for the same round even if a service were bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreSheet.objects.create(
            project=application_a,
            reviewer=committee_member,
            review_round=application_a.review_round,
            recommendation="approve",
            weighted_total=Decimal("10"),
        )
    assert ScoreSheet.objects.count() == 1


def test_a_new_round_gets_new_sheets(application_a, committee_member, secretary, leader_a):
    score(committee_member, application_a, [15] * 5)
    review_services.project_decide(
        actor=secretary, project=application_a, decision="return", comment="请补充", confirm_below_quorum=True
    )
    project = services.project_submit(actor=leader_a, project=application_a)
    assert project.review_round == 2
    score(committee_member, project, [18] * 5)
    assert list(ScoreSheet.objects.order_by("review_round").values_list("review_round", "weighted_total")) == [
        (1, Decimal("75.00")),
        (2, Decimal("90.00")),
    ]
    table = review_table(project)
    assert [r.review_round for r in table.rounds] == [2, 1]
    assert table.current.summary.mean == Decimal("90.00")


def test_a_criterion_retired_after_scoring_keeps_its_column_on_the_review_page(
    login, application_a, committee_member, secretary
):
    score(committee_member, application_a, [16, 18, 20, 14, 10])
    criteria = review_selectors.active_criteria(application_a.committee_id)
    retired = criteria[2]
    RubricCriterion.objects.filter(pk=retired.pk).update(is_active=False)  # 停用 in the catalogue

    table = review_table(application_a)
    assert [criterion.pk for criterion in table.criteria] == [criterion.pk for criterion in criteria]
    assert table.current.rows[0].scores == [16, 18, 20, 14, 10]
    page = login(secretary).get(reverse("projects:review", args=[application_a.pk])).content.decode()
    assert retired.name in page


# --- score ranges ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [21, -1])
def test_service_refuses_scores_outside_zero_to_max(application_a, committee_member, bad):
    with pytest.raises(ProjectError, match="0 到 20"):
        score(committee_member, application_a, [15, 15, bad, 15, 15])
    assert ScoreSheet.objects.count() == 0 and CriterionScore.objects.count() == 0


@pytest.mark.parametrize("bad", ["21", "-1", "abc", ""])
def test_page_refuses_scores_outside_zero_to_max(login, application_a, committee_member, bad):
    response = login(committee_member).post(
        reverse("projects:review", args=[application_a.pk]), score_post(application_a, [15, 15, bad, 15, 15])
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert ScoreSheet.objects.count() == 0
    assert MicroProject.objects.get(pk=application_a.pk).status == ProjectStatus.SUBMITTED


# --- the arithmetic -------------------------------------------------------------------------


def test_weighted_totals_and_summary_on_a_hand_checked_example(
    application_a, committee_member, committee_member_2, secretary
):
    # Rubric: max 20 each, weights 1, 1, 1.5, 1, 0.5 (Σ weight = 5); total = 100 × Σ(w × s / 20) / 5.
    # committee1: 16, 18, 20, 14, 10 → 0.8 + 0.9 + 1.5 + 0.7 + 0.25 = 4.15 → 100 × 4.15 / 5 = 83.00
    # committee2: 15 each            → 0.75 × 5 = 3.75                  → 75.00
    # secretary:  10, 12, 14, 16, 18 → 0.5 + 0.6 + 1.05 + 0.8 + 0.45 = 3.4 → 68.00
    assert score(committee_member, application_a, [16, 18, 20, 14, 10]).weighted_total == Decimal("83.00")
    assert score(committee_member_2, application_a, [15] * 5).weighted_total == Decimal("75.00")
    assert score(secretary, application_a, [10, 12, 14, 16, 18]).weighted_total == Decimal("68.00")
    summary = review_table(application_a).current.summary
    # mean = (83 + 75 + 68) / 3 = 226 / 3 = 75.333… → 75.33; median = 75.00; spread = 83 − 68 = 15.00
    assert (summary.count, summary.mean, summary.median, summary.spread) == (
        3,
        Decimal("75.33"),
        Decimal("75.00"),
        Decimal("15.00"),
    )
    table = review_table(application_a)
    assert [row.reviewer_name for row in table.current.rows] == ["陈立新", "周文静", "李雪梅"]
    assert table.current.rows[0].scores == [Decimal(16), Decimal(18), Decimal(20), Decimal(14), Decimal(10)]
