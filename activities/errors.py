from members.errors import DomainError


class ActivityError(DomainError):
    """A refused action on activity logs, photos or achievements; the message is shown as it is."""


class ImageRefused(ActivityError):
    """An uploaded file that is not a safe, supported image; the message names the reason."""
