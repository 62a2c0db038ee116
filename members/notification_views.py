"""The user's in-app notifications: the list, and marking them read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import Notification
from .services import notification_preferences_set, notifications_mark_read

NOTIFICATIONS_PER_PAGE = 30


def notifications(request: HttpRequest) -> HttpResponse:
    """The user's own notifications, newest first (nobody else's are ever listed)."""
    page = Paginator(Notification.objects.filter(recipient=request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "members/notifications.html", {"page": page})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read (and open its link when asked), or all of them."""
    notification_id = request.POST.get("notification", "")
    if not notification_id.isdigit():
        notifications_mark_read(user=request.user)
        return redirect("members:notifications")
    notifications_mark_read(user=request.user, notification_ids=[int(notification_id)])
    if "open" in request.POST:
        notification = Notification.objects.filter(recipient=request.user, pk=notification_id).first()
        link = notification.link if notification else ""
        if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
            return redirect(link)
    return redirect("members:notifications")


@require_POST
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Turn the user's e-mail copies of notices on or off."""
    enabled = request.POST.get("email_notifications") == "1"
    notification_preferences_set(user=request.user, email_notifications=enabled)
    messages.success(request, _("已开启邮件通知。") if enabled else _("已关闭邮件通知，通知只在平台内显示。"))
    return redirect("members:notifications")
