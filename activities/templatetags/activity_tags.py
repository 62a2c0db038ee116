"""The activity sections of the project page: progress against targets, timeline, gallery.

The timeline's rows and the gallery's tiles are written in Python: through the template engine,
with a ``{% url %}`` per link (three per photo), they were a third of the project page's time. The
markup is the one the templates wrote, values escaped the same way as ``{{ value }}``.
"""

import datetime
import html
from collections.abc import Callable

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import floatformat
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from activities import activity_selectors, photo_selectors
from activities.enums import ActivityType
from activities.models import ActivityLog, Photo
from projects.enums import PUBLIC_STATUSES
from projects.models import MicroProject

register = template.Library()

# reverse() once per URL shape with this id, then the row's own id put in its place.
_ID_MARK = 987654321
PHOTO_SIZES = ("small", "large", "original")

PROJECT_GALLERY_SIZE = 12
# The project page shows the latest activities; ?timeline=all lists every one.
PROJECT_TIMELINE_SIZE = 10


@register.filter
def bar_width(percent: int) -> int:
    """A progress bar's width in percent: past 100 % the bar is simply full."""
    return max(0, min(int(percent), 100))


@register.filter
def activity_type_label(value: str) -> str:
    """``get_activity_type_display`` without rebuilding the choices' mapping on every call."""
    return ActivityType(value).label if value in ActivityType.values else value


def _sections(context, project: MicroProject) -> dict:
    """The activity sections' data, read once per page: the action bar at the top and the sections
    below share it (kept in the render context, which lives as long as one page's rendering)."""
    cache = context.render_context.setdefault("activity_sections", {})
    if project.pk in cache:
        return cache[project.pk]
    if project.status not in PUBLIC_STATUSES:
        cache[project.pk] = {"shown": False}
        return cache[project.pk]
    request = context["request"]
    show_all = request.GET.get("timeline") == "all"
    timeline = activity_selectors.project_timeline(project, limit=None if show_all else PROJECT_TIMELINE_SIZE)
    cache[project.pk] = {
        "shown": True,
        "request": request,
        "user": request.user,
        "project": project,
        "progress": activity_selectors.project_progress(project),
        "timeline": timeline,
        "photos": photo_selectors.project_gallery(project, limit=PROJECT_GALLERY_SIZE),
        "photo_total": timeline.photo_total,
    }
    return cache[project.pk]


@register.inclusion_tag("activities/_project_sections.html", takes_context=True)
def project_activity_sections(context, project: MicroProject) -> dict:
    """Progress, the activity timeline (newest first) and the latest photos, in a fixed number of queries.

    Nothing before approval: a project logs activities only once approved.
    """
    return _sections(context, project)


@register.inclusion_tag("activities/_project_action_bar.html", takes_context=True)
def project_action_bar(context, project: MicroProject) -> dict:
    """记录活动 and 上传照片 (to the latest activity) for those who may, at the top of the project page."""
    sections = _sections(context, project)
    if not sections["shown"]:
        return {"shown": False}
    user = context["request"].user
    latest = sections["timeline"].activities[0] if sections["timeline"].activities else None
    # The upload rule reads the activity's project and whether it is archived (the timeline holds current ones).
    latest_log = ActivityLog(pk=latest.pk, project=project, is_archived=False) if latest else None
    can_log = user.has_perm("activities.add_activity", project)
    can_upload = latest_log is not None and user.has_perm("activities.upload_photo", latest_log)
    return {
        "shown": can_log or can_upload,
        "project": project,
        "can_log": can_log,
        "latest": latest if can_upload else None,
    }


