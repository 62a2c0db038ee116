"""The home page's to-do sections, filled by the apps above members.

members draws the home page but knows nothing of projects, activities or the year's end: each
of those apps registers a section in its ``AppConfig.ready()``. A section is a function of the
user that returns the template variables it adds; ``members/home.html`` shows them.
"""

from collections.abc import Callable
from typing import Any

from .models import User

HomeSection = Callable[[User], dict[str, Any]]

_sections: dict[str, HomeSection] = {}


def register_home_section(name: str, section: HomeSection) -> None:
    """Add a section; registering the same name again replaces it (apps may be set up twice in tests)."""
    _sections[name] = section


def home_sections_for(user: User) -> dict[str, Any]:
    """The template variables of every registered section for this user, in registration order."""
    context: dict[str, Any] = {}
    for section in _sections.values():
        context.update(section(user))
    return context
