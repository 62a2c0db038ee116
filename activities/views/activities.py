"""Activity log pages: record, edit, archive, and the activity's own page with its gallery."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import selectors as project_selectors
from projects.models import MicroProject
from projects.school_years import date_in_school_year

from .. import activity_selectors, activity_services, photo_selectors
from ..errors import ActivityError, StaleEdit
from ..forms import ActivityForm, IndicatorValueFormSet, PhotoUploadForm
from ..models import ActivityLog


def visible_project(user, project_id: int) -> MicroProject | None:
    """The project if the user may see it."""
    return (
        project_selectors.projects_visible_to(user)
        .select_related("group", "group__branch")
        .filter(pk=project_id)
        .first()
    )


def _project(request: HttpRequest, project_id: int, permission: str) -> MicroProject:
    """The project if the user may see it (else 404) and has the permission on it (else 403)."""
    project = visible_project(request.user, project_id)
    if project is None:
        raise Http404
    if not request.user.has_perm(permission, project):
        raise PermissionDenied
    return project


def _activity(request: HttpRequest, activity_id: int, permission: str) -> ActivityLog:
    """The activity if it is of the user's committee (else 404) and the permission holds (else 403)."""
    activity = activity_selectors.activity_for(request.user, activity_id)
    if activity is None:
        raise Http404
    if not request.user.has_perm(permission, activity):
        raise PermissionDenied
    return activity


def _indicator_initial(indicators, activity: ActivityLog | None) -> list[dict]:
    """One row per target of the project, then the activity's values for any other indicator."""
    values = {value.indicator_id: value.value for value in activity.indicator_values.all()} if activity else {}
    target_ids = {indicator.pk for indicator in indicators if indicator.is_target}
    rows = [
        {"indicator": indicator.pk, "value": values.get(indicator.pk)}
        for indicator in indicators
        if indicator.pk in target_ids
    ]
    rows += [{"indicator": pk, "value": value} for pk, value in values.items() if pk not in target_ids]
    return rows


def activity_forms(request: HttpRequest, project: MicroProject, activity: ActivityLog | None):
    indicators = activity_selectors.activity_indicator_choices(project)
    participants = activity_selectors.activity_participant_choices(project)
    if request.method == "POST":
        form = ActivityForm(request.POST, participants=participants)
        values = IndicatorValueFormSet(request.POST, prefix="values", form_kwargs={"indicators": indicators})
        return form, values
    initial = {"date": date_in_school_year(project.school_year, timezone.localdate())}
    if activity is not None:
        initial = {
            "date": activity.date,
            "activity_type": activity.activity_type,
            "title": activity.title,
            "place": activity.place,
            "participants": list(activity.participants.all()),
            "beneficiaries_count": activity.beneficiaries_count,
            "beneficiaries": activity.beneficiaries,
            "duration_hours": activity.duration_hours,
            "narrative": activity.narrative,
            "based_on": activity.version,
        }
    form = ActivityForm(initial=initial, participants=participants)
    values = IndicatorValueFormSet(
        prefix="values",
        initial=_indicator_initial(indicators, activity),
        form_kwargs={"indicators": indicators},
    )
    return form, values


def activity_data(form: ActivityForm, values) -> activity_services.ActivityData:
    data = form.cleaned_data
    return activity_services.ActivityData(
        date=data["date"],
        activity_type=data["activity_type"],
        title=data["title"],
        place=data["place"],
        participants=list(data["participants"]),
        beneficiaries_count=data["beneficiaries_count"],
        beneficiaries=data["beneficiaries"],
        duration_hours=data["duration_hours"],
        narrative=data["narrative"],
        indicator_values=[
            activity_services.IndicatorValueData(indicator=indicator, value=value)
            for indicator, value in values.indicator_values()
        ],
    )


def _save_activity(request: HttpRequest, project: MicroProject, activity: ActivityLog | None) -> HttpResponse:
    form, values = activity_forms(request, project, activity)
    if request.method == "POST" and form.is_valid() and values.is_valid():
        data = activity_data(form, values)
        try:
            if activity is None:
                activity = activity_services.activity_log_create(
                    actor=request.user, project=project, data=data, client_id=form.cleaned_data["client_id"]
                )
                messages.success(request, _("活动记录已保存。"))
            else:
                activity = activity_services.activity_log_update(
                    actor=request.user, activity=activity, data=data, based_on=form.cleaned_data["based_on"]
                )
                messages.success(request, _("活动记录已修改，修改前的内容保留在修改历史中。"))
            return redirect("activities:activity_detail", activity_id=activity.pk)
        except StaleEdit as error:
            # The input stays on the page, now based on the newer version: saving again is a
            # choice made knowing of the other edit, which the history keeps.
            form.data = form.data.copy()
            form.data["based_on"] = str(error.current)
            form.add_error(
                None,
                error.message
                + _("您填写的内容仍在下方；请先在活动页的修改历史中查看他人的修改，确认后再次保存将以您填写的为准。"),
            )
        except ActivityError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "values": values, "project": project, "activity": activity},
    )


def activity_create(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, "activities.add_activity")
    return _save_activity(request, project, None)


def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = _activity(request, activity_id, "activities.change_activity")
    return _save_activity(request, activity.project, activity)


@require_POST
def activity_archive(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = _activity(request, activity_id, "activities.archive_activity")
    try:
        activity_services.activity_log_archive(actor=request.user, activity=activity)
        messages.success(request, _("活动记录已归档，不再计入项目进度；记录和修改历史仍然保留。"))
    except ActivityError as error:
        messages.error(request, error.message)
    return redirect("projects:detail", project_id=activity.project_id)


def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = _activity(request, activity_id, "activities.view_activity")
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "project": activity.project,
            "photos": photo_selectors.activity_gallery(activity),
            "upload_form": PhotoUploadForm(),
        },
    )
