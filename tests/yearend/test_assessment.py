"""Year-end assessment services: the round's lifecycle, conflicts, one sheet per assessor, ratings, ranking, audit."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from members.models import Member, Notification
from projects.enums import EventAction, ProjectStatus
from projects.models import ProjectEvent
from tests.yearend.assessment_fixtures import assess, concluded_of, in_progress_of, open_round
from yearend import selectors as assessment_selectors
from yearend import services as assessment_services
from yearend.enums import AssessmentAction, AssessmentStatus
from yearend.errors import YearEndError
from yearend.models import AssessmentCriterion, AssessmentEvent, AssessmentResult, AssessmentRound, AssessmentSheet


@pytest.fixture
def project_a(leader_a):
    """第一党小组's concluded project: no committee member has a conflict with it."""
    return concluded_of(leader_a, "红领巾助学行动")


@pytest.fixture
def assessment_round(project_a):
    return open_round()


# --- opening a round -------------------------------------------------------------------


def test_secretary_opens_a_round_with_the_default_rubric_and_thresholds(secretary, committee_member, project_a):
    assessment_round = assessment_services.assessment_round_open(actor=secretary, school_year="2025-2026")
    assert (assessment_round.status, assessment_round.school_year) == (AssessmentStatus.OPEN, "2025-2026")
    thresholds = (
        assessment_round.excellent_threshold,
        assessment_round.good_threshold,
        assessment_round.pass_threshold,
    )
    assert thresholds == (Decimal(90), Decimal(80), Decimal(60))
    rubric = list(assessment_round.criteria.order_by("position").values_list("name", "max_score", "weight"))
    assert rubric == [
        ("过程管理", 20, Decimal("1.00")),
        ("目标达成", 20, Decimal("1.50")),
        ("成果质量", 20, Decimal("1.00")),
        ("特色创新", 20, Decimal("0.50")),
        ("群众评价", 20, Decimal("1.00")),
    ]
    event = AssessmentEvent.objects.get()
    assert (event.action, event.actor, event.details["thresholds"]["excellent"]) == (
        AssessmentAction.OPENED,
        secretary,
        "90.00",
    )
    assert Notification.objects.filter(recipient=committee_member, message__contains="2025-2026").exists()


@pytest.mark.parametrize("persona", ["committee_member", "leader_a", "teacher", "branch_secretary"])
def test_only_the_secretary_opens_a_round(request, persona, project_a):
    with pytest.raises(YearEndError, match="党委书记"):
        assessment_services.assessment_round_open(actor=request.getfixturevalue(persona), school_year="2025-2026")
    assert AssessmentRound.objects.count() == 0


def test_another_schools_secretary_cannot_open_a_round_on_our_concluded_project(
    other_school_user, hongyan, daping, project_a
):
    # 大坪's concluded project does not count for 红岩, which has none: her round is refused.
    with pytest.raises(YearEndError, match="2025-2026 学年还没有已结项的项目，不能开启考核"):
        assessment_services.assessment_round_open(actor=other_school_user, school_year="2025-2026")
    assert not AssessmentRound.objects.exists()


def test_a_round_cannot_open_for_a_year_without_a_concluded_project(secretary, committee_member, leader_a):
    in_progress_of(leader_a, "实施中的项目")
    with pytest.raises(YearEndError, match="2025-2026 学年还没有已结项的项目"):
        assessment_services.assessment_round_open(actor=secretary, school_year="2025-2026")
    assert not AssessmentRound.objects.exists()
    # Nobody was told of a round that does not exist.
    assert not Notification.objects.filter(recipient=committee_member, message__contains="年度考核").exists()


def test_a_school_year_is_assessed_once(secretary, assessment_round):
    with pytest.raises(YearEndError, match="已经开启"):
        assessment_services.assessment_round_open(actor=secretary, school_year="2025-2026")
    assert AssessmentRound.objects.count() == 1


def test_thresholds_must_be_ordered(secretary, assessment_round):
    with pytest.raises(YearEndError, match="合格 < 良好 < 优秀"):
        assessment_services.assessment_thresholds_set(
            actor=secretary,
            assessment_round=assessment_round,
            excellent_threshold=Decimal(80),
            good_threshold=Decimal(85),
            pass_threshold=Decimal(60),
        )
    assessment_round.refresh_from_db()
    assert assessment_round.good_threshold == Decimal(80)


