"""The year's end: assessment rounds with their rubric, sheets, results and audit; report jobs.

The tables were created by the projects app and moved here without copying rows, so each
model keeps its table name (``db_table``).
"""

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from config import input_bounds as bounds
from config.choice_labels import FastChoiceDisplay
from config.idempotency import client_id_field

from .enums import AssessmentAction, AssessmentRating, AssessmentStatus, ReportKind, ReportStatus

# The year-end assessment (考核) of concluded projects: a round per school year with its own
# rubric and rating thresholds, one sheet per assessor and project, results frozen at publication.


class AssessmentRound(FastChoiceDisplay, models.Model):
    """The year-end assessment of a school year's concluded projects, opened by the secretary."""

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="assessment_rounds", verbose_name=_("党委")
    )
    school_year = models.CharField(_("学年"), max_length=9)
    status = models.CharField(_("状态"), max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.OPEN)
    excellent_threshold = models.DecimalField(_("优秀分数线"), max_digits=5, decimal_places=2, default=Decimal(90))
    good_threshold = models.DecimalField(_("良好分数线"), max_digits=5, decimal_places=2, default=Decimal(80))
    pass_threshold = models.DecimalField(_("合格分数线"), max_digits=5, decimal_places=2, default=Decimal(60))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("开启人")
    )
    client_id = client_id_field()
    opened_at = models.DateTimeField(_("开启时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公布人"),
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Meta:
        db_table = "projects_assessmentround"
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-school_year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "school_year"], name="assessment_round_unique_year"),
            models.CheckConstraint(
                condition=models.Q(pass_threshold__gte=0)
                & models.Q(good_threshold__gt=models.F("pass_threshold"))
                & models.Q(excellent_threshold__gt=models.F("good_threshold"))
                & models.Q(excellent_threshold__lte=100),
                name="assessment_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} 学年考核"

    def rating_for(self, mean: Decimal | None) -> str | None:
        """The rating a mean weighted total earns under this round's thresholds (None without a mean)."""
        if mean is None:
            return None
        if mean >= self.excellent_threshold:
            return AssessmentRating.EXCELLENT
        if mean >= self.good_threshold:
            return AssessmentRating.GOOD
        if mean >= self.pass_threshold:
            return AssessmentRating.PASS
        return AssessmentRating.FAIL


class AssessmentCriterion(models.Model):
    """One criterion of a round's rubric, e.g. 目标达成 out of 20 with weight 1.5."""

    assessment_round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("年度考核")
    )
    name = models.CharField(_("考核维度"), max_length=50)
    description = models.TextField(_("评分说明"), blank=True)
    max_score = models.PositiveSmallIntegerField(
        _("满分"), default=20, validators=[MinValueValidator(1), MaxValueValidator(bounds.SCORE_MAX)]
    )
    weight = models.DecimalField(
        _("权重"), max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    position = models.PositiveSmallIntegerField(
        _("排序"), default=0, validators=[MaxValueValidator(bounds.POSITION_MAX)]
    )

    class Meta:
        db_table = "projects_assessmentcriterion"
        verbose_name = _("考核维度")
        verbose_name_plural = _("考核维度")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment_round", "name"], name="assessment_criterion_unique_name"),
            models.CheckConstraint(condition=models.Q(max_score__gte=1), name="assessment_criterion_max_positive"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="assessment_criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentSheet(models.Model):
    """One committee member's assessment of one concluded project in one round."""

    assessment_round = models.ForeignKey(
        AssessmentRound, on_delete=models.PROTECT, related_name="sheets", verbose_name=_("年度考核")
    )
    project = models.ForeignKey(
        "projects.MicroProject", on_delete=models.PROTECT, related_name="assessment_sheets", verbose_name=_("项目")
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessment_sheets", verbose_name=_("考核人")
    )
    comment = models.TextField(_("考核意见"), blank=True)
    # Stored when the sheet is saved, so lists can aggregate it in the database.
    weighted_total = models.DecimalField(_("加权总分"), max_digits=6, decimal_places=2)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        db_table = "projects_assessmentsheet"
        verbose_name = _("考核评分表")
        verbose_name_plural = _("考核评分表")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment_round", "project", "assessor"], name="one_assessment_sheet_per_assessor"
            ),
            models.CheckConstraint(
                condition=models.Q(weighted_total__gte=0) & models.Q(weighted_total__lte=100),
                name="assessment_total_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.assessor}"


class AssessmentScore(models.Model):
    sheet = models.ForeignKey(
        AssessmentSheet, on_delete=models.CASCADE, related_name="scores", verbose_name=_("考核评分表")
    )
    criterion = models.ForeignKey(
        AssessmentCriterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("考核维度")
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)

    class Meta:
        db_table = "projects_assessmentscore"
        verbose_name = _("考核维度得分")
        verbose_name_plural = _("考核维度得分")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="one_assessment_score_per_criterion"),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="assessment_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} {self.score}"


class AssessmentResult(FastChoiceDisplay, models.Model):
    """A project's published result: the mean of its sheets, the rating and the rank, frozen at publication."""

    assessment_round = models.ForeignKey(
        AssessmentRound, on_delete=models.PROTECT, related_name="results", verbose_name=_("年度考核")
    )
    project = models.ForeignKey(
        "projects.MicroProject", on_delete=models.PROTECT, related_name="assessment_results", verbose_name=_("项目")
    )
    sheet_count = models.PositiveSmallIntegerField(_("评分人数"))
    mean = models.DecimalField(_("平均分"), max_digits=6, decimal_places=2)
    rating = models.CharField(_("考核等次"), max_length=20, choices=AssessmentRating.choices)
    rank = models.PositiveSmallIntegerField(_("排名"))

    class Meta:
        db_table = "projects_assessmentresult"
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment_round", "project"], name="one_assessment_result_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_rating_display()}"


class AssessmentEvent(FastChoiceDisplay, models.Model):
    """The assessment's audit trail: who opened, changed, scored or published, when, and what."""

    assessment_round = models.ForeignKey(
        AssessmentRound, on_delete=models.PROTECT, related_name="events", verbose_name=_("年度考核")
    )
    project = models.ForeignKey(
        "projects.MicroProject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("项目"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    action = models.CharField(_("操作"), max_length=20, choices=AssessmentAction.choices)
    comment = models.TextField(_("说明"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        db_table = "projects_assessmentevent"
        verbose_name = _("考核记录")
        verbose_name_plural = _("考核记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.assessment_round}"


# Reports: a year's workbook or annual summary, built by a Celery task and downloaded when done.


def report_path(instance: "ReportJob", filename: str) -> str:
    # Random names under the committee's folder; the download name is made at download time.
    return f"reports/{instance.committee_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class ReportJob(FastChoiceDisplay, models.Model):
    """One request for a school year's report file, and how far its build got.

    Written only by `yearend.report_services`; the file is served by a permission-checked view.
    """

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="report_jobs", verbose_name=_("党委")
    )
    kind = models.CharField(_("报告类型"), max_length=10, choices=ReportKind.choices)
    school_year = models.CharField(_("学年"), max_length=9)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    client_id = client_id_field()
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    file = models.FileField(_("文件"), upload_to=report_path, max_length=200, blank=True)
    # The same document as PDF, converted by the worker where LibreOffice is installed.
    pdf_file = models.FileField(_("PDF 文件"), upload_to=report_path, max_length=200, blank=True)
    error_message = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        db_table = "projects_reportjob"
        verbose_name = _("报告任务")
        verbose_name_plural = _("报告任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["committee", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} {self.get_kind_display()}"
