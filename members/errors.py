class DomainError(Exception):
    """A refused action, with a translated message fit to show the user as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
