"""The permission matrix: every URL pattern of the project, for every persona, for GET and POST.

The URLs are walked from the resolver, so a new page is covered automatically and a page missing
from `tests/permission_matrix_table.py` fails `test_every_url_pattern_is_in_the_matrix` by name.
The dataset is built once per module inside a transaction that is rolled back at the end; each
case runs in its own savepoint, so an allowed POST changes nothing the next case sees.
"""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from members.models import User
from tests.permission_matrix_table import (
    ANONYMOUS,
    LOGIN,
    MATRIX,
    PERSONAS,
    SKIPPED_NAMESPACES,
    SKIPPED_PREFIXES,
    Slug,
    build_dataset,
)
from tests.shared_dataset import module_dataset

REFUSED = {403, 404, 405, LOGIN}
SNAPSHOT_APPS = ("branches", "members", "projects", "activities", "stats", "yearend")
# Derived figures, rewritten from the rows above by the statistics jobs; the largest table to read.
SNAPSHOT_SKIPPED = {"stats.StatSnapshot"}


def walk(patterns, namespace: str = "", prefix: str = ""):
    """(url name with its namespaces, route) of every pattern outside the skipped namespaces and prefixes."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if any(route.startswith(skipped) for skipped in SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner, route)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>"), route


def test_every_url_pattern_is_in_the_matrix():
    names = {name for name, _route in walk(get_resolver().url_patterns)}
    assert sorted(names - set(MATRIX)) == [], "URL patterns missing from tests/permission_matrix_table.py"
    assert sorted(set(MATRIX) - names) == [], "matrix rows without a URL pattern"


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture
def media_root(settings, media_dir):
    """Overrides the per-test MEDIA_ROOT: the photo, certificate and report of the dataset live here."""
    settings.MEDIA_ROOT = media_dir
    return media_dir


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker, media_dir):
    with module_dataset(django_db_blocker, build_dataset, MEDIA_ROOT=media_dir) as ids:
        yield ids


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of the project's own apps (but the statistics snapshots), field by field."""
    snapshot = {}
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label in SNAPSHOT_SKIPPED:
                continue
            snapshot[model._meta.label] = list(model.objects.order_by("pk").values_list())
    return snapshot


def url_of(name: str, ids: dict[str, int]) -> str:
    kwargs = {key: value.value if isinstance(value, Slug) else ids[value] for key, value in MATRIX[name].kwargs.items()}
    return reverse(name, kwargs=kwargs)


def outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login") + "?"):
        return LOGIN
    return response.status_code


CASES = [
    pytest.param(name, persona, method, id=f"{name}-{persona}-{method}")
    for name in sorted(MATRIX)
    for persona in (ANONYMOUS, *PERSONAS.values())
    for method in ("GET", "POST")
]


@pytest.mark.parametrize(("name", "persona", "method"), CASES)
def test_permission_matrix(dataset, db, name, persona, method):
    client = Client()
    if persona != ANONYMOUS:
        client.force_login(User.objects.get(username=persona))
    expected = MATRIX[name].outcomes(method)[persona]
    url = url_of(name, dataset)
    refused_post = method == "POST" and expected in REFUSED
    before = database_snapshot() if refused_post else None

    response = client.get(url) if method == "GET" else client.post(url, {})

    got = outcome(response)
    assert got == expected, f"{name}: {method} {url} as {persona} got {got}, the matrix says {expected}"
    if refused_post:
        assert database_snapshot() == before, f"refused POST {url} as {persona} changed the database"
