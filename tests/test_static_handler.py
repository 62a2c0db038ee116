"""The development static handler answers a path outside the static folders with 404, not 500."""

import http.client
from urllib.parse import urlsplit

import pytest


def _get_raw(live_server, path: str) -> int:
    # http.client sends the path as written: no client-side removal of "..".
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../manage.py",
        "/static/vendor/../../manage.py",
        "/static/..%2f..%2fconfig/settings.py",
        "/static/css/..%2f..%2f..%2fmanage.py",
        "/static/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_a_traversal_under_static_is_not_found(live_server, path):
    assert _get_raw(live_server, path) == 404


def test_a_real_static_file_is_still_served(live_server):
    assert _get_raw(live_server, "/static/css/portal.css") == 200
