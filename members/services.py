"""Writes to the roster and to logins."""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Committee, Group
from config.idempotency import ClientIdInUse, create_once, created_before

from . import channels, roster
from .enums import CommitteeRole, Gender, PartyStatus
from .errors import DomainError
from .models import Member, Notification, RosterImport, User
from .roles import roles_of


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


def notification_send(*, recipients: Iterable[User], message: str, link: str = "", subject: str = "") -> int:
    """Leave an in-app message for each recipient and hand it to every configured channel.

    E-mail (for those who have not turned it off) and the group robots go out after the
    surrounding transaction commits, so a rolled-back action sends nothing, and a mail server or
    robot that is down never undoes or holds up the action. ``subject`` names the work the notice
    asks for, so `notifications_resolve` can close it once that work is done.
    """
    recipients = [user for user in dict.fromkeys(recipients) if user is not None]
    notices = Notification.objects.bulk_create(
        [Notification(recipient=user, message=message[:255], link=link, subject=subject) for user in recipients]
    )
    for channel in channels.configured_channels():
        channel.deliver(notices)
    return len(recipients)


@transaction.atomic
def notifications_resolve(*, subject: str, recipient: User | None = None, prefix: bool = False) -> int:
    """Mark the open notices about ``subject`` done (and read): the work they asked for is done.

    With ``prefix`` every subject starting with it (e.g. ``"review:12:"``, all rounds' notices).
    """
    notices = Notification.objects.filter(resolved_at__isnull=True)
    notices = notices.filter(subject__startswith=subject) if prefix else notices.filter(subject=subject)
    if recipient is not None:
        notices = notices.filter(recipient=recipient)
    now = timezone.now()
    notices.filter(read_at__isnull=True).update(read_at=now)
    return notices.update(resolved_at=now)


@transaction.atomic
def notification_preferences_set(*, user: User, email_notifications: bool) -> User:
    """Turn the user's e-mail copies of notices on or off (in-app notices always stay)."""
    if user.email_notifications != email_notifications:
        user.email_notifications = email_notifications
        user.save(update_fields=["email_notifications"])
    return user


@transaction.atomic
def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or the given ones) as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def roster_import_apply(
    *,
    actor: User,
    committee: Committee,
    rows: list[roster.RosterRow],
    file_name: str,
    skip_invalid_rows: bool = False,
    client_id: uuid.UUID | None = None,
) -> RosterImport:
    """Write the valid rows of a previewed roster upload through `member_upsert`, and the audit row.

    All or nothing: raises DomainError, writing nothing, when the actor may not import into this
    committee, when some rows have errors and `skip_invalid_rows` is not set, when no row is valid,
    or when a row's group has left the committee since the preview. The audit row counts members
    created, members updated (something changed) and rows skipped for their errors; rows that
    change nothing are counted in none of these. With a `client_id` (the confirm form's one-time
    id) a repeated confirm answers with the import the first one made and writes nothing.
    """
    if not actor.has_perm("members.import_roster") or roles_of(actor).committee_id != committee.pk:
        raise DomainError(_("您没有导入本党委花名册的权限。"))
    valid_rows = [row for row in rows if not row["errors"] and row["values"] is not None]
    skipped = len(rows) - len(valid_rows)
    if skipped and not skip_invalid_rows:
        raise DomainError(_("有 %(count)d 行存在错误：请修改后重新上传，或选择仅导入有效行。") % {"count": skipped})
    if not valid_rows:
        raise DomainError(_("没有可导入的有效行。"))

    groups = Group.objects.filter(branch__committee=committee).in_bulk()
    # Lock the committee's roster so the created/updated counts match what this import wrote.
    existing = {member.name: member for member in Member.objects.select_for_update().filter(committee=committee)}
    in_use = DomainError(_("这份表单的提交编号已被使用，请刷新页面后重新填写。"))
    try:
        # After the lock: a racing copy of this confirm waits here for the first, then finds its import.
        if (earlier := created_before(RosterImport, client_id, owner="imported_by", actor=actor)) is not None:
            return earlier
    except ClientIdInUse as error:
        raise in_use from error
    created = updated = 0
    for row in valid_rows:
        values = row["values"]
        group_id = values["group_id"]
        if group_id is not None and group_id not in groups:
            raise DomainError(_("党支部或党小组已调整，请重新上传花名册。"))
        if values["party_status"] not in PartyStatus.values or values["gender"] not in ("", *Gender.values):
            raise DomainError(_("导入数据无效，请重新上传花名册。"))
        member = existing.get(values["name"])
        changed = member is None or bool(roster.member_changes(member, values))
        _member, was_created = member_upsert(
            committee=committee,
            data=MemberData(
                name=values["name"],
                gender=values["gender"],
                subject=values["subject"],
                professional_title=values["professional_title"],
                party_status=values["party_status"],
                joined_party_on=(
                    datetime.date.fromisoformat(values["joined_party_on"]) if values["joined_party_on"] else None
                ),
                group=groups.get(group_id) if group_id is not None else None,
                phone=values["phone"],
            ),
        )
        if was_created:
            created += 1
        elif changed:
            updated += 1
    try:
        return create_once(
            RosterImport,
            client_id,
            owner="imported_by",
            actor=actor,
            create=lambda: RosterImport.objects.create(
                committee=committee,
                imported_by=actor,
                file_name=file_name[:255],
                created_count=created,
                updated_count=updated,
                skipped_count=skipped,
                client_id=client_id,
            ),
        )
    except ClientIdInUse as error:
        raise in_use from error
