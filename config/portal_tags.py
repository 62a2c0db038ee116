"""Template tags every app's templates may use: ``{% load portal %}`` (TEMPLATES' ``libraries``)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

register = template.Library()

# WeChat's built-in browser (and 企业微信's, whose user agent names it too) downloads no file on
# Android and cannot print anywhere; the system browser can, and WeChat opens the page there
# from its ··· menu. iOS WeChat previews some documents, so the note says "may".
_HINTS = {
    "download": _("在微信里打开时，文件可能无法直接下载：请点右上角「···」，选择「在浏览器打开」，再下载。"),
    "print": _("微信里无法打印：请点右上角「···」，选择「在浏览器打开」后再打印。"),
}


def in_wechat(user_agent: str) -> bool:
    return "MicroMessenger" in user_agent


@register.simple_tag(takes_context=True)
def wechat_hint(context: template.Context, what: str) -> str:
    """A note beside download or print buttons, shown only in WeChat's built-in browser."""
    request = context.get("request")
    if request is None or not in_wechat(request.headers.get("User-Agent", "")):
        return ""
    return format_html(
        '<p class="alert alert-warning small py-2 px-3" role="note" data-testid="wechat-hint">{}</p>', _HINTS[what]
    )
