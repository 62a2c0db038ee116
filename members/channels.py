"""Notification channels: how a notice leaves the portal besides the in-app list.

`notification_send` writes the in-app rows (always: the list is the record) and hands them to each
channel named in ``settings.NOTIFICATION_CHANNELS``. A channel never blocks or undoes the action
that caused the notice: it sends after the transaction commits, and a failure is logged (and, for
the group robots, retried from the outbox) rather than raised.
"""

import base64
import hashlib
import hmac
import json
import logging
import math
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Member, Notification, NotificationWebhook, WebhookDelivery, WebhookKind

logger = logging.getLogger(__name__)


class NotificationChannel(Protocol):
    """Something that carries in-app notices elsewhere; called inside the sending transaction."""

    def deliver(self, notifications: Sequence[Notification]) -> None: ...


class EmailChannel:
    """One e-mail per notice to each recipient with an address who has not turned e-mail off."""

    def deliver(self, notifications: Sequence[Notification]) -> None:
        mails = [
            (notice.recipient.email, notice.message, notice.link)
            for notice in notifications
            if notice.recipient.email and notice.recipient.email_notifications
        ]
        if mails:
            transaction.on_commit(lambda: _send_mails(mails))


def _send_mails(mails: list[tuple[str, str, str]]) -> None:
    for address, message, link in mails:
        send_mail(
            subject=str(_("党建微项目通知")),
            message=f"{message}\n{link}",
            from_email=None,
            recipient_list=[address],
            fail_silently=True,
        )


