"""A repeated post of the round-opening form (double tap, reload, retry) opens one round.

The report request form's own tests of this are in test_reports.py, by its fixture."""

import uuid

from django.urls import reverse

from tests.form_fields import form_fields
from tests.yearend.assessment_fixtures import concluded_of
from yearend.models import AssessmentEvent, AssessmentRound

OPENING = {"school_year": "2025-2026", "excellent_threshold": "92", "good_threshold": "82", "pass_threshold": "65"}


def test_a_round_opening_posted_twice_is_one_round_with_one_rubric(login, secretary, leader_a):
    concluded_of(leader_a, "红领巾助学行动")
    client = login(secretary)
    page = client.get(reverse("yearend:assessment_open")).content.decode()
    assert "data-submit-once" in page
    data = OPENING | {"client_id": form_fields(page)["client_id"]}

    first = client.post(reverse("yearend:assessment_open"), data)
    second = client.post(reverse("yearend:assessment_open"), data)

    assessment_round = AssessmentRound.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("yearend:assessment_round", args=[assessment_round.pk])
    assert str(assessment_round.client_id) == data["client_id"]
    assert assessment_round.criteria.count() == 5
    assert AssessmentEvent.objects.filter(assessment_round=assessment_round).count() == 1


def test_another_users_one_time_id_is_refused_for_a_round(login, secretary, other_school_user, leader_a):
    concluded_of(leader_a, "红领巾助学行动")
    client_id = str(uuid.uuid4())
    login(secretary).post(reverse("yearend:assessment_open"), OPENING | {"client_id": client_id})
    theirs = AssessmentRound.objects.get()

    response = login(other_school_user).post(reverse("yearend:assessment_open"), OPENING | {"client_id": client_id})

    assert response.status_code == 200
    # 2025-2026 is not among her school's years (it has no data): refused before the id is looked at.
    assert "2025-2026 不在可用的选项中" in response.content.decode()
    assert list(AssessmentRound.objects.values_list("pk", "committee_id")) == [(theirs.pk, theirs.committee_id)]


def test_a_racing_copy_that_finds_the_year_opened_answers_with_the_round_its_twin_opened(
    monkeypatch, secretary, leader_a
):
    """The copy that looked for its id before its twin committed, then found the school year taken:
    it answers with the twin's round, opened and recorded once."""
    from yearend import services

    concluded_of(leader_a, "红领巾助学行动")
    client_id = uuid.uuid4()
    opened = services.assessment_round_open(actor=secretary, school_year="2025-2026", client_id=client_id)
    real, looks = services.created_before, []

    def first_look_misses(*args, **kwargs):
        looks.append(args)
        return None if len(looks) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(services, "created_before", first_look_misses)

    again = services.assessment_round_open(actor=secretary, school_year="2025-2026", client_id=client_id)

    assert again.pk == opened.pk
    assert AssessmentRound.objects.count() == 1
    assert AssessmentEvent.objects.filter(assessment_round=opened).count() == 1
