"""Login lockout, security headers, the deploy check and how uploaded files leave in production."""

import datetime
import re
import secrets
from pathlib import Path
from urllib.parse import quote

import crispy_bootstrap5
import crispy_forms
import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from activities import activity_services, photo_services
from activities.tasks import make_photo_display_sizes
from members import demo
from projects.models import ProjectEvent
from tests.activities import image_files as files
from tests.activities.conftest import in_progress_of, tutoring_data
from tests.projects.workflow_fixtures import submitted_of
from tests.test_settings import BASE_DIR, run

LOGIN_URL = "/accounts/login/"
SCHOOL_ADDRESS = "203.0.113.10"  # one school's shared address behind its NAT
OTHER_ADDRESS = "198.51.100.20"


def _attempt(client: Client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def _logged_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def _lock_out(username: str, address: str = SCHOOL_ADDRESS) -> Client:
    client = Client(REMOTE_ADDR=address)
    for _ in range(4):
        response = _attempt(client, username, "wrong-password")
        assert response.status_code == 200
        assert "请输入一个正确的" in response.content.decode()
    # The fifth failure is answered with the lockout page itself.
    assert _attempt(client, username, "wrong-password").status_code == 429
    return client


def test_five_failures_lock_that_username_at_that_address_with_a_chinese_page(leader_a):
    client = _lock_out("leader1")

    response = _attempt(client, "leader1", demo.DEMO_PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂时锁定" in page
    assert "连续 5 次登录失败" in page and "30 分钟后再试" in page
    assert 'href="/accounts/login/"' in page
    assert _logged_in_as(client) is None


def test_another_teacher_at_the_same_school_address_still_logs_in(leader_a, leader_b):
    _lock_out("leader1")
    colleague = Client(REMOTE_ADDR=SCHOOL_ADDRESS)

    response = _attempt(colleague, "leader2", demo.DEMO_PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/"
    assert _logged_in_as(colleague) == str(leader_b.pk)


def test_the_locked_username_still_logs_in_from_another_address(leader_a):
    _lock_out("leader1")
    at_home = Client(REMOTE_ADDR=OTHER_ADDRESS)

    response = _attempt(at_home, "leader1", demo.DEMO_PASSWORD)

    assert response.status_code == 302
    assert _logged_in_as(at_home) == str(leader_a.pk)


def test_the_lock_lifts_after_the_cool_off(leader_a):
    client = _lock_out("leader1")
    half_an_hour_ago = datetime.timedelta(minutes=31)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - half_an_hour_ago)

    response = _attempt(client, "leader1", demo.DEMO_PASSWORD)

    assert response.status_code == 302
    assert _logged_in_as(client) == str(leader_a.pk)


def test_a_successful_login_clears_the_failures(leader_a):
    client = Client(REMOTE_ADDR=SCHOOL_ADDRESS)
    for _ in range(4):
        _attempt(client, "leader1", "wrong-password")
    assert _attempt(client, "leader1", demo.DEMO_PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        _attempt(client, "leader1", "wrong-password")
    response = _attempt(client, "leader1", demo.DEMO_PASSWORD)

    assert response.status_code == 302
    assert AccessAttempt.objects.filter(username="leader1").count() == 0


CLIENT_ADDRESS = """
import django; django.setup()
from django.test import RequestFactory
from axes.helpers import get_client_ip_address
factory = RequestFactory()
for forwarded in ("203.0.113.7", "6.6.6.6, 203.0.113.7", ""):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    print(get_client_ip_address(factory.post("/accounts/login/", REMOTE_ADDR="127.0.0.1", **extra)))
"""


@pytest.mark.parametrize(
    ("proxies", "addresses"),
    [
        # Straight to the app: a client's X-Forwarded-For is ignored, it could say anything.
        ("0", ["127.0.0.1", "127.0.0.1", "127.0.0.1"]),
        # Behind nginx: the address nginx appended, never what the client wrote in front of it.
        ("1", ["203.0.113.7", "203.0.113.7", "127.0.0.1"]),
    ],
)
def test_the_lockout_address_comes_from_the_trusted_proxy_count(proxies, addresses):
    result = run(["-c", CLIENT_ADDRESS], DJANGO_TRUSTED_PROXY_COUNT=proxies)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == addresses


EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _policy(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("path", [LOGIN_URL, "/", "/projects/", "/org/"])
def test_every_page_carries_the_strict_content_security_policy(login, secretary, path):
    client = login(secretary) if path != LOGIN_URL else Client()

    response = client.get(path)

    assert response.status_code == 200
    assert _policy(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
TEMPLATE_DIRS = [
    BASE_DIR / "templates",
    Path(crispy_bootstrap5.__file__).parent / "templates",
    Path(crispy_forms.__file__).parent / "templates",
]


def test_no_template_we_render_needs_unsafe_inline():
    offences = []
    for folder in TEMPLATE_DIRS:
        for template in folder.rglob("*.html"):
            text = template.read_text(encoding="utf-8")
            for name, pattern in [("inline <script>", INLINE_SCRIPT), ("style=", STYLE_ATTRIBUTE)]:
                offences += [f"{template}: {name}" for _ in pattern.finditer(text)]
            offences += [f"{template}: {match.group().strip()}" for match in EVENT_HANDLER.finditer(text)]

    assert offences == []


def test_https_pages_send_hsts_and_secure_httponly_cookies(settings, secretary):
    # The production values, as test_settings.py shows config/settings.py sets them with DJANGO_DEBUG=0.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client(REMOTE_ADDR=SCHOOL_ADDRESS)

    page = client.get(LOGIN_URL, secure=True)
    logged_in = client.post(LOGIN_URL, {"username": "secretary", "password": demo.DEMO_PASSWORD}, secure=True)

    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Frame-Options"] == "DENY"
    assert page.cookies["csrftoken"]["secure"] is True
    assert logged_in.status_code == 302
    session = logged_in.cookies["sessionid"]
    assert session["secure"] is True and session["httponly"] is True


def _env_example() -> dict[str, str]:
    lines = (BASE_DIR / "deploy" / "env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


@pytest.mark.slow
def test_the_deploy_env_example_passes_the_deploy_check():
    env = _env_example() | {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.fixture
def photo(settings, tmp_path, leader_a, teacher):
    project = in_progress_of(leader_a)
    activity = activity_services.activity_log_create(actor=leader_a, project=project, data=tutoring_data(project))
    photo = photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("IMG_0001.jpg", files.jpeg_bytes((1200, 900)))]
    ).saved[0]
    make_photo_display_sizes(photo.pk)
    photo.refresh_from_db()
    return photo


def test_in_production_a_photo_is_handed_to_nginx_without_a_body(settings, login, secretary, photo):
    settings.SENDFILE_BACKEND = "nginx"

    response = login(secretary).get(reverse("activities:photo_file", args=[photo.pk, "large"]))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == quote(f"/protected-media/{photo.display_large.name}")
    assert (Path(settings.MEDIA_ROOT) / photo.display_large.name).is_file()
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert not response.streaming
    assert response.content == b""


def test_in_production_another_school_gets_404_and_no_redirect(settings, login, other_school_user, photo):
    settings.SENDFILE_BACKEND = "nginx"

    response = login(other_school_user).get(reverse("activities:photo_file", args=[photo.pk, "original"]))

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


# Audit rows: who did what, when, from and to. The admin may show them, never add, change or delete.
AUDIT_MODELS = [
    "projects.ProjectEvent",
    "projects.ScoreSheet",
    "yearend.AssessmentSheet",
    "yearend.AssessmentEvent",
    "activities.ActivityRevision",
    "activities.AchievementRevision",
    "members.RosterImport",
]


@pytest.mark.parametrize("label", AUDIT_MODELS)
def test_the_admin_cannot_add_change_or_delete_audit_rows(rf, admin_user, admin_client, label):
    model = apps.get_model(label)
    request = rf.get("/admin/")
    request.user = admin_user
    model_admin = admin.site._registry.get(model)

    add_page = admin_client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/")

    if model_admin is None:
        # Not in the admin at all: there is no page to edit it on.
        assert add_page.status_code == 404
        return
    assert add_page.status_code == 403
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False


def test_a_superuser_posting_to_an_audit_row_in_the_admin_is_refused_and_the_row_unchanged(admin_client, leader_a):
    submitted_of(leader_a)
    event = ProjectEvent.objects.order_by("pk").last()
    before = model_to_dict(event)
    change = reverse("admin:projects_projectevent_change", args=[event.pk])
    delete = reverse("admin:projects_projectevent_delete", args=[event.pk])

    page = admin_client.get(change)
    edit = admin_client.post(change, {"action": event.action, "comment": "改过的意见"})
    removal = admin_client.post(delete, {"post": "yes"})
    addition = admin_client.get(reverse("admin:projects_projectevent_add"))

    assert page.status_code == 200  # viewing is allowed
    assert 'name="comment"' not in page.content.decode()
    assert edit.status_code == 403 and removal.status_code == 403 and addition.status_code == 403
    event.refresh_from_db()
    assert model_to_dict(event) == before


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_SENDFILE": "apache"}, "DJANGO_SENDFILE must be python or nginx, got 'apache'"),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "-1"}, "DJANGO_TRUSTED_PROXY_COUNT must be 0 or more, got -1"),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "nginx"}, "DJANGO_TRUSTED_PROXY_COUNT must be an integer, got 'nginx'"),
    ],
)
def test_a_bad_proxy_or_sendfile_value_stops_the_start(env, message):
    result = run(["manage.py", "check"], **env)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: " + message in result.stderr
