"""年度报告: the year's .xlsx and .docx built by the report task, the page, its JSON status and downloads."""

import datetime
import io
import os
import textwrap
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from activities import achievement_services, activity_services, photo_services
from activities.enums import AchievementKind, AchievementLevel, AchievementRank, ActivityType
from activities.tasks import make_photo_display_sizes
from config import office_pdf
from config.official_docx import chinese_date
from config.printable_sheets import HEADER_ROW, NOTE_ROW
from members.models import Member
from projects import services
from projects.demo import seed_projects
from projects.models import Indicator, MicroProject, ProjectEvent, ScoreSheet
from tests.activities.image_files import jpeg_bytes, upload
from tests.broker_down import run_with_broker_down
from tests.documents import pages
from tests.form_fields import form_fields
from tests.printable_sheets import assert_prints_on_a4, header_of
from tests.yearend.assessment_fixtures import approved_of, assess
from yearend import report_selectors, report_services, summary_charts
from yearend import services as assessment_services
from yearend.annual_summary import NO_CJK_FONT
from yearend.enums import ReportKind, ReportStatus
from yearend.errors import YearEndError
from yearend.models import AssessmentResult, ReportJob
from yearend.tasks import build_report

YEAR = "2024-2025"
HELPING = "“帮扶暖心”党建微项目"
ACHIEVEMENT = "指导城口县美术教师获重庆市美术现场赛课一等奖"


