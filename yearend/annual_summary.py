"""The annual summary (年度工作总结) as a .docx laid out as an official document.

Structure, after the article the demo comes from: 一、总体情况 (the year in figures, in
sentences, with the monthly activity and indicator completion charts); 二、 one part per 三型 kind
(“帮扶暖心”项目 塑造“服务型”组织 …) with its projects: the notable activities by name, place and
people, the indicator table, the named teachers' achievements by level, a captioned photo grid;
三、党委集体荣誉 of that school year only; 四、存在的不足与下一步打算, highlighted for the
secretary to write; then the 落款. A year without projects or activities says so in one line.

Figures come from the statistics (`context.stats`, the dashboard's snapshots); the rows named
come from `summary_selectors`; the sentences from `summary_narrative`; the layout from
`config.official_docx`.
"""

import io
import logging
from collections import defaultdict
from typing import IO

from django.utils import timezone
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Mm, Pt

from activities.models import Photo
from config import official_docx as layout
from config.text_input import xml_safe
from projects.school_years import school_year_bounds
from stats.selectors import ProjectStats

from . import summary_charts as charts
from . import summary_narrative as say
from . import summary_selectors as select
from .models import AssessmentResult
from .report_context import Progress, ReportContext, no_progress, published_round

logger = logging.getLogger(__name__)

PHOTO_WIDTH = Mm(56)
CHART_WIDTH = Mm(76)
CAPTION_SIZE = Pt(10.5)
NO_CJK_FONT = "（图表需要服务器安装中文字体（如 fonts-noto-cjk）才能生成，本次未附图表。）"
DRAFT_NOTE = (
    "【此部分请党委书记结合本学年实际撰写：存在的主要问题及原因、下一学年的工作打算和措施。定稿前删除本提示。】"
)


def title_lines(context: ReportContext) -> list[str]:
    committee = context.committee
    issuer = committee.name if len(committee.name) <= 20 else f"{committee.short_school_name}党委"
    return [issuer, f"{say.year_words(context.school_year)}学年党建微项目工作总结"]


def _image_rows(document: DocumentObject, images: list[tuple[bytes, str]], width) -> None:
    """Images two to a row, each with its caption below it: one borderless two-cell table per row,
    each row kept whole, so an image never leaves its caption and a row that does not fit moves
    alone to the next page."""
    for first in range(0, len(images), 2):
        table = document.add_table(rows=1, cols=2)
        layout.remove_borders(table)
        layout.set_column_widths(table, [layout.TEXT_WIDTH / 2, layout.TEXT_WIDTH / 2])
        for cell, (data, caption) in zip(table.rows[0].cells, images[first : first + 2], strict=False):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.first_line_indent = Pt(0)
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact height crops images
            paragraph.add_run().add_picture(io.BytesIO(data), width=width)
            text = cell.add_paragraph()
            text.alignment = WD_ALIGN_PARAGRAPH.CENTER
            text.paragraph_format.line_spacing = Pt(18)
            text.paragraph_format.space_after = Pt(6)
            layout.set_run_font(text.add_run(xml_safe(caption)), layout.SUBHEADING_FONT, CAPTION_SIZE)
        layout.keep_rows_whole(table)


def _charts(document: DocumentObject, context: ReportContext) -> None:
    """图1 activities per month and 图2 completion per indicator, side by side."""
    font = charts.cjk_font()
    if font is None:
        layout.add_body(document, NO_CJK_FONT)
        return
    images: list[tuple[bytes, str]] = []
    months = [str(month.month.month) for month in context.stats.months]
    counts = [month.figures.get("activities", 0) for month in context.stats.months]
    if any(counts):
        images.append((charts.monthly_activity_chart(font, months, counts), "各月开展活动次数"))
    rows = [row for row in context.stats.totals.get("indicators", []) if row.get("target")]
    if rows:
        names = [f"{row['name']}（{row['unit']}）" for row in rows]
        images.append(
            (charts.completion_chart(font, names, [row.get("completion") or 0 for row in rows]), "各项指标完成率")
        )
    numbered = [(png, f"图{index}　{caption}") for index, (png, caption) in enumerate(images, start=1)]
    _image_rows(document, numbered, CHART_WIDTH)


