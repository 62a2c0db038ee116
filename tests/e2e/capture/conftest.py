"""The capture journeys' fixtures: the project recorded into and the phones and pages they use."""

import pytest

from activities.models import ActivityLog
from projects.demo import seed_projects
from projects.models import MicroProject
from tests.activities import image_files as files
from tests.e2e.capture.steps import CUT_OR_REFUSED, PHOTO_SIZE, SERVER_ERRORS
from tests.e2e.conftest import DESKTOP, PHONE, _watched_page


@pytest.fixture(scope="module")
def twelve_megapixels() -> bytes:
    return files.jpeg_bytes(PHOTO_SIZE)


@pytest.fixture
def helping_project(demo_site, settings, tmp_path) -> MicroProject:
    settings.MEDIA_ROOT = tmp_path
    seed_projects(demo_site[0])
    return MicroProject.objects.get(title="“帮扶暖心”党建微项目")


@pytest.fixture
def phone_without_worker(request, browser, live_server, artifacts_dir):
    """A phone whose browser has no service worker (as some in-app browsers): the in-page outbox
    does the work, and every request of the page reaches Playwright's routes."""
    with _watched_page(
        request,
        browser,
        artifacts_dir,
        tolerated=(CUT_OR_REFUSED,),
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        service_workers="block",
    ) as page:
        yield page


@pytest.fixture
def phone_with_cut_page(request, browser, live_server, artifacts_dir):
    """A phone with its service worker, on which the page's own capture requests are cut on purpose."""
    with _watched_page(
        request, browser, artifacts_dir, tolerated=(CUT_OR_REFUSED,), viewport=PHONE, is_mobile=True, has_touch=True
    ) as page:
        yield page


@pytest.fixture
def refusing_page(request, browser, live_server, artifacts_dir):
    """A desktop page on which the server's 409 for a reused photo id is expected."""
    with _watched_page(request, browser, artifacts_dir, tolerated=(CUT_OR_REFUSED,), viewport=DESKTOP) as page:
        yield page


@pytest.fixture
def recorded_activity(helping_project) -> ActivityLog:
    import datetime

    from activities import activity_services
    from tests.activities.conftest import tutoring_data

    return activity_services.activity_log_create(
        actor=helping_project.group.leader.user,
        project=helping_project,
        data=tutoring_data(helping_project, date=datetime.date(2024, 10, 15)),
    )


@pytest.fixture
def erring_phone(request, browser, live_server, artifacts_dir):
    """A phone page (no service worker, so the page itself sends) that expects refused requests."""
    with _watched_page(
        request, browser, artifacts_dir, tolerated=(SERVER_ERRORS,), viewport=PHONE, is_mobile=True, has_touch=True,
        service_workers="block",
    ) as page:  # fmt: skip
        yield page
