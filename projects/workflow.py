"""The workflow a project moves along, and the audit row every move writes.

Shared by the writes of the application (services.py) and of the review (review_services.py):
each re-reads the project under a lock, checks the permission, moves it along an allowed
transition and records a ProjectEvent, so the timeline tells who did what, when and why.
"""

from django.utils.translation import gettext as _

from members.models import User

from .enums import EventAction, ProjectStatus
from .errors import ProjectError
from .models import MicroProject, ProjectEvent

# The (from, to) pairs a service may move a project along, and nothing else.
TRANSITIONS: set[tuple[str, str]] = {
    (ProjectStatus.DRAFT, ProjectStatus.SUBMITTED),
    (ProjectStatus.RETURNED, ProjectStatus.SUBMITTED),
    (ProjectStatus.SUBMITTED, ProjectStatus.IN_REVIEW),
    (ProjectStatus.IN_REVIEW, ProjectStatus.APPROVED),
    (ProjectStatus.IN_REVIEW, ProjectStatus.RETURNED),
    (ProjectStatus.IN_REVIEW, ProjectStatus.REJECTED),
    (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS),
    (ProjectStatus.IN_PROGRESS, ProjectStatus.CONCLUDED),
    (ProjectStatus.DRAFT, ProjectStatus.WITHDRAWN),
    (ProjectStatus.SUBMITTED, ProjectStatus.WITHDRAWN),
    (ProjectStatus.RETURNED, ProjectStatus.WITHDRAWN),
}


def require_permission(actor: User, permission: str, project: MicroProject | None, message: str) -> None:
    """Refuse with ProjectError(message) unless the actor holds the permission on the project."""
    if not actor.has_perm(permission, project):
        raise ProjectError(message)


def record_event(
    project: MicroProject,
    actor: User,
    action: EventAction,
    *,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
    details: dict | None = None,
) -> ProjectEvent:
    """The audit row of one thing done to the project, in its current review round."""
    return ProjectEvent.objects.create(
        project=project,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        review_round=project.review_round,
        comment=comment,
        details=details or {},
    )


def transition(
    project: MicroProject,
    actor: User,
    to_status: str,
    action: EventAction,
    comment: str = "",
    details: dict | None = None,
) -> ProjectEvent:
    """Move the project to `to_status` if TRANSITIONS allows it (else ProjectError), and record it."""
    from_status = project.status
    if (from_status, to_status) not in TRANSITIONS:
        raise ProjectError(
            _("项目当前状态为「%(current)s」，不能变更为「%(target)s」。")
            % {"current": ProjectStatus(from_status).label, "target": ProjectStatus(to_status).label}
        )
    project.status = to_status
    project.save(
        update_fields=[
            "status",
            "review_round",
            "submitted_at",
            "decided_at",
            "decision_comment",
            "share_reviewer_comments",
            "updated_at",
        ]
    )
    return record_event(
        project, actor, action, from_status=from_status, to_status=to_status, comment=comment, details=details
    )


def lock_project(project: MicroProject) -> MicroProject:
    """Re-read the project under a row lock, so two requests cannot both move it."""
    return MicroProject.objects.select_for_update().select_related("group", "group__branch").get(pk=project.pk)
