"""Writes to the roster and to logins."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Committee, Group

from .enums import CommitteeRole, PartyStatus
from .models import Member, Notification, User


@dataclass(frozen=True)
class MemberData:
    """One person as the roster describes them; empty strings mean "not given"."""

    name: str
    gender: str = ""
    subject: str = ""
    professional_title: str = ""
    party_status: str = PartyStatus.FULL
    joined_party_on: datetime.date | None = None
    group: Group | None = None
    phone: str = ""


@transaction.atomic
def member_upsert(*, committee: Committee, data: MemberData) -> tuple[Member, bool]:
    """Create the member, or update the one of the same name in the committee.

    Returns (member, created). An archived member of that name is brought back onto the roster.
    """
    member, created = Member.objects.select_for_update().get_or_create(
        committee=committee,
        name=data.name,
        defaults={
            "gender": data.gender,
            "subject": data.subject,
            "professional_title": data.professional_title,
            "party_status": data.party_status,
            "joined_party_on": data.joined_party_on,
            "group": data.group,
            "phone": data.phone,
        },
    )
    if not created:
        changed = False
        for field in ("gender", "subject", "professional_title", "party_status", "joined_party_on", "group", "phone"):
            value = getattr(data, field)
            if getattr(member, field) != value:
                setattr(member, field, value)
                changed = True
        if not member.is_active:
            member.is_active = True
            changed = True
        if changed:
            member.save()
    return member, created


@transaction.atomic
def member_set_committee_role(*, member: Member, role: CommitteeRole) -> Member:
    if member.committee_role != role:
        member.committee_role = role
        member.save(update_fields=["committee_role", "updated_at"])
    return member


@transaction.atomic
def member_login_ensure(*, member: Member, username: str, password: str | None = None) -> User:
    """Give the member a login with this username (kept if it exists); set the password if given."""
    user, created = User.objects.get_or_create(username=username)
    if created or password is not None:
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
    if member.user_id != user.pk:
        Member.objects.filter(user=user).exclude(pk=member.pk).update(user=None)
        member.user = user
        member.save(update_fields=["user", "updated_at"])
    return user


def notification_send(*, recipients: Iterable[User], message: str, link: str = "") -> int:
    """Leave an in-app message for each recipient and e-mail those with an address.

    The e-mail goes out after the surrounding transaction commits, so a rolled-back action
    sends nothing; a mail server that is down never undoes the action.
    """
    recipients = [user for user in dict.fromkeys(recipients) if user is not None]
    Notification.objects.bulk_create(
        [Notification(recipient=user, message=message[:255], link=link) for user in recipients]
    )
    addresses = [user.email for user in recipients if user.email]
    if addresses:
        transaction.on_commit(
            lambda: send_mail(
                subject=str(_("党建微项目通知")),
                message=f"{message}\n{link}",
                from_email=None,
                recipient_list=addresses,
                fail_silently=True,
            )
        )
    return len(recipients)


@transaction.atomic
def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or the given ones) as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
