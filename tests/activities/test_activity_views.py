"""Activity log pages: record, edit and archive with indicator values; who is refused; the project page."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import activity_services, photo_services
from activities.enums import ActivityType
from activities.models import ActivityLog, ActivityRevision, IndicatorValue
from activities.templatetags.activity_tags import PROJECT_TIMELINE_SIZE
from members.models import Member
from projects.models import Indicator
from projects.school_years import date_in_school_year
from tests.activities import image_files as files
from tests.activities.conftest import PROJECT_AT, tutoring_data


def _post_data(project, *, title="周三放学后一对一辅导", tutoring="12", books="", **changes) -> dict:
    """The form as a browser sends it: the target row (一对一助学) first, then a catalogue row (捐赠图书)."""
    tutoring_indicator = Indicator.objects.get(committee=project.committee, name="一对一助学")
    books_indicator = Indicator.objects.get(committee=project.committee, name="捐赠图书")
    participants = Member.objects.filter(group_id=project.group_id).order_by("pk")[:2]
    data = {
        "date": "2025-10-15",
        "activity_type": ActivityType.ONE_TO_ONE_TUTORING,
        "title": title,
        "place": "三年级教室",
        "participants": [str(member.pk) for member in participants],
        "beneficiaries_count": "12",
        "beneficiaries": "学困生",
        "duration_hours": "1.5",
        "narrative": "党员教师与学困生结对，逐题讲解错题。",
        "values-TOTAL_FORMS": "3",
        "values-INITIAL_FORMS": "1",
        "values-MIN_NUM_FORMS": "0",
        "values-MAX_NUM_FORMS": "50",
        "values-0-indicator": str(tutoring_indicator.pk),
        "values-0-value": tutoring,
        "values-1-indicator": str(books_indicator.pk) if books else "",
        "values-1-value": books,
        "values-2-indicator": "",
        "values-2-value": "",
    }
    data.update(changes)
    return data


def _progress_text(client, project) -> str:
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    start = page.index('data-testid="project-progress"')
    return page[start : page.index("</section>", start)]


def test_create_page_lists_the_projects_targets_first(login, leader_a, open_project):
    response = login(leader_a).get(reverse("activities:activity_create", args=[open_project.pk]))
    assert response.status_code == 200
    # Today while the project's school year runs, else the year's nearest day (this one is over).
    offered = date_in_school_year(open_project.school_year, timezone.localdate())
    assert f'value="{offered:%Y-%m-%d}"' in response.content.decode()
    values = response.context["values"]
    target = Indicator.objects.get(committee=open_project.committee, name="一对一助学")
    assert values.initial_form_count() == 1 and values.forms[0].initial == {"indicator": target.pk, "value": None}
    choices = [label for _pk, label in values.forms[0].fields["indicator"].choices][1:]
    assert choices[0] == "一对一助学（人次）" and "捐赠图书（册）" in choices
    participant_ids = {member.pk for member in response.context["form"].fields["participants"].queryset}
    branch_ids = set(Member.objects.filter(group__branch=open_project.group.branch).values_list("pk", flat=True))
    assert participant_ids <= branch_ids | set(open_project.participants.values_list("pk", flat=True))
    assert not Member.objects.filter(pk__in=participant_ids, group__branch__name="第二党支部").exists()


def test_leader_records_an_activity_and_the_project_page_progress_moves(login, leader_a, open_project):
    client = login(leader_a)
    assert "0 / 40 人次 · 0.0%" in _progress_text(client, open_project)
    response = client.post(
        reverse("activities:activity_create", args=[open_project.pk]), _post_data(open_project, books="300")
    )
    activity = ActivityLog.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "activities:activity_detail", args=[activity.pk]
    )
    assert (activity.project, activity.created_by, activity.title, activity.duration_hours) == (
        open_project,
        leader_a,
        "周三放学后一对一辅导",
        Decimal("1.5"),
    )
    assert activity.participants.count() == 2
    assert sorted((v.indicator.name, v.value) for v in activity.indicator_values.all()) == [
        ("一对一助学", Decimal("12.00")),
        ("捐赠图书", Decimal("300.00")),
    ]
    assert "12 / 40 人次 · 30.0%" in _progress_text(client, open_project)
    detail = client.get(response["Location"]).content.decode()
    assert "一对一助学" in detail and "300 册" in detail and "学困生" in detail
    assert reverse("activities:activity_edit", args=[activity.pk]) in detail


def test_edit_keeps_history_and_archive_takes_the_values_out_of_progress(login, leader_a, open_project):
    client = login(leader_a)
    client.post(reverse("activities:activity_create", args=[open_project.pk]), _post_data(open_project))
    activity = ActivityLog.objects.get()
    edit_url = reverse("activities:activity_edit", args=[activity.pk])
    values = client.get(edit_url).context["values"]
    assert values.initial_form_count() == 1 and values.forms[0].initial["value"] == Decimal("12.00")

    response = client.post(edit_url, _post_data(open_project, title="周三一对一辅导（补记）", tutoring="20"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "周三一对一辅导（补记）"
    assert IndicatorValue.objects.get(activity=activity).value == Decimal(20)
    revision = ActivityRevision.objects.get(activity=activity)
    assert (revision.edited_by, revision.snapshot["title"]) == (leader_a, "周三放学后一对一辅导")
    detail = client.get(reverse("activities:activity_detail", args=[activity.pk])).content.decode()
    assert "修改前内容" in detail and "周三放学后一对一辅导" in detail
    assert "20 / 40 人次 · 50.0%" in _progress_text(client, open_project)

    response = client.post(reverse("activities:activity_archive", args=[activity.pk]))
    assert response["Location"] == reverse("projects:detail", args=[open_project.pk])
    activity.refresh_from_db()
    assert activity.is_archived and ActivityLog.objects.filter(pk=activity.pk).exists()
    assert "0 / 40 人次 · 0.0%" in _progress_text(client, open_project)
    detail = client.get(reverse("activities:activity_detail", args=[activity.pk])).content.decode()
    assert "已归档" in detail and edit_url not in detail


def test_a_future_date_is_refused_beside_the_date_field(login, leader_a, open_project):
    response = login(leader_a).post(
        reverse("activities:activity_create", args=[open_project.pk]), _post_data(open_project, date="2099-01-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["日期不能晚于今天。"]
    assert 'value="2099-01-01"' in response.content.decode()
    assert not ActivityLog.objects.exists()


def test_the_same_indicator_twice_and_a_value_without_indicator_are_form_errors(login, leader_a, open_project):
    client = login(leader_a)
    url = reverse("activities:activity_create", args=[open_project.pk])
    target = Indicator.objects.get(committee=open_project.committee, name="一对一助学")
    twice = _post_data(open_project, **{"values-1-indicator": str(target.pk), "values-1-value": "3"})
    assert "同一指标在一条活动记录中只能填写一次" in client.post(url, twice).content.decode()
    orphan = _post_data(open_project, **{"values-2-value": "3"})
    assert "请为填写的完成值选择指标。" in client.post(url, orphan).content.decode()
    assert not ActivityLog.objects.exists()


def test_a_bad_indicator_value_is_marked_beside_its_row_with_what_was_typed(login, leader_a, open_project):
    """The rows render through the flat field template (config/bootstrap_fields.py), not crispy's:
    the error, Bootstrap's invalid mark and the typed value are where crispy put them."""
    response = login(leader_a).post(
        reverse("activities:activity_create", args=[open_project.pk]), _post_data(open_project, tutoring="-3")
    )

    page = response.content.decode()
    assert response.status_code == 200
    row = page[page.index('id="div_id_values-0-value"') :]
    row = row[: row.index("</div></div>")]
    assert 'class="numberinput form-control is-invalid"' in row
    assert 'value="-3"' in row and 'aria-describedby="id_values-0-value_error"' in row
    assert '<div id="id_values-0-value_error" class="invalid-feedback">' in row
    assert "确保该值大于或等于0.01。" in row
    assert 'class="select form-select" id="id_values-0-indicator"' in page  # no error, no mark
    assert not ActivityLog.objects.exists()


