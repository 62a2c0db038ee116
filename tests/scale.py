"""Grow the demo school for tests that pin query counts at two data sizes."""

from branches.models import Committee, Group
from members import services
from members.enums import PartyStatus


def add_members(committee: Committee, per_group: int) -> None:
    """Add `per_group` extra members to every group of the committee."""
    for group in Group.objects.filter(branch__committee=committee):
        for index in range(per_group):
            services.member_upsert(
                committee=committee,
                data=services.MemberData(
                    name=f"{group.name}测试党员{index:03d}",
                    subject="数学",
                    party_status=PartyStatus.FULL,
                    group=group,
                ),
            )
