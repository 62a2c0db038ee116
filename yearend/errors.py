from members.errors import DomainError


class YearEndError(DomainError):
    """An assessment or report action refused, with a message for the user."""
