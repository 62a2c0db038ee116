from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from rules.contrib.views import permission_required

from branches import selectors as branch_selectors

from . import selectors
from .forms import MemberFilterForm
from .roles import roles_of

MEMBERS_PER_PAGE = 50


def home(request: HttpRequest) -> HttpResponse:
    """Each role's to-do list; apps add their sections as they grow."""
    roles = roles_of(request.user)
    context = {
        "committee": branch_selectors.committee_of(request.user),
        "counts": branch_selectors.organisation_counts(request.user),
        "led_branches": list(branch_selectors.branches_visible_to(request.user).filter(pk__in=roles.led_branch_ids)),
        "led_groups": list(
            branch_selectors.groups_visible_to(request.user).filter(pk__in=roles.led_group_ids).select_related("branch")
        ),
        "my_group": (
            branch_selectors.groups_visible_to(request.user).select_related("branch").filter(pk=roles.group_id).first()
            if roles.group_id
            else None
        ),
    }
    return render(request, "members/home.html", context)


@permission_required("members.view_roster", raise_exception=True)
def member_list(request: HttpRequest) -> HttpResponse:
    branches = list(branch_selectors.branches_visible_to(request.user))
    groups = list(branch_selectors.groups_visible_to(request.user))
    form = MemberFilterForm(request.GET or None, branches=branches, groups=groups)
    member_filter = selectors.MemberFilter()
    if form.is_valid():
        data = form.cleaned_data
        member_filter = selectors.MemberFilter(
            query=data["q"],
            branch_id=data["branch"],
            group_id=data["group"],
            party_status=data["party_status"],
            include_archived=data["archived"],
        )
    page = Paginator(selectors.member_list(request.user, member_filter), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "members/member_list.html",
        {"form": form, "page": page, "query_without_page": query_without_page.urlencode()},
    )


def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_detail(request.user, member_id)
    if member is None:
        raise Http404
    if not request.user.has_perm("members.view_member", member):
        raise PermissionDenied
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "positions": selectors.member_positions_of(member),
            "can_view_contact": request.user.has_perm("members.view_member_contact", member),
        },
    )
