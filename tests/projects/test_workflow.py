"""Every allowed and every refused transition of the application workflow, by role."""

import pytest

from projects import review_services, services, workflow
from projects.enums import EventAction, ProjectStatus
from projects.errors import ProjectError
from projects.models import MicroProject, ProjectEvent
from tests.projects.workflow_fixtures import draft_of, full_scores, in_review_of, submitted_of


def _status(project: MicroProject) -> str:
    return MicroProject.objects.get(pk=project.pk).status


def test_leader_writes_a_draft_with_an_audit_row(leader_a):
    project = draft_of(leader_a)
    assert project.status == ProjectStatus.DRAFT
    assert project.group.name == "第一党小组"
    event = project.events.get()
    assert (event.action, event.actor, event.to_status) == (EventAction.CREATED, leader_a, ProjectStatus.DRAFT)


@pytest.mark.parametrize("persona", ["leader_b", "teacher", "secretary", "committee_member"])
def test_only_the_groups_leader_creates_its_application(request, leader_a, persona):
    from branches.models import Group

    actor = request.getfixturevalue(persona)
    group = Group.objects.get(leader__user=leader_a)
    from tests.projects.workflow_fixtures import complete_application

    with pytest.raises(ProjectError):
        services.project_create(actor=actor, group=group, data=complete_application(group.branch.committee, group))
    assert MicroProject.objects.count() == 0


def test_submit_moves_draft_to_submitted_and_records_who_and_when(leader_a):
    project = services.project_submit(actor=leader_a, project=draft_of(leader_a))
    assert _status(project) == ProjectStatus.SUBMITTED
    event = project.events.latest("pk")
    assert (event.action, event.from_status, event.to_status) == (
        EventAction.SUBMITTED,
        ProjectStatus.DRAFT,
        ProjectStatus.SUBMITTED,
    )
    assert event.actor == leader_a and event.created_at is not None


def test_incomplete_application_is_refused_with_what_is_missing(leader_a):
    from branches.models import Group

    group = Group.objects.get(leader__user=leader_a)
    project = services.project_create(
        actor=leader_a, group=group, data=services.ApplicationData(title="未完成的草稿", school_year="2025-2026")
    )
    with pytest.raises(ProjectError) as error:
        services.project_submit(actor=leader_a, project=project)
    for missing in ("项目类型", "项目背景", "项目目标", "实施阶段", "指标目标", "参与党员"):
        assert missing in error.value.message
    assert _status(project) == ProjectStatus.DRAFT


@pytest.mark.parametrize("persona", ["leader_b", "teacher", "secretary", "committee_member", "other_school_user"])
def test_others_cannot_submit_a_groups_draft(request, leader_a, persona):
    project = draft_of(leader_a)
    with pytest.raises(ProjectError):
        services.project_submit(actor=request.getfixturevalue(persona), project=project)
    assert _status(project) == ProjectStatus.DRAFT


def test_first_score_opens_the_review(leader_a, committee_member):
    project = in_review_of(leader_a, committee_member)
    assert project.status == ProjectStatus.IN_REVIEW
    assert project.events.filter(action=EventAction.REVIEW_STARTED, actor=committee_member).exists()


def test_committee_member_can_open_review_but_a_leader_cannot(leader_a, leader_b, committee_member):
    project = submitted_of(leader_a)
    with pytest.raises(ProjectError):
        review_services.review_start(actor=leader_b, project=project)
    assert _status(project) == ProjectStatus.SUBMITTED
    review_services.review_start(actor=committee_member, project=project)
    assert _status(project) == ProjectStatus.IN_REVIEW


@pytest.mark.parametrize(
    ("decision", "expected"),
    [("approve", ProjectStatus.APPROVED), ("return", ProjectStatus.RETURNED), ("reject", ProjectStatus.REJECTED)],
)
def test_secretary_decides_with_a_comment(leader_a, committee_member, secretary, decision, expected):
    project = in_review_of(leader_a, committee_member)
    review_services.project_decide(
        actor=secretary, project=project, decision=decision, comment="党委意见：请落实。", confirm_below_quorum=True
    )
    project.refresh_from_db()
    assert project.status == expected
    assert project.decision_comment == "党委意见：请落实。"
    event = project.events.latest("pk")
    assert (event.from_status, event.to_status, event.comment, event.actor) == (
        ProjectStatus.IN_REVIEW,
        expected,
        "党委意见：请落实。",
        secretary,
    )


@pytest.mark.parametrize(
    "persona", ["committee_member", "leader_a", "branch_secretary", "teacher", "other_school_user"]
)
def test_only_the_secretary_decides(request, leader_a, committee_member, persona):
    project = in_review_of(leader_a, committee_member)
    with pytest.raises(ProjectError):
        review_services.project_decide(
            actor=request.getfixturevalue(persona),
            project=project,
            decision="approve",
            comment="同意",
            confirm_below_quorum=True,
        )
    assert _status(project) == ProjectStatus.IN_REVIEW


