"""Year-end assessment pages: permissions by role, the score sheet with evidence, hidden scores, publication."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from activities import achievement_services, activity_services, photo_services
from activities.enums import AchievementKind, AchievementLevel, AchievementRank
from members.models import Member
from tests.activities import image_files as files
from tests.activities.conftest import tutoring_data
from tests.yearend.assessment_fixtures import (
    assess,
    concluded_of,
    in_progress_of,
    open_round,
    sheet_post,
)
from yearend.enums import AssessmentStatus
from yearend.models import AssessmentCriterion, AssessmentResult, AssessmentRound, AssessmentSheet


@pytest.fixture
def project_a(leader_a):
    return concluded_of(leader_a, "红领巾助学行动")


@pytest.fixture
def assessment_round(project_a):
    return open_round()


def _round_urls(assessment_round, project):
    return {
        "round": reverse("yearend:assessment_round", args=[assessment_round.pk]),
        "settings": reverse("yearend:assessment_settings", args=[assessment_round.pk]),
        "ranking": reverse("yearend:assessment_ranking", args=[assessment_round.pk]),
        "sheet": reverse("yearend:assessment_sheet", args=[assessment_round.pk, project.pk]),
    }


# --- opening and permissions ----------------------------------------------------------


def test_secretary_opens_a_round_through_the_page(login, secretary, project_a):
    client = login(secretary)
    page = client.get(reverse("yearend:assessment_open")).content.decode()
    assert 'value="2025-2026"' in page  # the year with concluded projects is suggested
    response = client.post(
        reverse("yearend:assessment_open"),
        {"school_year": "2025-2026", "excellent_threshold": "92", "good_threshold": "82", "pass_threshold": "65"},
    )
    assessment_round = AssessmentRound.objects.get()
    assert response.headers["Location"] == reverse("yearend:assessment_round", args=[assessment_round.pk])
    assert (assessment_round.excellent_threshold, assessment_round.pass_threshold) == (Decimal(92), Decimal(65))
    page = client.get(response.headers["Location"]).content.decode()
    for text in ["过程管理", "目标达成", "成果质量", "特色创新", "群众评价", "优秀 ≥ 92", project_a.title]:
        assert text in page


@pytest.mark.parametrize("persona", ["committee_member", "leader_a", "teacher", "branch_secretary"])
def test_only_the_secretary_may_open_a_round(request, login, persona, project_a):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("yearend:assessment_open")).status_code == 403
    response = client.post(reverse("yearend:assessment_open"), {"school_year": "2025-2026"})
    assert response.status_code == 403
    assert AssessmentRound.objects.count() == 0


@pytest.mark.parametrize("persona", ["leader_a", "teacher", "branch_secretary"])
def test_groups_get_403_on_every_assessment_page_and_write_nothing(
    request, login, persona, assessment_round, project_a
):
    client = login(request.getfixturevalue(persona))
    urls = _round_urls(assessment_round, project_a)
    assert client.get(reverse("yearend:assessment_list")).status_code == 403
    for url in urls.values():
        assert client.get(url).status_code == 403
    assert client.post(urls["sheet"], sheet_post(assessment_round, [20] * 5)).status_code == 403
    assert client.post(reverse("yearend:assessment_publish", args=[assessment_round.pk])).status_code == 403
    assert AssessmentSheet.objects.count() == 0
    assert AssessmentRound.objects.get().status == AssessmentStatus.OPEN


def test_another_school_gets_404_and_writes_nothing(
    login, other_school_user, committee_member, assessment_round, project_a
):
    assess(committee_member, assessment_round, project_a, [18] * 5)
    client = login(other_school_user)
    urls = _round_urls(assessment_round, project_a)
    for url in urls.values():
        assert client.get(url).status_code == 404
    assert client.post(urls["sheet"], sheet_post(assessment_round, [1] * 5)).status_code == 404
    assert client.post(reverse("yearend:assessment_publish", args=[assessment_round.pk])).status_code == 404
    thresholds = {"excellent_threshold": "99", "good_threshold": "98", "pass_threshold": "97"}
    assert (
        client.post(reverse("yearend:assessment_thresholds", args=[assessment_round.pk]), thresholds).status_code == 404
    )
    assessment_round.refresh_from_db()
    assert (assessment_round.status, assessment_round.excellent_threshold) == (AssessmentStatus.OPEN, Decimal(90))
    assert AssessmentSheet.objects.get().weighted_total == Decimal("90.00")
    assert "红领巾助学行动" not in client.get(reverse("yearend:assessment_list")).content.decode()


def test_a_project_outside_the_round_is_404(login, committee_member, leader_b, assessment_round):
    running = in_progress_of(leader_b, "美术工作坊")
    url = reverse("yearend:assessment_sheet", args=[assessment_round.pk, running.pk])
    assert login(committee_member).get(url).status_code == 404


# --- the score sheet ------------------------------------------------------------------


def test_committee_member_scores_beside_targets_and_evidence(login, leader_a, teacher, secretary, committee_member):
    project = in_progress_of(leader_a, "红领巾助学行动")
    activity = activity_services.activity_log_create(
        actor=leader_a, project=project, data=tutoring_data(project, Decimal(12))
    )
    activity_services.activity_log_create(actor=leader_a, project=project, data=tutoring_data(project, Decimal(20)))
    photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("a.jpg", files.jpeg_bytes((300, 200)))]
    )
    achievement = achievement_services.achievement_record(
        actor=leader_a,
        data=achievement_services.AchievementData(
            kind=AchievementKind.AWARD,
            title="区级优质课一等奖",
            level=AchievementLevel.DISTRICT,
            rank=AchievementRank.FIRST,
            awarded_on=datetime.date(2025, 12, 1),
            members=[Member.objects.get(user=leader_a)],
            project=project,
        ),
    )
    achievement_services.achievement_verify(actor=secretary, achievement=achievement)
    from projects import services

    project = services.project_conclude(actor=secretary, project=project)
    assessment_round = open_round()

    client = login(committee_member)
    url = reverse("yearend:assessment_sheet", args=[assessment_round.pk, project.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="assessment-form"' in page
    assert "32 / 40 人次" in page and "80.0%" in page  # 12 + 20 of the 40 promised
    assert 'data-stat="activities">2<' in page
    assert 'data-stat="photos">1<' in page
    assert 'data-stat="coverage">50.0%<' in page
    assert 'data-stat="achievements">1<' in page and "区级 1" in page
    assert "满分 20 分，权重 1.5" in page

    response = client.post(url, sheet_post(assessment_round, [18, 19, 17, 16, 18], comment="过程扎实"))
    assert response.status_code == 302
    sheet = AssessmentSheet.objects.get()
    assert (sheet.assessor, sheet.weighted_total, sheet.comment) == (committee_member, Decimal("89.50"), "过程扎实")
    client.post(url, sheet_post(assessment_round, [10] * 5))
    assert AssessmentSheet.objects.get().weighted_total == Decimal("50.00")  # revised, still one sheet
    assert 'value="10.0"' in client.get(url).content.decode()


def test_conflicted_member_sees_a_notice_and_post_is_403(login, committee_member, leader_4):
    project = concluded_of(leader_4, "青年党员成长营")
    assessment_round = open_round()
    client = login(committee_member)
    url = reverse("yearend:assessment_sheet", args=[assessment_round.pk, project.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="conflict-notice"' in page and 'data-testid="assessment-form"' not in page
    assert client.post(url, sheet_post(assessment_round, [20] * 5)).status_code == 403
    assert AssessmentSheet.objects.count() == 0
    board = client.get(reverse("yearend:assessment_round", args=[assessment_round.pk])).content.decode()
    assert "需回避" in board


def test_others_scores_stay_hidden_until_ones_own_sheet(
    login, committee_member, committee_member_2, assessment_round, project_a
):
    assess(committee_member, assessment_round, project_a, [18] * 5, comment="委员一的意见")
    client = login(committee_member_2)
    url = reverse("yearend:assessment_sheet", args=[assessment_round.pk, project_a.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="scores-hidden"' in page and "已有 1 位委员提交评分" in page
    assert "90.00" not in page and "委员一的意见" not in page
    board = client.get(reverse("yearend:assessment_round", args=[assessment_round.pk])).content.decode()
    assert 'data-stat="mean">—<' in board and "90.00" not in board
    client.post(url, sheet_post(assessment_round, [16] * 5))
    page = client.get(url).content.decode()
    assert page.count('data-testid="assessor-row"') == 2
    assert "90.00" in page and "委员一的意见" in page and "陈立新" in page
    assert 'data-testid="entry-rating">良好<' in page  # (90 + 80) / 2 = 85


# --- settings -------------------------------------------------------------------------


def _rubric_post(rows):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{index}-{key}"] = value
    return data


def test_secretary_edits_rubric_and_thresholds_before_scoring(
    login, secretary, committee_member, assessment_round, project_a
):
    client = login(secretary)
    criteria = list(assessment_round.criteria.order_by("position"))
    page = client.get(reverse("yearend:assessment_settings", args=[assessment_round.pk])).content.decode()
    assert 'data-testid="rubric-form"' in page
    rows = [
        {"id": str(c.pk), "name": c.name, "description": "", "max_score": "10", "weight": "1"} for c in criteria[:4]
    ]
    rows.append({"id": str(criteria[4].pk), "name": criteria[4].name, "max_score": "10", "weight": "1", "DELETE": "on"})
    rows.append({"name": "家长满意度", "description": "问卷", "max_score": "30", "weight": "2"})
    response = client.post(reverse("yearend:assessment_rubric", args=[assessment_round.pk]), _rubric_post(rows))
    assert response.status_code == 302
    assert list(AssessmentCriterion.objects.order_by("position").values_list("name", "max_score")) == [
        ("过程管理", 10),
        ("目标达成", 10),
        ("成果质量", 10),
        ("特色创新", 10),
        ("家长满意度", 30),
    ]
    response = client.post(
        reverse("yearend:assessment_thresholds", args=[assessment_round.pk]),
        {"excellent_threshold": "95", "good_threshold": "85", "pass_threshold": "70"},
    )
    assert response.status_code == 302
    assessment_round.refresh_from_db()
    assert assessment_round.excellent_threshold == Decimal(95)

    # After the first sheet the rubric is locked: the page says so and a post is refused.
    assess(committee_member, assessment_round, project_a, [10, 10, 10, 10, 30])
    page = client.get(reverse("yearend:assessment_settings", args=[assessment_round.pk])).content.decode()
    assert 'data-testid="rubric-locked"' in page
    response = client.post(reverse("yearend:assessment_rubric", args=[assessment_round.pk]), _rubric_post(rows[:1]))
    assert response.status_code == 403
    assert AssessmentCriterion.objects.count() == 5


def test_rubric_with_duplicate_names_is_refused_with_a_message(login, secretary, assessment_round):
    rows = [
        {"name": "过程管理", "max_score": "10", "weight": "1"},
        {"name": "过程管理", "max_score": "20", "weight": "1"},
    ]
    response = login(secretary).post(
        reverse("yearend:assessment_rubric", args=[assessment_round.pk]), _rubric_post(rows)
    )
    assert response.status_code == 200 and "考核维度的名称不能重复" in response.content.decode()
    assert AssessmentCriterion.objects.count() == 5


def test_committee_member_cannot_change_settings(login, committee_member, assessment_round):
    client = login(committee_member)
    assert client.get(reverse("yearend:assessment_settings", args=[assessment_round.pk])).status_code == 403
    response = client.post(
        reverse("yearend:assessment_thresholds", args=[assessment_round.pk]),
        {"excellent_threshold": "99", "good_threshold": "98", "pass_threshold": "97"},
    )
    assert response.status_code == 403
    assessment_round.refresh_from_db()
    assert assessment_round.excellent_threshold == Decimal(90)


# --- ranking and publication ----------------------------------------------------------


def test_ranking_is_the_secretarys_until_publication_and_only_she_publishes(
    login, secretary, committee_member, committee_member_2, leader_b, assessment_round, project_a
):
    other = concluded_of(leader_b, "美术工作坊")
    assess(committee_member, assessment_round, project_a, [18] * 5)
    assess(committee_member_2, assessment_round, other, [19] * 5)
    ranking_url = reverse("yearend:assessment_ranking", args=[assessment_round.pk])
    publish_url = reverse("yearend:assessment_publish", args=[assessment_round.pk])
    member = login(committee_member)
    assert member.get(ranking_url).status_code == 403
    assert member.post(publish_url).status_code == 403
    assert AssessmentRound.objects.get().status == AssessmentStatus.OPEN

    client = login(secretary)
    page = client.get(ranking_url).content.decode()
    assert page.index("美术工作坊") < page.index("红领巾助学行动")  # 95.00 before 90.00
    assert 'data-testid="publish-form"' in page
    response = client.post(publish_url)
    assert response.status_code == 302
    assert AssessmentRound.objects.get().status == AssessmentStatus.PUBLISHED
    assert list(AssessmentResult.objects.values_list("project__title", "rank", "rating")) == [
        ("美术工作坊", 1, "excellent"),
        ("红领巾助学行动", 2, "excellent"),
    ]
    # Published: the committee sees the ranking, nobody changes a score.
    assert member.get(ranking_url).status_code == 200
    sheet_url = reverse("yearend:assessment_sheet", args=[assessment_round.pk, project_a.pk])
    assert 'data-testid="assessment-closed"' in member.get(sheet_url).content.decode()
    assert member.post(sheet_url, sheet_post(assessment_round, [1] * 5)).status_code == 403
    assert AssessmentSheet.objects.get(project=project_a).weighted_total == Decimal("90.00")
    assert "已经公布" in client.post(publish_url, follow=True).content.decode()
    assert AssessmentResult.objects.count() == 2


def test_publication_refused_while_a_project_has_no_sheet(login, secretary, leader_b, assessment_round, project_a):
    concluded_of(leader_b, "美术工作坊")
    response = login(secretary).post(reverse("yearend:assessment_publish", args=[assessment_round.pk]), follow=True)
    assert "尚无考核评分" in response.content.decode()
    assert AssessmentRound.objects.get().status == AssessmentStatus.OPEN


def test_the_group_sees_its_rating_only_after_publication(
    login, secretary, committee_member, leader_a, leader_b, teacher, assessment_round, project_a
):
    assess(committee_member, assessment_round, project_a, [18, 19, 17, 16, 18])
    detail = reverse("projects:detail", args=[project_a.pk])
    leader = login(leader_a)
    assert 'data-testid="assessment-result"' not in leader.get(detail).content.decode()
    assert 'data-testid="todo-assessment-result"' not in leader.get("/").content.decode()

    login(secretary).post(reverse("yearend:assessment_publish", args=[assessment_round.pk]))
    page = leader.get(detail).content.decode()
    assert 'data-testid="assessment-rating">良好<' in page and 'data-testid="assessment-mean">89.50<' in page
    assert "公布考核结果" in page  # on the project's timeline
    home = leader.get("/").content.decode()
    assert "《红领巾助学行动》2025-2026 学年考核：良好（平均分 89.50）" in home
    assert 'data-testid="assessment-rating">良好<' in login(teacher).get(detail).content.decode()
    # Another group's leader reads the public project page but not its assessment result.
    other = login(leader_b).get(detail)
    assert other.status_code == 200 and 'data-testid="assessment-result"' not in other.content.decode()


# --- navigation and to-do -------------------------------------------------------------


def test_committee_members_find_the_assessment_in_the_navbar_and_to_do(
    login, committee_member, teacher, assessment_round, project_a
):
    home = login(committee_member).get("/").content.decode()
    assert "年度考核" in home and "待考核 1 项" in home
    assert 'data-testid="action-assessments">待考核<span class="count badge text-bg-light">1</span>' in home
    assess(committee_member, assessment_round, project_a, [15] * 5)
    home = login(committee_member).get("/").content.decode()
    # Nothing left in the to-do list; the button at the top says 0.
    assert "待考核 1 项" not in home and 'data-testid="todo-assessments"' not in home
    assert 'data-testid="action-assessments">待考核<span class="count badge text-bg-light">0</span>' in home
    assert "年度考核" not in login(teacher).get("/").content.decode()


# --- query counts ---------------------------------------------------------------------


def test_assessment_list_runs_a_fixed_number_of_queries(
    login, secretary, committee_member, leader_a, django_assert_num_queries
):
    client = login(secretary)
    url = reverse("yearend:assessment_list")
    for year in ("2022-2023", "2023-2024", "2024-2025", "2025-2026"):
        concluded_of(leader_a, f"{year} 助学行动", school_year=year)  # a round needs a concluded project
    open_round("2024-2025")
    client.get(url)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.content.decode().count('data-testid="assessment-round-row"') == 1
    for year in ("2022-2023", "2023-2024", "2025-2026"):
        open_round(year)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.content.decode().count('data-testid="assessment-round-row"') == 4


def _grow(assessment_round, leaders, assessors, titles):
    for leader, title in zip(leaders * len(titles), titles, strict=False):
        project = concluded_of(leader, title)
        for assessor in assessors:
            assess(assessor, assessment_round, project, [15] * 5)


def test_round_board_and_ranking_run_a_fixed_number_of_queries(
    login, secretary, committee_member, committee_member_2, leader_a, leader_b, django_assert_num_queries
):
    first = concluded_of(leader_a, "项目甲")
    assessment_round = open_round()
    assess(committee_member, assessment_round, first, [15] * 5)
    client = login(secretary)
    board = reverse("yearend:assessment_round", args=[assessment_round.pk])
    ranking = reverse("yearend:assessment_ranking", args=[assessment_round.pk])
    client.get(board)
    with django_assert_num_queries(10):
        response = client.get(board)
    assert response.content.decode().count('data-testid="board-row"') == 1
    with django_assert_num_queries(9):
        response = client.get(ranking)
    assert response.content.decode().count('data-testid="ranking-row"') == 1
    _grow(assessment_round, [leader_a, leader_b], [committee_member, committee_member_2, secretary], list("乙丙丁戊"))
    with django_assert_num_queries(10):
        response = client.get(board)
    assert response.content.decode().count('data-testid="board-row"') == 5
    with django_assert_num_queries(9):
        response = client.get(ranking)
    assert response.content.decode().count('data-testid="ranking-row"') == 5
