"""The statistics dashboards of the committee, a branch and a group, their print pages and the refresh."""

from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from . import dashboard_scopes, dashboards, district_selectors
from . import services as stats_services
from .errors import StatsError


def _render(request: HttpRequest, printable: bool, **scope) -> HttpResponse:
    committee = scope.pop("committee")
    found = dashboard_scopes.school_years_for(committee)
    years = found.years
    school_year = dashboard_scopes.chosen_school_year(
        years, request.GET.get("year"), dashboard_scopes.default_school_year(found)
    )
    board = dashboards.dashboard(request.user, committee, school_year, years, **scope)
    if board.missing:
        computing = stats_services.stats_fill_missing(
            committee_id=committee.pk, school_year=school_year, scopes=board.missing
        )
        board = replace(board, computing=computing)
    template = "stats/dashboard_print.html" if printable else "stats/dashboard_page.html"
    return render(request, template, {"board": board, "next": request.get_full_path()})


@permission_required("stats.view_dashboards", raise_exception=True)
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """The widest dashboard the user may open: the committee's, their branch's or their group's."""
    found = dashboard_scopes.dashboard_of_user(request.user)
    if found is None:
        if request.user.has_perm("stats.view_district_dashboard"):
            return redirect("stats:dashboard_district")
        raise PermissionDenied
    level, scope_id = found
    return redirect(reverse(f"stats:dashboard_{level}", args=[scope_id] if scope_id is not None else []))


@permission_required("stats.view_committee_dashboard", raise_exception=True)
def dashboard_committee(request: HttpRequest, printable: bool = False) -> HttpResponse:
    committee = dashboard_scopes.committee_for_dashboard(request.user)
    if committee is None:
        raise Http404
    return _render(request, printable, committee=committee)


def dashboard_branch(request: HttpRequest, branch_id: int, printable: bool = False) -> HttpResponse:
    branch = dashboard_scopes.branch_for_dashboard(request.user, branch_id)
    if branch is None:
        raise Http404
    if not request.user.has_perm("stats.view_branch_dashboard", branch):
        raise PermissionDenied
    return _render(request, printable, committee=branch.committee, branch=branch)


def dashboard_group(request: HttpRequest, group_id: int, printable: bool = False) -> HttpResponse:
    group = dashboard_scopes.group_for_dashboard(request.user, group_id)
    if group is None:
        raise Http404
    if not request.user.has_perm("stats.view_group_dashboard", group):
        raise PermissionDenied
    return _render(request, printable, committee=group.branch.committee, group=group)


@permission_required("stats.view_district_dashboard", raise_exception=True)
def dashboard_district(request: HttpRequest) -> HttpResponse:
    """A district officer's comparison of the schools they oversee: figures only, no records."""
    comparison = district_selectors.district_comparison(
        request.user, request.GET.get("year"), sort=request.GET.get("sort"), figure=request.GET.get("figure")
    )
    if comparison is None:
        raise PermissionDenied
    return render(request, "stats/dashboard_district.html", {"comparison": comparison})


@require_POST
@permission_required("stats.refresh_stats", raise_exception=True)
def dashboard_refresh(request: HttpRequest) -> HttpResponse:
    """The secretary's 立即刷新: recompute every snapshot in this process (works with the broker down)."""
    committee = dashboard_scopes.committee_for_dashboard(request.user)
    if committee is None:
        raise Http404
    try:
        stats_services.stats_refresh_now(actor=request.user, committee=committee)
    except StatsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("统计数据已重新计算。"))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("stats:dashboard_committee")
    return redirect(target)
