from django.db import models
from django.utils.translation import gettext_lazy as _


class StatScope(models.TextChoices):
    """What a statistics snapshot is about."""

    PROJECT = "project", _("项目")
    GROUP = "group", _("党小组")
    BRANCH = "branch", _("党支部")
    TYPE = "type", _("项目类型")
    COMMITTEE = "committee", _("党委")