def webhook_payload(kind: str, text: str, mobiles: Sequence[str]) -> dict:
    """The robot's documented text message: 企业微信 ``text.mentioned_mobile_list``, 钉钉 ``at.atMobiles``."""
    if kind == WebhookKind.WECOM:
        return {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": list(mobiles)}}
    return {"msgtype": "text", "text": {"content": text}, "at": {"atMobiles": list(mobiles), "isAtAll": False}}


def signed_url(webhook: NotificationWebhook, now_ms: int | None = None) -> str:
    """钉钉's 加签: ``timestamp`` and ``sign`` = base64(HMAC-SHA256(secret, "timestamp\\nsecret")) in the query."""
    if webhook.kind != WebhookKind.DINGTALK or not webhook.secret:
        return webhook.url
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(webhook.secret.encode(), f"{timestamp}\n{webhook.secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in webhook.url else "?"
    return f"{webhook.url}{separator}timestamp={timestamp}&sign={sign}"


class WebhookChannel:
    """Posts each notice to the recipient's committee's group robot, naming (and @-ing) the person.

    Off unless the committee has an active `NotificationWebhook`. Each notice becomes a
    `WebhookDelivery` row in the same transaction (so a rolled-back action posts nothing) and a
    task queued on commit posts it; failures stay in the outbox for the beat sweep to retry.
    """

    def deliver(self, notifications: Sequence[Notification]) -> None:
        user_ids = {notice.recipient_id for notice in notifications}
        members = {
            member.user_id: member
            for member in Member.objects.filter(user_id__in=user_ids).only("user_id", "committee_id", "name", "phone")
        }
        committee_ids = {member.committee_id for member in members.values()}
        webhooks = {
            webhook.committee_id: webhook
            for webhook in NotificationWebhook.objects.filter(committee_id__in=committee_ids, is_active=True)
        }
        if not webhooks:
            return
        deliveries = []
        for notice in notifications:
            member = members.get(notice.recipient_id)
            webhook = webhooks.get(member.committee_id) if member else None
            if webhook is None:
                continue
            text = f"{member.name}：{notice.message}"
            deliveries.append(
                WebhookDelivery(
                    webhook=webhook, payload=webhook_payload(webhook.kind, text, [member.phone] if member.phone else [])
                )
            )
        created = WebhookDelivery.objects.bulk_create(deliveries)
        ids = [delivery.pk for delivery in created]
        transaction.on_commit(lambda: _queue_deliveries(ids))


def _queue_deliveries(ids: list[int]) -> None:
    from .tasks import deliver_webhook  # noqa: PLC0415 -- task/service handshake: the task calls webhook_post

    for delivery_id in ids:
        try:
            deliver_webhook.delay(delivery_id)
        except Exception:  # the broker is down: the outbox sweep posts it later
            logger.warning("could not queue webhook delivery %s; the sweep will retry it", delivery_id)


# A robot that answers slowly must not hold a worker (or, on the embedded run, the request).
WEBHOOK_TIMEOUT_SECONDS = 3
# After this many failed posts a delivery is left alone (its last error stays for the admin).
WEBHOOK_MAX_ATTEMPTS = 8
# A group robot takes at most 20 messages a minute (企业微信; 钉钉 documents the same); more are
# refused with these error codes (企业微信 45009, 钉钉 130101) and must be sent again later.
WEBHOOK_POSTS_PER_MINUTE = 20
RATE_LIMITED_ERRCODES = frozenset({45009, 130101})


@dataclass(frozen=True)
class WebhookOutcome:
    """What one try of a delivery came to: delivered, failed (an attempt), or deferred to a later minute."""

    delivered: bool
    retry_in: int | None = None  # deferred: seconds until the robot's next minute begins

    def __bool__(self) -> bool:
        return self.delivered


def _seconds_to_next_minute(now: float) -> int:
    return max(1, math.ceil(60 - now % 60))


def _budget_key(webhook_id: int, now: float) -> str:
    return f"webhook:budget:{webhook_id}:{int(now // 60)}"


def _budget_take(webhook_id: int, now: float) -> bool:
    """Take one of the webhook's posts of this minute (a counter in the shared cache); False when none is left.

    With the cache down the post goes ahead: the robot's own refusal (45009) still defers it.
    """
    key = _budget_key(webhook_id, now)
    try:
        cache.add(key, 0, timeout=120)
        return cache.incr(key) <= WEBHOOK_POSTS_PER_MINUTE
    except Exception:
        logger.warning("webhook budget of %s not read; posting without it", webhook_id, exc_info=True)
        return True


def _budget_spend(webhook_id: int, now: float) -> None:
    """The robot refused for its rate limit: nothing more goes to it this minute."""
    try:
        cache.set(_budget_key(webhook_id, now), WEBHOOK_POSTS_PER_MINUTE, timeout=120)
    except Exception:
        logger.warning("webhook budget of %s not written", webhook_id, exc_info=True)


def webhook_deliver(*, delivery_id: int) -> WebhookOutcome:
    """Post one outbox row to its robot, within the robot's budget. Safe to repeat: a delivered row is skipped.

    The row is locked (skipping a row another worker holds), so two runs never post it twice at once.
    Both robots answer HTTP 200 with ``{"errcode": 0}`` on success; anything else counts as a failure,
    except the rate limit: a post over the webhook's 20 of this minute is not made, and one the robot
    refuses for its rate limit is not counted; both come back deferred (``retry_in``) for the next minute.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("webhook")
            .filter(pk=delivery_id, delivered_at__isnull=True)
            .first()
        )
        if delivery is None or not delivery.webhook.is_active:
            return WebhookOutcome(delivered=False)
        now = time.time()
        if not _budget_take(delivery.webhook_id, now):
            return WebhookOutcome(delivered=False, retry_in=_seconds_to_next_minute(now))
        error, rate_limited = _post(signed_url(delivery.webhook), delivery.payload)
        if rate_limited:
            _budget_spend(delivery.webhook_id, now)
            delivery.last_error = error[:255]
            delivery.save(update_fields=["last_error"])
            logger.info("webhook delivery %s deferred: %s", delivery.pk, error)
            return WebhookOutcome(delivered=False, retry_in=_seconds_to_next_minute(time.time()))
        delivery.attempts += 1
        if error:
            delivery.last_error = error[:255]
            logger.warning("webhook delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
        else:
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
        delivery.save(update_fields=["attempts", "last_error", "delivered_at"])
        return WebhookOutcome(delivered=not error)


def _post(url: str, payload: dict) -> tuple[str, bool]:
    """POST the JSON; the error as text ("" when the robot accepted it) and whether it was the rate limit."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # the admin-set robot URL
            answer = json.loads(response.read() or b"{}")
    except (OSError, ValueError) as error:
        return f"{type(error).__name__}: {error}", False
    errcode = answer.get("errcode", 0)
    if errcode != 0:
        return f"errcode {errcode}: {answer.get('errmsg', '')}", errcode in RATE_LIMITED_ERRCODES
    return "", False


def webhook_deliveries_pending(*, limit: int = 200) -> list[int]:
    """Undelivered outbox rows that may still be tried, oldest first."""
    return list(
        WebhookDelivery.objects.filter(
            delivered_at__isnull=True, attempts__lt=WEBHOOK_MAX_ATTEMPTS, webhook__is_active=True
        ).values_list("pk", flat=True)[:limit]
    )


def configured_channels() -> list[NotificationChannel]:
    return [import_string(path)() for path in settings.NOTIFICATION_CHANNELS]
