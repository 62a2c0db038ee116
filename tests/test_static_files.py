"""Static files as production ships them: `collectstatic` writes content-hashed names with gzip and
Brotli siblings, WhiteNoise serves the pre-compressed file the browser accepts with far-future
`immutable` caching, pages name the hashed files, and pages themselves are gzipped where no proxy
compresses them (config/compression.py) while files other than text are left alone."""

import gzip
import json
import re

import brotli
import pytest
from django.test import Client
from django.urls import reverse

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def production_static(settings, collected_static):
    """The settings' own storage over the collected files, as a deployment without nginx runs."""
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    return collected_static


def _manifest(root) -> dict[str, str]:
    return json.loads((root / "staticfiles.json").read_text())["paths"]


def test_the_settings_ship_the_compressed_manifest_storage():
    from django.conf import settings

    # tests/conftest.py swaps it per test; the module's own value is what a deployment runs.
    from config import settings as own

    assert own.STORAGES["staticfiles"]["BACKEND"] == PRODUCTION_STORAGE
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_collectstatic_writes_hashed_names_with_gzip_and_brotli_copies(collected_static):
    paths = _manifest(collected_static)
    for source in ("css/portal.css", "vendor/bootstrap/bootstrap.min.css", "vendor/echarts/echarts.custom.min.js"):
        hashed = paths[source]
        assert re.fullmatch(
            re.escape(source.rsplit(".", 1)[0]) + r"\.[0-9a-f]{12}\." + source.rsplit(".", 1)[1], hashed
        )
        original = (collected_static / hashed).read_bytes()
        assert gzip.decompress((collected_static / f"{hashed}.gz").read_bytes()) == original
        assert brotli.decompress((collected_static / f"{hashed}.br").read_bytes()) == original
    # Bootstrap's CSS is the largest file every page loads: it travels at a fraction of its size.
    css = collected_static / paths["vendor/bootstrap/bootstrap.min.css"]
    assert css.with_name(css.name + ".br").stat().st_size < css.stat().st_size / 6
    # Images are already compressed: no copies of them.
    assert not (collected_static / f"{paths['favicon.png']}.gz").exists()


def test_a_hashed_file_is_served_precompressed_and_immutable(production_static):
    hashed = _manifest(production_static)["vendor/bootstrap/bootstrap.min.css"]
    client = Client()
    brotli_answer = client.get(f"/static/{hashed}", headers={"accept-encoding": "gzip, deflate, br"})
    assert brotli_answer.status_code == 200
    assert brotli_answer["Content-Encoding"] == "br"
    assert "immutable" in brotli_answer["Cache-Control"] and "max-age=315360000" in brotli_answer["Cache-Control"]
    assert "Accept-Encoding" in brotli_answer["Vary"]
    body = b"".join(brotli_answer.streaming_content)
    assert brotli.decompress(body) == (production_static / hashed).read_bytes()

    gzip_answer = client.get(f"/static/{hashed}", headers={"accept-encoding": "gzip"})
    assert gzip_answer["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(gzip_answer.streaming_content)) == (production_static / hashed).read_bytes()

    plain = client.get(f"/static/{hashed}")
    assert not plain.has_header("Content-Encoding")
    assert b"".join(plain.streaming_content) == (production_static / hashed).read_bytes()


def test_an_unhashed_name_is_served_but_only_briefly_cached(production_static):
    answer = Client().get("/static/css/portal.css", headers={"accept-encoding": "br"})
    assert answer.status_code == 200
    assert "immutable" not in answer["Cache-Control"]


def test_pages_name_the_hashed_files_and_come_gzipped(production_static, db):
    paths = _manifest(production_static)
    answer = Client().get(reverse("login"), headers={"accept-encoding": "gzip, br"})
    assert answer.status_code == 200
    assert answer["Content-Encoding"] == "gzip"
    page = gzip.decompress(answer.content).decode()
    assert f'href="/static/{paths["css/portal.css"]}"' in page
    assert f'src="/static/{paths["vendor/bootstrap/bootstrap.bundle.min.js"]}" defer' in page
    assert 'name="csrfmiddlewaretoken"' in page  # the login form, masked token and all


def test_a_client_without_gzip_gets_the_page_plain(db):
    answer = Client().get(reverse("login"))
    assert not answer.has_header("Content-Encoding")
    assert "登录" in answer.content.decode()


def test_an_image_is_not_gzipped_again(production_static):
    hashed = _manifest(production_static)["favicon.png"]
    answer = Client().get(f"/static/{hashed}", headers={"accept-encoding": "gzip, br"})
    assert answer.status_code == 200
    assert not answer.has_header("Content-Encoding")
    assert b"".join(answer.streaming_content) == (production_static / hashed).read_bytes()
