"""The 日程 page and the private calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from rules.contrib.views import permission_required

from . import feeds
from .schedule import schedule_of


@permission_required("projects.view_project_list", raise_exception=True)
def schedule(request: HttpRequest) -> HttpResponse:
    """The coming (and the late) dates of the user's role, and their private ICS address."""
    today = timezone.localdate()
    items = schedule_of(request.user, today)
    feed = feeds.feed_of(request.user)
    return render(
        request,
        "deadlines/schedule.html",
        {
            # Only work still owed is late; a past calendar date or activity is simply past.
            "late": [item for item in items if item.day < today and item.kind in (_("我的待办"), _("逾期告知"))],
            "coming": [item for item in items if item.day >= today],
            "today": today,
            "feed_url": request.build_absolute_uri(reverse("deadlines:feed", args=[feed.token])),
        },
    )


@require_POST
@permission_required("projects.view_project_list", raise_exception=True)
def feed_reset(request: HttpRequest) -> HttpResponse:
    feeds.feed_token_reset(user=request.user)
    messages.success(request, _("已生成新的订阅地址，旧地址已失效。请在手机日历中重新订阅。"))
    return redirect("deadlines:schedule")


@login_not_required
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS file for calendar apps, which cannot log in: the unguessable token is the key."""
    user = feeds.feed_owner(token)
    if user is None:
        raise Http404
    body = feeds.ics_of(
        schedule_of(user, timezone.localdate()),
        base_url=f"{request.scheme}://{request.get_host()}",
        name=str(_("党建微项目日程")),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
