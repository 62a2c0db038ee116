"""Reads of photos: one photo for its viewer, an activity's and a project's galleries, the zip's list."""

from django.db.models import QuerySet

from members.roles import roles_of
from projects.models import MicroProject

from .models import ActivityLog, Photo


def photos_of(activity: ActivityLog) -> QuerySet[Photo]:
    """An activity's gallery in upload order, archived photos left out."""
    return Photo.objects.filter(activity=activity, is_archived=False).order_by("created_at", "pk")


def photo_for(user, photo_id: int) -> Photo | None:
    """The photo if it belongs to the user's committee, else None (a view answers 404)."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return None
    return (
        Photo.objects.select_related("activity__project")
        .filter(pk=photo_id, activity__project__committee_id=committee_id)
        .first()
    )


def activity_gallery(activity: ActivityLog) -> list[Photo]:
    """The activity's current photos in upload order, each knowing its activity (no query per photo)."""
    photos = list(photos_of(activity))
    for photo in photos:
        photo.activity = activity
    return photos


def project_gallery(project: MicroProject, *, limit: int) -> list[Photo]:
    """The project's latest photos of current activities, newest first, with their activity joined."""
    return list(
        Photo.objects.filter(activity__project=project, activity__is_archived=False, is_archived=False)
        .select_related("activity")
        # What a tile shows: its files, caption and the activity's date and title.
        .only(
            "activity_id",
            "caption",
            "display_small",
            "display_large",
            "display_failures",
            "activity__date",
            "activity__title",
        )
        .order_by("-created_at", "-pk")[:limit]
    )


def project_photos(project: MicroProject) -> QuerySet[Photo]:
    """Every current photo of the project's current activities, by activity date then upload order."""
    return (
        Photo.objects.filter(activity__project=project, activity__is_archived=False, is_archived=False)
        .select_related("activity")
        .order_by("activity__date", "activity_id", "created_at", "pk")
    )