def _ymd(day: datetime.date) -> str:
    """``{{ day|date:"Y-m-d" }}`` of a date (no time zone to convert, no localised part)."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _url_writer(name: str, *rest) -> Callable[[int], str]:
    """``{% url name id *rest %}`` for many ids at the cost of one reverse()."""
    before, _mark, after = reverse(name, args=[_ID_MARK, *rest]).rpartition(str(_ID_MARK))
    return lambda pk: f"{before}{int(pk)}{after}"


@register.simple_tag(takes_context=True)
def timeline_rows(context: template.Context, activities: list[activity_selectors.TimelineActivity]) -> SafeString:
    """The timeline's ``timeline-activity`` rows: title, date, type, place, counts and indicator values."""
    text = html.escape
    detail_url = _url_writer("activities:activity_detail")

    def count(value: int) -> str:
        return render_value_in_context(value, context)

    def row(activity: activity_selectors.TimelineActivity) -> str:
        facts = text(str(activity_type_label(activity.activity_type)))
        if activity.place:
            facts += f" · {text(activity.place)}"
        if activity.beneficiaries_count:
            counter = activity.beneficiaries_count
            facts += " · " + ngettext("受益 %(counter)s 人", "受益 %(counter)s 人", counter) % {
                "counter": count(counter)
            }
        if activity.photo_count:
            counter = activity.photo_count
            facts += " · " + ngettext("%(counter)s 张照片", "%(counter)s 张照片", counter) % {"counter": count(counter)}
        values = activity.indicator_values
        badges = ""
        if values:
            badges = (
                '\n      <div class="small">'
                + "".join(
                    f'<span class="badge text-bg-light me-1">{text(value.indicator_name)} '
                    f"{floatformat(value.value, '-2')} {text(value.unit)}</span>"
                    for value in values
                )
                + "</div>"
            )
        return (
            '\n    <li class="list-group-item" data-testid="timeline-activity">\n'
            '      <div class="d-flex flex-wrap justify-content-between gap-2">\n'
            f'        <a class="fw-semibold" href="{detail_url(activity.pk)}">{text(activity.title)}</a>\n'
            f'        <span class="small text-secondary">{_ymd(activity.date)}</span>\n'
            "      </div>\n"
            f'      <div class="small text-secondary">\n        {facts}\n      </div>{badges}\n'
            "    </li>"
        )

    if not activities:
        empty = text(gettext("还没有活动记录。"))
        return mark_safe(f'\n    <li class="list-group-item text-secondary">{empty}</li>')  # escaped above
    return mark_safe("".join(row(activity) for activity in activities))  # every value above is escaped


@register.simple_tag(takes_context=True)
def gallery_tiles(
    context: template.Context, photos: list[Photo], gallery_id: str, show_activity=False, manage=False
) -> SafeString:
    """A gallery's ``gallery-photo`` tiles opening the lightbox ``gallery_id``; ``manage`` adds archive buttons."""
    text = html.escape
    gallery_id = text(str(gallery_id))
    file_urls = {size: _url_writer("activities:photo_file", size) for size in PHOTO_SIZES}
    pending = text(gettext("处理中"))
    failed = text(gettext("无法生成预览，请重新上传"))
    default_alt = text(gettext("活动照片"))
    user = context.get("user")
    archive_url = _url_writer("activities:photo_archive")
    # One CSRF field for every archive form of the gallery: any masking of the request's token
    # passes the check, and masking it anew per photo was a tenth of a 30-photo page.
    archive_parts: list[str] = []

    def archive_form(photo: Photo) -> str:
        if not (manage and user is not None and user.has_perm("activities.archive_photo", photo)):
            return ""
        if not archive_parts:
            archive_parts.extend((CsrfTokenNode().render(context), text(gettext("移出相册"))))
        csrf, label = archive_parts
        return (
            f'\n    <form method="post" action="{archive_url(photo.pk)}">{csrf}\n'
            f'      <button type="submit" class="btn btn-link btn-sm p-0 link-secondary">{label}</button>\n'
            "    </form>"
        )

    def tile(photo: Photo) -> str:
        caption = text(photo.caption or "")
        if photo.has_display_sizes:
            image = (
                f'\n    <a class="ratio ratio-4x3 d-block" href="{file_urls["large"](photo.pk)}"\n'
                f'       data-lightbox="{gallery_id}" data-caption="{caption}"\n'
                f'       data-original="{file_urls["original"](photo.pk)}">\n'
                f'      <img class="rounded object-fit-cover" src="{file_urls["small"](photo.pk)}"\n'
                f'           alt="{caption or default_alt}" loading="lazy">\n'
                "    </a>"
            )
        elif photo.display_given_up:
            image = (
                '\n    <div class="ratio ratio-4x3">\n'
                '      <div class="d-flex align-items-center justify-content-center rounded bg-warning-subtle '
                f'text-body-secondary small" data-testid="photo-failed">{failed}</div>\n'
                "    </div>"
            )
        else:
            image = (
                '\n    <div class="ratio ratio-4x3">\n'
                '      <div class="d-flex align-items-center justify-content-center rounded bg-secondary-subtle '
                f'text-secondary small" data-testid="photo-pending">{pending}</div>\n'
                "    </div>"
            )
        if caption:
            figcaption = caption
        elif show_activity:
            figcaption = f"{_ymd(photo.activity.date)} {text(photo.activity.title)}"
        else:
            figcaption = "&nbsp;"
        return (
            '\n  <figure class="col mb-0" data-testid="gallery-photo">'
            f"{image}\n"
            f'    <figcaption class="small text-secondary text-truncate mt-1">{figcaption}</figcaption>'
            f"{archive_form(photo)}\n"
            "  </figure>"
        )

    if not photos:
        empty = text(gettext("还没有照片。"))
        return mark_safe(f'\n  <p class="col-12 text-secondary mb-0">{empty}</p>')  # escaped above
    return mark_safe("".join(tile(photo) for photo in photos))  # every value above is escaped
