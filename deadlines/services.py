"""Sending the deadline reminders: 7 days and 1 day before, 3 days after; once per person, deadline and step."""

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from members.services import notification_send

from .models import ReminderSent
from .selectors import Deadline, open_deadlines

logger = logging.getLogger(__name__)


class Step:
    WEEK_BEFORE = "before_7"
    DAY_BEFORE = "before_1"
    LATE = "after_3"


# A late deadline is reminded about once; past this it is the secretary's business, not a robot's.
LATE_REMINDER_WINDOW_DAYS = 30


def step_on(due: datetime.date, today: datetime.date) -> str | None:
    """The step a deadline is at today: from 7 days before, from 1 day before (and on the day),
    from 3 days after. One step a day at most: a sweep that missed the 7-day mark sends the 1-day
    reminder only, never both at once."""
    days = (today - due).days
    if -7 <= days < -1:
        return Step.WEEK_BEFORE
    if -1 <= days <= 0:
        return Step.DAY_BEFORE
    if 3 <= days <= LATE_REMINDER_WINDOW_DAYS:
        return Step.LATE
    return None


def _owner_message(deadline: Deadline, step: str, today: datetime.date) -> str:
    due = f"{deadline.due:%Y-%m-%d}"
    days = (deadline.due - today).days
    if step == Step.LATE:
        return _("逾期提醒：%(what)s已于 %(due)s 截止，已逾期 %(days)d 天，请尽快完成。") % {
            "what": deadline.what,
            "due": due,
            "days": -days,
        }
    if days == 0:
        return _("今天截止：请在今天内%(what)s。") % {"what": deadline.what}
    return _("到期提醒：请在 %(due)s 前%(what)s（还有 %(days)d 天）。") % {
        "what": deadline.what,
        "due": due,
        "days": days,
    }


def _escalation_message(deadline: Deadline) -> str:
    return _("逾期告知：%(what)s已于 %(due)s 截止，尚未完成：%(names)s。") % {
        "what": deadline.what,
        "due": f"{deadline.due:%Y-%m-%d}",
        "names": "、".join(deadline.owner_names),
    }


@dataclass(frozen=True)
class Reminder:
    recipient: User
    deadline: Deadline
    step: str
    message: str
    subject: str


def reminders_due(today: datetime.date) -> list[Reminder]:
    """Every reminder the day calls for (sent or not): each owner's, and at the late step the escalation's."""
    reminders = []
    for deadline in open_deadlines(today):
        step = step_on(deadline.due, today)
        if step is None:
            continue
        message = _owner_message(deadline, step, today)
        reminders.extend(Reminder(owner, deadline, step, message, deadline.subject) for owner in deadline.owners)
        if step == Step.LATE:
            escalation = _escalation_message(deadline)
            reminders.extend(
                Reminder(user, deadline, "escalated", escalation, "")
                for user in deadline.escalate_to
                if user not in deadline.owners
            )
    return reminders


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Send today's reminders that have not been sent; returns how many were sent now.

    Each reminder is its own transaction: the `ReminderSent` row and the notice commit together
    or not at all. A run killed half-way leaves the sent ones recorded and the rest for the next
    run; a second run (or a second beat, or a redelivered task) finds the rows and sends nothing
    twice. Two runs at once meet the unique constraint; the loser's notice is rolled back.
    """
    today = today or timezone.localdate()
    sent = 0
    for reminder in reminders_due(today):
        key, step = reminder.deadline.key, reminder.step
        if ReminderSent.objects.filter(recipient=reminder.recipient, deadline_key=key, step=step).exists():
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.create(recipient=reminder.recipient, deadline_key=key, step=step)
                notification_send(
                    recipients=[reminder.recipient],
                    message=reminder.message,
                    link=reminder.deadline.link,
                    subject=reminder.subject,
                )
        except IntegrityError:
            logger.info("reminder %s/%s to %s already sent by another run", key, step, reminder.recipient.pk)
            continue
        sent += 1
    return sent
