"""Notifications of the review: who is told, the navbar badge, and marking them read."""

from decimal import Decimal

from django.urls import reverse

from members.models import Notification
from projects import review_selectors, review_services
from tests.projects.review_fixtures import submit_application


def test_submitting_notifies_each_reviewer_without_a_conflict(rubric, leader_a, leader_4):
    project = submit_application(leader_a)
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"secretary", "committee1", "committee2"}
    assert set(Notification.objects.values_list("link", flat=True)) == {reverse("projects:review", args=[project.pk])}
    Notification.objects.all().delete()
    submit_application(leader_4, "第四党小组的项目")  # committee1 belongs to 第四党小组
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"secretary", "committee2"}


def test_deciding_notifies_the_leader(application_a, committee_member, secretary, leader_a):
    criteria = review_selectors.active_criteria(application_a.committee_id)
    review_services.score_record(
        actor=committee_member,
        project=application_a,
        scores={c.pk: Decimal(15) for c in criteria},
        recommendation="approve",
    )
    Notification.objects.all().delete()
    review_services.project_decide(
        actor=secretary, project=application_a, decision="approve", comment="同意", confirm_below_quorum=True
    )
    notification = Notification.objects.get()
    assert notification.recipient == leader_a
    assert "立项" in notification.message
    assert notification.link == reverse("projects:detail", args=[application_a.pk])


def test_navbar_count_and_mark_read(login, rubric, leader_a, leader_b, committee_member):
    submit_application(leader_a, "项目一")
    submit_application(leader_b, "项目二")
    client = login(committee_member)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">2<' in home
    page = client.get(reverse("members:notifications")).content.decode()
    assert page.count('data-unread="1"') == 2 and "项目一" in page and "项目二" in page

    one = Notification.objects.filter(recipient=committee_member).order_by("pk").first()
    response = client.post(reverse("members:notifications_read"), {"notification": one.pk, "open": "1"})
    assert response.status_code == 302 and response["Location"] == one.link
    assert 'data-testid="unread-count">1<' in client.get(reverse("home")).content.decode()

    client.post(reverse("members:notifications_read"))
    assert not Notification.objects.filter(recipient=committee_member, read_at__isnull=True).exists()
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()


def test_a_user_cannot_mark_someone_elses_notification(login, rubric, leader_a, committee_member, committee_member_2):
    submit_application(leader_a)
    theirs = Notification.objects.get(recipient=committee_member_2)
    login(committee_member).post(reverse("members:notifications_read"), {"notification": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = login(committee_member).get(reverse("members:notifications")).content.decode()
    assert page.count('data-testid="notification"') == 1
