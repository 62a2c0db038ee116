"""The review queue and the review table: content, states, sorting, filters and query counts."""

from decimal import Decimal

from django.urls import reverse

from members.models import User
from projects import review_selectors, review_services, services
from projects.models import MicroProject
from projects.review_selectors import ReviewFilter, my_pending_reviews, review_queue
from tests.projects.review_fixtures import submit_application


def score(reviewer, project, value, comment=""):
    criteria = review_selectors.active_criteria(project.committee_id)
    return review_services.score_record(
        actor=reviewer,
        project=project,
        scores={criterion.pk: Decimal(value) for criterion in criteria},
        recommendation="approve",
        comment=comment,
    )


def test_queue_needs_the_committee(login, application_a, teacher, leader_a, other_school_user):
    for user in (teacher, leader_a):
        assert login(user).get(reverse("projects:queue")).status_code == 403
    page = login(other_school_user).get(reverse("projects:queue")).content.decode()
    assert application_a.title not in page


def test_queue_shows_my_state_per_row(login, rubric, leader_a, leader_4, committee_member):
    scored = submit_application(leader_a, "已评项目")
    pending = submit_application(leader_a, "待评项目")
    conflicted = submit_application(leader_4, "本组项目")
    score(committee_member, scored, 15)
    rows = {row.project.title: row.state for row in review_queue(committee_member, ReviewFilter())}
    assert rows == {"已评项目": "scored", "待评项目": "pending", "本组项目": "conflict"}
    page = login(committee_member).get(reverse("projects:queue")).content.decode()
    assert "已评" in page and "待评" in page and "需回避" in page
    assert f'href="{reverse("projects:review", args=[pending.pk])}"' in page
    # 我的待评项目: only what I may score and have not scored, read alike from the queue's rows.
    assert [project.title for project in my_pending_reviews(committee_member)] == ["待评项目"]
    queue = review_queue(committee_member, ReviewFilter(sort="-mean"))
    assert my_pending_reviews(committee_member, queue=queue) == my_pending_reviews(committee_member)
    assert scored.pk and conflicted.pk


def test_my_pending_reviews_stay_whole_when_the_queue_is_filtered(login, rubric, leader_a, committee_member):
    leader_6 = User.objects.get(username="leader6")
    submit_application(leader_a, "第一支部待评")
    other = submit_application(leader_6, "另一支部待评")
    branch_id = leader_a.member.group.branch_id
    assert other.group.branch_id != branch_id
    page = login(committee_member).get(reverse("projects:queue"), {"branch": branch_id}).content.decode()
    pending, queue = page.split('data-testid="my-pending"')[1].split('data-testid="review-queue"')
    assert "第一支部待评" in pending and "另一支部待评" in pending  # 我的待评: every one, not the filter's
    assert "第一支部待评" in queue and "另一支部待评" not in queue


def test_queue_sorts_by_statistics_and_filters(rubric, leader_a, leader_b, secretary, committee_member):
    low = submit_application(leader_a, "低分")
    high = submit_application(leader_b, "高分")
    unscored = submit_application(leader_a, "未评")
    score(committee_member, low, 10)  # 50.00
    score(secretary, low, 14)  # 70.00 → mean 60.00, spread 20.00
    score(committee_member, high, 18)  # 90.00 → mean 90.00, spread 0.00
    titles = [row.project.title for row in review_queue(secretary, ReviewFilter(sort="-mean"))]
    assert titles == ["高分", "低分", "未评"]  # rows without scores go last
    titles = [row.project.title for row in review_queue(secretary, ReviewFilter(sort="mean"))]
    assert titles == ["低分", "高分", "未评"]
    assert [row.project.title for row in review_queue(secretary, ReviewFilter(sort="-spread"))][:2] == ["低分", "高分"]
    assert review_queue(secretary, ReviewFilter(sort="-count"))[0].project.title == "低分"
    branch_2 = high.group.branch_id
    assert branch_2 == low.group.branch_id  # groups 1 and 2 are both in 第一党支部
    other_branch = [row.project for row in review_queue(secretary, ReviewFilter(branch_id=branch_2 + 1))]
    assert other_branch == []
    review_services.project_decide(
        actor=secretary, project=high, decision="approve", comment="同意", confirm_below_quorum=True
    )
    approved = review_queue(secretary, ReviewFilter(status="approved"))
    assert [row.project.title for row in approved] == ["高分"]
    assert "高分" not in [row.project.title for row in review_queue(secretary, ReviewFilter())]
    assert unscored.pk


