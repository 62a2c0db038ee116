"""The documents a school hands in, checked as printed: the demo's files converted to PDF by
LibreOffice and read back page by page (A4, page counts, headings in order, nothing outside the
margins, the title on its lines, the fonts the .docx names), the workbooks' print settings read
back with openpyxl. PDFs and page images stay in test-artifacts/documents/.
"""

import contextlib
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from activities.models import Photo
from activities.tasks import make_photo_display_sizes
from branches.models import Committee
from config.official_docx import chinese_date
from members import demo
from members.models import Member, User
from members.roster_workbooks import roster_export_workbook
from projects.models import MicroProject
from projects.review_export import review_workbook
from projects.review_selectors import ReviewFilter
from tests.documents import assert_in_order, assert_official_docx, assert_official_pages, pages, squeeze, to_pdf
from tests.printable_sheets import assert_prints_on_a4
from tests.shared_dataset import module_dataset
from tests.yearend.assessment_fixtures import assess
from tests.yearend.report_year import SUMMARY_HEADINGS
from yearend import services as assessment_services
from yearend.annual_workbook import SHEET_NAMES
from yearend.errors import YearEndError
from yearend.models import AssessmentRound
from yearend.report_services import report_write

pytestmark = pytest.mark.slow

YEAR = "2024-2025"  # the demo's current year: the newest with data, the one the report page offers
ASSESSED_YEAR = "2023-2024"  # concluded, so assessed and published here
SCHOOL = "重庆市渝中区大坪小学校"
COMMITTEE = "中共重庆市渝中区大坪小学校委员会"


