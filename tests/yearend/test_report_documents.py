"""年度报告's files: the year's workbook and summary document as a committee hands them in, from
the task and from `manage.py annual_report`."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from config.official_docx import chinese_date
from config.printable_sheets import HEADER_ROW, NOTE_ROW
from members.models import Member
from projects import services
from projects.models import ProjectEvent, ScoreSheet
from tests.printable_sheets import header_of
from tests.yearend.assessment_fixtures import assess
from tests.yearend.report_year import (
    ACHIEVEMENT,
    HELPING,
    SUMMARY_HEADINGS,
    YEAR,
    document_texts,
    request_report,
    sheet_rows,
)
from yearend import services as assessment_services
from yearend import summary_charts
from yearend.annual_summary import NO_CJK_FONT
from yearend.enums import ReportKind, ReportStatus
from yearend.models import AssessmentResult


def test_workbook_holds_the_years_projects_targets_activities_achievements_and_reviews(
    school_year, secretary, django_capture_on_commit_callbacks
):
    job = request_report(secretary, ReportKind.WORKBOOK, django_capture_on_commit_callbacks)
    assert (job.status, job.progress, job.error_message) == (ReportStatus.DONE, 100, "")
    assert job.file.name.startswith(f"reports/{job.committee_id}/") and job.file.name.endswith(".xlsx")
    assert Path(job.file.path).is_relative_to(django_settings.MEDIA_ROOT)

    with job.file.open("rb") as stream:
        workbook = load_workbook(io.BytesIO(stream.read()))
    assert workbook.sheetnames == ["汇总", "月度", "项目", "指标", "活动", "成果", "评审", "考核", "按时率"]
    tabs = {name: sheet_rows(workbook, name) for name in workbook.sheetnames}
    projects = tabs["项目"]
    assert projects[0][:6] == ("项目名称", "党小组", "党支部", "项目类型", "三型组织", "状态")
    assert [row[0] for row in projects[1:]] == [
        HELPING,
        "“学习+成长”党建微项目",
        "“校家社联合教育”党建微项目",
    ]
    assert projects[1][1:6] == ("第一党小组", "第一党支部", "帮扶暖心", "服务型", "实施中")
    summary = {row[0]: row for row in tabs["汇总"][1:]}
    assert summary[HELPING][3:5] == (1, 3)  # one activity, three members taking part
    assert len(workbook["汇总"]._charts) == 2  # activities per month, completion per indicator
    months = {row[0]: row[1] for row in tabs["月度"][1:]}
    assert months["2024年10月"] == 1 and sum(months.values()) == 1 and len(months) == 12

    indicators = {(row[0], row[2]): row for row in tabs["指标"][1:]}
    assert indicators[(HELPING, "一对一助学")][3:] == ("人次", 80, 12, 15, 0)  # 12 of 80 = 15 %, nothing unplanned
    assert indicators[(HELPING, "捐赠图书")][4:6] == (2000, 0)

    activity_sheet = workbook["活动"]
    header, *rows = tabs["活动"]
    assert len(rows) == 1
    activity = dict(zip(header, rows[0], strict=True))
    assert activity["项目名称"] == HELPING and activity["活动名称"] == "周三放学后一对一辅导"
    assert activity["一对一助学（人次）"] == 12 and activity["照片（张）"] == 1 and activity["参与党员（人）"] == 3
    # A narrative starting with "=" is text in the cell, never a formula.
    assert activity["活动纪实"] == "'=1+1 党员教师与学困生结对，逐题讲解错题。"
    narrative = activity_sheet.cell(row=HEADER_ROW + 1, column=header.index("活动纪实") + 2)  # after 序号
    assert narrative.data_type == "s"

    achievements = tabs["成果"][1:]
    assert [(row[0], row[2], row[3], row[9], row[11]) for row in achievements] == [
        (ACHIEVEMENT, "市级", "一等奖", HELPING, "已认定")
    ]

    reviews = tabs["评审"]
    total_column = reviews[0].index("加权总分")
    sheets = ScoreSheet.objects.filter(project__committee=job.committee, project__school_year=YEAR)
    assert len(reviews) - 1 == sheets.count() > 0
    expected = sorted(Decimal(str(sheet.weighted_total)) for sheet in sheets)
    assert sorted(Decimal(str(row[total_column])) for row in reviews[1:]) == expected
    assert tabs["考核"] == [header_of(workbook["考核"])]
    assert workbook["考核"].cell(row=HEADER_ROW + 1, column=1).value == "本学年的年度考核结果尚未公布。"


def test_summary_is_a_three_kinds_summary_with_sentences_figures_photos_and_signature(
    school_year, secretary, django_capture_on_commit_callbacks
):
    job = request_report(secretary, ReportKind.SUMMARY, django_capture_on_commit_callbacks)
    assert (job.status, job.progress) == (ReportStatus.DONE, 100)
    with job.file.open("rb") as stream:
        document = Document(io.BytesIO(stream.read()))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[:2] == ["中共重庆市渝中区大坪小学校委员会", "2024—2025学年党建微项目工作总结"]
    assert [text for text in texts if text in SUMMARY_HEADINGS] == SUMMARY_HEADINGS  # each once, in this order
    overview = texts[texts.index("一、总体情况") + 1 : texts.index("二、“三型”党组织建设情况")]
    assert overview[0] == (
        "2024—2025学年，党委以党建微项目为抓手推进“三型”党组织建设，共立项党建微项目3个，"
        "其中服务型组织建设项目1个、学习型组织建设项目1个、创新型组织建设项目1个，由3个党小组承担。"
    )
    assert overview[1].startswith("全年开展活动1次，党员参与3人次，") and "受益12人次" in overview[1]
    assert overview[2] == "留存活动照片1张，100%的活动有照片佐证。经党委认定的党员教师成果1项，其中市级1项。"

    helping = texts[texts.index(SUMMARY_HEADINGS[2]) + 1 : texts.index(SUMMARY_HEADINGS[3])]
    assert helping[0] == (
        "第一党小组（第一党支部）承担“帮扶暖心”党建微项目。截至学年末（2025年8月31日），项目仍在实施，尚未结项。"
    )
    people = list(
        Member.objects.filter(activity_logs__title="周三放学后一对一辅导")
        .order_by("group__position", "name", "pk")
        .values_list("name", flat=True)
    )
    assert "1.主要活动。全年开展活动1次，党员参与3人次，活动时长1.5小时，受益12人次。主要活动有：" in helping
    assert (
        f"（1）2024年10月16日，{'、'.join(people)}在三年级教室开展“周三放学后一对一辅导”，受益学困生12人，留存照片1张。"
        in helping
    )
    assert any(text.startswith("2.目标完成。项目共设定目标指标") for text in helping)
    assert "3.党员教师成果。经党委认定的成果1项。" in helping
    assert f"市级1项：张玺{ACHIEVEMENT}。" in helping
    assert "本学年党委暂无新获集体荣誉。" in texts  # the demo's honours are of other years, and not seeded here
    draft = texts[texts.index("四、存在的不足与下一步打算") + 1]
    assert draft.startswith("【此部分请党委书记结合本学年实际撰写")
    assert texts[-2:] == ["中共重庆市渝中区大坪小学校委员会", chinese_date(timezone.localdate())]

    cells = document_texts(document)
    assert "2024年10月16日 结对辅导" in cells  # the photo's caption in the grid
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    assert ["一对一助学", "人次", "80", "12", "15"] in [row for table in tables for row in table]
    font = summary_charts.cjk_font()
    if font is not None:
        assert "图1　各月开展活动次数" in cells and "图2　各项指标完成率" in cells
        assert len(document.inline_shapes) == 3  # two charts and the photo
    else:
        assert NO_CJK_FONT in texts and len(document.inline_shapes) == 1
    assert not any("{" in text or "None" in text for text in cells + texts)  # no template left unfilled


def test_a_year_without_activity_says_so_in_one_line(daping, secretary, tmp_path):
    output = tmp_path / "empty.docx"
    call_command(
        "annual_report",
        "--committee",
        "daping",
        "--year",
        "2030-2031",
        "--kind",
        "docx",
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    texts = [paragraph.text for paragraph in Document(output).paragraphs if paragraph.text]
    assert texts == [
        "中共重庆市渝中区大坪小学校委员会",
        "2030—2031学年党建微项目工作总结",
        "2030—2031学年，党委未立项党建微项目，也未开展微项目活动。",
        "中共重庆市渝中区大坪小学校委员会",
        chinese_date(timezone.localdate()),
    ]


def test_published_assessment_results_are_in_both_files(
    school_year, secretary, committee_member, committee_member_2, django_capture_on_commit_callbacks
):
    services.project_conclude(actor=secretary, project=school_year, comment="按期完成。")
    assessment_round = assessment_services.assessment_round_open(actor=secretary, school_year=YEAR)
    assess(committee_member, assessment_round, school_year, [19, 19, 19, 19, 19])
    assess(committee_member_2, assessment_round, school_year, [18, 18, 18, 18, 18])
    assessment_services.assessment_publish(actor=secretary, assessment_round=assessment_round)
    result = AssessmentResult.objects.get(project=school_year)

    job = request_report(secretary, ReportKind.WORKBOOK, django_capture_on_commit_callbacks)
    with job.file.open("rb") as stream:
        rows = sheet_rows(load_workbook(io.BytesIO(stream.read())), "考核")[1:]
    assert [(row[0], row[1], row[2], row[4], Decimal(str(row[5])), row[6]) for row in rows] == [
        (1, HELPING, "第一党小组", 2, result.mean, result.get_rating_display())
    ]

    job = request_report(secretary, ReportKind.SUMMARY, django_capture_on_commit_callbacks)
    with job.file.open("rb") as stream:
        texts = [paragraph.text for paragraph in Document(io.BytesIO(stream.read())).paragraphs]
    # Concluded now, after the year's end: at the year's end it was still in progress.
    assert (
        "第一党小组（第一党支部）承担“帮扶暖心”党建微项目。截至学年末（2025年8月31日），项目仍在实施，"
        f"尚未结项，年度考核等次为“{result.get_rating_display()}”，排名第1。"
    ) in texts

    # Concluded within the year: the summary says when.
    ProjectEvent.objects.filter(project=school_year, action="concluded").update(
        created_at=timezone.make_aware(datetime.datetime(2025, 7, 8, 10, 0))
    )
    job = request_report(secretary, ReportKind.SUMMARY, django_capture_on_commit_callbacks)
    with job.file.open("rb") as stream:
        texts = [paragraph.text for paragraph in Document(io.BytesIO(stream.read())).paragraphs]
    assert (
        f"第一党小组（第一党支部）承担“帮扶暖心”党建微项目。项目已于2025年7月8日结项，年度考核等次为“{result.get_rating_display()}”，排名第1。"
        in texts
    )


def test_annual_report_command_writes_the_same_workbook_a_job_makes(
    school_year, secretary, tmp_path, django_capture_on_commit_callbacks
):
    job = request_report(secretary, ReportKind.WORKBOOK, django_capture_on_commit_callbacks)
    with job.file.open("rb") as stream:
        from_job = load_workbook(io.BytesIO(stream.read()))
    output = tmp_path / "大坪小学-年度数据.xlsx"

    out = io.StringIO()
    call_command("annual_report", "--committee", "daping", "--year", "2024", "--output", str(output), stdout=out)

    from_command = load_workbook(output)
    assert str(output) in out.getvalue()
    assert from_command.sheetnames == from_job.sheetnames
    for name in from_job.sheetnames:
        # Everything but the line saying when each file was made.
        made, *rows = list(from_command[name].iter_rows(min_row=NOTE_ROW, values_only=True))
        assert made[0].startswith("生成时间：")
        assert rows == list(from_job[name].iter_rows(min_row=NOTE_ROW + 1, values_only=True))


def test_annual_report_command_writes_the_summary_and_refuses_a_bad_year(school_year, tmp_path):
    output = tmp_path / "summary.docx"
    call_command(
        "annual_report", "--committee", "daping", "--kind", "docx", "--output", str(output), stdout=io.StringIO()
    )
    texts = [paragraph.text for paragraph in Document(output).paragraphs]
    assert any(HELPING in text for text in texts)
    with pytest.raises(CommandError, match="--year"):
        call_command("annual_report", "--committee", "daping", "--year", "去年", "--output", str(tmp_path / "x.xlsx"))
    assert not (tmp_path / "x.xlsx").exists()
