"""Each role's task first: the home page's large buttons, the project page's action bar, the
committee's 成果 page opening on 待认定, certificates with a preview."""

import datetime
import re

import pytest
from django.urls import reverse

from activities import achievement_services, activity_services
from activities.enums import AchievementKind, AchievementLevel, AchievementRank
from members.models import Member, User
from tests.activities import image_files as files
from tests.activities.conftest import tutoring_data

pytestmark = pytest.mark.django_db


def section(page: str, testid: str) -> str:
    """The HTML of the element carrying data-testid=testid (up to the next section's end)."""
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</section>", start)]


def hrefs(html: str, testid: str) -> list[str]:
    return re.findall(rf'href="([^"]+)"[^>]*data-testid="{testid}"', html)


def record_achievement(actor: User, certificate=None):
    member = Member.objects.get(user=actor)
    data = achievement_services.AchievementData(
        kind=AchievementKind.AWARD,
        title="区级优质课一等奖",
        level=AchievementLevel.DISTRICT,
        rank=AchievementRank.FIRST,
        issuing_body="渝中区教委",
        awarded_on=datetime.date(2025, 5, 20),
        members=[member],
    )
    return achievement_services.achievement_record(actor=actor, data=data, certificate=certificate)


def test_the_leaders_home_starts_with_logging_an_activity_uploading_photos_and_an_achievement(
    login, leader_a, open_project, activity
):
    page = login(leader_a).get(reverse("home")).content.decode()
    actions = section(page, "next-actions")

    assert page.index('data-testid="next-actions"') < page.index('data-testid="todo"')
    assert hrefs(actions, "action-log-activity") == [reverse("activities:activity_create", args=[open_project.pk])]
    assert "记录活动" in actions and open_project.title in actions
    assert hrefs(actions, "action-upload-photos") == [
        reverse("activities:activity_detail", args=[activity.pk]) + "#photo-upload"
    ]
    assert hrefs(actions, "action-record-achievement") == [reverse("activities:achievement_create")]


def test_the_teachers_home_offers_photos_and_achievements_but_no_logging(login, teacher, leader_a, open_project):
    client = login(teacher)
    before = section(client.get(reverse("home")).content.decode(), "next-actions")
    # Photos go to an activity: nothing to upload to before the first one.
    assert "action-upload-photos" not in before and "action-log-activity" not in before
    assert "填报成果" in before

    activity = activity_services.activity_log_create(
        actor=leader_a, project=open_project, data=tutoring_data(open_project)
    )
    after = section(client.get(reverse("home")).content.decode(), "next-actions")
    assert hrefs(after, "action-upload-photos") == [
        reverse("activities:activity_detail", args=[activity.pk]) + "#photo-upload"
    ]
    assert "action-log-activity" not in after


def test_the_committees_home_counts_what_waits_for_it(login, secretary, teacher):
    record_achievement(teacher)
    actions = section(login(secretary).get(reverse("home")).content.decode(), "next-actions")

    def button(testid: str) -> str:
        return re.search(rf'data-testid="{testid}">([^<]*)<span class="count[^"]*">(\d+)</span>', actions).groups()

    assert button("action-reviews") == ("待评审", "0")
    assert button("action-achievements") == ("待认定成果", "1")
    assert button("action-assessments") == ("待考核", "0")
    assert "action-log-activity" not in actions


def test_the_project_page_puts_logging_and_photos_at_the_top(login, leader_a, teacher, open_project, activity):
    url = reverse("projects:detail", args=[open_project.pk])
    leader_page = login(leader_a).get(url).content.decode()
    bar = leader_page.index('data-testid="project-action-bar"')
    assert bar < leader_page.index('data-testid="targets"') < leader_page.index('data-testid="project-progress"')
    assert hrefs(leader_page, "add-activity") == [reverse("activities:activity_create", args=[open_project.pk])]
    assert hrefs(leader_page, "bar-upload-photos") == [
        reverse("activities:activity_detail", args=[activity.pk]) + "#photo-upload"
    ]
    assert f"照片将上传到最近的活动：{activity.date:%Y-%m-%d}“{activity.title}”" in leader_page

    teacher_page = login(teacher).get(url).content.decode()
    assert "add-activity" not in teacher_page and "bar-upload-photos" in teacher_page


def test_the_photo_button_lands_on_the_upload_form(login, teacher, activity):
    page = login(teacher).get(reverse("activities:activity_detail", args=[activity.pk])).content.decode()
    assert 'id="photo-upload" data-submit-once data-testid="photo-upload-form"' in page


def test_the_committees_achievements_open_on_what_waits_for_verification(login, secretary, teacher):
    client = login(secretary)
    empty = client.get(reverse("activities:achievement_list")).content.decode()
    assert re.search(r'class="nav-link active" aria-current="page"[^>]*>我的成果', empty)

    pending = record_achievement(teacher)
    page = client.get(reverse("activities:achievement_list")).content.decode()
    assert re.search(r'class="nav-link active" aria-current="page"[^>]*>待认定 <span class="badge[^"]*">1</span>', page)
    assert pending.title in page
    # Asked for explicitly, 我的成果 still opens.
    mine = client.get(reverse("activities:achievement_list") + "?tab=mine").content.decode()
    assert re.search(r'class="nav-link active" aria-current="page"[^>]*>我的成果', mine)


def test_a_teacher_has_no_verification_tab(login, teacher):
    record_achievement(teacher)
    page = login(teacher).get(reverse("activities:achievement_list")).content.decode()
    assert "待认定" not in page


def test_certificates_show_a_thumbnail_or_a_first_page_preview(login, secretary, teacher):
    image = record_achievement(teacher, certificate=files.upload("证书.jpg", files.jpeg_bytes((900, 600))))
    pdf = record_achievement(teacher, certificate=files.upload("证书.pdf", files.pdf_bytes(), "application/pdf"))
    client = login(secretary)

    image_page = client.get(reverse("activities:achievement_detail", args=[image.pk])).content.decode()
    url = reverse("activities:certificate_file", args=[image.pk])
    assert f'<img class="certificate-thumb" src="{url}"' in image_page
    assert "证书.jpg" in image_page

    pdf_page = client.get(reverse("activities:achievement_detail", args=[pdf.pk])).content.decode()
    preview = reverse("activities:certificate_preview_file", args=[pdf.pk])
    assert f'src="{preview}" alt="证书首页预览"' in pdf_page and "certificate-icon" not in pdf_page

    queue = client.get(reverse("activities:achievement_queue")).content.decode()
    assert queue.count('data-testid="certificate-link"') == 2 and queue.count('data-testid="certificate-thumb"') == 1
    assert queue.count('data-testid="certificate-preview"') == 1
