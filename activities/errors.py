from members.errors import DomainError


class ActivityError(DomainError):
    """A refused action on activity logs, photos or achievements; the message is shown as it is."""


class ImageRefused(ActivityError):
    """An uploaded file that is not a safe, supported image; the message names the reason."""


class StaleEdit(ActivityError):
    """An edit made on an older version of an activity than the one saved since (`current`)."""

    def __init__(self, message: str, current: int):
        super().__init__(message)
        self.current = current
