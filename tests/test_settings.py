"""Settings read from the environment: each case starts a fresh Python with only that environment,
because config/settings.py is read once per process."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
# Variables that config/settings.py reads, dropped from the inherited environment so that
# a developer's shell or the CI's PostgreSQL run cannot leak into a case.
OWN_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "STATIC_ROOT", "MEDIA_ROOT")
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
}
SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from config.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "debug": settings.DEBUG,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "celery_eager": app.conf.task_always_eager,
    "broker": settings.CELERY_BROKER_URL,
}))
"""


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in OWN_VARIABLES and not (key.startswith("DJANGO_") and key != "DJANGO_SETTINGS_MODULE")
    }
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def settings_with(**env: str) -> dict:
    result = run(["-c", SHOW_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be a boolean (1/0, true/false), got 'maybe'"),
        ({"DATABASE_URL": "nosuchdb://localhost/portal"}, "DATABASE_URL is not a valid database URL"),
        ({"DATABASE_URL": "postgres://u@h:notaport/db"}, "DATABASE_URL is not a valid database URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379/0"}, "REDIS_URL must start with redis://, rediss:// or unix://"),
        ({"DJANGO_DEBUG": "0"}, "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off"),
        (
            {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"]},
            "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off",
        ),
        ({"DJANGO_SECURE_HSTS_SECONDS": "a year"}, "DJANGO_SECURE_HSTS_SECONDS must be an integer, got 'a year'"),
    ],
)
def test_a_bad_value_stops_the_start_with_improperly_configured(env, message):
    result = run(["manage.py", "check"], **env)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: " + message in result.stderr


@pytest.mark.slow
def test_production_values_pass_the_deploy_check():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_turns_on_https_only_cookies_and_hsts():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.ALLOWED_HOSTS)"
    )
    result = run(["-c", code], **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "31536000", "True", "True", "['portal.example.org']"]


def test_embedded_default_is_sqlite_with_eager_celery():
    values = settings_with()

    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(BASE_DIR / "db.sqlite3")
    assert values["debug"] is True
    assert values["eager"] is True and values["celery_eager"] is True
    assert values["broker"] == "memory://"


def test_database_and_redis_urls_switch_to_postgres_and_a_real_broker():
    values = settings_with(
        DATABASE_URL="postgres://portal@db.example.org:5432/dangjian", REDIS_URL="redis://cache.example.org:6379/0"
    )

    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "dangjian"
    assert values["eager"] is False and values["celery_eager"] is False
    assert values["broker"] == "redis://cache.example.org:6379/0"


SHOW_COMPRESSION = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "gzip": "config.compression.TextGZipMiddleware" in settings.MIDDLEWARE,
    "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
}))
"""


@pytest.mark.parametrize(
    ("env", "gzip"),
    [
        ({}, True),  # the embedded run and a deployment without a proxy compress their own pages
        ({"DJANGO_BEHIND_PROXY": "1"}, False),  # nginx's gzip does it
        ({"DJANGO_BEHIND_PROXY": "1", "DJANGO_COMPRESS_HTML": "1"}, True),  # a proxy that does not
        ({"DJANGO_COMPRESS_HTML": "0"}, False),
    ],
)
def test_pages_are_gzipped_by_the_app_only_where_no_proxy_does_it(env, gzip):
    result = run(["-c", SHOW_COMPRESSION], **env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["gzip"] is gzip


def test_persistent_database_connections_last_as_configured():
    url = {"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d"}
    for env, seconds in (({}, 60), ({"DJANGO_CONN_MAX_AGE": "0"}, 0)):
        result = run(["-c", SHOW_COMPRESSION], **url, **env)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["conn_max_age"] == seconds
