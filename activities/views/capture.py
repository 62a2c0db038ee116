"""The capture API: what the phone's outbox sends, one piece per request, answered in JSON.

The capture page (the activity form with its photos, static/js/capture.js) keeps each record in an
outbox in the browser (static/js/outbox.js) and sends it in pieces: the activity, then each photo
on its own. Every piece carries an id the phone made (a UUID), so a repeat — a retry after a
dropped connection, a reload mid-send, a second tab — answers with the row the first made.
Permission is checked on every send; a refusal answers with a Chinese `message` the page shows
beside the draft it keeps. Status codes tell the outbox what to do: 2xx done, 4xx refused (kept as
a draft, not retried by itself), anything else tried again later.
"""

from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from config.idempotency import parse_client_id

from .. import activity_selectors, activity_services, photo_services
from ..errors import ActivityError, ImageRefused, StaleEdit
from ..forms import PhotoCaptureForm
from ..models import ActivityLog
from .activities import activity_data, activity_forms, visible_project


def _refused(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message, **extra}, status=status)


def _form_errors(*forms_with_labels) -> tuple[str, dict[str, list[str]]]:
    """One sentence naming each wrong field, and the errors by field name for the page to mark."""
    errors: dict[str, list[str]] = {}
    parts: list[str] = []
    for form in forms_with_labels:
        for name, messages in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            errors[form.add_prefix(name) if name != "__all__" else "__all__"] = list(messages)
            parts.append(f"{label}：{'；'.join(messages)}" if label else "；".join(messages))
    return _("请检查填写的内容：%(problems)s") % {"problems": "；".join(parts)}, errors


def _saved(activity: ActivityLog, *, created: bool) -> JsonResponse:
    return JsonResponse(
        {
            "ok": True,
            "activity_id": activity.pk,
            "url": reverse("activities:activity_detail", args=[activity.pk]),
            "photo_url": reverse("activities:capture_photo", args=[activity.pk]),
            # What the next edit from this phone is based on.
            "version": activity.version,
        },
        status=201 if created else 200,
    )


@require_safe
@never_cache
def capture_session(request: HttpRequest) -> JsonResponse:
    """Who is logged in and a fresh CSRF token: a page served offline may carry a stale one."""
    return JsonResponse({"user": request.user.pk, "csrf": get_token(request)})


def _save(request: HttpRequest, project, activity: ActivityLog | None) -> JsonResponse:
    form, values = activity_forms(request, project, activity)
    client_id = parse_client_id(request.POST.get("client_id")) if activity is None else None
    if activity is None and client_id is None:
        return _refused(_("缺少记录编号，请刷新页面后重新保存。"), 400)
    if not (form.is_valid() & values.is_valid()):
        values_errors = [value_form for value_form in values.forms if value_form.errors]
        message, errors = _form_errors(form, *values_errors)
        if values.non_form_errors():
            message += "；" + "；".join(values.non_form_errors())
        return _refused(message, 400, errors=errors)
    data = activity_data(form, values)
    try:
        if activity is None:
            before = ActivityLog.objects.filter(client_id=client_id).exists()
            activity = activity_services.activity_log_create(
                actor=request.user, project=project, data=data, client_id=client_id
            )
            return _saved(activity, created=not before)
        activity = activity_services.activity_log_update(
            actor=request.user, activity=activity, data=data, based_on=form.cleaned_data["based_on"]
        )
    except StaleEdit as error:
        # The outbox keeps the record as a draft with this message (a 4xx is a refusal).
        return _refused(
            _("这条活动记录在您离线期间已被他人修改，请刷新后重新编辑；您的修改已保留为草稿。"),
            409,
            current=error.current,
        )
    except ActivityError as error:
        return _refused(error.message, 409)
    return _saved(activity, created=False)


@require_POST
def capture_activity_create(request: HttpRequest, project_id: int) -> JsonResponse:
    """Record an activity sent by the outbox, under the id the phone made for it."""
    project = visible_project(request.user, project_id)
    if project is None:
        return _refused(_("项目不存在或您无权查看。"), 404)
    if not request.user.has_perm("activities.add_activity", project):
        return _refused(_("您已不能为这个项目记录活动（项目可能已结项，或组长已收回授权）。草稿仍保留在本机。"), 403)
    return _save(request, project, None)


@require_POST
def capture_activity_update(request: HttpRequest, activity_id: int) -> JsonResponse:
    """Save an edit of an activity sent by the outbox (edits carry no id: the same edit twice is the same)."""
    activity = activity_selectors.activity_for(request.user, activity_id)
    if activity is None:
        return _refused(_("活动记录不存在或您无权查看。"), 404)
    if not request.user.has_perm("activities.change_activity", activity):
        return _refused(_("您已不能修改这条活动记录（项目可能已结项，或记录已归档）。草稿仍保留在本机。"), 403)
    return _save(request, activity.project, activity)


@require_POST
def capture_photo(request: HttpRequest, activity_id: int) -> JsonResponse:
    """One photo of an activity, with its caption and the id the phone made for it."""
    activity = activity_selectors.activity_for(request.user, activity_id)
    if activity is None:
        return _refused(_("活动记录不存在或您无权查看。"), 404)
    if not request.user.has_perm("activities.upload_photo", activity):
        return _refused(_("您已不能为这条活动上传照片（项目可能已结项，或记录已归档）。照片仍保留在本机。"), 403)
    form = PhotoCaptureForm(request.POST, request.FILES)
    if not form.is_valid():
        message, errors = _form_errors(form)
        return _refused(message, 400, errors=errors)
    data = form.cleaned_data
    try:
        added = photo_services.photo_add(
            actor=request.user,
            activity=activity,
            upload=data["photo"],
            caption=data["caption"],
            client_id=data["client_id"],
        )
    except ImageRefused as refused:
        return _refused(refused.message, 422)
    except ActivityError as error:
        return _refused(error.message, 409)
    photo = added.photo
    return JsonResponse(
        {"ok": True, "photo_id": photo.pk, "width": photo.width, "height": photo.height},
        status=201 if added.created else 200,
    )
