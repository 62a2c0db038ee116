"""Revising an achievement before it is verified: the recorder corrects it and it waits again.

Editing a rejected achievement is a resubmission: it goes back to 待审核 and the rejection,
with the content it judged, is kept as a revision. Verified achievements are final.
"""

import dataclasses

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import User

from .enums import AchievementStatus
from .errors import ActivityError
from .models import Achievement, AchievementRevision
from .services import AchievementData, _check_achievement, achievement_save


def achievement_snapshot(achievement: Achievement) -> dict:
    """The achievement's content as plain JSON, as kept in its revisions."""
    return {
        "kind": achievement.kind,
        "title": achievement.title,
        "level": achievement.level,
        "rank": achievement.rank,
        "issuing_body": achievement.issuing_body,
        "awarded_on": achievement.awarded_on.isoformat(),
        "members": [{"id": member.pk, "name": member.name} for member in achievement.members.order_by("pk")],
        "pupils": achievement.pupils,
        "word_count": achievement.word_count,
        "project_id": achievement.project_id,
        "certificate": achievement.certificate.name or "",
        "certificate_name": achievement.certificate_name,
    }


@transaction.atomic
def achievement_update(
    *, actor: User, achievement: Achievement, data: AchievementData, certificate: UploadedFile | None = None
) -> Achievement:
    """Let the recorder correct a pending or rejected achievement; a rejected one is resubmitted.

    The content before the edit, its status and any rejection reason are kept as an
    AchievementRevision; a replaced certificate file stays in storage, named in that revision.
    Whether it is a committee honour cannot change. Verified achievements are refused.
    """
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if achievement.status == AchievementStatus.VERIFIED:
        raise ActivityError(_("成果已认定，不能再修改。"))
    if not actor.has_perm("activities.change_achievement", achievement):
        raise ActivityError(_("只有成果的填报人可以修改待审核或未通过的成果。"))
    data = dataclasses.replace(data, is_committee_honour=achievement.is_committee_honour)
    _check_achievement(actor, achievement.committee_id, data)
    AchievementRevision.objects.create(
        achievement=achievement,
        edited_by=actor,
        status_before=achievement.status,
        rejection_reason=achievement.rejection_reason,
        snapshot=achievement_snapshot(achievement),
    )
    achievement.kind = data.kind
    achievement.title = data.title.strip()
    achievement.level = data.level
    achievement.rank = data.rank
    achievement.issuing_body = data.issuing_body.strip()
    achievement.awarded_on = data.awarded_on
    achievement.pupils = data.pupils.strip()
    achievement.word_count = data.word_count
    achievement.project = data.project
    if achievement.status == AchievementStatus.REJECTED:
        # Resubmitted: it waits for a fresh review; the old verdict lives on in the revision.
        achievement.status = AchievementStatus.PENDING
        achievement.verified_by = None
        achievement.verified_at = None
        achievement.rejection_reason = ""
    return achievement_save(achievement, data=data, certificate=certificate)