def test_secretary_cannot_decide_before_the_review_opens(leader_a, secretary):
    project = submitted_of(leader_a)
    with pytest.raises(ProjectError):
        review_services.project_decide(
            actor=secretary, project=project, decision="approve", comment="同意", confirm_below_quorum=True
        )
    assert _status(project) == ProjectStatus.SUBMITTED


def test_return_needs_feedback(leader_a, committee_member, secretary):
    project = in_review_of(leader_a, committee_member)
    with pytest.raises(ProjectError):
        review_services.project_decide(
            actor=secretary, project=project, decision="return", comment="  ", confirm_below_quorum=True
        )
    assert _status(project) == ProjectStatus.IN_REVIEW


def test_returned_application_is_revised_and_resubmitted_as_round_two(leader_a, committee_member, secretary):
    project = in_review_of(leader_a, committee_member)
    review_services.project_decide(
        actor=secretary, project=project, decision="return", comment="请补充量化目标", confirm_below_quorum=True
    )
    project.refresh_from_db()
    assert secretary.has_perm("projects.change_project", project) is False
    assert leader_a.has_perm("projects.change_project", project)
    services.project_submit(actor=leader_a, project=project)
    project.refresh_from_db()
    assert (project.status, project.review_round) == (ProjectStatus.SUBMITTED, 2)
    assert project.events.filter(action=EventAction.RESUBMITTED, review_round=2).exists()
    # The first round's sheet stays on record; round two starts empty.
    assert project.score_sheets.filter(review_round=1).count() == 1
    assert project.score_sheets.filter(review_round=2).count() == 0


def test_approved_project_starts_and_the_secretary_concludes_it(leader_a, committee_member, secretary, teacher):
    project = in_review_of(leader_a, committee_member)
    review_services.project_decide(
        actor=secretary, project=project, decision="approve", comment="同意立项", confirm_below_quorum=True
    )
    with pytest.raises(ProjectError):
        services.project_start(actor=teacher, project=project)
    services.project_start(actor=leader_a, project=project)
    assert _status(project) == ProjectStatus.IN_PROGRESS
    with pytest.raises(ProjectError):
        services.project_conclude(actor=leader_a, project=project)
    services.project_conclude(actor=secretary, project=project, comment="按期完成")
    assert _status(project) == ProjectStatus.CONCLUDED


@pytest.mark.parametrize("stage", ["draft", "submitted", "returned"])
def test_leader_withdraws_an_undecided_application(leader_a, committee_member, secretary, stage):
    project = draft_of(leader_a) if stage == "draft" else submitted_of(leader_a)
    if stage == "returned":
        review_services.score_record(
            actor=committee_member, project=project, scores=full_scores(project), recommendation="revise"
        )
        review_services.project_decide(
            actor=secretary, project=project, decision="return", comment="请修改", confirm_below_quorum=True
        )
    services.project_withdraw(actor=leader_a, project=project, comment="本学年不再申报")
    assert _status(project) == ProjectStatus.WITHDRAWN
    assert MicroProject.objects.filter(pk=project.pk).exists()  # archived, not deleted


def test_refused_transitions_leave_the_project_as_it_was(leader_a, committee_member, secretary):
    project = in_review_of(leader_a, committee_member)
    events_before = ProjectEvent.objects.count()
    for attempt in (
        lambda: services.project_withdraw(actor=leader_a, project=project),
        lambda: services.project_submit(actor=leader_a, project=project),
        lambda: services.project_start(actor=leader_a, project=project),
        lambda: services.project_conclude(actor=secretary, project=project),
        lambda: services.project_update(
            actor=leader_a,
            project=project,
            data=services.ApplicationData(title="偷偷改名", school_year="2025-2026"),
        ),
    ):
        with pytest.raises(ProjectError):
            attempt()
    project.refresh_from_db()
    assert (project.status, project.title) == (ProjectStatus.IN_REVIEW, "红领巾助学行动")
    assert ProjectEvent.objects.count() == events_before


def test_concluded_project_is_read_only(leader_a, committee_member, secretary):
    project = in_review_of(leader_a, committee_member)
    review_services.project_decide(
        actor=secretary, project=project, decision="approve", comment="同意", confirm_below_quorum=True
    )
    services.project_start(actor=secretary, project=project)
    services.project_conclude(actor=secretary, project=project)
    for permission in ("projects.change_project", "projects.submit_project", "projects.withdraw_project"):
        assert not leader_a.has_perm(permission, project)
    with pytest.raises(ProjectError):
        services.project_update(
            actor=leader_a, project=project, data=services.ApplicationData(title="改", school_year="2025-2026")
        )


def test_transition_table_refuses_jumps(leader_a):
    project = draft_of(leader_a)
    with pytest.raises(ProjectError) as error:
        workflow.transition(project, leader_a, ProjectStatus.APPROVED, EventAction.APPROVED)
    assert "草稿" in error.value.message and "已立项" in error.value.message
