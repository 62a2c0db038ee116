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

from .enums import (
    AchievementKind,
    AchievementLevel,
    AchievementRank,
    AchievementStatus,
    ActivityType,
    RevisionAction,
)


def _random_name(folder: str, filename: str) -> str:
    # Random storage names: nothing a user typed ends up in a path or URL.
    return f"{folder}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


def photo_original_path(_instance: "Photo", filename: str) -> str:
    return _random_name("activities/photos", filename)


def photo_display_path(_instance: "Photo", filename: str) -> str:
    return _random_name("activities/photos/display", filename)


def certificate_path(_instance: "Achievement", filename: str) -> str:
    return _random_name("activities/certificates", filename)


def certificate_preview_path(instance: "Achievement", filename: str) -> str:
    return _random_name(f"activities/certificates/{instance.committee_id}/previews", filename)


class ActivityLog(FastChoiceDisplay, models.Model):
    """One dated activity of an approved micro-project, with what it achieved."""

    project = models.ForeignKey(
        "projects.MicroProject", on_delete=models.PROTECT, related_name="activity_logs", verbose_name=_("项目")
    )
    date = models.DateField(_("活动日期"), validators=[bounds.DateWindowValidator(past_only=True)])
    activity_type = models.CharField(_("活动类型"), max_length=30, choices=ActivityType.choices)
    title = models.CharField(_("活动名称"), max_length=100)
    place = models.CharField(_("活动地点"), max_length=100, blank=True)
    participants = models.ManyToManyField(
        "members.Member", blank=True, related_name="activity_logs", verbose_name=_("参与党员")
    )
    beneficiaries_count = models.PositiveIntegerField(
        _("受益人数"), default=0, validators=[MaxValueValidator(bounds.BENEFICIARIES_MAX)]
    )
    beneficiaries = models.CharField(
        _("受益对象"), max_length=100, blank=True, help_text=_("例如 学困生、成员校教师、家长")
    )
    duration_hours = models.DecimalField(
        _("活动时长（小时）"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(bounds.ACTIVITY_HOURS_MAX)],
    )
    narrative = models.TextField(_("活动纪实"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    is_archived = models.BooleanField(_("已归档"), default=False)
    client_id = client_id_field()
    # Counts the saved edits: an edit made on an older version (a phone offline meanwhile, a second
    # browser) is refused instead of overwriting the newer one.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("活动记录")
        verbose_name_plural = _("活动记录")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["project", "is_archived", "date"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_hours__gte=0), name="activity_duration_not_negative"),
            models.CheckConstraint(
                condition=models.Q(duration_hours__lte=bounds.ACTIVITY_HOURS_MAX), name="activity_duration_bounded"
            ),
            models.CheckConstraint(
                condition=models.Q(beneficiaries_count__lte=bounds.BENEFICIARIES_MAX),
                name="activity_beneficiaries_bounded",
            ),
            models.CheckConstraint(condition=bounds.stored_date_window("date"), name="activity_date_in_window"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class IndicatorValue(models.Model):
    """What one activity contributed to one indicator, e.g. 一对一助学 12 人次."""

    activity = models.ForeignKey(
        ActivityLog, on_delete=models.CASCADE, related_name="indicator_values", verbose_name=_("活动记录")
    )
    indicator = models.ForeignKey(
        "projects.Indicator", on_delete=models.PROTECT, related_name="values", verbose_name=_("指标")
    )
    value = models.DecimalField(
        _("完成值"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(bounds.INDICATOR_VALUE_MAX)],
    )

    class Meta:
        verbose_name = _("指标完成值")
        verbose_name_plural = _("指标完成值")
        ordering = ["indicator__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "indicator"], name="indicator_value_unique_per_activity"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="indicator_value_positive"),
            models.CheckConstraint(
                condition=models.Q(value__lte=bounds.INDICATOR_VALUE_MAX), name="indicator_value_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.value}"


class ActivityRevision(FastChoiceDisplay, models.Model):
    """The history of an activity log: who changed it, when, and what it said before."""

    activity = models.ForeignKey(
        ActivityLog, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("活动记录")
    )
    action = models.CharField(_("操作"), max_length=20, choices=RevisionAction.choices)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    edited_at = models.DateTimeField(_("时间"), auto_now_add=True)
    snapshot = models.JSONField(_("修改前内容"), default=dict)

    class Meta:
        verbose_name = _("活动记录修改历史")
        verbose_name_plural = _("活动记录修改历史")
        ordering = ["edited_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.activity}"


# After this many failed attempts a photo's display sizes are retried once a day, not every sweep.
PHOTO_DISPLAY_MAX_FAILURES = 6


class Photo(models.Model):
    """A photo of an activity. The original is re-encoded without metadata; display sizes come later."""

    activity = models.ForeignKey(
        ActivityLog, on_delete=models.PROTECT, related_name="photos", verbose_name=_("活动记录")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    original = models.ImageField(_("原图"), upload_to=photo_original_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    width = models.PositiveIntegerField(_("宽度（像素）"))
    height = models.PositiveIntegerField(_("高度（像素）"))
    display_small = models.ImageField(_("缩略图"), upload_to=photo_display_path, max_length=200, blank=True)
    display_large = models.ImageField(_("展示图"), upload_to=photo_display_path, max_length=200, blank=True)
    # Failed attempts at the display sizes: past a few, the sweep tries the photo once a day only.
    display_failures = models.PositiveSmallIntegerField(_("缩略图生成失败次数"), default=0)
    display_failed_at = models.DateTimeField(_("缩略图最近生成失败时间"), null=True, blank=True)
    is_archived = models.BooleanField(_("已归档"), default=False)
    client_id = client_id_field()
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["activity", "is_archived"])]

    def __str__(self) -> str:
        return self.caption or self.original_name or f"#{self.pk}"

    @property
    def has_display_sizes(self) -> bool:
        return bool(self.display_small and self.display_large)

    @property
    def display_given_up(self) -> bool:
        """No display sizes after repeated failures (a damaged or missing original)."""
        return not self.has_display_sizes and self.display_failures >= PHOTO_DISPLAY_MAX_FAILURES


# What a cleaned certificate image is stored as (images.clean_upload); anything else is a PDF.
CERTIFICATE_IMAGE_SUFFIXES = (".jpg", ".png", ".webp")


class Achievement(FastChoiceDisplay, models.Model):
    """An award, title, publication, research topic, open lesson or pupils' work; counts once verified."""

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="achievements", verbose_name=_("党委")
    )
    kind = models.CharField(_("成果类别"), max_length=20, choices=AchievementKind.choices)
    title = models.CharField(_("成果名称"), max_length=200)
    level = models.CharField(_("级别"), max_length=20, choices=AchievementLevel.choices)
    rank = models.CharField(_("等次"), max_length=20, choices=AchievementRank.choices, default=AchievementRank.NONE)
    issuing_body = models.CharField(_("颁发单位"), max_length=100, blank=True)
    awarded_on = models.DateField(_("获得日期"), validators=[bounds.DateWindowValidator(past_only=True)])
    members = models.ManyToManyField(
        "members.Member", blank=True, related_name="achievements", verbose_name=_("获得者（党员）")
    )
    pupils = models.TextField(_("学生"), blank=True, help_text=_("学生作品填写学生姓名"))
    word_count = models.PositiveIntegerField(
        _("字数"), null=True, blank=True, validators=[MaxValueValidator(bounds.WORD_COUNT_MAX)]
    )
    project = models.ForeignKey(
        "projects.MicroProject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="achievements",
        verbose_name=_("关联项目"),
    )
    is_committee_honour = models.BooleanField(
        _("党委集体荣誉"), default=False, help_text=_("授予党委本身的荣誉，例如先进基层党组织")
    )
    certificate = models.FileField(_("证书"), upload_to=certificate_path, max_length=200, blank=True)
    certificate_name = models.CharField(_("证书原文件名"), max_length=255, blank=True)
    # What the upload was found to be; it is served with this kind's Content-Type, never by name.
    certificate_kind = models.CharField(_("证书类型"), max_length=10, choices=DocumentKind.choices, blank=True)
    # Page 1 of a PDF certificate as a small JPEG (certificate_previews); empty for images or when
    # it could not be rendered, and then the PDF icon stands in.
    certificate_preview = models.ImageField(
        _("证书首页预览"), upload_to=certificate_preview_path, max_length=200, blank=True
    )
    status = models.CharField(
        _("审核状态"), max_length=20, choices=AchievementStatus.choices, default=AchievementStatus.PENDING
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    verified_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    rejection_reason = models.TextField(_("未通过原因"), blank=True)
    client_id = client_id_field()
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("成果")
        verbose_name_plural = _("成果")
        ordering = ["-awarded_on", "-pk"]
        indexes = [models.Index(fields=["committee", "status", "level"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=AchievementStatus.REJECTED) | ~models.Q(rejection_reason=""),
                name="achievement_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(word_count__isnull=True) | models.Q(word_count__lte=bounds.WORD_COUNT_MAX),
                name="achievement_word_count_bounded",
            ),
            models.CheckConstraint(
                condition=bounds.stored_date_window("awarded_on"), name="achievement_awarded_on_in_window"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def certificate_is_image(self) -> bool:
        """An image certificate is its own thumbnail; a PDF shows its first-page preview or an icon."""
        return Path(self.certificate.name).suffix.lower() in CERTIFICATE_IMAGE_SUFFIXES


class ActivityDelegation(models.Model):
    """A member of the group whom its leader lets file activity logs of one project.

    Revoking stamps the row instead of deleting it, so who could log, from when to when and on
    whose word stays on record; a later grant to the same member is a new row.
    """

    project = models.ForeignKey(
        "projects.MicroProject",
        on_delete=models.PROTECT,
        related_name="activity_delegations",
        verbose_name=_("项目"),
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="activity_delegations", verbose_name=_("受托党员")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("授权人")
    )
    client_id = client_id_field()
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销人"),
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("活动记录填报授权")
        verbose_name_plural = _("活动记录填报授权")
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "member"],
                condition=models.Q(revoked_at__isnull=True),
                name="activity_delegation_one_active_per_member",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | models.Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="activity_delegation_revocation_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.project}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AchievementRevision(FastChoiceDisplay, models.Model):
    """An achievement as it was before its recorder edited it, with the rejection that prompted the edit."""

    achievement = models.ForeignKey(
        Achievement, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("成果")
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("修改人")
    )
    edited_at = models.DateTimeField(_("修改时间"), auto_now_add=True)
    status_before = models.CharField(_("修改前状态"), max_length=20, choices=AchievementStatus.choices)
    rejection_reason = models.TextField(_("当时的未通过原因"), blank=True)
    snapshot = models.JSONField(_("修改前内容"), default=dict)

    class Meta:
        verbose_name = _("成果修改历史")
        verbose_name_plural = _("成果修改历史")
        ordering = ["edited_at", "pk"]

    def __str__(self) -> str:
        return f"{self.achievement} · {self.edited_at:%Y-%m-%d %H:%M}"
