import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# A school's full name starts with its province or city and its district (重庆市渝中区…).
_PLACE_PREFIX = re.compile(r"^(?:.{1,7}?[省市])?(?:.{1,7}?[区县])?")


def short_school_name(name: str) -> str:
    """A school's name without the place in front and with 小学校 said as 小学 (for chart labels)."""
    short = _PLACE_PREFIX.sub("", name, count=1) or name
    return re.sub(r"(小学|中学)校$", r"\1", short)


class Committee(models.Model):
    """A school's Party committee (党委): the tenant root of everything a user sees."""

    slug = models.SlugField(_("简称"), max_length=40, unique=True)
    school_name = models.CharField(_("学校名称"), max_length=100)
    name = models.CharField(_("党委名称"), max_length=100)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党委")
        verbose_name_plural = _("党委")
        ordering = ["school_name"]

    def __str__(self) -> str:
        return self.name

    @property
    def short_school_name(self) -> str:
        """The school without its city and district, as people say it: 重庆市渝中区大坪小学校 -> 大坪小学."""
        return short_school_name(self.school_name)


class Branch(models.Model):
    """A Party branch (党支部) of a committee."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="branches", verbose_name=_("党委"))
    name = models.CharField(_("名称"), max_length=100)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    secretary = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="branches_led",
        verbose_name=_("支部书记"),
    )

    class Meta:
        verbose_name = _("党支部")
        verbose_name_plural = _("党支部")
        ordering = ["committee", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="branch_unique_name_per_committee"),
        ]

    def __str__(self) -> str:
        return self.name


class Group(models.Model):
    """A Party group (党小组) of a branch; groups apply for micro-projects."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="groups", verbose_name=_("党支部"))
    name = models.CharField(_("名称"), max_length=100)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    leader = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="groups_led",
        verbose_name=_("党小组长"),
    )

    class Meta:
        verbose_name = _("党小组")
        verbose_name_plural = _("党小组")
        ordering = ["branch__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="group_unique_name_per_branch"),
        ]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """An education district (e.g. 渝中区教育系统) whose officers compare its schools' figures.

    Overseers see each committee's headline figures only, never its records, and need not be
    members of any committee.
    """

    name = models.CharField(_("名称"), max_length=100)
    slug = models.SlugField(_("简称"), max_length=40, unique=True)
    committees = models.ManyToManyField(Committee, related_name="districts", blank=True, verbose_name=_("所辖党委"))
    overseers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="overseen_districts", blank=True, verbose_name=_("督导人员")
    )

    class Meta:
        verbose_name = _("教育片区")
        verbose_name_plural = _("教育片区")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