@pytest.fixture
def school_year(daping, leader_a, teacher, secretary, django_capture_on_commit_callbacks):
    """The article's three projects, one tutoring activity with a photo, a verified city award."""
    seed_projects(daping)
    project = MicroProject.objects.get(committee=daping, title=HELPING)
    tutoring = Indicator.objects.get(committee=daping, name="一对一助学")
    activity = activity_services.activity_log_create(
        actor=leader_a,
        project=project,
        data=activity_services.ActivityData(
            date=datetime.date(2024, 10, 16),
            activity_type=ActivityType.ONE_TO_ONE_TUTORING,
            title="周三放学后一对一辅导",
            place="三年级教室",
            participants=list(Member.objects.filter(group_id=project.group_id)[:3]),
            beneficiaries_count=12,
            beneficiaries="学困生",
            duration_hours=Decimal("1.5"),
            narrative="=1+1 党员教师与学困生结对，逐题讲解错题。",
            indicator_values=[activity_services.IndicatorValueData(tutoring, Decimal(12))],
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = photo_services.photo_upload(
            actor=teacher, activity=activity, files=[upload("辅导.jpg", jpeg_bytes((1200, 900)))], caption="结对辅导"
        )
    # Made in process already in the embedded run; with REDIS_URL the task only went to the broker.
    make_photo_display_sizes.apply(args=[uploaded.saved[0].pk])
    with django_capture_on_commit_callbacks(execute=True):  # committed, so the statistics hear of it
        achievement = achievement_services.achievement_record(
            actor=leader_a,
            data=achievement_services.AchievementData(
                kind=AchievementKind.AWARD,
                title=ACHIEVEMENT,
                level=AchievementLevel.CITY,
                rank=AchievementRank.FIRST,
                awarded_on=datetime.date(2025, 5, 16),
                issuing_body="重庆市教育科学研究院",
                members=[teacher.member],
                project=project,
            ),
        )
        achievement_services.achievement_verify(actor=secretary, achievement=achievement)
    return project


def sheet_rows(workbook, name: str) -> list[tuple]:
    """A sheet's header and data rows (without 序号), once its print layout is checked."""
    sheet = workbook[name]
    if name == "考核" and sheet.cell(row=HEADER_ROW + 1, column=1).value == "本学年的年度考核结果尚未公布。":
        return [header_of(sheet)]
    heading = f"重庆市渝中区大坪小学校 {YEAR} 学年党建微项目"
    assert sheet["A1"].value.startswith(heading)
    return [header_of(sheet), *assert_prints_on_a4(sheet, heading=sheet["A1"].value)]


def build_as_a_worker_would(job: ReportJob) -> str:
    """Run the job's task here. In the embedded run (eager Celery) the commit already built it, so
    this also shows a second run changes nothing; with REDIS_URL the task only went to the broker."""
    return build_report.apply(args=[job.pk]).get()


def request_report(actor, kind: str, capture) -> ReportJob:
    with capture(execute=True):
        job = report_services.report_request(
            actor=actor, committee=Member.objects.get(user=actor).committee, kind=kind, school_year=YEAR
        )
    build_as_a_worker_would(job)
    job.refresh_from_db()
    return job


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


def document_texts(document) -> list[str]:
    """Every paragraph's text, those inside tables (the photo grid, the indicator tables) included."""
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        texts.extend(paragraph.text for row in table.rows for cell in row.cells for paragraph in cell.paragraphs)
    return texts


def test_summary_is_a_three_kinds_summary_with_sentences_figures_photos_and_signature(
    school_year, secretary, django_capture_on_commit_callbacks
):
    job = request_report(secretary, ReportKind.SUMMARY, django_capture_on_commit_callbacks)
    assert (job.status, job.progress) == (ReportStatus.DONE, 100)
    with job.file.open("rb") as stream:
        document = Document(io.BytesIO(stream.read()))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[:2] == ["中共重庆市渝中区大坪小学校委员会", "2024—2025学年党建微项目工作总结"]
    headings = [
        "一、总体情况",
        "二、“三型”党组织建设情况",
        "（一）“帮扶暖心”项目 塑造“服务型”组织",
        "（二）“学习+成长”项目 建设“学习型”组织",
        "（三）“校家社联合教育”项目 建设“创新型”组织",
        "三、党委集体荣誉",
        "四、存在的不足与下一步打算",
    ]
    assert [text for text in texts if text in headings] == headings  # each once, in this order
    overview = texts[texts.index("一、总体情况") + 1 : texts.index("二、“三型”党组织建设情况")]
    assert overview[0] == (
        "2024—2025学年，党委以党建微项目为抓手推进“三型”党组织建设，共立项党建微项目3个，"
        "其中服务型组织建设项目1个、学习型组织建设项目1个、创新型组织建设项目1个，由3个党小组承担。"
    )
    assert overview[1].startswith("全年开展活动1次，党员参与3人次，") and "受益12人次" in overview[1]
    assert overview[2] == "留存活动照片1张，100%的活动有照片佐证。经党委认定的党员教师成果1项，其中市级1项。"

    helping = texts[texts.index(headings[2]) + 1 : texts.index(headings[3])]
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


def test_running_a_done_job_again_changes_nothing(school_year, secretary, django_capture_on_commit_callbacks):
    job = request_report(secretary, ReportKind.WORKBOOK, django_capture_on_commit_callbacks)
    before = (job.file.name, job.finished_at, Path(job.file.path).read_bytes())
    assert build_report.apply(args=[job.pk]).get() == ReportStatus.DONE
    job.refresh_from_db()
    assert (job.file.name, job.finished_at, Path(job.file.path).read_bytes()) == before
    assert len(list(Path(django_settings.MEDIA_ROOT, "reports").rglob("*.xlsx"))) == 1


def test_a_failing_build_is_recorded_on_the_job(school_year, secretary, django_capture_on_commit_callbacks):
    # A year that no longer parses stands for any bug: the job says so instead of hanging.
    job = request_report(secretary, ReportKind.WORKBOOK, django_capture_on_commit_callbacks)
    ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.QUEUED, school_year="bad", file="")
    assert build_report.apply(args=[job.pk]).get() == ReportStatus.FAILED
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED and job.error_message.startswith("报告生成失败")


def test_asking_twice_while_running_gives_the_same_job(school_year, secretary):
    first = report_services.report_request(
        actor=secretary, committee=school_year.committee, kind=ReportKind.SUMMARY, school_year="2024"
    )
    again = report_services.report_request(
        actor=secretary, committee=school_year.committee, kind=ReportKind.SUMMARY, school_year=YEAR
    )
    assert again.pk == first.pk and first.school_year == YEAR
    assert ReportJob.objects.count() == 1


def test_the_page_generates_a_report_and_lists_it_with_its_download(
    login, school_year, secretary, django_capture_on_commit_callbacks
):
    client = login(secretary)
    assert f'href="{reverse("yearend:reports")}"' in client.get(reverse("home")).content.decode()
    page = client.get(reverse("yearend:reports"))
    assert page.status_code == 200
    assert "年度报告" in page.content.decode()
    assert '<option value="2024-2025" selected>' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("yearend:report_request"), {"school_year": YEAR, "kind": "xlsx"})
    assert response.status_code == 302 and response["Location"] == reverse("yearend:reports")
    job = ReportJob.objects.get()
    build_as_a_worker_would(job)
    job.refresh_from_db()
    assert (job.requested_by, job.kind, job.school_year, job.status) == (secretary, "xlsx", YEAR, "done")
    html = client.get(response["Location"]).content.decode()
    assert "已开始生成报告" in html
    download = reverse("yearend:report_download", args=[job.pk])
    assert f'href="{download}"' in html and "js/report_progress.js" in html

    status = client.get(reverse("yearend:report_status", args=[job.pk])).json()
    pdf = reverse("yearend:report_download_pdf", args=[job.pk]) if job.pdf_file else None
    assert status == {
        "status": "done",
        "status_label": "已完成",
        "progress": 100,
        "error": "",
        "download_url": download,
        "pdf_url": pdf,
    }
    response = client.get(download)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "2024-2025" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames[:3] == ["汇总", "月度", "项目"]


