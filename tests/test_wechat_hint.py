"""In WeChat's built-in browser a download or a print does nothing on Android: the pages with
download or print buttons say how to open the page in the system browser, there only."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.projects.workflow_fixtures import draft_of

pytestmark = pytest.mark.django_db

WECHAT_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/130.0.6723.103 Mobile Safari/537.36 XWEB/1300289 MMWEBSDK/20241103 MMWEBID/2307 "
    "MicroMessenger/8.0.55.2780(0x28003737) WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64"
)
WECOM_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "wxwork/4.1.26 MicroMessenger/7.0.1 Language/zh ColorScheme/Light"
)
PHONE_BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36"
)
DOWNLOAD_HINT = "在微信里打开时，文件可能无法直接下载：请点右上角「···」，选择「在浏览器打开」，再下载。"
PRINT_HINT = "微信里无法打印：请点右上角「···」，选择「在浏览器打开」后再打印。"


def _pages(secretary, leader_a):
    project = draft_of(leader_a)
    return [
        (leader_a, reverse("projects:detail", args=[project.pk]), DOWNLOAD_HINT),
        (secretary, reverse("projects:queue"), DOWNLOAD_HINT),
        (secretary, reverse("yearend:reports"), DOWNLOAD_HINT),
        (secretary, reverse("members:list"), DOWNLOAD_HINT),
        (secretary, reverse("members:import"), DOWNLOAD_HINT),
        (secretary, reverse("stats:dashboard_committee_print"), PRINT_HINT),
    ]


@pytest.mark.parametrize("user_agent", [WECHAT_ANDROID, WECOM_IPHONE], ids=["wechat-android", "wecom-iphone"])
def test_in_wechat_the_pages_with_downloads_or_printing_say_to_open_them_in_the_browser(
    secretary, leader_a, user_agent
):
    for user, url, hint in _pages(secretary, leader_a):
        page = client_for(user).get(url, headers={"user-agent": user_agent})
        assert page.status_code == 200, url
        assert page.content.decode().count(hint) == 1, url


def test_in_a_phone_browser_or_with_no_user_agent_no_page_shows_the_hint(secretary, leader_a):
    for user, url, hint in _pages(secretary, leader_a):
        for headers in ({"user-agent": PHONE_BROWSER}, {}):
            page = client_for(user).get(url, headers=headers)
            assert page.status_code == 200, url
            assert hint not in page.content.decode(), url


def test_the_hint_stands_beside_an_export_only_for_who_may_export(teacher):
    """A teacher reads the roster but exports nothing: no hint about downloads there."""
    page = client_for(teacher).get(reverse("members:list"), headers={"user-agent": WECHAT_ANDROID})
    assert page.status_code == 200
    assert "导出 Excel" not in page.content.decode()
    assert DOWNLOAD_HINT not in page.content.decode()
