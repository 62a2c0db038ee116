"""Notices asking to review an application that is no longer in review are marked done.

Before notices had a subject, a 请评审 notice stayed unread for ever once the project was decided.
"""

import re

from django.db import migrations
from django.utils import timezone

REVIEW_LINK = re.compile(r"^/projects/(\d+)/review/$")


def resolve(apps, schema_editor):
    Notification = apps.get_model("members", "Notification")
    MicroProject = apps.get_model("projects", "MicroProject")
    open_ids = set(MicroProject.objects.filter(status__in=["submitted", "in_review"]).values_list("pk", flat=True))
    now = timezone.now()
    stale, current = [], []
    for notice in Notification.objects.filter(link__startswith="/projects/", link__endswith="/review/"):
        match = REVIEW_LINK.match(notice.link)
        if not match:
            continue
        project_id = int(match.group(1))
        if project_id in open_ids:
            notice.subject = f"review:{project_id}:"
            current.append(notice)
        else:
            stale.append(notice.pk)
    Notification.objects.bulk_update(current, ["subject"])
    Notification.objects.filter(pk__in=stale, read_at__isnull=True).update(read_at=now)
    Notification.objects.filter(pk__in=stale).update(resolved_at=now)


class Migration(migrations.Migration):
    dependencies = [("projects", "0011_year_calendar"), ("members", "0004_notification_channels")]

    operations = [migrations.RunPython(resolve, migrations.RunPython.noop)]
