"""Racing double posts of one create form make one row: on PostgreSQL each request of the live
server has its own connection, so the copies really race and the unique client_id decides.

Not on SQLite: there the live server's threads share the one in-memory test connection, which
cannot take parallel transactions at all (a harness limit, not the embedded run's). The SQLite
race runs against gunicorn on a database file in test_concurrent_writes.py, double posts included.
"""

import threading
import uuid

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from activities.models import ActivityLog
from projects.models import MicroProject
from tests.activities.conftest import in_progress_of
from tests.activities.test_activity_views import _post_data
from tests.form_fields import form_fields

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor == "sqlite", reason="the live server shares one SQLite test connection"),
]
COPIES = 4


def _session(live_server, user) -> requests.Session:
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return session


def _race(session: requests.Session, url: str, fields: dict) -> list[int]:
    page = session.get(url, timeout=30).text
    fields = {"csrfmiddlewaretoken": form_fields(page)["csrfmiddlewaretoken"], **fields}
    barrier = threading.Barrier(COPIES)
    statuses: list[int] = []

    def post() -> None:
        barrier.wait()
        statuses.append(session.post(url, data=fields, timeout=60, allow_redirects=False).status_code)

    threads = [threading.Thread(target=post) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return statuses


def test_racing_copies_of_one_activity_form_make_one_activity(transactional_db, live_server, demo_schools, leader_a):
    from projects.demo import seed_catalogue

    seed_catalogue(demo_schools[0])
    project = in_progress_of(leader_a)
    session = _session(live_server, leader_a)
    url = f"{live_server.url}/activities/projects/{project.pk}/new/"
    data = _post_data(project) | {"client_id": str(uuid.uuid4())}

    statuses = _race(session, url, data)

    assert statuses == [302] * COPIES
    assert ActivityLog.objects.filter(client_id=data["client_id"]).count() == 1


def test_racing_copies_of_one_captured_activity_and_photo_make_one_row_each(
    transactional_db, live_server, demo_schools, leader_a
):
    """The phone's outbox sending one activity (then one photo) from two tabs and a retry at once."""
    from projects.demo import seed_catalogue
    from tests.activities.image_files import jpeg_bytes

    seed_catalogue(demo_schools[0])
    project = in_progress_of(leader_a)
    session = _session(live_server, leader_a)
    csrf = session.get(f"{live_server.url}/activities/capture/session/", timeout=30).json()["csrf"]
    headers = {"X-CSRFToken": csrf, "Accept": "application/json"}
    data = _post_data(project) | {"client_id": str(uuid.uuid4())}
    barrier = threading.Barrier(COPIES)
    answers: list[tuple[int, int]] = []

    def post(url: str, **kwargs) -> None:
        barrier.wait()
        response = session.post(url, headers=headers, timeout=60, **kwargs)
        answers.append((response.status_code, response.json().get("activity_id") or response.json().get("photo_id")))

    def race(url: str, **kwargs) -> None:
        threads = [threading.Thread(target=post, args=(url,), kwargs=kwargs) for _ in range(COPIES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)

    race(f"{live_server.url}/activities/capture/projects/{project.pk}/", data=data)
    activity = ActivityLog.objects.get(client_id=data["client_id"])
    assert {answer for _, answer in answers} == {activity.pk} and len(answers) == COPIES

    answers.clear()
    photo = {"client_id": str(uuid.uuid4()), "caption": "四个标签页"}
    race(
        f"{live_server.url}/activities/capture/{activity.pk}/photos/",
        data=photo,
        files={"photo": ("IMG_0001.jpg", jpeg_bytes((800, 600)), "image/jpeg")},
    )
    assert len(answers) == COPIES and all(status in (200, 201) for status, _ in answers)
    assert activity.photos.filter(client_id=photo["client_id"]).count() == activity.photos.count() == 1


def test_racing_copies_of_one_application_make_one_application(transactional_db, live_server, demo_schools, leader_a):
    session = _session(live_server, leader_a)
    url = f"{live_server.url}/projects/new/"
    fields = form_fields(session.get(url, timeout=30).text) | {"title": "竞速申报"}

    statuses = _race(session, url, fields)

    assert statuses == [302] * COPIES
    assert MicroProject.objects.filter(title="竞速申报").count() == 1


def test_racing_copies_of_one_catalogue_create_make_one_entry(transactional_db, live_server, demo_schools, secretary):
    from projects.models import CatalogueEvent, ProjectType

    session = _session(live_server, secretary)
    url = live_server.url + reverse("projects:catalogue_create", args=["types"])
    fields = form_fields(session.get(url, timeout=30).text) | {
        "name": "竞速类型",
        "organisation_type": "service",
        "position": "1",
    }

    statuses = _race(session, url, fields)

    assert statuses == [302] * COPIES
    entry = ProjectType.objects.get(name="竞速类型")
    assert CatalogueEvent.objects.filter(item_id=entry.pk, item_name="竞速类型").count() == 1


def test_racing_copies_of_one_round_opening_open_one_round(
    transactional_db, live_server, demo_schools, secretary, leader_a
):
    from tests.yearend.assessment_fixtures import SCHOOL_YEAR, concluded_of
    from yearend.models import AssessmentEvent, AssessmentRound

    concluded_of(leader_a)  # a round opens only for a year with a concluded project
    session = _session(live_server, secretary)
    url = live_server.url + reverse("yearend:assessment_open")
    fields = form_fields(session.get(url, timeout=30).text) | {"school_year": SCHOOL_YEAR}

    statuses = _race(session, url, fields)

    assert statuses == [302] * COPIES
    assessment_round = AssessmentRound.objects.get(school_year=SCHOOL_YEAR)
    assert assessment_round.criteria.count() == 5
    assert AssessmentEvent.objects.filter(assessment_round=assessment_round).count() == 1
