from members.errors import DomainError


class StatsError(DomainError):
    """A statistics action refused, with a message for the user."""
