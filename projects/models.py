import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from config import input_bounds as bounds
from config.choice_labels import FastChoiceDisplay
from config.document_checks import DocumentKind
from config.idempotency import client_id_field

from .application_pdf_models import ApplicationPdf  # noqa: F401 - Django finds the model here
from .enums import (
    CatalogueAction,
    CatalogueKindName,
    EventAction,
    OrganisationType,
    ProjectStatus,
    Recommendation,
)


class ProjectType(FastChoiceDisplay, models.Model):
    """A kind of micro-project, e.g. 帮扶暖心 building a 服务型 organisation."""

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="project_types", verbose_name=_("党委")
    )
    name = models.CharField(_("名称"), max_length=50)
    organisation_type = models.CharField(_("三型组织"), max_length=20, choices=OrganisationType.choices)
    description = models.TextField(_("说明"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("排序"), default=0, validators=[MaxValueValidator(bounds.POSITION_MAX)]
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("创建人"),
    )
    client_id = client_id_field()

    class Meta:
        verbose_name = _("项目类型")
        verbose_name_plural = _("项目类型")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="project_type_unique_name")]

    def __str__(self) -> str:
        return f"{self.get_organisation_type_display()}「{self.name}」"


class Indicator(models.Model):
    """A measurable outcome with its unit, e.g. 一对一助学 in 人次."""

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="indicators", verbose_name=_("党委")
    )
    name = models.CharField(_("指标名称"), max_length=50)
    unit = models.CharField(_("单位"), max_length=10)
    project_type = models.ForeignKey(
        ProjectType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("适用项目类型"),
        help_text=_("留空表示各类项目通用"),
    )
    position = models.PositiveSmallIntegerField(
        _("排序"), default=0, validators=[MaxValueValidator(bounds.POSITION_MAX)]
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("创建人"),
    )
    client_id = client_id_field()

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="indicator_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class RubricCriterion(models.Model):
    """One criterion of the committee's weighted review rubric."""

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="rubric_criteria", verbose_name=_("党委")
    )
    name = models.CharField(_("评审维度"), max_length=50)
    description = models.TextField(_("评分说明"), blank=True)
    max_score = models.PositiveSmallIntegerField(
        _("满分"), default=10, validators=[MinValueValidator(1), MaxValueValidator(bounds.SCORE_MAX)]
    )
    weight = models.DecimalField(
        _("权重"), max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    position = models.PositiveSmallIntegerField(
        _("排序"), default=0, validators=[MaxValueValidator(bounds.POSITION_MAX)]
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("创建人"),
    )
    client_id = client_id_field()

    class Meta:
        verbose_name = _("评审维度")
        verbose_name_plural = _("评审维度")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="criterion_unique_name"),
            models.CheckConstraint(condition=models.Q(max_score__gte=1), name="criterion_max_score_positive"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: "MicroProject", filename: str) -> str:
    # Random names: the uploaded name is kept in attachment_name for display only.
    return f"projects/{instance.committee_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class MicroProject(FastChoiceDisplay, models.Model):
    """A group's party-building micro-project, from application to conclusion."""

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="projects", verbose_name=_("党委")
    )
    group = models.ForeignKey(
        "branches.Group", on_delete=models.PROTECT, related_name="projects", verbose_name=_("申报党小组")
    )
    project_type = models.ForeignKey(
        ProjectType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("项目类型"),
    )
    title = models.CharField(_("项目名称"), max_length=100)
    school_year = models.CharField(_("学年"), max_length=9, help_text=_("例如 2024-2025"))
    background = models.TextField(_("项目背景"), blank=True)
    goals = models.TextField(_("项目目标"), blank=True)
    expected_achievements = models.TextField(_("预期成果"), blank=True)
    participants = models.ManyToManyField(
        "members.Member", blank=True, related_name="projects", verbose_name=_("参与党员")
    )
    attachment = models.FileField(_("附件"), upload_to=attachment_path, blank=True)
    attachment_name = models.CharField(_("附件原文件名"), max_length=255, blank=True)
    # What the upload was found to be; it is served with this kind's Content-Type, never by name.
    attachment_kind = models.CharField(_("附件类型"), max_length=10, choices=DocumentKind.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT, db_index=True
    )
    review_round = models.PositiveSmallIntegerField(_("评审轮次"), default=1)
    decision_comment = models.TextField(_("党委意见"), blank=True)
    share_reviewer_comments = models.BooleanField(_("向申报党小组公开评审意见（匿名）"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申报人")
    )
    client_id = client_id_field()
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("党建微项目")
        verbose_name_plural = _("党建微项目")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["committee", "status"]),
            models.Index(fields=["committee", "school_year"]),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectPhase(models.Model):
    """A dated phase or milestone of the project's plan."""

    project = models.ForeignKey(MicroProject, on_delete=models.CASCADE, related_name="phases", verbose_name=_("项目"))
    title = models.CharField(_("阶段"), max_length=100)
    starts_on = models.DateField(_("开始日期"), validators=[bounds.DateWindowValidator()])
    ends_on = models.DateField(_("结束日期"), validators=[bounds.DateWindowValidator()])
    description = models.TextField(_("主要工作"), blank=True)

    class Meta:
        verbose_name = _("实施阶段")
        verbose_name_plural = _("实施阶段")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="phase_dates_ordered"),
            models.CheckConstraint(
                condition=bounds.stored_date_window("starts_on") & bounds.stored_date_window("ends_on"),
                name="phase_dates_in_window",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectTarget(models.Model):
    """What the project promises on one indicator, e.g. 一对一助学 80 人次."""

    project = models.ForeignKey(MicroProject, on_delete=models.CASCADE, related_name="targets", verbose_name=_("项目"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name=_("指标"))
    target_value = models.DecimalField(
        _("目标值"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(bounds.INDICATOR_VALUE_MAX)],
    )

    class Meta:
        verbose_name = _("项目目标")
        verbose_name_plural = _("项目目标")
        ordering = ["indicator__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "indicator"], name="target_unique_indicator"),
            models.CheckConstraint(condition=models.Q(target_value__gt=0), name="target_value_positive"),
            models.CheckConstraint(
                condition=models.Q(target_value__lte=bounds.INDICATOR_VALUE_MAX), name="target_value_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.target_value}"


class ScoreSheet(FastChoiceDisplay, models.Model):
    """One reviewer's scores for one review round of one application."""

    project = models.ForeignKey(
        MicroProject, on_delete=models.PROTECT, related_name="score_sheets", verbose_name=_("项目")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets", verbose_name=_("评审人")
    )
    review_round = models.PositiveSmallIntegerField(_("评审轮次"))
    recommendation = models.CharField(_("总体意见"), max_length=20, choices=Recommendation.choices)
    comment = models.TextField(_("评审意见"), blank=True)
    # Stored when the sheet is saved, so lists can aggregate it in the database.
    weighted_total = models.DecimalField(_("加权总分"), max_digits=6, decimal_places=2)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "reviewer", "review_round"], name="one_score_sheet_per_reviewer_round"
            ),
            models.CheckConstraint(
                condition=models.Q(weighted_total__gte=0) & models.Q(weighted_total__lte=100),
                name="weighted_total_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.reviewer} · 第{self.review_round}轮"


class CriterionScore(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores", verbose_name=_("评分表"))
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("评审维度")
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("维度得分")
        verbose_name_plural = _("维度得分")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} {self.score}"


class ProjectEvent(FastChoiceDisplay, models.Model):
    """The audit trail: who did what to a project, when, from which status to which, and why."""

    project = models.ForeignKey(MicroProject, on_delete=models.PROTECT, related_name="events", verbose_name=_("项目"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    action = models.CharField(_("操作"), max_length=20, choices=EventAction.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ProjectStatus.choices, blank=True)
    review_round = models.PositiveSmallIntegerField(_("评审轮次"))
    comment = models.TextField(_("说明"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("项目记录")
        verbose_name_plural = _("项目记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.project}"


class CatalogueEvent(FastChoiceDisplay, models.Model):
    """Who added, changed, stopped or restored a project type, indicator or criterion, and what changed.

    ``changes`` maps each changed field to its value before and after, as text.
    """

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="catalogue_events", verbose_name=_("党委")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    item_kind = models.CharField(_("类别"), max_length=20, choices=CatalogueKindName.choices)
    item_id = models.PositiveBigIntegerField(_("条目编号"))
    item_name = models.CharField(_("条目名称"), max_length=100)
    action = models.CharField(_("操作"), max_length=20, choices=CatalogueAction.choices)
    changes = models.JSONField(_("修改内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("类型、指标与评审维度修改记录")
        verbose_name_plural = _("类型、指标与评审维度修改记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["committee", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.item_name}"


class YearCalendar(models.Model):
    """The dates of one committee's school year, set by the secretary.

    A date left empty means the portal neither enforces nor reminds about that deadline.
    """

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="calendars", verbose_name=_("党委")
    )
    school_year = models.CharField(_("学年"), max_length=9)
    application_opens_on = models.DateField(_("申报开始日期"), null=True, blank=True)
    application_closes_on = models.DateField(_("申报截止日期"), null=True, blank=True)
    review_due_on = models.DateField(_("评审截止日期（首轮）"), null=True, blank=True)
    resubmission_review_days = models.PositiveSmallIntegerField(
        _("重新提交后的评审期限（天）"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("退回修改后重新提交的申报，自提交之日起多少天内完成评审"),
    )
    logging_due_day = models.PositiveSmallIntegerField(
        _("活动记录截止日"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("每月的活动须在次月几日前记录，例如 5 表示次月 5 日"),
    )
    assessment_opens_on = models.DateField(_("考核开始日期"), null=True, blank=True)
    assessment_due_on = models.DateField(_("考核评分截止日期"), null=True, blank=True)
    review_quorum = models.PositiveSmallIntegerField(
        _("作出决定所需的最少评分人数"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("留空表示全体无需回避的党委委员都须评分"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("修改人")
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("学年日程")
        verbose_name_plural = _("学年日程")
        ordering = ["-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "school_year"], name="one_calendar_per_committee_year"),
            models.CheckConstraint(
                condition=models.Q(application_opens_on__isnull=True)
                | models.Q(application_closes_on__isnull=True)
                | models.Q(application_closes_on__gte=models.F("application_opens_on")),
                name="calendar_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(logging_due_day__isnull=True)
                | (models.Q(logging_due_day__gte=1) & models.Q(logging_due_day__lte=28)),
                name="calendar_logging_day_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} 学年日程"


class ApplicationExtension(models.Model):
    """The secretary's extension of the application window for one group (the latest one counts)."""

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="application_extensions", verbose_name=_("党委")
    )
    school_year = models.CharField(_("学年"), max_length=9)
    group = models.ForeignKey(
        "branches.Group", on_delete=models.PROTECT, related_name="application_extensions", verbose_name=_("党小组")
    )
    until = models.DateField(_("延期至"), validators=[bounds.DateWindowValidator()])
    reason = models.CharField(_("延期原因"), max_length=200)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人")
    )
    created_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报延期")
        verbose_name_plural = _("申报延期")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["group", "school_year"])]

    def __str__(self) -> str:
        return f"{self.group} {self.school_year} → {self.until:%Y-%m-%d}"


class CalendarChange(models.Model):
    """Who changed which date of a school year's calendar, before and after (as text)."""

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="calendar_changes", verbose_name=_("党委")
    )
    school_year = models.CharField(_("学年"), max_length=9)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    changes = models.JSONField(_("修改内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学年日程修改记录")
        verbose_name_plural = _("学年日程修改记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.school_year} · {self.created_at:%Y-%m-%d}"