def test_the_rubric_is_editable_until_the_first_sheet(secretary, committee_member, assessment_round, project_a):
    criteria = [
        assessment_services.CriterionData("过程管理", 10, Decimal(1)),
        assessment_services.CriterionData("目标达成", 30, Decimal(2)),
    ]
    assessment_services.assessment_rubric_save(actor=secretary, assessment_round=assessment_round, criteria=criteria)
    assert list(assessment_round.criteria.values_list("name", "max_score")) == [("过程管理", 10), ("目标达成", 30)]
    change = AssessmentEvent.objects.get(action=AssessmentAction.RUBRIC_CHANGED)
    assert len(change.details["from"]) == 5 and len(change.details["to"]) == 2

    assess(committee_member, assessment_round, project_a, [8, 24])
    with pytest.raises(YearEndError, match="不能再修改"):
        assessment_services.assessment_rubric_save(
            actor=secretary, assessment_round=assessment_round, criteria=criteria[:1]
        )
    assert AssessmentCriterion.objects.filter(assessment_round=assessment_round).count() == 2


# --- scoring ---------------------------------------------------------------------------


def test_committee_member_scores_and_revises_until_publication(committee_member, assessment_round, project_a):
    sheet = assess(committee_member, assessment_round, project_a, [18, 19, 17, 16, 18], comment="过程扎实")
    assert sheet.weighted_total == Decimal("89.50")
    assess(committee_member, assessment_round, project_a, [20, 20, 20, 20, 20])
    sheet = AssessmentSheet.objects.get()
    assert (sheet.assessor, sheet.weighted_total) == (committee_member, Decimal("100.00"))
    events = list(AssessmentEvent.objects.filter(project=project_a).values_list("action", "actor", "details"))
    assert [(action, actor) for action, actor, _ in events] == [
        (AssessmentAction.SCORED, committee_member.pk),
        (AssessmentAction.SCORE_CHANGED, committee_member.pk),
    ]
    assert events[1][2]["previous_total"] == "89.50" and events[1][2]["scores"]["目标达成"] == "20"