@pytest.fixture(scope="module")
def demo_school(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo with display sizes for the current year's photos and a published past-year round."""
    media = tmp_path_factory.mktemp("documents-media")

    def build() -> int:
        daping, _hongyan = demo.seed_demo()
        photos = Photo.objects.filter(activity__project__committee=daping, activity__project__school_year=YEAR)
        for photo_id in photos.values_list("pk", flat=True):
            make_photo_display_sizes.apply(args=[photo_id])
        secretary = User.objects.get(username="secretary")
        assessment_round = assessment_services.assessment_round_open(actor=secretary, school_year=ASSESSED_YEAR)
        projects = MicroProject.objects.filter(committee=daping, school_year=ASSESSED_YEAR).order_by("group__position")
        for values, project in zip(([19] * 5, [17] * 5, [14] * 5), projects, strict=True):
            for username in ("secretary", "committee1", "committee2"):
                with contextlib.suppress(YearEndError):  # a member of the project's group does not assess it
                    assess(
                        User.objects.get(username=username), assessment_round, project, values, "目标达成，材料齐全。"
                    )
        assessment_services.assessment_publish(actor=secretary, assessment_round=assessment_round)
        return daping.pk

    with module_dataset(django_db_blocker, build, MEDIA_ROOT=media) as committee_id:
        yield committee_id, media


@pytest.fixture
def daping(demo_school, db, settings) -> Committee:
    committee_id, settings.MEDIA_ROOT = demo_school  # the photos' files were made there
    return Committee.objects.get(pk=committee_id)


@pytest.fixture
def secretary(daping) -> User:
    return User.objects.get(username="secretary")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_years_summary_is_an_official_document_of_four_to_eight_pages(daping, secretary):
    output = io.BytesIO()
    report_write(committee=daping, school_year=YEAR, kind="docx", viewer=secretary, output=output)
    title = [COMMITTEE, "2024—2025学年党建微项目工作总结"]
    assert_official_docx(Document(io.BytesIO(output.getvalue())), title)

    found = pages(to_pdf(output.getvalue(), ".docx", "summary-2024-2025"))
    assert 4 <= len(found) <= 8, f"{len(found)} pages"
    assert_official_pages(found)
    lines = [line for page in found for line in page.lines]
    assert lines[:2] == [squeeze(line) for line in title]  # each title line printed whole on its own line
    assert_in_order(
        lines,
        [
            *SUMMARY_HEADINGS,
            COMMITTEE,
            chinese_date(timezone.localdate()),
        ],
    )
    text = "".join(lines)
    # The honours of 2024-2025 only: the demo's are dated 2021 and June 2024 (the year before).
    assert "本学年党委暂无新获集体荣誉。" in text and "2021年" not in text
    assert "截至学年末（2025年8月31日），项目仍在实施，尚未结项。" in text
    assert "图1" in text and "图2" in text  # the charts (fonts-noto-cjk is on every machine that converts)


def test_the_annual_workbook_prints_a4_landscape_one_page_wide_with_its_titles(daping, secretary):
    output = io.BytesIO()
    report_write(committee=daping, school_year=YEAR, kind="xlsx", viewer=secretary, output=output)
    workbook = load_workbook(io.BytesIO(output.getvalue()))
    assert workbook.sheetnames == SHEET_NAMES
    headings = {}
    for sheet in workbook:
        headings[sheet.title] = sheet["A1"].value
        assert headings[sheet.title].startswith(f"{SCHOOL} {YEAR} 学年党建微项目")
        assert_prints_on_a4(sheet, heading=headings[sheet.title])
    found = pages(to_pdf(output.getvalue(), ".xlsx", "workbook-2024-2025"))
    assert all(page.is_a4() and page.landscape for page in found)
    assert len(found) <= 12, f"{len(found)} pages"  # one page wide: 71 activities and the rest, not 33 pages
    lines = [line for page in found for line in page.lines]
    for heading in headings.values():
        assert any(squeeze(heading) in line for line in lines), heading
    # The header row is repeated on every printed page; the footer numbers the pages.
    assert all(any(line.startswith("序号") for line in page.lines) for page in found)
    assert all(any(f"第{n}页，共{len(found)}页" in line for line in page.lines) for n, page in enumerate(found, 1))


def test_the_roster_prints_one_page_wide_with_every_column(daping):
    members = Member.objects.filter(committee=daping, is_active=True).select_related("group__branch").order_by("name")
    data = roster_export_workbook(members, school_name=SCHOOL)
    rows = assert_prints_on_a4(load_workbook(io.BytesIO(data))["花名册"], heading=f"{SCHOOL}党员名册")
    assert len(rows) == members.count()
    found = pages(to_pdf(data, ".xlsx", "roster"))
    assert all(page.is_a4() and page.landscape for page in found)
    for page in found:  # every column, 联系电话 included, on every page, under the repeated header
        assert "序号姓名性别任教学科职称政治面貌入党时间党支部党小组联系电话" in page.lines


def test_the_review_export_prints_with_titles_and_says_when_empty(daping, secretary):
    data = review_workbook(secretary, ReviewFilter())
    workbook = load_workbook(io.BytesIO(data))
    assert_prints_on_a4(workbook["评分明细"], heading=f"{SCHOOL}党建微项目立项评审评分明细")
    assert_prints_on_a4(workbook["汇总"], heading=f"{SCHOOL}党建微项目立项评审汇总")
    found = pages(to_pdf(data, ".xlsx", "review-export"))
    assert all(page.is_a4() and page.landscape for page in found)
    empty = review_workbook(secretary, ReviewFilter(branch_id=-1))  # no branch: nothing to export
    assert "暂无数据" in pages(to_pdf(empty, ".xlsx", "review-export-empty"))[0].lines


def test_the_application_form_is_one_printable_page_with_signature_lines(daping, secretary):
    project = MicroProject.objects.get(committee=daping, school_year=YEAR, group__name="第一党小组")
    response = logged_in(User.objects.get(username="leader1")).get(
        reverse("projects:application_form", args=[project.pk])
    )
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    document = Document(io.BytesIO(response.content))
    assert_official_docx(document, ["党建微项目申报表"])
    found = pages(to_pdf(response.content, ".docx", "application-form"))
    assert len(found) == 1
    assert_official_pages(found)
    lines = found[0].lines
    assert lines[0] == "党建微项目申报表"
    labels = ["申报单位", "项目名称", "申报党小组", "项目负责人", "项目类型", "参与党员", "项目背景", "项目目标"]
    labels += ["实施阶段", "指标与目标值", "预期成果", "党小组长意见", "支部书记意见", "党委意见"]
    starts = [next(index for index, line in enumerate(lines) if line.startswith(label)) for label in labels]
    assert starts == sorted(starts)
    text = "".join(lines)
    assert project.title in text and "一对一助学80人次" in text
    assert text.count("签名：") == 3  # 党小组长, 党支部书记, 党委书记


def test_the_results_notice_is_an_official_document(daping, secretary):
    assessment_round = AssessmentRound.objects.get(committee=daping, school_year=ASSESSED_YEAR)
    url = reverse("yearend:assessment_notice", args=[assessment_round.pk])
    assert logged_in(User.objects.get(username="leader1")).get(url).status_code == 403
    response = logged_in(secretary).get(url)
    assert response.status_code == 200
    title = ["关于2023—2024学年党建微项目", "年度考核结果的通报"]
    assert_official_docx(Document(io.BytesIO(response.content)), title)
    found = pages(to_pdf(response.content, ".docx", "assessment-notice"))
    assert 1 <= len(found) <= 3
    assert_official_pages(found)
    lines = [line for page in found for line in page.lines]
    assert lines[:3] == [squeeze(line) for line in [*title, "各党支部、党小组："]]
    published = timezone.localtime(assessment_round.published_at).date()
    assert_in_order(lines, ["一、考核结果", "二、考核意见", "三、工作要求", COMMITTEE, chinese_date(published)])
    text = "".join(lines)
    assert "优秀1个" in text and "良好1个" in text and "合格1个" in text
