"""The capture API the phone's outbox sends to: JSON answers, phone-made ids, permission on every send.

The browser side (shrinking, progress, the outbox, the service worker) is driven in Chromium by
the journeys of tests/e2e/capture/; here are the server's answers one by one.
"""

import json
import re
import uuid

from django.contrib.staticfiles import finders
from django.urls import reverse

from activities.models import ActivityLog, ActivityRevision, Photo
from config.service_worker import OFFLINE_ASSETS
from projects import services as project_services
from tests.activities import image_files as files
from tests.activities.test_activity_views import _post_data


def _create_url(project) -> str:
    return reverse("activities:capture_activity_create", args=[project.pk])


def _photo(activity, client, client_id: str, content: bytes | None = None, name: str = "IMG_0001.jpg", caption=""):
    upload = files.upload(name, content if content is not None else files.jpeg_bytes((800, 600)))
    return client.post(
        reverse("activities:capture_photo", args=[activity.pk]),
        {"photo": upload, "caption": caption, "client_id": client_id},
    )


def test_an_activity_sent_twice_under_the_phones_id_is_one_activity(login, leader_a, open_project):
    client = login(leader_a)
    data = _post_data(open_project) | {"client_id": str(uuid.uuid4())}

    first = client.post(_create_url(open_project), data)
    second = client.post(_create_url(open_project), data)

    activity = ActivityLog.objects.get()
    assert (first.status_code, second.status_code) == (201, 200)
    assert (
        first.json()
        == second.json()
        == {
            "ok": True,
            "activity_id": activity.pk,
            "url": reverse("activities:activity_detail", args=[activity.pk]),
            "photo_url": reverse("activities:capture_photo", args=[activity.pk]),
            "version": 1,
        }
    )
    assert str(activity.client_id) == data["client_id"] and activity.title == "周三放学后一对一辅导"


def test_an_activity_without_the_phones_id_is_refused(login, leader_a, open_project):
    response = login(leader_a).post(_create_url(open_project), _post_data(open_project))

    assert response.status_code == 400
    assert response.json()["message"] == "缺少记录编号，请刷新页面后重新保存。"
    assert not ActivityLog.objects.exists()


def test_a_wrong_field_is_named_in_chinese_and_nothing_is_saved(login, leader_a, open_project):
    data = _post_data(open_project, title="") | {"client_id": str(uuid.uuid4()), "beneficiaries_count": "-3"}

    response = login(leader_a).post(_create_url(open_project), data)

    answer = response.json()
    assert response.status_code == 400 and answer["ok"] is False
    assert "活动名称" in answer["message"] and "受益人数" in answer["message"]
    assert set(answer["errors"]) == {"title", "beneficiaries_count"}
    assert not ActivityLog.objects.exists()


def test_a_date_outside_the_projects_year_is_refused_with_the_services_message(login, leader_a, open_project):
    data = _post_data(open_project) | {"client_id": str(uuid.uuid4()), "date": "2021-03-01"}

    response = login(leader_a).post(_create_url(open_project), data)

    assert response.status_code == 409
    assert "学年内" in response.json()["message"]
    assert not ActivityLog.objects.exists()


def test_a_leader_who_lost_the_project_gets_a_clear_message_and_nothing_is_written(
    login, leader_a, secretary, open_project
):
    project_services.project_conclude(actor=secretary, project=open_project, comment="按期完成。")
    data = _post_data(open_project) | {"client_id": str(uuid.uuid4())}

    response = login(leader_a).post(_create_url(open_project), data)

    assert response.status_code == 403
    assert response.json()["message"].startswith("您已不能为这个项目记录活动")
    assert "草稿仍保留在本机" in response.json()["message"]
    assert not ActivityLog.objects.exists()


def test_another_schools_project_is_not_found(login, other_school_user, open_project):
    data = _post_data(open_project) | {"client_id": str(uuid.uuid4())}

    response = login(other_school_user).post(_create_url(open_project), data)

    assert response.status_code == 404 and response.json()["ok"] is False
    assert not ActivityLog.objects.exists()


def test_an_edit_sent_by_the_outbox_keeps_the_content_before_it(login, leader_a, activity):
    url = reverse("activities:capture_activity_update", args=[activity.pk])

    response = login(leader_a).post(url, _post_data(activity.project, title="改过的活动名称"))

    assert response.status_code == 200 and response.json()["activity_id"] == activity.pk
    activity.refresh_from_db()
    assert activity.title == "改过的活动名称"
    assert ActivityRevision.objects.get(activity=activity).snapshot["title"] == "周三放学后一对一辅导"


