"""The branch secretary's home: the branch at a glance, from its stored statistics."""

import pytest
from django.urls import reverse

from activities import activity_services
from stats import services as stats_services
from tests.activities.conftest import in_progress_of, tutoring_data

pytestmark = pytest.mark.django_db


def test_the_branch_secretary_sees_the_branch_at_a_glance_first(login, branch_secretary, leader_a, daping):
    client = login(branch_secretary)
    before = client.get(reverse("home")).content.decode()
    assert 'data-testid="branch-glance"' in before and "本支部还没有统计数据。" in before

    project = in_progress_of(leader_a)
    activity_services.activity_log_create(actor=leader_a, project=project, data=tutoring_data(project))
    stats_services.stats_recompute(committee_id=daping.pk)
    page = client.get(reverse("home")).content.decode()

    glance = page[page.index('data-testid="branch-glance"') :]
    assert page.index('data-testid="branch-glance"') < page.index('data-testid="todo"')
    assert "第一党支部" in glance[:400] and f"{project.school_year} 学年" in glance[:600]
    assert 'data-testid="glance-activities">1<' in glance
    branch_id = branch_secretary.member.branches_led.get().pk
    assert f'href="{reverse("stats:dashboard_branch", args=[branch_id])}"' in glance


def test_others_have_no_branch_glance(login, leader_a, teacher):
    for user in (leader_a, teacher):
        assert 'data-testid="branch-glance"' not in login(user).get(reverse("home")).content.decode()
