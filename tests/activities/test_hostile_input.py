"""Property test: the write forms of the portal, as the roles that use them, under generated
hostile values (huge, negative, NaN, overlong, control characters, HTML, formula prefixes,
tampered management forms and hidden fields).

Whatever is sent: never a 500 (the test client raises on one), every refusal is a Chinese message
on the page, and the database holds either one valid row (it passes full_clean: every bound and
constraint) or nothing new. Each example runs inside a rolled-back transaction.
"""

import re
import uuid

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import Achievement, ActivityLog, Photo
from branches.models import Group
from members.models import Member
from projects.models import MicroProject
from tests.activities import image_files as files
from tests.activities.test_achievement_views import form_data
from tests.activities.test_activity_views import _post_data
from tests.projects.test_application_views import _form_data

pytestmark = pytest.mark.slow

SPECIALS = [
    "",
    " ",
    "\x00",
    "\u202e\u200b",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "A" * 5000,
    "说" * 1001,
    "NaN",
    "Infinity",
    "-Infinity",
    "1e309",
    str(2**63),
    str(2**31),
    "-1",
    "１２",
    "0x10",
    "9" * 40,
    "0001-01-01",
    "9999-12-31",
    "2025-02-30",
    "２０２５-０３-０１",
    "99999-01-01",
    "../../etc/passwd",
]
hostile = st.one_of(
    st.sampled_from(SPECIALS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=120),
    st.dates().map(lambda day: day.isoformat()),
)
EXAMPLES = settings(
    max_examples=40,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _tampered(base: dict, changes: dict) -> dict:
    return {**base, **changes}


def _refusal_text(page: str) -> str:
    """Every error shown on the page: field errors, form errors and error messages."""
    found = re.findall(r'class="[^"]*(?:invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>(.*?)</div', page, re.S)
    found += re.findall(r"<strong>(.*?)</strong>", page, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", text).strip() for text in found)


def _check(response, model, before: set[int]) -> None:
    """Never a 500; a refusal speaks Chinese; a new row is one valid row."""
    assert response.status_code in {200, 302, 400, 403, 404}, response.status_code
    new = model.objects.exclude(pk__in=before)
    if response.status_code == 302:
        assert new.count() <= 1
        for row in new:
            row.full_clean()
    else:
        assert not new.exists()
    if response.status_code in {200, 400} and not new.exists():
        page = response.content.decode()
        refusal = _refusal_text(page)
        assert CJK.search(refusal), refusal[:300]
        for english in ("Ensure this value", "Enter a ", "This field", "Select a valid", "Forbidden"):
            assert english not in page


def _rolled_back(run) -> None:
    with transaction.atomic():
        run()
        transaction.set_rollback(True)


FIELDS_ACTIVITY = st.sampled_from(
    [
        "date",
        "activity_type",
        "title",
        "place",
        "beneficiaries_count",
        "beneficiaries",
        "duration_hours",
        "narrative",
        "participants",
        "client_id",
        "values-TOTAL_FORMS",
        "values-INITIAL_FORMS",
        "values-0-indicator",
        "values-0-value",
        "values-1-value",
    ]
)


@given(changes=st.dictionaries(FIELDS_ACTIVITY, hostile, min_size=1, max_size=4))
@EXAMPLES
def test_the_activity_form_never_fails_and_stores_only_valid_rows(login, leader_a, open_project, changes):
    client = login(leader_a)
    url = reverse("activities:activity_create", args=[open_project.pk])

    def run():
        before = set(ActivityLog.objects.values_list("pk", flat=True))
        _check(client.post(url, _tampered(_post_data(open_project), changes)), ActivityLog, before)

    _rolled_back(run)


FIELDS_ACHIEVEMENT = st.sampled_from(
    [
        "kind",
        "title",
        "level",
        "rank",
        "issuing_body",
        "awarded_on",
        "members",
        "pupils",
        "word_count",
        "project",
        "client_id",
    ]
)


@given(changes=st.dictionaries(FIELDS_ACHIEVEMENT, hostile, min_size=1, max_size=4))
@EXAMPLES
def test_the_achievement_form_never_fails_and_stores_only_valid_rows(login, teacher, changes):
    client = login(teacher)
    member = Member.objects.get(user=teacher)

    def run():
        before = set(Achievement.objects.values_list("pk", flat=True))
        response = client.post(reverse("activities:achievement_create"), _tampered(form_data(member), changes))
        _check(response, Achievement, before)

    _rolled_back(run)


FIELDS_APPLICATION = st.sampled_from(
    [
        "group",
        "title",
        "project_type",
        "school_year",
        "background",
        "participants",
        "client_id",
        "phases-TOTAL_FORMS",
        "phases-0-title",
        "phases-0-starts_on",
        "phases-0-ends_on",
        "targets-TOTAL_FORMS",
        "targets-0-indicator",
        "targets-0-target_value",
    ]
)


@given(changes=st.dictionaries(FIELDS_APPLICATION, hostile, min_size=1, max_size=4))
@EXAMPLES
def test_the_application_form_never_fails_and_stores_only_valid_rows(login, leader_a, rubric, changes):
    client = login(leader_a)
    group = Group.objects.get(leader__user=leader_a)
    base = _form_data(group.branch.committee, group)

    def run():
        before = set(MicroProject.objects.values_list("pk", flat=True))
        _check(client.post(reverse("projects:create"), _tampered(base, changes)), MicroProject, before)

    _rolled_back(run)


@given(caption=hostile, client_id=st.one_of(st.just(str(uuid.uuid4())), hostile))
@EXAMPLES
def test_the_photo_upload_never_fails(login, teacher, activity, caption, client_id):
    client = login(teacher)
    photo = files.jpeg_bytes((64, 48))

    def run():
        before = set(Photo.objects.values_list("pk", flat=True))
        response = client.post(
            reverse("activities:photo_upload", args=[activity.pk]),
            {"caption": caption, "client_id": client_id, "photos": [files.upload("a.jpg", photo)]},
        )
        assert response.status_code in {200, 302}
        new = Photo.objects.exclude(pk__in=before)
        for row in new:
            row.full_clean()
        if response.status_code == 200:
            assert not new.exists() and CJK.search(_refusal_text(response.content.decode()))

    _rolled_back(run)


@given(reason=hostile)
@EXAMPLES
def test_the_rejection_reason_never_fails(login, teacher, secretary, reason):
    from tests.activities.test_achievement_views import recorded

    achievement = recorded(teacher)
    client = login(secretary)

    def run():
        response = client.post(reverse("activities:achievement_reject", args=[achievement.pk]), {"reason": reason})
        stored = Achievement.objects.get(pk=achievement.pk)
        assert response.status_code in {200, 302}
        stored.full_clean()
        if response.status_code == 200:
            assert stored.status == "pending" and CJK.search(_refusal_text(response.content.decode()))

    _rolled_back(run)


@given(score=hostile, recommendation=hostile, comment=hostile)
@EXAMPLES
def test_the_score_sheet_never_fails(login, committee_member, application_a, score, recommendation, comment):
    from projects.models import ScoreSheet
    from projects.review_forms import ScoreSheetForm
    from projects.review_selectors import active_criteria

    client = login(committee_member)
    url = reverse("projects:review", args=[application_a.pk])
    criteria = active_criteria(application_a.committee_id)
    names = list(ScoreSheetForm(criteria=criteria).fields)
    data = {name: "10" for name in names if name.startswith("criterion_")}
    data[names[0]] = score
    data |= {"recommendation": recommendation, "comment": comment}

    def run():
        before = set(ScoreSheet.objects.values_list("pk", flat=True))
        _check(client.post(url, data), ScoreSheet, before)

    _rolled_back(run)


CATALOGUE = {
    "types": (
        "projects.ProjectType",
        {"name": "新类型", "organisation_type": "service", "description": "", "position": "1"},
    ),
    "indicators": ("projects.Indicator", {"name": "新指标", "unit": "人次", "project_type": "", "position": "1"}),
    "criteria": (
        "projects.RubricCriterion",
        {"name": "新维度", "description": "", "max_score": "10", "weight": "1", "position": "1"},
    ),
}


@given(
    kind=st.sampled_from(sorted(CATALOGUE)),
    changes=st.dictionaries(
        st.sampled_from(["name", "unit", "organisation_type", "position", "max_score", "weight", "project_type"]),
        hostile,
        min_size=1,
        max_size=3,
    ),
)
@EXAMPLES
def test_the_catalogue_forms_never_fail_and_store_only_valid_rows(login, secretary, rubric, kind, changes):
    from django.apps import apps

    model = apps.get_model(CATALOGUE[kind][0])
    base = CATALOGUE[kind][1]
    client = login(secretary)
    url = reverse("projects:catalogue_create", args=[kind])

    def run():
        before = set(model.objects.values_list("pk", flat=True))
        _check(client.post(url, _tampered(base, {k: v for k, v in changes.items() if k in base})), model, before)

    _rolled_back(run)


@given(
    changes=st.dictionaries(
        st.sampled_from(["school_year", "excellent_threshold", "good_threshold", "pass_threshold"]),
        hostile,
        min_size=1,
        max_size=3,
    )
)
@EXAMPLES
def test_the_assessment_open_form_never_fails(login, secretary, changes):
    from yearend.models import AssessmentRound

    client = login(secretary)
    base = {"school_year": "2024-2025", "excellent_threshold": "90", "good_threshold": "80", "pass_threshold": "60"}

    def run():
        before = set(AssessmentRound.objects.values_list("pk", flat=True))
        _check(client.post(reverse("yearend:assessment_open"), _tampered(base, changes)), AssessmentRound, before)

    _rolled_back(run)
