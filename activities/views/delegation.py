"""The delegation page of a project: its leader lets members of the group file activity logs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.models import MicroProject

from .. import delegation_selectors, delegation_services
from ..delegation_forms import DelegationForm
from ..errors import ActivityError


def _project(request: HttpRequest, project_id: int, permission: str) -> MicroProject:
    """The project if the user may see it (else 404) and has the permission on it (else 403)."""
    project = delegation_selectors.delegation_project(request.user, project_id)
    if project is None:
        raise Http404
    if not request.user.has_perm(permission, project):
        raise PermissionDenied
    return project


def _page(request: HttpRequest, project: MicroProject, form: DelegationForm | None) -> HttpResponse:
    can_grant = request.user.has_perm("activities.grant_delegation", project)
    if can_grant and form is None:
        form = DelegationForm(members=delegation_selectors.delegable_members(project))
    delegations = list(delegation_selectors.delegations_of(project))
    return render(
        request,
        "activities/delegation_list.html",
        {
            "project": project,
            "active": [delegation for delegation in delegations if delegation.is_active],
            "revoked": [delegation for delegation in delegations if not delegation.is_active],
            "form": form if can_grant else None,
        },
    )


def delegation_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, "activities.view_delegations")
    return _page(request, project, None)


@require_POST
def delegation_grant(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, "activities.grant_delegation")
    # The service refuses a member delegated already; its repeat of this post answers with the grant.
    form = DelegationForm(request.POST, members=delegation_selectors.delegable_members(project, with_delegated=True))
    if form.is_valid():
        member = form.cleaned_data["member"]
        try:
            delegation_services.delegation_grant(
                actor=request.user, project=project, member=member, client_id=form.cleaned_data["client_id"]
            )
        except ActivityError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已授权 %(name)s 填写本项目的活动记录。") % {"name": member.name})
            return redirect("activities:delegation_list", project_id=project.pk)
    return _page(request, project, form)


@require_POST
def delegation_revoke(request: HttpRequest, delegation_id: int) -> HttpResponse:
    delegation = delegation_selectors.delegation_for(request.user, delegation_id)
    if delegation is None:
        raise Http404
    if not request.user.has_perm("activities.manage_delegations", delegation):
        raise PermissionDenied
    try:
        delegation_services.delegation_revoke(actor=request.user, delegation=delegation)
        messages.success(request, _("已撤销 %(name)s 的授权。") % {"name": delegation.member.name})
    except ActivityError as error:
        messages.error(request, error.message)
    return redirect("activities:delegation_list", project_id=delegation.project_id)
