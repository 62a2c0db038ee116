from members.errors import DomainError


class ProjectError(DomainError):
    """A refused action on a micro-project; the message is shown to the user as it is."""


class CatalogueNameTaken(ProjectError):
    """The committee already has a project type, indicator or criterion of that name."""
