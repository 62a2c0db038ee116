from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyStatus(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")
    ACTIVIST = "activist", _("入党积极分子")


class CommitteeRole(models.TextChoices):
    """A member's seat on the committee; branch and group posts live on Branch and Group."""

    NONE = "", _("无")
    MEMBER = "member", _("党委委员")
    SECRETARY = "secretary", _("党委书记")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Position(models.TextChoices):
    """Positions as users name them; derived from CommitteeRole, Branch.secretary and Group.leader."""

    SECRETARY = "secretary", _("党委书记")
    COMMITTEE_MEMBER = "committee_member", _("党委委员")
    BRANCH_SECRETARY = "branch_secretary", _("支部书记")
    GROUP_LEADER = "group_leader", _("党小组长")
    TEACHER = "teacher", _("党员教师")
