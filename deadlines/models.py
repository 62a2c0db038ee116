import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderSent(models.Model):
    """One reminder sent: to whom, about which deadline, at which step.

    The unique constraint is what makes the sweep idempotent: a second beat, a redelivered task
    after a killed worker, or two workers at once can each try, and only one row (with its
    notice, written in the same transaction) survives.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("接收人")
    )
    deadline_key = models.CharField(_("期限"), max_length=100)
    step = models.CharField(_("提醒阶段"), max_length=20)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("到期提醒")
        verbose_name_plural = _("到期提醒")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "deadline_key", "step"], name="one_reminder_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.deadline_key} · {self.step}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's private calendar (ICS) address; a new token revokes the old address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("用户")
    )
    token = models.CharField(_("订阅令牌"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("生成时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return str(self.user)
