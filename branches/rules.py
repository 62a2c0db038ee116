import rules

from members.rules import has_member_profile, in_same_committee

rules.add_perm("branches.view_organisation", has_member_profile)
rules.add_perm("branches.view_branch", in_same_committee)
rules.add_perm("branches.view_group", in_same_committee)
