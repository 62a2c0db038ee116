from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from rules.contrib.views import permission_required

from . import selectors


@permission_required("branches.view_organisation", raise_exception=True)
def organisation(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "branches/organisation.html",
        {
            "committee": selectors.committee_of(request.user),
            "officers": selectors.committee_officers(request.user),
            "branches": selectors.organisation_tree(request.user),
            "unassigned": selectors.unassigned_members(request.user),
        },
    )


def branch_detail(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = selectors.branch_detail(request.user, branch_id)
    if branch is None:
        raise Http404
    if not request.user.has_perm("branches.view_branch", branch):
        raise PermissionDenied
    return render(request, "branches/branch_detail.html", {"branch": branch})


def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.group_detail(request.user, group_id)
    if group is None:
        raise Http404
    if not request.user.has_perm("branches.view_group", group):
        raise PermissionDenied
    return render(request, "branches/group_detail.html", {"group": group})