def test_a_running_job_shows_its_progress_and_no_download(login, school_year, secretary):
    job = report_services.report_request(
        actor=secretary, committee=school_year.committee, kind=ReportKind.WORKBOOK, school_year=YEAR
    )
    ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.RUNNING, progress=40)
    client = login(secretary)
    html = client.get(reverse("yearend:reports")).content.decode()
    assert 'data-status="running"' in html and 'data-progress-width="40"' in html
    status = client.get(reverse("yearend:report_status", args=[job.pk])).json()
    assert (status["status"], status["progress"], status["download_url"]) == ("running", 40, None)
    assert client.get(reverse("yearend:report_download", args=[job.pk])).status_code == 404


def test_teachers_and_leaders_may_not_ask_for_reports(login, school_year, teacher, leader_a, branch_secretary):
    for user in (teacher, leader_a, branch_secretary):
        client = login(user)
        assert "年度报告" not in client.get(reverse("home")).content.decode()
        assert client.get(reverse("yearend:reports")).status_code == 403
        response = client.post(reverse("yearend:report_request"), {"school_year": YEAR, "kind": "xlsx"})
        assert response.status_code == 403
    assert not ReportJob.objects.exists()


def test_jobs_are_404_to_another_school_and_403_to_other_users_of_the_committee(
    login, school_year, secretary, committee_member, teacher, other_school_user, django_capture_on_commit_callbacks
):
    job = request_report(secretary, ReportKind.WORKBOOK, django_capture_on_commit_callbacks)
    urls = [reverse("yearend:report_status", args=[job.pk]), reverse("yearend:report_download", args=[job.pk])]
    for url in urls:
        assert login(other_school_user).get(url).status_code == 404
        assert login(committee_member).get(url).status_code == 403
        assert login(teacher).get(url).status_code == 403
    # The committee member sees only their own jobs; the other school's secretary sees none.
    assert "data-report-job" not in login(committee_member).get(reverse("yearend:reports")).content.decode()
    assert "data-report-job" not in login(other_school_user).get(reverse("yearend:reports")).content.decode()


def test_a_committee_member_gets_no_scores_of_a_project_they_take_part_in(
    login, school_year, committee_member, django_capture_on_commit_callbacks
):
    # Taking part makes a conflict of interest: the review table hides those scores, so does the report.
    school_year.participants.add(committee_member.member)
    job = request_report(committee_member, ReportKind.WORKBOOK, django_capture_on_commit_callbacks)
    assert job.status == ReportStatus.DONE
    with job.file.open("rb") as stream:
        reviews = sheet_rows(load_workbook(io.BytesIO(stream.read())), "评审")[1:]
    assert {row[0] for row in reviews} == {"“学习+成长”党建微项目", "“校家社联合教育”党建微项目"}
    assert login(committee_member).get(reverse("yearend:report_download", args=[job.pk])).status_code == 200


