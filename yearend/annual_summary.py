"""The annual summary (党建微项目工作总结) as a plain Chinese .docx draft the committee edits.

Overview with the committee's figures, one section per approved project (type, group, goals,
targets against actuals, key activities, verified achievements, a few photos, the published
assessment rating), and the committee's honours. Figures come from the statistics snapshots
(`stats.committee_stats`), so the draft says what the dashboard says.
"""

import logging
from collections import defaultdict
from typing import IO, Any

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from activities.enums import AchievementLevel, AchievementStatus
from activities.models import Achievement, ActivityLog, Photo
from projects.school_years import school_year_bounds
from stats.selectors import ProjectStats

from .annual_workbook import Progress, ReportContext, no_progress, published_round, year_achievements
from .models import AssessmentResult

logger = logging.getLogger(__name__)

KEY_ACTIVITIES = 5
PHOTOS_PER_PROJECT = 3
CHINESE_NUMERALS = "一二三四五六七八九十"


def _numeral(index: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 … 99 → 九十九 (a year has far fewer projects)."""
    if index <= 10:
        return CHINESE_NUMERALS[index - 1]
    tens, ones = divmod(index, 10)
    return (CHINESE_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def _number(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _new_document() -> Document:
    document = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        # East Asian text needs its own font, or Word falls back to whatever the theme says.
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    document.styles["Normal"].font.size = Pt(12)
    return document


def _table(document: Document, header: list[str], rows: list[list[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = _number(value) if not isinstance(value, str) else value


def _level_counts(by_level: dict[str, int]) -> str:
    """``{"city": 1, "district": 2}`` → "市级1项、区级2项" (highest level first)."""
    return "、".join(
        f"{label}{by_level[level]}项" for level, label in reversed(AchievementLevel.choices) if by_level.get(level)
    )


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _overview(document: Document, context: ReportContext) -> None:
    totals = context.stats.totals
    document.add_heading(_("一、总体情况"), level=1)
    by_type: dict[str, int] = defaultdict(int)
    for project in context.stats.projects:
        by_type[project.type_name or _("未分类")] += 1
    type_text = "、".join(f"{name}{count}个" for name, count in by_type.items())
    rate = totals.get("participation_rate")
    sentences = [
        _("本学年，党委共立项党建微项目 %(count)s 个") % {"count": len(context.stats.projects)}
        + (f"（{type_text}）" if type_text else ""),
        (
            _("开展活动 %(activities)s 次，党员参与 %(person_times)s 人次，")
            + _("活动时长 %(hours)s 小时，受益 %(beneficiaries)s 人")
        )
        % {
            "activities": totals.get("activities", 0),
            "person_times": totals.get("person_times", 0),
            "hours": _number(totals.get("hours", 0)),
            "beneficiaries": totals.get("beneficiaries", 0),
        },
    ]
    if rate is not None:
        sentences.append(_("党员参与率 %(rate)s%%") % {"rate": _number(rate)})
    sentences.append(_("留存活动照片 %(photos)s 张") % {"photos": totals.get("photos", 0)})
    verified = totals.get("achievements_verified", 0)
    levels = _level_counts(totals.get("achievements_by_level", {}))
    sentences.append(
        _("经党委认定的成果 %(count)s 项") % {"count": verified} + (f"（{levels}）" if verified and levels else "")
    )
    document.add_paragraph("，".join(sentences) + "。")
    if context.stats.projects:
        _table(
            document,
            [_("项目"), _("项目类型"), _("党小组"), _("活动（次）"), _("参与（人次）"), _("认定成果（项）")],
            [
                [
                    project.title,
                    project.type_name,
                    project.group_name,
                    project.figures.get("activities", 0),
                    project.figures.get("person_times", 0),
                    project.figures.get("achievements_verified", 0),
                ]
                for project in context.stats.projects
            ],
        )


def _photo_file(photo: Photo):
    """The 1600 px display size, else the 320 px one; None while neither is made."""
    return photo.display_large or photo.display_small or None


def _add_photos(document: Document, photos: list[Photo]) -> None:
    for photo in photos:
        field_file = _photo_file(photo)
        try:
            with field_file.open("rb") as stream:
                document.add_picture(stream, width=Cm(12))
        except (OSError, ValueError):
            # A missing or unreadable file leaves the photo out; the draft is still useful.
            logger.warning("report: photo %s left out of the summary", photo.pk, exc_info=True)
            continue
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption = document.add_paragraph(f"{_date(photo.activity.date)} {photo.caption or photo.activity.title}")
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _project_section(
    document: Document,
    index: int,
    project: ProjectStats,
    goals: str,
    achievements: list[Achievement],
    result: AssessmentResult | None,
) -> None:
    document.add_heading(f"（{_numeral(index)}）{project.title}", level=2)
    document.add_paragraph(
        _("项目类型：%(type)s；申报党小组：%(group)s（%(branch)s）；项目状态：%(status)s。")
        % {
            "type": project.type_name or _("未分类"),
            "group": project.group_name,
            "branch": project.branch_name,
            "status": project.status_label,
        }
    )
    if goals:
        document.add_paragraph(_("项目目标：") + goals)
    figures = project.figures
    document.add_paragraph(
        (
            _("本学年开展活动 %(activities)s 次，党员参与 %(person_times)s 人次，")
            + _("受益 %(beneficiaries)s 人，活动时长 %(hours)s 小时。")
        )
        % {
            "activities": figures.get("activities", 0),
            "person_times": figures.get("person_times", 0),
            "beneficiaries": figures.get("beneficiaries", 0),
            "hours": _number(figures.get("hours", 0)),
        }
    )
    indicators = figures.get("indicators", [])
    if indicators:
        _table(
            document,
            [_("指标"), _("单位"), _("目标值"), _("完成值"), _("完成率（%）"), _("计划外完成")],
            [
                [row["name"], row["unit"], row["target"], row["actual"], row["completion"], row.get("unplanned", 0)]
                for row in indicators
            ],
        )
    activities = list(
        ActivityLog.objects.filter(project_id=project.id, is_archived=False).order_by(
            "-beneficiaries_count", "-date", "-pk"
        )[:KEY_ACTIVITIES]
    )
    if activities:
        document.add_paragraph(_("主要活动："))
        for activity in sorted(activities, key=lambda item: (item.date, item.pk)):
            text = f"{_date(activity.date)}，{activity.title}"
            if activity.beneficiaries_count:
                text += _("，受益 %(count)s 人") % {"count": activity.beneficiaries_count}
            document.add_paragraph(text + "。", style="List Bullet")
    if achievements:
        document.add_paragraph(_("认定成果："))
        for achievement in achievements:
            rank = achievement.get_rank_display() if achievement.rank != "none" else ""
            document.add_paragraph(
                f"{achievement.title}（{achievement.get_level_display()}{rank}，{achievement.issuing_body}）".replace(
                    "，）", "）"
                ),
                style="List Bullet",
            )
    candidates = (
        Photo.objects.filter(activity__project_id=project.id, activity__is_archived=False, is_archived=False)
        .exclude(display_large="", display_small="")
        .select_related("activity")
        .order_by("activity__date", "activity_id", "pk")[: PHOTOS_PER_PROJECT * 10]
    )
    # One photo per activity, so a few photos show a few different moments of the year.
    photos: list[Photo] = []
    for photo in candidates:
        if len(photos) < PHOTOS_PER_PROJECT and all(photo.activity_id != chosen.activity_id for chosen in photos):
            photos.append(photo)
    _add_photos(document, photos)
    if result is not None:
        document.add_paragraph(
            _("年度考核：%(rating)s（平均分 %(mean)s，第 %(rank)s 名）。")
            % {"rating": result.get_rating_display(), "mean": result.mean, "rank": result.rank}
        )


def _honours(document: Document, context: ReportContext) -> None:
    document.add_heading(_("三、党委集体荣誉"), level=1)
    _first, last = school_year_bounds(context.school_year)
    honours = Achievement.objects.filter(
        committee=context.committee,
        is_committee_honour=True,
        status=AchievementStatus.VERIFIED,
        awarded_on__lte=last,
    ).order_by("-awarded_on", "-pk")
    if not honours:
        document.add_paragraph(_("（暂无已认定的党委集体荣誉。）"))
    for honour in honours:
        document.add_paragraph(
            f"{honour.awarded_on.year}年{honour.awarded_on.month}月，{honour.title}（{honour.issuing_body}）",
            style="List Bullet",
        )
    document.add_heading(_("四、存在的不足和下一步打算"), level=1)
    document.add_paragraph(_("（请党委结合本学年工作补充。）"))


def write_summary(context: ReportContext, output: IO[bytes], progress: Progress = no_progress) -> None:
    """Write the year's summary draft to ``output`` (progress 0–90)."""
    committee, year = context.committee, context.school_year
    document = _new_document()
    document.add_heading(
        _("%(school)s党委 %(year)s 学年党建微项目工作总结") % {"school": committee.school_name, "year": year}, 0
    )
    subtitle = document.add_paragraph(_("（初稿）"))
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _overview(document, context)
    progress(20)

    achievements: dict[int, list[Achievement]] = defaultdict(list)
    verified = year_achievements(committee, year).filter(status=AchievementStatus.VERIFIED, project__isnull=False)
    for achievement in verified.order_by("awarded_on", "pk"):
        achievements[achievement.project_id].append(achievement)
    assessment_round = published_round(committee, year)
    results = (
        {result.project_id: result for result in AssessmentResult.objects.filter(assessment_round=assessment_round)}
        if assessment_round
        else {}
    )
    goals = dict(
        committee.projects.filter(pk__in=[project.id for project in context.stats.projects]).values_list("pk", "goals")
    )

    document.add_heading(_("二、各项目开展情况"), level=1)
    projects = context.stats.projects
    for index, project in enumerate(projects, start=1):
        _project_section(
            document, index, project, goals.get(project.id, ""), achievements[project.id], results.get(project.id)
        )
        progress(20 + 60 * index // len(projects))
    _honours(document, context)
    document.save(output)
    progress(90)
