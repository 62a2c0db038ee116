from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.choice_labels import FastChoiceDisplay
from config.idempotency import client_id_field

from .enums import CommitteeRole, Gender, PartyStatus


class User(AbstractUser):
    """A login. The person behind it, with their posts, is the linked Member."""

    email_notifications = models.BooleanField(
        _("通过电子邮件接收通知"), default=True, help_text=_("关闭后只在平台内收到通知")
    )

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")


class Member(FastChoiceDisplay, models.Model):
    """A teacher of the school on the Party roster (党员 or 入党积极分子)."""

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="members", verbose_name=_("党委")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("登录账号"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    subject = models.CharField(_("任教学科"), max_length=50, blank=True)
    professional_title = models.CharField(_("职称"), max_length=50, blank=True)
    party_status = models.CharField(_("政治面貌"), max_length=20, choices=PartyStatus.choices, default=PartyStatus.FULL)
    joined_party_on = models.DateField(_("入党时间"), null=True, blank=True)
    group = models.ForeignKey(
        "branches.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("所在党小组"),
    )
    committee_role = models.CharField(
        _("党委职务"), max_length=20, choices=CommitteeRole.choices, blank=True, default=CommitteeRole.NONE
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("在册"), default=True, help_text=_("离校或转出的党员归档而不删除。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["name"]
        constraints = [
            # The roster import matches people by name within a school.
            models.UniqueConstraint(fields=["committee", "name"], name="member_unique_name_per_committee"),
        ]
        indexes = [models.Index(fields=["committee", "is_active", "name"])]

    def __str__(self) -> str:
        return self.name


class RosterImport(models.Model):
    """One roster import: who imported which file and what it changed."""

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.PROTECT, related_name="roster_imports", verbose_name=_("党委")
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过"), default=0)
    client_id = client_id_field()
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("花名册导入记录")
        verbose_name_plural = _("花名册导入记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d})"


class Notification(models.Model):
    """An in-app message to one user, e.g. a new application to review or a decision."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    message = models.CharField(_("内容"), max_length=255)
    link = models.CharField(_("链接"), max_length=255, blank=True)
    # What the notice asks for, e.g. "review:12:1" (score project 12, round 1): when that work is
    # done the notice resolves itself (resolved_at and read_at set), see notifications_resolve.
    subject = models.CharField(_("事项"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("已处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class NotificationWebhook(FastChoiceDisplay, models.Model):
    """A committee's group-chat robot (企业微信 or 钉钉); notices are posted there too while active."""

    committee = models.OneToOneField(
        "branches.Committee", on_delete=models.CASCADE, related_name="notification_webhook", verbose_name=_("党委")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=WebhookKind.choices)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(_("加签密钥（钉钉）"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.committee_id}"


class WebhookDelivery(models.Model):
    """One notice waiting for (or delivered to) a group robot: the outbox the task and sweep work from."""

    webhook = models.ForeignKey(
        NotificationWebhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("群机器人")
    )
    payload = models.JSONField(_("消息"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("群机器人消息")
        verbose_name_plural = _("群机器人消息")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["delivered_at", "attempts"])]

    def __str__(self) -> str:
        return f"{self.webhook} #{self.pk}"