def test_the_report_page_asks_a_fixed_number_of_queries(
    login, school_year, secretary, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client = login(secretary)
    request_report(secretary, ReportKind.WORKBOOK, django_capture_on_commit_callbacks)
    with django_assert_num_queries(6):
        assert client.get(reverse("yearend:reports")).status_code == 200
    for kind in (ReportKind.SUMMARY, ReportKind.WORKBOOK, ReportKind.SUMMARY):
        job = request_report(secretary, kind, django_capture_on_commit_callbacks)
        ReportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - datetime.timedelta(hours=1))
    assert ReportJob.objects.count() == 4
    with django_assert_num_queries(6):
        assert client.get(reverse("yearend:reports")).status_code == 200


BROKER_DOWN = textwrap.dedent(
    """
    import json, logging, time
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from django.test import Client
    from members import demo
    from members.models import User
    from django.utils import timezone
    from yearend.models import ReportJob
    from projects.school_years import school_year_of

    logging.disable(logging.CRITICAL)
    demo.seed_organisation()
    client = Client()
    client.force_login(User.objects.get(username="secretary"))
    started = time.monotonic()
    year = school_year_of(timezone.localdate())  # the only year offered to a school with no projects yet
    response = client.post("/projects/reports/new/", {"school_year": year, "kind": "docx"}, follow=True)
    elapsed = time.monotonic() - started
    job = ReportJob.objects.get()
    print(json.dumps({
        "status_code": response.status_code,
        "page": response.content.decode(),
        "job": [job.status, job.error_message],
        "elapsed": elapsed,
    }))
    """
)


@pytest.mark.slow
def test_with_the_broker_down_the_job_is_recorded_and_the_user_told(tmp_path):
    outcome = run_with_broker_down(BROKER_DOWN, tmp_path)
    message = report_services.queue_failed_message()
    assert outcome["status_code"] == 200
    assert outcome["job"] == ["failed", message]
    assert outcome["page"].count(message) == 2  # the flash message and the job's row
    assert outcome["elapsed"] < 10


def test_school_years_offered_are_the_dashboards_and_the_current_one_only_without_data(school_year):
    years = report_selectors.report_school_years(school_year.committee_id, today=datetime.date(2026, 11, 26))
    assert years == (["2024-2025"], "2024-2025")
    assert report_selectors.report_school_years(0, today=datetime.date(2026, 11, 26)) == (["2026-2027"], "2026-2027")


def test_a_newly_approved_project_adds_its_year_but_the_page_still_opens_on_the_year_with_records(
    school_year, login, secretary, leader_b
):
    approved_of(leader_b, "新学年的项目", school_year="2025-2026")
    years, default = report_selectors.report_school_years(school_year.committee_id)
    assert (years, default) == (["2025-2026", "2024-2025"], "2024-2025")
    page = login(secretary).get(reverse("yearend:reports")).content.decode()
    assert '<option value="2024-2025" selected>2024-2025 学年</option>' in page
    assert '<option value="2025-2026">2025-2026 学年</option>' in page


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


# --- a repeated post makes one job -------------------------------------------------------

IN_USE = "这份表单的提交编号已被使用，请刷新页面后重新填写。"


def test_a_report_request_posted_twice_is_one_job_even_after_it_is_done(
    login,
    school_year,
    secretary,
    django_capture_on_commit_callbacks,
):
    client = login(secretary)
    page = client.get(reverse("yearend:reports")).content.decode()
    assert "data-submit-once" in page
    data = {"school_year": YEAR, "kind": "xlsx", "client_id": form_fields(page)["client_id"]}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("yearend:report_request"), data)
    ReportJob.objects.update(status="done")  # finished: asking again with a new form would make a new job
    with django_capture_on_commit_callbacks(execute=True) as queued:
        second = client.post(reverse("yearend:report_request"), data)

    job = ReportJob.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("yearend:reports")
    assert (str(job.client_id), job.requested_by, job.status) == (data["client_id"], secretary, "done")
    assert queued == []  # the repeat queues no second build


