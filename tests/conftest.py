"""Shared fixtures: the demo schools and one persona per position (STYLE.md)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from members import demo
from members.models import User

# The review side's fixtures (a rubric, submitted applications) serve the projects, the
# statistics and the year's end tests alike.
pytest_plugins = ["tests.projects.review_fixtures"]


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Hashing dozens of demo passwords with PBKDF2 would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def empty_static_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("no-collected-static")


@pytest.fixture(autouse=True)
def unhashed_static_files(settings, empty_static_root):
    """Static files under their source names, as with DEBUG on (`make run`).

    The production storage (hashed names from a manifest, tests/test_static_files.py) needs
    `collectstatic` first, and the live server's static handler finds files only by their source
    names; pytest runs with DEBUG off, so the tests name static files as the embedded run does.
    STATIC_ROOT is an empty folder, so WhiteNoise has nothing (and no missing folder) to scan.
    """
    settings.STATIC_ROOT = empty_static_root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """A STATIC_ROOT filled by `collectstatic` with the production storage, once per test run."""
    root = tmp_path_factory.mktemp("static-root")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "STATIC_ROOT": str(root)},
        check=True,
    )
    return root


@pytest.fixture(autouse=True)
def no_report_pdf(settings):
    # Converting every report a test builds with LibreOffice would add seconds to each; the tests
    # of the PDF itself turn it back on (settings.REPORT_PDF = True).
    settings.REPORT_PDF = False


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Uploaded and seeded files go to a per-test folder (never the project's media/) that a test can inspect."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def demo_schools(db):
    """Both demo schools, as `seed_demo` builds them: (大坪小学, 红岩小学)."""
    daping, hongyan = demo.seed_organisation()
    return daping, hongyan


@pytest.fixture
def daping(demo_schools):
    return demo_schools[0]


@pytest.fixture
def hongyan(demo_schools):
    return demo_schools[1]


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def secretary(demo_schools) -> User:
    return _user("secretary")


@pytest.fixture
def committee_member(demo_schools) -> User:
    return _user("committee1")


@pytest.fixture
def committee_member_2(demo_schools) -> User:
    return _user("committee2")


@pytest.fixture
def branch_secretary(demo_schools) -> User:
    """Secretary of 第一党支部 (groups 1 and 2)."""
    return _user("branch1")


@pytest.fixture
def leader_a(demo_schools) -> User:
    """Leader of 第一党小组."""
    return _user("leader1")


@pytest.fixture
def leader_b(demo_schools) -> User:
    """Leader of 第二党小组."""
    return _user("leader2")


@pytest.fixture
def teacher(demo_schools) -> User:
    """An ordinary teacher of 第一党小组."""
    return _user("teacher1")


@pytest.fixture
def other_school_user(demo_schools) -> User:
    """The secretary of 红岩小学: powerful at home, a stranger at 大坪小学."""
    return _user("hy-secretary")


@pytest.fixture
def anonymous_client() -> Client:
    return Client()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def login():
    """`login(user)` gives a test client logged in as that user."""
    return client_for


def pytest_collection_modifyitems(config, items):
    """Tests that start a real Celery worker take seconds each: they are slow as well."""
    for item in items:
        if item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.slow)
