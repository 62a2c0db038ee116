"""Activity logs: who files them, on which projects, and the history their edits keep."""

import datetime
from decimal import Decimal

import pytest

from activities import activity_services
from activities.enums import RevisionAction
from activities.errors import ActivityError
from activities.models import ActivityLog, ActivityRevision, IndicatorValue
from projects.models import Indicator
from tests.activities.conftest import PROJECT_AT, tutoring_data


@pytest.mark.parametrize("stage", ["approved", "in_progress"])
def test_leader_logs_an_activity_with_indicator_values(request, leader_a, stage):
    project = PROJECT_AT[stage](leader_a)
    activity = activity_services.activity_log_create(actor=leader_a, project=project, data=tutoring_data(project))
    stored = ActivityLog.objects.get(pk=activity.pk)
    assert (stored.project, stored.created_by, stored.title, stored.beneficiaries) == (
        project,
        leader_a,
        "周三放学后一对一辅导",
        "学困生",
    )
    assert stored.participants.count() == 3
    assert [(value.indicator.name, value.value) for value in stored.indicator_values.all()] == [
        ("一对一助学", Decimal("12.00"))
    ]


@pytest.mark.parametrize("stage", ["draft", "submitted", "concluded"])
def test_activity_logging_is_refused_before_approval_and_after_conclusion(leader_a, stage):
    project = PROJECT_AT[stage](leader_a)
    with pytest.raises(ActivityError) as refused:
        activity_services.activity_log_create(actor=leader_a, project=project, data=tutoring_data(project))
    assert "已立项或实施中" in refused.value.message
    assert ActivityLog.objects.count() == 0


@pytest.mark.parametrize(
    "persona", ["leader_b", "teacher", "secretary", "committee_member", "branch_secretary", "other_school_user"]
)
def test_only_the_groups_leader_logs_activities(request, open_project, persona):
    with pytest.raises(ActivityError):
        activity_services.activity_log_create(
            actor=request.getfixturevalue(persona), project=open_project, data=tutoring_data(open_project)
        )
    assert ActivityLog.objects.count() == 0


def test_edit_keeps_the_previous_content_as_a_revision(activity, leader_a):
    project = activity.project
    activity_services.activity_log_update(
        actor=leader_a, activity=activity, data=tutoring_data(project, Decimal(15), title="周三一对一辅导（补记）")
    )
    stored = ActivityLog.objects.get(pk=activity.pk)
    assert stored.title == "周三一对一辅导（补记）"
    assert IndicatorValue.objects.get(activity=stored).value == Decimal(15)
    revision = ActivityRevision.objects.get(activity=activity)
    assert (revision.action, revision.edited_by) == (RevisionAction.UPDATED, leader_a)
    assert revision.snapshot["title"] == "周三放学后一对一辅导"
    assert revision.snapshot["indicator_values"][0]["value"] == "12.00"
    assert len(revision.snapshot["participants"]) == 3


def test_archive_keeps_the_row_and_its_history(activity, leader_a):
    activity_services.activity_log_archive(actor=leader_a, activity=activity)
    stored = ActivityLog.objects.get(pk=activity.pk)
    assert stored.is_archived
    assert stored.indicator_values.count() == 1
    revision = ActivityRevision.objects.get(activity=activity)
    assert (revision.action, revision.snapshot["is_archived"]) == (RevisionAction.ARCHIVED, False)
    with pytest.raises(ActivityError):
        activity_services.activity_log_update(actor=leader_a, activity=stored, data=tutoring_data(stored.project))


@pytest.mark.parametrize("persona", ["leader_b", "teacher", "secretary", "other_school_user"])
def test_others_cannot_edit_or_archive_a_groups_activity(request, activity, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(ActivityError):
        activity_services.activity_log_update(
            actor=actor, activity=activity, data=tutoring_data(activity.project, title="改")
        )
    with pytest.raises(ActivityError):
        activity_services.activity_log_archive(actor=actor, activity=activity)
    stored = ActivityLog.objects.get(pk=activity.pk)
    assert (stored.title, stored.is_archived) == ("周三放学后一对一辅导", False)
    assert not ActivityRevision.objects.exists()


def test_a_concluded_project_is_read_only(activity, leader_a, secretary):
    from projects import services as project_services

    project_services.project_conclude(actor=secretary, project=activity.project)
    with pytest.raises(ActivityError):
        activity_services.activity_log_update(
            actor=leader_a, activity=activity, data=tutoring_data(activity.project, title="改")
        )
    with pytest.raises(ActivityError):
        activity_services.activity_log_archive(actor=leader_a, activity=activity)
    assert ActivityLog.objects.get(pk=activity.pk).title == "周三放学后一对一辅导"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "活动名称"),
        ({"activity_type": "party"}, "活动类型"),
        ({"date": datetime.date.today() + datetime.timedelta(days=2)}, "不能晚于今天"),
        ({"duration_hours": Decimal("-1")}, "时长"),
    ],
)
def test_invalid_activity_is_refused(open_project, leader_a, changes, message):
    with pytest.raises(ActivityError) as refused:
        activity_services.activity_log_create(
            actor=leader_a, project=open_project, data=tutoring_data(open_project, **changes)
        )
    assert message in refused.value.message
    assert ActivityLog.objects.count() == 0


def test_indicator_values_must_be_positive_unique_and_of_the_school(open_project, leader_a, hongyan):
    from projects.demo import seed_catalogue

    indicator = Indicator.objects.get(committee=open_project.committee, name="一对一助学")
    for values in (
        [activity_services.IndicatorValueData(indicator, Decimal(0))],
        [
            activity_services.IndicatorValueData(indicator, Decimal(1)),
            activity_services.IndicatorValueData(indicator, Decimal(2)),
        ],
    ):
        with pytest.raises(ActivityError):
            activity_services.activity_log_create(
                actor=leader_a, project=open_project, data=tutoring_data(open_project, indicator_values=values)
            )
    seed_catalogue(hongyan)
    foreign = Indicator.objects.get(committee=hongyan, name="一对一助学")
    with pytest.raises(ActivityError):
        activity_services.activity_log_create(
            actor=leader_a,
            project=open_project,
            data=tutoring_data(
                open_project, indicator_values=[activity_services.IndicatorValueData(foreign, Decimal(3))]
            ),
        )
    assert ActivityLog.objects.count() == 0


def test_any_catalogue_indicator_may_be_reported_not_only_the_targets(open_project, leader_a):
    books = Indicator.objects.get(committee=open_project.committee, name="捐赠图书")
    activity = activity_services.activity_log_create(
        actor=leader_a,
        project=open_project,
        data=tutoring_data(open_project, indicator_values=[activity_services.IndicatorValueData(books, Decimal(300))]),
    )
    assert IndicatorValue.objects.get(activity=activity).indicator == books