def test_a_refused_activity_form_keeps_the_ticked_members_and_marks_the_missing_title(login, leader_a, open_project):
    """The form's fields render flat in crispy's Bootstrap 5 markup: required marks, help text, the
    error beside the field, and every box the leader ticked still ticked."""
    data = _post_data(open_project, title="")
    response = login(leader_a).post(reverse("activities:activity_create", args=[open_project.pk]), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert '活动名称<span class="asteriskField">*</span></label>' in page
    title = page[page.index('id="div_id_title"') :]
    title = title[: title.index("</div></div>")]
    assert 'class="textinput form-control is-invalid"' in title and 'aria-invalid="true"' in title
    assert '<p id="error_1_id_title"><strong>这个字段是必填项。</strong></p>' in title
    assert '<div id="id_beneficiaries_helptext" class="form-text">例如 学困生、成员校教师、家长</div>' in page
    assert 'value="三年级教室"' in page  # what was typed stays
    boxes = page[page.index('id="div_id_participants"') :]
    boxes = boxes[: boxes.index("</fieldset>")]
    ticked = {int(pk) for pk in data["participants"]}
    for member in Member.objects.filter(pk__in=ticked):
        assert f'value="{member.pk}" id="' in boxes and member.name in boxes
    assert boxes.count(" checked>") == len(ticked)
    assert not ActivityLog.objects.exists()


@pytest.mark.parametrize("stage", ["draft", "submitted", "concluded"])
def test_recording_is_refused_before_approval_and_after_conclusion(login, leader_a, stage):
    project = PROJECT_AT[stage](leader_a)
    client = login(leader_a)
    url = reverse("activities:activity_create", args=[project.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _post_data(project)).status_code == 403
    assert not ActivityLog.objects.exists()
    assert (
        reverse("activities:activity_create", args=[project.pk])
        not in client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    )


@pytest.mark.parametrize("persona", ["leader_b", "teacher", "secretary", "branch_secretary"])
def test_only_the_groups_leader_records_edits_and_archives(request, login, open_project, activity, persona):
    client = login(request.getfixturevalue(persona))
    before = activity_services.activity_snapshot(ActivityLog.objects.get(pk=activity.pk))
    assert client.get(reverse("activities:activity_create", args=[open_project.pk])).status_code == 403
    assert (
        client.post(reverse("activities:activity_create", args=[open_project.pk]), _post_data(open_project)).status_code
        == 403
    )
    edit_url = reverse("activities:activity_edit", args=[activity.pk])
    assert client.get(edit_url).status_code == 403
    assert client.post(edit_url, _post_data(open_project, title="改掉")).status_code == 403
    assert client.post(reverse("activities:activity_archive", args=[activity.pk])).status_code == 403
    stored = ActivityLog.objects.get(pk=activity.pk)
    assert activity_services.activity_snapshot(stored) == before and ActivityLog.objects.count() == 1
    assert not ActivityRevision.objects.exists()
    detail = client.get(reverse("activities:activity_detail", args=[activity.pk]))
    assert detail.status_code == 200 and edit_url not in detail.content.decode()
    project_page = client.get(reverse("projects:detail", args=[open_project.pk])).content.decode()
    assert 'data-testid="add-activity"' not in project_page


def test_a_concluded_projects_activities_are_read_only(login, leader_a, secretary, activity):
    from projects import services as project_services

    project_services.project_conclude(actor=secretary, project=activity.project, comment="按期完成。")
    client = login(leader_a)
    edit_url = reverse("activities:activity_edit", args=[activity.pk])
    assert client.post(edit_url, _post_data(activity.project, title="结项后修改")).status_code == 403
    assert client.post(reverse("activities:activity_archive", args=[activity.pk])).status_code == 403
    stored = ActivityLog.objects.get(pk=activity.pk)
    assert (stored.title, stored.is_archived) == ("周三放学后一对一辅导", False)
    detail = client.get(reverse("activities:activity_detail", args=[activity.pk])).content.decode()
    assert "项目已结项，活动记录只读。" in detail and edit_url not in detail
    assert 'data-testid="photo-upload-form"' not in detail


def test_another_school_gets_404_on_every_activity_page(login, other_school_user, activity):
    client = login(other_school_user)
    for name in ("activity_detail", "activity_edit"):
        assert client.get(reverse(f"activities:{name}", args=[activity.pk])).status_code == 404
    assert client.post(reverse("activities:activity_archive", args=[activity.pk])).status_code == 404
    assert client.get(reverse("activities:activity_create", args=[activity.project_id])).status_code == 404
    assert not ActivityLog.objects.get(pk=activity.pk).is_archived


def test_anonymous_is_sent_to_login(anonymous_client, activity):
    response = anonymous_client.get(reverse("activities:activity_detail", args=[activity.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _add_activities(leader, project, count: int, *, photos_each: int = 1) -> None:
    teacher_photo = files.jpeg_bytes((300, 200))
    for index in range(count):
        activity = activity_services.activity_log_create(
            actor=leader, project=project, data=tutoring_data(project, Decimal(index + 1), title=f"活动{index}")
        )
        photo_services.photo_upload(
            actor=leader,
            activity=activity,
            files=[files.upload(f"{index}-{n}.jpg", teacher_photo) for n in range(photos_each)],
        )


def test_project_page_sections_run_a_fixed_number_of_queries(login, leader_a, open_project, django_assert_num_queries):
    client = login(leader_a)
    url = reverse("projects:detail", args=[open_project.pk])
    _add_activities(leader_a, open_project, 1)
    client.get(url)
    with django_assert_num_queries(13):
        response = client.get(url)
    page = response.content.decode()
    assert page.count('data-testid="timeline-activity"') == 1
    assert page.count('data-testid="gallery-photo"') == 1
    assert page.count('data-testid="target-progress"') == 1
    _add_activities(leader_a, open_project, 6, photos_each=3)
    with django_assert_num_queries(13):
        response = client.get(url)
    page = response.content.decode()
    assert page.count('data-testid="timeline-activity"') == 7
    assert page.count('data-testid="gallery-photo"') == 12  # the latest twelve of nineteen
    assert "下载全部照片（zip）" in page


def test_project_page_shows_the_latest_activities_and_links_to_all(
    login, leader_a, teacher, open_project, django_assert_num_queries
):
    shown = PROJECT_TIMELINE_SIZE
    first = activity_services.activity_log_create(
        actor=leader_a, project=open_project, data=tutoring_data(open_project, title="最早的一次")
    )
    photo_services.photo_upload(
        actor=teacher, activity=first, files=[files.upload("a.jpg", files.jpeg_bytes((300, 200)))]
    )
    for index in range(shown):
        activity_services.activity_log_create(
            actor=leader_a, project=open_project, data=tutoring_data(open_project, title=f"活动{index}")
        )
    client = login(leader_a)
    url = reverse("projects:detail", args=[open_project.pk])
    page = client.get(url).content.decode()
    assert page.count('data-testid="timeline-activity"') == shown
    assert ">最早的一次</a>" not in page  # the oldest is cut from the timeline
    assert page.index(f">活动{shown - 1}</a>") < page.index(">活动0</a>")  # newest first
    assert f'<span class="badge text-bg-light">{shown + 1}</span>' in page
    assert f"显示全部 {shown + 1} 条活动记录" in page
    assert page.count('data-testid="gallery-photo"') == 1  # photos of every activity, not only the shown ones
    with django_assert_num_queries(13):
        response = client.get(url, {"timeline": "all"})
    page = response.content.decode()
    assert page.count('data-testid="timeline-activity"') == shown + 1
    assert ">最早的一次</a>" in page
    assert "显示全部" not in page


def test_activity_page_runs_a_fixed_number_of_queries(login, teacher, leader_a, activity, django_assert_num_queries):
    client = login(leader_a)
    url = reverse("activities:activity_detail", args=[activity.pk])
    photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("a.jpg", files.jpeg_bytes((300, 200)))]
    )
    activity_services.activity_log_update(actor=leader_a, activity=activity, data=tutoring_data(activity.project))
    client.get(url)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.content.decode().count('data-testid="gallery-photo"') == 1
    for index in range(5):
        photo_services.photo_upload(
            actor=teacher, activity=activity, files=[files.upload(f"{index}.jpg", files.jpeg_bytes((300, 200)))]
        )
        activity_services.activity_log_update(
            actor=leader_a, activity=activity, data=tutoring_data(activity.project, title=f"第{index}次修改")
        )
    with django_assert_num_queries(9):
        response = client.get(url)
    page = response.content.decode()
    assert page.count('data-testid="gallery-photo"') == 6
    assert page.count("修改前内容") == 6


def test_activity_form_runs_a_fixed_number_of_queries_and_puts_targets_first(
    login, leader_a, open_project, django_assert_num_queries
):
    """The form reads the indicators (targets marked) in one query, however many the catalogue has;
    every target gets a row of its own, an inactive one included, and inactive others stay out."""
    client = login(leader_a)
    url = reverse("activities:activity_create", args=[open_project.pk])
    client.get(url)
    with django_assert_num_queries(7):
        page = client.get(url).content.decode()
    rows_before = page.count('name="values-')
    committee = open_project.committee
    retired = Indicator.objects.create(committee=committee, name="旧指标", unit="次", position=99, is_active=False)
    open_project.targets.create(indicator=retired, target_value=Decimal("3"))
    Indicator.objects.create(committee=committee, name="停用指标", unit="次", position=98, is_active=False)
    for n in range(5):
        Indicator.objects.create(committee=committee, name=f"新指标{n}", unit="次", position=50 + n)
    with django_assert_num_queries(7):
        response = client.get(url)
    page = response.content.decode()
    rows = [form.initial.get("indicator") for form in response.context["values"].forms if form.initial]
    targets = set(open_project.targets.values_list("indicator_id", flat=True))
    assert set(rows) == targets and retired.pk in rows  # one initial row per target, the retired one too
    assert "新指标4" in page and "旧指标" in page
    assert "停用指标" not in page
    assert page.count('name="values-') > rows_before