def _photo_file(photo: Photo):
    """The 1600 px display size, else the 320 px one."""
    return photo.display_large or photo.display_small


def _photo_grid(document: DocumentObject, photos: list[Photo]) -> None:
    """The project's photos two to a row, each captioned with its date and caption."""
    readable: list[tuple[bytes, str]] = []
    for photo in photos:
        try:
            with _photo_file(photo).open("rb") as stream:
                data = stream.read()
        except (OSError, ValueError):
            # A missing or unreadable file leaves the photo out; the summary is still whole.
            logger.warning("report: photo %s left out of the summary", photo.pk, exc_info=True)
            continue
        readable.append((data, f"{layout.chinese_date(photo.activity.date)} {photo.caption or photo.activity.title}"))
    _image_rows(document, readable, PHOTO_WIDTH)


def _indicator_table(document: DocumentObject, indicators: list[dict]) -> None:
    unplanned = any(row.get("unplanned") for row in indicators)
    header = ["指标", "单位", "目标值", "完成值", "完成率（%）"] + (["计划外完成"] if unplanned else [])
    rows = [
        [
            row["name"],
            row["unit"],
            say.number(row["target"]),
            say.number(row["actual"]),
            say.number(row["completion"]),
            *([say.number(row.get("unplanned", 0))] if unplanned else []),
        ]
        for row in indicators
    ]
    widths = [4.2, 1.4, 1.8, 1.8, 2.0] + ([2.0] if unplanned else [])
    layout.add_table(document, header, rows, widths, numeric=range(1, len(header)))


def _project(
    document: DocumentObject,
    project: ProjectStats,
    *,
    named: bool,
    details,
    status: select.YearEndStatus,
    result: AssessmentResult | None,
    activities: list[select.NotableActivity],
    achievements: list[select.CreditedAchievement],
    photos: list[Photo],
    last_day,
) -> None:
    detail = details.get(project.id)
    if named:
        layout.add_body(document, lead=f"{project.title}。")
    intro = f"{project.group_name}（{project.branch_name}）承担{say.quoted(project.title)}。"
    intro += say.status_sentence(
        status, last_day, str(result.get_rating_display()) if result else "", result.rank if result else None
    )
    layout.add_body(document, intro)
    if detail is not None and detail.goals.strip():
        layout.add_body(document, detail.goals.strip(), lead="项目目标：")

    figures = project.figures
    layout.add_body(
        document, say.activity_totals_sentence(figures) + ("主要活动有：" if activities else ""), lead="1.主要活动。"
    )
    for index, activity in enumerate(activities, start=1):
        layout.add_body(document, f"（{index}）" + say.activity_sentence(activity))

    indicators = figures.get("indicators", [])
    sentence = say.indicator_sentence(indicators, subject="项目")
    if indicators:
        layout.add_body(document, sentence or "项目指标完成情况如下表。", lead="2.目标完成。")
        _indicator_table(document, indicators)
    paragraphs = say.achievements_paragraphs(achievements)
    lead = "3.党员教师成果。" if indicators else "2.党员教师成果。"
    if paragraphs:
        layout.add_body(document, f"经党委认定的成果{len(achievements)}项。", lead=lead)
        for paragraph in paragraphs:
            layout.add_body(document, paragraph)
    else:
        layout.add_body(document, "本学年暂无经党委认定的成果。", lead=lead)
    _photo_grid(document, photos)


