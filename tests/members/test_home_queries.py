"""The home page runs a fixed number of queries for every post, however much the school holds.

Each role's to-do list comes from sections other apps register (members/home.py); a section
that queried per project or per group would slow the page every user opens first.
"""

import pytest
from django.urls import reverse

from members.models import User
from projects.demo import seed_past_year_projects, seed_projects

# (user, queries): the four the floor runs (session, user, member row, led posts), then the page's own.
# A list with no rows skips its prefetch, so both sizes hold projects.
HOME_QUERIES = [
    ("secretary", 11),
    ("committee1", 14),
    ("branch1", 13),
    ("leader1", 11),
    ("teacher1", 10),
]


@pytest.mark.parametrize(("username", "queries"), HOME_QUERIES)
def test_home_runs_the_same_queries_for_one_year_and_three(daping, login, username, queries, django_assert_num_queries):
    seed_projects(daping)  # the article's three projects in progress and three applications
    client = login(User.objects.get(username=username))
    client.get(reverse("home"))  # the first page after login also stores the session
    with django_assert_num_queries(queries):
        one_year = client.get(reverse("home"))
    assert one_year.status_code == 200

    for year, share in (("2023-2024", 0.6), ("2022-2023", 0.4)):
        seed_past_year_projects(daping, year, share)
    with django_assert_num_queries(queries):
        three_years = client.get(reverse("home"))
    assert three_years.status_code == 200
