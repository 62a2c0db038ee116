"""One language: an English browser sees a wholly Chinese portal, error pages included."""

import re

import pytest
from django.test import Client

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def _page(response) -> str:
    return response.content.decode()


def _assert_chinese_shell(page: str) -> None:
    assert '<html lang="zh-Hans">' in page
    assert "党建微项目" in page  # the navbar brand: the site's shell
    assert 'href="/"' in page  # a way back to the home page
    assert "<script>" not in page and "style=" not in page  # the strict CSP holds


@pytest.mark.django_db
def test_an_english_browser_gets_the_login_page_and_django_messages_in_chinese():
    client = Client(**ENGLISH)

    page = _page(client.get("/accounts/login/"))
    assert '<html lang="zh-Hans">' in page
    assert 'lang="en"' not in page

    response = client.post("/accounts/login/", {"username": "", "password": ""})
    page = _page(response)
    assert response.status_code == 200
    assert "这个字段是必填项。" in page
    assert "This field is required" not in page
    assert "Content-Language" not in response.headers or response.headers["Content-Language"] == "zh-hans"


def test_a_refused_permission_is_a_chinese_page_in_the_shell(client, teacher):
    client.force_login(teacher)

    response = client.get("/members/import/", **ENGLISH)

    assert response.status_code == 403
    page = _page(response)
    assert "没有权限" in page and "Forbidden" not in page
    _assert_chinese_shell(page)
    assert "退出登录" in page  # the navbar of a logged-in user: the page is in the site's shell


def test_a_missing_page_is_a_chinese_404_in_the_shell(client, teacher):
    client.force_login(teacher)

    response = client.get("/activities/999999999/", **ENGLISH)

    assert response.status_code == 404
    page = _page(response)
    assert "页面不存在" in page and "Not Found" not in page
    _assert_chinese_shell(page)


def test_a_bug_is_a_chinese_500_page(client, teacher, settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    client.force_login(teacher)
    client.raise_request_exception = False

    response = client.get("/broken/", **ENGLISH)

    assert response.status_code == 500
    page = _page(response)
    assert "服务器出错" in page and "Server Error" not in page
    _assert_chinese_shell(page)


def test_a_failed_csrf_check_is_a_chinese_page_with_a_way_back(db):
    client = Client(enforce_csrf_checks=True, **ENGLISH)

    response = client.post("/accounts/login/", {"username": "leader1", "password": "x"})

    assert response.status_code == 403
    page = _page(response)
    assert "页面已过期" in page and "CSRF" not in page
    assert 'href="/accounts/login/"' in page
    _assert_chinese_shell(page)


def test_a_bad_request_is_a_chinese_400_page(db):
    client = Client(**ENGLISH)

    response = client.get("/accounts/login/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    page = _page(response)
    assert "请求有误" in page and "Bad Request" not in page
    _assert_chinese_shell(page)


def test_the_settings_offer_chinese_only(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans"]
    assert not any(re.search(r"LocaleMiddleware", name) for name in settings.MIDDLEWARE)


def test_the_way_back_never_leads_to_another_site(db):
    client = Client(enforce_csrf_checks=True, **ENGLISH)

    response = client.post("/accounts/login/", {}, HTTP_REFERER="https://evil.example/accounts/login/?next=/")

    page = _page(response)
    assert 'href="/accounts/login/?next=/"' in page
    assert "evil.example" not in page