def test_queue_page_sort_links_and_figures(login, rubric, leader_a, secretary, committee_member):
    project = submit_application(leader_a)
    score(committee_member, project, 10)  # 50.00
    score(secretary, project, 14)  # 70.00
    page = login(secretary).get(reverse("projects:queue"), {"sort": "-mean"}).content.decode()
    assert "60.00" in page and "20.00" in page  # mean and spread
    assert "?sort=mean" in page  # clicking the sorted column reverses it
    assert 'data-testid="bulk-form"' in page and 'data-testid="export-link"' in page


def _grow(leaders, reviewers, titles):
    for index, title in enumerate(titles):
        project = submit_application(leaders[index % len(leaders)], title)
        for offset, reviewer in enumerate(reviewers):
            score(reviewer, project, 10 + offset + index % 5)


def test_queue_runs_a_fixed_number_of_queries(
    login, rubric, leader_a, leader_b, secretary, committee_member, committee_member_2, django_assert_num_queries
):
    client = login(secretary)
    url = reverse("projects:queue")
    _grow([leader_a], [committee_member], ["项目甲"])
    client.get(url)
    # Sorting does not narrow the queue: 我的待评 comes from its rows, not from two queries more.
    with django_assert_num_queries(9):
        response = client.get(url, {"sort": "-mean"})
    assert response.content.decode().count('data-testid="queue-row"') == 1
    _grow([leader_a, leader_b], [committee_member, committee_member_2, secretary], [f"项目{n}" for n in range(6)])
    with django_assert_num_queries(9):
        response = client.get(url, {"sort": "-mean"})
    assert response.content.decode().count('data-testid="queue-row"') == 7
    # A filter narrows the queue: 我的待评 is read on its own (two queries), and the form checks the branch.
    with django_assert_num_queries(13):
        response = client.get(url, {"branch": leader_b.member.group.branch_id})
    assert response.content.decode().count('data-testid="queue-row"') == 7


def test_review_page_runs_a_fixed_number_of_queries(
    login, rubric, leader_a, secretary, committee_member, committee_member_2, django_assert_num_queries
):
    project = submit_application(leader_a)
    score(committee_member, project, 12)
    score(secretary, project, 13)  # the secretary's own sheet is loaded for the form in both runs
    client = login(secretary)
    url = reverse("projects:review", args=[project.pk])
    client.get(url)
    # The rubric is read once, for the score form and the table of scores alike.
    with django_assert_num_queries(15):
        response = client.get(url)
    assert response.content.decode().count('data-testid="sheet-row"') == 2
    # More sheets, and an earlier round.
    review_services.project_decide(
        actor=secretary, project=project, decision="return", comment="请补充", confirm_below_quorum=True
    )
    project = services.project_submit(actor=leader_a, project=MicroProject.objects.get(pk=project.pk))
    for value, reviewer in [(15, committee_member), (16, committee_member_2), (17, secretary)]:
        score(reviewer, project, value)
    with django_assert_num_queries(15):
        response = client.get(url)
    page = response.content.decode()
    assert page.count('data-testid="sheet-row"') == 5
    assert page.count('data-testid="review-round"') == 2


def test_navbar_and_home_lead_reviewers_to_the_queue(login, application_a, committee_member, teacher):
    home = login(committee_member).get(reverse("home")).content.decode()
    assert f'href="{reverse("projects:queue")}"' in home
    assert "待评审 1 项" in home
    teacher_home = login(teacher).get(reverse("home")).content.decode()
    assert f'href="{reverse("projects:queue")}"' not in teacher_home and "待评审" not in teacher_home
