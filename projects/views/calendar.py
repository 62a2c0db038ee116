"""The secretary's 学年日程: the year's dates and the groups' application extensions."""

from dataclasses import fields

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from branches import selectors as branch_selectors
from members.roles import roles_of

from .. import calendar_selectors, calendar_services
from ..calendar_forms import CalendarForm, ExtensionForm, YearChoiceForm
from ..errors import ProjectError
from ..models import YearCalendar
from ..school_years import school_year_of

CALENDAR_FIELDS = [field.name for field in fields(calendar_services.CalendarData)]


def _year(request: HttpRequest, years: list[str]) -> str:
    """The school year asked for if it is offered, else the current one."""
    asked = request.GET.get("year") or request.POST.get("year") or ""
    return asked if asked in years else school_year_of(timezone.localdate())


def _render(
    request: HttpRequest,
    year: str,
    years: list[str],
    *,
    form: CalendarForm | None = None,
    extension_form: ExtensionForm | None = None,
) -> HttpResponse:
    committee_id = roles_of(request.user).committee_id
    calendar = calendar_selectors.calendar_of(committee_id, year)
    if form is None:
        initial = {name: getattr(calendar, name) for name in CALENDAR_FIELDS} if calendar else {}
        form = CalendarForm(initial=initial)
    groups = branch_selectors.groups_visible_to(request.user).select_related("branch").order_by("branch", "pk")
    return render(
        request,
        "projects/calendar.html",
        {
            "year": year,
            "year_form": YearChoiceForm(initial={"year": year}, school_years=years),
            "calendar": calendar,
            "form": form,
            "extension_form": extension_form or ExtensionForm(groups=groups),
            "extensions": calendar_selectors.extensions_of(committee_id, year),
            "changes": calendar_selectors.calendar_changes_of(committee_id, year),
            "field_labels": {name: YearCalendar._meta.get_field(name).verbose_name for name in CALENDAR_FIELDS},
        },
    )


@permission_required("projects.edit_calendar", raise_exception=True)
def calendar(request: HttpRequest) -> HttpResponse:
    """The chosen school year's dates (the current one's by default), editable by the secretary."""
    years = calendar_selectors.calendar_school_years(roles_of(request.user).committee_id)
    year = _year(request, years)
    if request.method != "POST":
        return _render(request, year, years)
    form = CalendarForm(request.POST)
    if form.is_valid():
        try:
            calendar_services.calendar_save(
                actor=request.user,
                school_year=year,
                data=calendar_services.CalendarData(**{name: form.cleaned_data[name] for name in CALENDAR_FIELDS}),
            )
        except ProjectError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(year)s 学年日程已保存。") % {"year": year})
            return redirect(f"{reverse('projects:calendar')}?year={year}")
    return _render(request, year, years, form=form)


@require_POST
@permission_required("projects.edit_calendar", raise_exception=True)
def extension_grant(request: HttpRequest) -> HttpResponse:
    """Grant one group more time to submit its application for the year."""
    years = calendar_selectors.calendar_school_years(roles_of(request.user).committee_id)
    year = _year(request, years)
    groups = branch_selectors.groups_visible_to(request.user).select_related("branch", "leader__user")
    form = ExtensionForm(request.POST, groups=groups)
    if form.is_valid():
        try:
            calendar_services.extension_grant(
                actor=request.user,
                group=form.cleaned_data["group"],
                school_year=year,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except ProjectError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("已同意%(group)s延期至 %(date)s。")
                % {"group": form.cleaned_data["group"].name, "date": f"{form.cleaned_data['until']:%Y-%m-%d}"},
            )
            return redirect(f"{reverse('projects:calendar')}?year={year}")
    return _render(request, year, years, extension_form=form)
