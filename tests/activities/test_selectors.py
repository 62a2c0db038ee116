"""Progress against targets, the activity timeline and photo scoping."""

from decimal import Decimal

import pytest

from activities import activity_selectors, activity_services, photo_selectors, photo_services
from projects.models import Indicator
from tests.activities import image_files as files
from tests.activities.conftest import tutoring_data


def test_progress_sums_current_activities_against_each_target(activity, leader_a, django_assert_num_queries):
    project = activity.project
    activity_services.activity_log_create(actor=leader_a, project=project, data=tutoring_data(project, Decimal(20)))
    archived = activity_services.activity_log_create(
        actor=leader_a, project=project, data=tutoring_data(project, Decimal(99))
    )
    activity_services.activity_log_archive(actor=leader_a, activity=archived)
    with django_assert_num_queries(1):
        progress = activity_selectors.project_progress(project)
    assert [(row.target.indicator.name, row.actual, row.percent) for row in progress] == [
        ("一对一助学", Decimal("32.00"), 80)  # 12 + 20 of 40; the archived 99 does not count
    ]


def test_progress_is_zero_before_any_activity(open_project):
    assert [(row.actual, row.percent) for row in activity_selectors.project_progress(open_project)] == [(Decimal(0), 0)]


def test_timeline_leaves_archived_logs_out_and_counts_photos(activity, leader_a, teacher, django_assert_num_queries):
    project = activity.project
    books = Indicator.objects.get(committee=project.committee, name="捐赠图书")
    activity_services.activity_log_create(
        actor=leader_a,
        project=project,
        data=tutoring_data(
            project, title="捐书", indicator_values=[activity_services.IndicatorValueData(books, Decimal(500))]
        ),
    )
    archived = activity_services.activity_log_create(
        actor=leader_a, project=project, data=tutoring_data(project, title="作废")
    )
    activity_services.activity_log_archive(actor=leader_a, activity=archived)
    photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("a.jpg", files.jpeg_bytes((300, 200)))]
    )
    with django_assert_num_queries(3):
        logs = list(activity_selectors.activity_logs_of(project))
        rows = [(log.title, log.photo_count, [v.indicator.name for v in log.indicator_values.all()]) for log in logs]
        participants = [len(log.participants.all()) for log in logs]
    assert sorted(rows) == [("周三放学后一对一辅导", 1, ["一对一助学"]), ("捐书", 0, ["捐赠图书"])]
    assert participants == [3, 3]
    assert len(activity_selectors.activity_logs_of(project, include_archived=True)) == 3


def test_photo_is_found_only_within_the_viewers_committee(activity, teacher, secretary, leader_b, other_school_user):
    photo = photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("a.jpg", files.jpeg_bytes((300, 200)))]
    ).saved[0]
    assert photo_selectors.photo_for(secretary, photo.pk) == photo
    assert photo_selectors.photo_for(leader_b, photo.pk) == photo
    assert photo_selectors.photo_for(other_school_user, photo.pk) is None
    assert list(photo_selectors.photos_of(activity)) == [photo]


@pytest.mark.parametrize("extra_logs", [1, 12])
def test_timeline_query_count_does_not_grow_with_the_logs(
    open_project, leader_a, django_assert_num_queries, extra_logs
):
    for index in range(extra_logs):
        activity_services.activity_log_create(
            actor=leader_a, project=open_project, data=tutoring_data(open_project, title=f"第{index + 1}次辅导")
        )
    with django_assert_num_queries(3):
        logs = list(activity_selectors.activity_logs_of(open_project))
        for log in logs:
            [value.indicator.unit for value in log.indicator_values.all()]
            [member.name for member in log.participants.all()]
    assert len(logs) == extra_logs
