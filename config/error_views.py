"""The portal's own error pages: Chinese, in the site's shell, each with a way back.

Django's defaults answer a refused permission with an English "403 Forbidden" and a failed CSRF
check with an English page; these replace them (handler400/403/404/500 in config.urls and
CSRF_FAILURE_VIEW). 400 and 500 render without the request's context processors: the request may
be what is broken (a bad host, a torn body) and the database may be down.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def _page(request: HttpRequest | None, status: int, title: str, message: str, back: str = "") -> HttpResponse:
    context = {"status": status, "title": title, "message": message, "back_url": back}
    body = loader.get_template("errors/error.html").render(context, request)
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def _same_page(request: HttpRequest) -> str:
    """Back to the page the form was on: the referring page's path (never its host, so never
    another site), else the posted address itself (a GET of it shows the form again)."""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    for path, query in ((referer.path, referer.query), (request.path, "")):
        if path.startswith("/") and not path.startswith("//") and "\\" not in path:
            return f"{path}?{query}" if query else path
    return "/"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, TooManyFilesSent):
        message = _("一次提交的文件过多（最多 %(count)s 个），请分几次上传。") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
        return _page(None, 400, _("文件过多"), message, _same_page(request))
    if isinstance(exception, RequestDataTooBig):
        return _page(None, 400, _("提交的内容过大"), _("提交的内容超过了上限，请减少内容后重试。"), _same_page(request))
    if isinstance(exception, TooManyFieldsSent):
        return _page(None, 400, _("提交的内容过多"), _("提交的栏目数量超过了上限。"), _same_page(request))
    return _page(None, 400, _("请求有误"), _("无法处理这个请求，请返回后重试。"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, _("没有权限"), _("您没有权限查看此页面或执行此操作。如有需要，请联系党委管理员。"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, _("页面不存在"), _("您要找的页面不存在，或不在您可以查看的范围内。"))


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(
        None, 500, _("服务器出错"), _("服务器处理时出错，已记录。请稍后重试；如果问题仍然存在，请联系管理员。")
    )


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason is Django's English diagnosis; it stays in the log, not on the page.
    return _page(
        request,
        403,
        _("页面已过期"),
        _("提交未通过安全校验，可能是页面打开太久或浏览器禁用了 Cookie。请返回并刷新页面后重新提交。"),
        _same_page(request),
    )