def _kinds(context: ReportContext, details) -> list[tuple[str | None, list[ProjectStats]]]:
    """The year's projects by 三型 kind in the article's order (服务型, 学习型, 创新型), then untyped."""
    grouped: dict[str | None, list[ProjectStats]] = defaultdict(list)
    for project in context.stats.projects:
        detail = details.get(project.id)
        kind = detail.project_type.organisation_type if detail is not None and detail.project_type else None
        grouped[kind].append(project)
    order = [*say.KIND_ORDER, None]
    return [(kind, grouped[kind]) for kind in order if grouped.get(kind)]


def _honours(document: DocumentObject, context: ReportContext, heading_number: int) -> None:
    layout.add_heading(document, f"{say.numeral(heading_number)}、党委集体荣誉")
    honours = select.year_honours(context.committee, context.school_year)
    if not honours:
        layout.add_body(document, "本学年党委暂无新获集体荣誉。")
    for honour in honours:
        layout.add_body(document, say.honour_sentence(honour))


def _empty_year(document: DocumentObject, context: ReportContext) -> None:
    """A year without projects or activities: one line, the year's honours if any, no zeros."""
    line = f"{say.year_words(context.school_year)}学年，党委未立项党建微项目，也未开展微项目活动。"
    layout.add_body(document, line)
    for honour in select.year_honours(context.committee, context.school_year):
        layout.add_body(document, say.honour_sentence(honour))


def write_summary(context: ReportContext, output: IO[bytes], progress: Progress = no_progress) -> None:
    """Write the year's summary to ``output`` (progress 0–90)."""
    document = layout.new_document()
    layout.add_title(document, title_lines(context))
    stats = context.stats
    if not stats.projects and not stats.totals.get("activities"):
        _empty_year(document, context)
        layout.add_signature(document, context.committee.name, timezone.localdate())
        document.save(output)
        progress(90)
        return

    ids = [project.id for project in stats.projects]
    details = select.project_details(ids)
    kinds = _kinds(context, details)
    kind_counts = {kind: len(projects) for kind, projects in kinds if kind}
    layout.add_heading(document, "一、总体情况")
    sentences = say.overview_sentences(
        context.school_year, len(stats.projects), kind_counts, len({p.group_id for p in stats.projects}), stats.totals
    )
    for sentence in sentences:
        layout.add_body(document, sentence)
    indicator_sentence = say.indicator_sentence(stats.totals.get("indicators", []))
    if indicator_sentence:
        layout.add_body(document, indicator_sentence)
    _charts(document, context)
    progress(20)

    statuses = select.year_end_statuses(ids, context.school_year)
    activities = select.notable_activities(ids)
    achievements = select.verified_achievements(ids)
    photos = select.project_photos(ids)
    assessment_round = published_round(context.committee, context.school_year)
    results = (
        {result.project_id: result for result in AssessmentResult.objects.filter(assessment_round=assessment_round)}
        if assessment_round
        else {}
    )
    _first, last_day = school_year_bounds(context.school_year)
    layout.add_heading(document, "二、“三型”党组织建设情况")
    done = 0
    for index, (kind, projects) in enumerate(kinds, start=1):
        type_names = list(dict.fromkeys(p.type_name for p in projects if p.type_name))
        layout.add_heading(document, f"（{say.numeral(index)}）{say.kind_heading(kind, type_names)}", level=2)
        for project in projects:
            _project(
                document,
                project,
                named=len(projects) > 1,
                details=details,
                status=statuses[project.id],
                result=results.get(project.id),
                activities=activities.get(project.id, []),
                achievements=achievements.get(project.id, []),
                photos=photos.get(project.id, []),
                last_day=last_day,
            )
            done += 1
            progress(20 + 60 * done // len(stats.projects))
    _honours(document, context, 3)
    layout.add_heading(document, "四、存在的不足与下一步打算")
    layout.add_draft_note(document, DRAFT_NOTE)
    layout.add_signature(document, context.committee.name, timezone.localdate())
    document.save(output)
    progress(90)