def test_a_photo_sent_twice_is_stored_once_with_its_caption(login, teacher, activity, media_root):
    client = login(teacher)
    photo_id = str(uuid.uuid4())

    first = _photo(activity, client, photo_id, caption="结对辅导现场")
    second = _photo(activity, client, photo_id, caption="结对辅导现场")

    photo = Photo.objects.get()
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json() == {"ok": True, "photo_id": photo.pk, "width": 800, "height": 600}
    assert str(photo.client_id) == photo_id and photo.caption == "结对辅导现场" and photo.uploaded_by == teacher
    # The repeat's file was never stored: one original on disk.
    assert len(list((media_root / "activities" / "photos").glob("*.jpg"))) == 1


def test_a_photo_id_used_on_another_activity_or_by_another_user_is_refused(
    login, teacher, leader_a, activity, open_project
):
    from activities import activity_services
    from tests.activities.conftest import tutoring_data

    other = activity_services.activity_log_create(
        actor=leader_a, project=open_project, data=tutoring_data(open_project)
    )
    photo_id = str(uuid.uuid4())
    assert _photo(activity, login(teacher), photo_id).status_code == 201

    on_other_activity = _photo(other, login(teacher), photo_id)
    by_other_user = _photo(activity, login(leader_a), photo_id)

    for response in (on_other_activity, by_other_user):
        assert response.status_code == 409
        assert response.json()["message"] == "这张照片的编号已用于另一条活动记录或另一位用户，未重复保存。"
    assert list(Photo.objects.values_list("activity_id", "uploaded_by_id")) == [(activity.pk, teacher.pk)]


def test_a_file_that_is_no_photo_is_refused_with_its_reason(login, teacher, activity):
    response = _photo(activity, login(teacher), str(uuid.uuid4()), content=b"%PDF-1.4 not a photo", name="a.jpg")

    assert response.status_code == 422
    assert response.json()["message"].startswith("不是支持的图片格式")
    assert not Photo.objects.exists()


def test_a_photo_without_a_valid_id_is_refused(login, teacher, activity):
    response = _photo(activity, login(teacher), "not-a-uuid")

    assert response.status_code == 400
    assert response.json()["errors"] == {"client_id": ["照片编号无效，请刷新页面后重试。"]}
    assert not Photo.objects.exists()


def test_a_photo_for_a_concluded_project_is_refused_and_nothing_is_stored(login, teacher, secretary, activity):
    project_services.project_conclude(actor=secretary, project=activity.project, comment="按期完成。")

    response = _photo(activity, login(teacher), str(uuid.uuid4()))

    assert response.status_code == 403 and "照片仍保留在本机" in response.json()["message"]
    assert not Photo.objects.exists()


def test_the_session_answers_who_is_logged_in_and_a_fresh_csrf_token(login, teacher):
    response = login(teacher).get(reverse("activities:capture_session"))

    assert response.json()["user"] == teacher.pk and len(response.json()["csrf"]) == 64
    assert "no-store" in response["Cache-Control"]


def test_the_service_worker_is_served_from_the_root_with_the_asset_urls_static_gives(anonymous_client):
    response = anonymous_client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/" and response["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    config = json.loads(body.split("self.DANGJIAN_SW = ", 1)[1].split(";\n", 1)[0])
    assert config["assets"] == [f"/static/{name}" for name in OFFLINE_ASSETS]
    assert config["offline"] == "/offline/" and config["sessionUrl"] == "/activities/capture/session/"
    assert 'importScripts("/static/js/outbox.js", "/static/js/sw-core.js");' in body
    # The worker's install fails on any missing asset: each one is a real file.
    for name in [*OFFLINE_ASSETS, "js/sw-core.js"]:
        assert finders.find(name), name


def test_the_offline_page_names_nobody(login, teacher):
    response = login(teacher).get("/offline/")

    content = response.content.decode()
    assert response.status_code == 200 and "当前没有网络" in content
    assert teacher.member.name not in content


def test_every_script_and_style_of_the_pages_kept_offline_is_kept_at_install(login, leader_a, activity):
    # A page served from the worker's cache with no network loads only what the install kept:
    # a missing script leaves, say, the project's progress bars at zero width.
    client = login(leader_a)
    pages = [
        reverse("home"),
        reverse("projects:detail", args=[activity.project_id]),
        reverse("activities:activity_create", args=[activity.project_id]),
        reverse("activities:activity_detail", args=[activity.pk]),
        reverse("activities:activity_edit", args=[activity.pk]),
    ]
    kept = {f"/static/{name}" for name in OFFLINE_ASSETS}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        loaded = set(re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', response.content.decode()))
        assert loaded, url
        assert loaded <= kept, (url, sorted(loaded - kept))
