"""The statistics' part of the demo: every snapshot computed once the demo's data is in.

Without it a fresh demo would show only the scopes its writes touched (a group without a
project would read 党员数 0 until someone pressed 立即刷新); the embedded run has no beat.
"""

from branches.models import Committee

from .services import stats_recompute


def seed_demo_step(committees: list[Committee]) -> None:
    for committee in committees:
        stats_recompute(committee_id=committee.pk)