def test_another_users_one_time_id_is_refused_for_a_report(
    login,
    school_year,
    secretary,
    committee_member,
    django_capture_on_commit_callbacks,
):
    client_id = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        login(secretary).post(
            reverse("yearend:report_request"), {"school_year": YEAR, "kind": "xlsx", "client_id": client_id}
        )
    theirs = ReportJob.objects.get()

    response = login(committee_member).post(
        reverse("yearend:report_request"), {"school_year": YEAR, "kind": "docx", "client_id": client_id}
    )

    assert response.status_code == 200
    assert IN_USE in response.content.decode()
    assert list(ReportJob.objects.values_list("pk", "requested_by_id", "kind")) == [(theirs.pk, secretary.pk, "xlsx")]


# --- PDF, converted by the worker where LibreOffice is installed ----------------------------


def test_where_libreoffice_is_installed_a_job_also_gives_its_pdf(
    login, school_year, secretary, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_PDF = True  # the default; the suite turns it off elsewhere
    if not office_pdf.available():
        if os.environ.get("DOCUMENTS_REQUIRED") == "1":
            pytest.fail("LibreOffice (soffice) is required here (DOCUMENTS_REQUIRED=1)")
        pytest.skip("LibreOffice (soffice) is not installed")
    job = request_report(secretary, ReportKind.SUMMARY, django_capture_on_commit_callbacks)
    assert job.status == ReportStatus.DONE and job.pdf_file.name.endswith(".pdf")
    client = login(secretary)
    url = reverse("yearend:report_download_pdf", args=[job.pk])
    assert f'href="{url}"' in client.get(reverse("yearend:reports")).content.decode()
    assert client.get(reverse("yearend:report_status", args=[job.pk])).json()["pdf_url"] == url
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and ".pdf" in response["Content-Disposition"]
    found = pages(b"".join(response.streaming_content))
    assert found and all(page.is_a4() for page in found)
    assert found[0].lines[:2] == ["中共重庆市渝中区大坪小学校委员会", "2024—2025学年党建微项目工作总结"]


def test_without_libreoffice_the_job_is_done_and_no_pdf_is_offered(
    login, school_year, secretary, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REPORT_PDF = True
    monkeypatch.setenv("PATH", "/nonexistent")  # a server without soffice
    assert not office_pdf.available()
    job = request_report(secretary, ReportKind.WORKBOOK, django_capture_on_commit_callbacks)
    assert job.status == ReportStatus.DONE and job.file and not job.pdf_file
    client = login(secretary)
    html = client.get(reverse("yearend:reports")).content.decode()
    button = html[html.index('data-testid="report-download-pdf"') :].split(">", 1)[0]
    assert 'href=""' in button and "hidden" in button  # the PDF button is not shown
    assert client.get(reverse("yearend:report_status", args=[job.pk])).json()["pdf_url"] is None
    assert client.get(reverse("yearend:report_download_pdf", args=[job.pk])).status_code == 404


def test_the_results_notice_is_a_report_once_the_round_is_published(
    school_year, secretary, committee_member, committee_member_2, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_PDF = True  # where LibreOffice is installed the notice comes as PDF too
    refused = "本学年的年度考核结果尚未公布，暂不能生成考核结果通报。"
    with pytest.raises(YearEndError, match=refused):
        report_services.report_request(
            actor=secretary, committee=school_year.committee, kind=ReportKind.NOTICE, school_year=YEAR
        )
    assert not ReportJob.objects.exists()
    services.project_conclude(actor=secretary, project=school_year, comment="按期完成。")
    assessment_round = assessment_services.assessment_round_open(actor=secretary, school_year=YEAR)
    assess(committee_member, assessment_round, school_year, [19, 19, 19, 19, 19], comment="帮扶扎实。")
    assess(committee_member_2, assessment_round, school_year, [18, 18, 18, 18, 18])
    assessment_services.assessment_publish(actor=secretary, assessment_round=assessment_round)

    job = request_report(secretary, ReportKind.NOTICE, django_capture_on_commit_callbacks)
    assert job.status == ReportStatus.DONE and job.file.name.endswith(".docx")
    with job.file.open("rb") as stream:
        texts = [paragraph.text for paragraph in Document(io.BytesIO(stream.read())).paragraphs]
    assert texts[:2] == ["关于2024—2025学年党建微项目", "年度考核结果的通报"]
    assert f"1.{HELPING}。帮扶扎实。" in texts
    assert bool(job.pdf_file) == office_pdf.available()
