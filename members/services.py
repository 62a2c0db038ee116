"""Writes to the roster and to logins."""

import datetime
from dataclasses import dataclass

from django.db import transaction

from branches.models import Committee, Group

from .enums import CommitteeRole, PartyStatus
from .models import Member, User


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