def test_one_sheet_per_assessor_project_and_round_is_a_database_constraint(
    committee_member, assessment_round, project_a
):
    sheet = assess(committee_member, assessment_round, project_a, [15] * 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentSheet.objects.create(
            assessment_round=assessment_round, project=project_a, assessor=committee_member, weighted_total=50
        )
    assert list(AssessmentSheet.objects.values_list("pk", flat=True)) == [sheet.pk]


def test_member_of_the_projects_group_cannot_score(committee_member, leader_4):
    project = concluded_of(leader_4, "青年党员成长营")  # 第四党小组: committee1 belongs to it
    assessment_round = open_round()
    with pytest.raises(YearEndError, match="回避"):
        assess(committee_member, assessment_round, project, [15] * 5)
    assert AssessmentSheet.objects.count() == 0
    assert assessment_selectors.my_pending_assessments(committee_member) == []


def test_participant_cannot_score(committee_member_2, assessment_round, project_a):
    project_a.participants.add(Member.objects.get(user=committee_member_2))
    with pytest.raises(YearEndError, match="回避"):
        assess(committee_member_2, assessment_round, project_a, [15] * 5)
    assert AssessmentSheet.objects.count() == 0


@pytest.mark.parametrize("persona", ["leader_a", "teacher", "branch_secretary"])
def test_non_committee_users_cannot_score(request, persona, assessment_round, project_a):
    with pytest.raises(YearEndError, match="党委委员"):
        assess(request.getfixturevalue(persona), assessment_round, project_a, [15] * 5)
    assert AssessmentSheet.objects.count() == 0


def test_only_concluded_projects_of_the_rounds_year_are_assessed(committee_member, leader_b, assessment_round):
    running = in_progress_of(leader_b, "美术工作坊")
    with pytest.raises(YearEndError, match="不在本次考核范围"):
        assess(committee_member, assessment_round, running, [15] * 5)
    assert [entry.project.title for entry in assessment_selectors.assessment_entries(assessment_round)] == [
        "红领巾助学行动"
    ]


def test_scores_out_of_range_are_refused(committee_member, assessment_round, project_a):
    with pytest.raises(YearEndError, match="0 到 20"):
        assess(committee_member, assessment_round, project_a, [21, 15, 15, 15, 15])
    assert AssessmentSheet.objects.count() == 0


def test_others_scores_are_hidden_until_ones_own_is_in(
    committee_member, committee_member_2, secretary, assessment_round, project_a
):
    assess(committee_member, assessment_round, project_a, [18] * 5)
    entry = assessment_selectors.assessment_entries(assessment_round)[0]
    assert not committee_member_2.has_perm("yearend.view_assessment_scores", entry)
    assert committee_member.has_perm("yearend.view_assessment_scores", entry)
    assert secretary.has_perm("yearend.view_assessment_scores", entry)  # as in the review
    row = assessment_selectors.assessment_board(committee_member_2, assessment_round)[0]
    assert (row.visible_summary.count, row.visible_summary.mean, row.visible_rating, row.state) == (
        1,
        None,
        None,
        "pending",
    )
    assess(committee_member_2, assessment_round, project_a, [16] * 5)
    row = assessment_selectors.assessment_board(committee_member_2, assessment_round)[0]
    assert (row.visible_summary.mean, row.visible_rating, row.state) == (Decimal("85.00"), "good", "scored")


# --- results ---------------------------------------------------------------------------


def _four_projects(leader_a, leader_b, leader_3, committee_member, committee_member_2):
    """Four concluded projects with hand-checked totals (default rubric, weights 1, 1.5, 1, 0.5, 1 of 20).

    甲: (18,19,17,16,18) → (0.9 + 1.425 + 0.85 + 0.4 + 0.9) / 5 = 89.50 and (20,20,18,18,19) → 96.00: mean 92.75
    乙: 16 everywhere → 80.00; 丙: 12 → 60.00; 丁: 11.5 → 57.50.
    """
    projects = {
        "甲": concluded_of(leader_a, "甲"),
        "乙": concluded_of(leader_b, "乙"),
        "丙": concluded_of(leader_3, "丙"),
        "丁": concluded_of(leader_a, "丁"),
    }
    assessment_round = open_round()
    assess(committee_member, assessment_round, projects["甲"], [18, 19, 17, 16, 18])
    assess(committee_member_2, assessment_round, projects["甲"], [20, 20, 18, 18, 19])
    assess(committee_member, assessment_round, projects["乙"], [16] * 5)
    assess(committee_member_2, assessment_round, projects["丙"], [12] * 5)
    assess(committee_member, assessment_round, projects["丁"], [11.5] * 5)
    return assessment_round, projects


@pytest.fixture
def leader_3(demo_schools):
    from members.models import User

    return User.objects.get(username="leader3")


def test_ratings_and_ranking_follow_the_thresholds(
    secretary, leader_a, leader_b, leader_3, committee_member, committee_member_2
):
    assessment_round, _projects = _four_projects(leader_a, leader_b, leader_3, committee_member, committee_member_2)
    ranking = [
        (row.rank, row.project.title, row.sheet_count, row.mean, row.rating)
        for row in assessment_selectors.assessment_ranking(assessment_round)
    ]
    assert ranking == [
        (1, "甲", 2, Decimal("92.75"), "excellent"),
        (2, "乙", 1, Decimal("80.00"), "good"),  # exactly on 良好's line
        (3, "丙", 1, Decimal("60.00"), "pass"),  # exactly on 合格's line
        (4, "丁", 1, Decimal("57.50"), "fail"),
    ]
    # The secretary raises 优秀 to 95: 甲 becomes 良好; the thresholds change is audited.
    assessment_round = assessment_services.assessment_thresholds_set(
        actor=secretary,
        assessment_round=assessment_round,
        excellent_threshold=Decimal(95),
        good_threshold=Decimal(80),
        pass_threshold=Decimal(60),
    )
    assert assessment_selectors.assessment_ranking(assessment_round)[0].rating == "good"
    change = AssessmentEvent.objects.get(action=AssessmentAction.THRESHOLDS_CHANGED)
    assert (change.actor, change.details["from"]["excellent"], change.details["to"]["excellent"]) == (
        secretary,
        "90.00",
        "95.00",
    )


def test_equal_means_share_a_rank_and_unscored_projects_come_last(
    committee_member, committee_member_2, leader_a, leader_b, leader_3
):
    first, second, unscored = concluded_of(leader_a, "甲"), concluded_of(leader_b, "乙"), concluded_of(leader_3, "丙")
    assessment_round = open_round()
    assess(committee_member, assessment_round, first, [15] * 5)
    assess(committee_member_2, assessment_round, second, [15] * 5)
    ranking = [
        (row.rank, row.project.title, row.mean) for row in assessment_selectors.assessment_ranking(assessment_round)
    ]
    assert ranking == [(1, "甲", Decimal("75.00")), (1, "乙", Decimal("75.00")), (None, "丙", None)]
    assert unscored.pk == assessment_selectors.assessment_ranking(assessment_round)[-1].project.pk


def test_publication_needs_a_sheet_for_every_project(
    secretary, committee_member, leader_b, assessment_round, project_a
):
    concluded_of(leader_b, "美术工作坊")
    assess(committee_member, assessment_round, project_a, [18] * 5)
    with pytest.raises(YearEndError, match="美术工作坊"):
        assessment_services.assessment_publish(actor=secretary, assessment_round=assessment_round)
    assessment_round.refresh_from_db()
    assert assessment_round.status == AssessmentStatus.OPEN
    assert AssessmentResult.objects.count() == 0


def test_publication_freezes_results_audits_and_notifies(
    secretary, leader_a, leader_b, leader_3, committee_member, committee_member_2
):
    assessment_round, projects = _four_projects(leader_a, leader_b, leader_3, committee_member, committee_member_2)
    assessment_services.assessment_publish(actor=secretary, assessment_round=assessment_round)
    assessment_round.refresh_from_db()
    assert (assessment_round.status, assessment_round.published_by) == (AssessmentStatus.PUBLISHED, secretary)
    results = list(AssessmentResult.objects.values_list("project__title", "mean", "rating", "rank", "sheet_count"))
    assert results == [
        ("甲", Decimal("92.75"), "excellent", 1, 2),
        ("乙", Decimal("80.00"), "good", 2, 1),
        ("丙", Decimal("60.00"), "pass", 3, 1),
        ("丁", Decimal("57.50"), "fail", 4, 1),
    ]
    published = AssessmentEvent.objects.get(action=AssessmentAction.PUBLISHED)
    assert published.actor == secretary and len(published.details["results"]) == 4
    timeline = ProjectEvent.objects.get(project=projects["甲"], action=EventAction.ASSESSMENT_PUBLISHED)
    assert (timeline.actor, timeline.comment) == (secretary, "2025-2026 学年考核：优秀，平均分 92.75。")
    assert Notification.objects.filter(recipient=leader_a, message__contains="优秀").exists()
    assert projects["甲"].__class__.objects.get(pk=projects["甲"].pk).status == ProjectStatus.CONCLUDED

    # Nothing changes after publication: scores, thresholds and a second publication are refused.
    with pytest.raises(YearEndError, match="已经公布"):
        assess(committee_member, assessment_round, projects["甲"], [20] * 5)
    with pytest.raises(YearEndError):
        assessment_services.assessment_thresholds_set(
            actor=secretary,
            assessment_round=assessment_round,
            excellent_threshold=Decimal(95),
            good_threshold=Decimal(85),
            pass_threshold=Decimal(60),
        )
    with pytest.raises(YearEndError):
        assessment_services.assessment_publish(actor=secretary, assessment_round=assessment_round)
    assert AssessmentResult.objects.count() == 4
    assert AssessmentSheet.objects.get(assessor=committee_member, project=projects["甲"]).weighted_total == Decimal(
        "89.50"
    )


def test_committee_member_cannot_publish(committee_member, assessment_round, project_a):
    assess(committee_member, assessment_round, project_a, [18] * 5)
    with pytest.raises(YearEndError, match="党委书记"):
        assessment_services.assessment_publish(actor=committee_member, assessment_round=assessment_round)
    assessment_round.refresh_from_db()
    assert assessment_round.status == AssessmentStatus.OPEN


def test_pending_assessments_list_what_the_member_still_has_to_score(
    committee_member, committee_member_2, leader_a, leader_4
):
    own_group = concluded_of(leader_4, "青年党员成长营")
    other = concluded_of(leader_a, "红领巾助学行动")
    assessment_round = open_round()
    assert [entry.project for entry in assessment_selectors.my_pending_assessments(committee_member)] == [other]
    assert {entry.project for entry in assessment_selectors.my_pending_assessments(committee_member_2)} == {
        other,
        own_group,
    }
    assess(committee_member, assessment_round, other, [15] * 5)
    assert assessment_selectors.my_pending_assessments(committee_member) == []
