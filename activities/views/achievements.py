"""Achievement pages: the list with its tabs, recording, the detail page and the committee's verification."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from members.roles import roles_of

from .. import achievement_selectors, achievement_services
from ..achievement_forms import (
    AchievementFilterForm,
    AchievementForm,
    CommitteeHonourForm,
    RejectionForm,
    achievement_initial,
    as_revision_form,
)
from ..enums import AchievementStatus
from ..errors import ActivityError
from ..models import Achievement

ACHIEVEMENTS_PER_PAGE = 30


def _tab_labels() -> dict[str, str]:
    return {
        achievement_selectors.Tab.PENDING: _("待认定"),
        achievement_selectors.Tab.MINE: _("我的成果"),
        achievement_selectors.Tab.GROUP: _("本组成果"),
        achievement_selectors.Tab.ALL: _("全校成果"),
    }


def _visible_achievement(request: HttpRequest, achievement_id: int) -> Achievement:
    """The achievement if it is of the user's committee (else 404) and they may read it (else 403)."""
    achievement = achievement_selectors.achievement_detail(request.user, achievement_id)
    if achievement is None:
        raise Http404
    if not request.user.has_perm("activities.view_achievement", achievement):
        raise PermissionDenied
    return achievement


@permission_required("activities.view_achievement_list", raise_exception=True)
def achievement_list(request: HttpRequest) -> HttpResponse:
    tabs = achievement_selectors.tabs_of(request.user)
    pending_count = achievement_selectors.pending_achievement_count(request.user)
    # The committee opens on what waits for its verification; everyone else on their own.
    opening = achievement_selectors.Tab.PENDING if pending_count else achievement_selectors.Tab.MINE
    tab = request.GET.get("tab", opening)
    if tab not in tabs:
        tab = opening if opening in tabs else achievement_selectors.Tab.MINE
    form = AchievementFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    achievement_filter = achievement_selectors.AchievementFilter(
        tab=tab, kind=data.get("kind", ""), level=data.get("level", ""), status=data.get("status", "")
    )
    page = Paginator(
        achievement_selectors.achievement_list(request.user, achievement_filter), ACHIEVEMENTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    query_without_tab = query_without_page.copy()
    query_without_tab.pop("tab", None)
    labels = _tab_labels()
    return render(
        request,
        "activities/achievement_list.html",
        {
            "form": form,
            "page": page,
            "tab": tab,
            "tabs": [(key, labels[key]) for key in tabs],
            "query_without_page": query_without_page.urlencode(),
            "query_without_tab": query_without_tab.urlencode(),
            "pending_count": pending_count,
        },
    )


def _achievement_data(data: dict, *, is_committee_honour: bool = False) -> achievement_services.AchievementData:
    return achievement_services.AchievementData(
        kind=data["kind"],
        title=data["title"],
        level=data["level"],
        rank=data["rank"],
        issuing_body=data.get("issuing_body", ""),
        awarded_on=data["awarded_on"],
        members=list(data.get("members") or []),
        pupils=data.get("pupils", ""),
        word_count=data.get("word_count"),
        project=data.get("project"),
        is_committee_honour=is_committee_honour,
    )


def _record(request: HttpRequest, form, *, is_committee_honour: bool) -> Achievement | None:
    """Hand a valid form to the service; a refusal becomes a form error."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return achievement_services.achievement_record(
            actor=request.user,
            data=_achievement_data(form.cleaned_data, is_committee_honour=is_committee_honour),
            certificate=form.cleaned_data["certificate"] or None,
            client_id=form.cleaned_data["client_id"],
        )
    except ActivityError as error:
        form.add_error(None, error.message)
        return None


@permission_required("activities.record_achievement", raise_exception=True)
def achievement_create(request: HttpRequest) -> HttpResponse:
    form = AchievementForm(
        request.POST or None,
        request.FILES or None,
        members=achievement_selectors.creditable_members(request.user),
        projects=achievement_selectors.linkable_projects(request.user),
        initial={"members": [roles_of(request.user).member_id]},
    )
    achievement = _record(request, form, is_committee_honour=False)
    if achievement is not None:
        messages.success(request, _("成果已提交，等待党委审核认定。"))
        return redirect("activities:achievement_detail", achievement_id=achievement.pk)
    return render(request, "activities/achievement_form.html", {"form": form, "is_committee_honour": False})


@permission_required("activities.record_committee_honour", raise_exception=True)
def committee_honour_create(request: HttpRequest) -> HttpResponse:
    form = CommitteeHonourForm(request.POST or None, request.FILES or None)
    achievement = _record(request, form, is_committee_honour=True)
    if achievement is not None:
        messages.success(request, _("党委集体荣誉已登记，等待审核认定。"))
        return redirect("activities:achievement_detail", achievement_id=achievement.pk)
    return render(request, "activities/achievement_form.html", {"form": form, "is_committee_honour": True})


def achievement_detail(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = _visible_achievement(request, achievement_id)
    return render(
        request,
        "activities/achievement_detail.html",
        {"achievement": achievement, "rejection_form": RejectionForm()},
    )


def achievement_edit(request: HttpRequest, achievement_id: int) -> HttpResponse:
    """The recorder corrects a pending or rejected achievement; a rejected one is resubmitted for review."""
    achievement = _visible_achievement(request, achievement_id)
    if not request.user.has_perm("activities.change_achievement", achievement):
        raise PermissionDenied
    was_rejected = achievement.status == AchievementStatus.REJECTED
    initial = achievement_initial(achievement)
    if achievement.is_committee_honour:
        form = CommitteeHonourForm(request.POST or None, request.FILES or None, initial=initial)
    else:
        form = AchievementForm(
            request.POST or None,
            request.FILES or None,
            members=achievement_selectors.creditable_members(request.user),
            projects=achievement_selectors.linkable_projects(request.user),
            initial=initial,
        )
    as_revision_form(form)
    if request.method == "POST" and form.is_valid():
        try:
            achievement_services.achievement_update(
                actor=request.user,
                achievement=achievement,
                data=_achievement_data(form.cleaned_data, is_committee_honour=achievement.is_committee_honour),
                certificate=form.cleaned_data["certificate"] or None,
            )
        except ActivityError as error:
            form.add_error(None, error.message)
        else:
            if was_rejected:
                messages.success(request, _("成果已修改并重新提交，等待党委审核认定。"))
            else:
                messages.success(request, _("成果已修改，修改前的内容保留在修改历史中。"))
            return redirect("activities:achievement_detail", achievement_id=achievement.pk)
    return render(
        request,
        "activities/achievement_edit.html",
        {"form": form, "achievement": achievement, "was_rejected": was_rejected},
    )


@permission_required("activities.review_achievements", raise_exception=True)
def achievement_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "activities/achievement_queue.html",
        {
            "achievements": list(
                achievement_selectors.achievements_to_verify(request.user).select_related("recorded_by__member")
            )
        },
    )


def _reviewable(request: HttpRequest, achievement_id: int) -> Achievement:
    achievement = achievement_selectors.achievement_detail(request.user, achievement_id)
    if achievement is None:
        raise Http404
    if not request.user.has_perm("activities.review_achievements"):
        raise PermissionDenied
    return achievement


def _back(request: HttpRequest, achievement: Achievement) -> HttpResponse:
    if request.POST.get("next") == "queue":
        return redirect("activities:achievement_queue")
    return redirect("activities:achievement_detail", achievement_id=achievement.pk)


@require_POST
def achievement_verify(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = _reviewable(request, achievement_id)
    try:
        achievement_services.achievement_verify(actor=request.user, achievement=achievement)
        messages.success(request, _("已认定成果《%(title)s》。") % {"title": achievement.title})
    except ActivityError as error:
        messages.error(request, error.message)
    return _back(request, achievement)


@require_POST
def achievement_reject(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = _reviewable(request, achievement_id)
    form = RejectionForm(request.POST)
    if not form.is_valid():
        # The reason stays in the form with its own message (empty, or too long) beside it.
        return render(
            request,
            "activities/achievement_detail.html",
            {"achievement": achievement, "rejection_form": form},
            status=200,
        )
    try:
        achievement_services.achievement_reject(
            actor=request.user, achievement=achievement, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("已退回成果《%(title)s》，填报人会看到原因。") % {"title": achievement.title})
    except ActivityError as error:
        messages.error(request, error.message)
    return _back(request, achievement)
