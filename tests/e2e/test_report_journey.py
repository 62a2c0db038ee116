"""年度报告 in Chromium: the secretary generates the annual report, watches its progress bar fill, downloads it.

The journey generates the workbook through the form, then watches a queued summary: the page
polls its JSON status (static/js/report_progress.js) while the build runs here, as a worker
would, and the bar gives way to the download link. (The embedded run builds a report in process
right after the request commits; with REDIS_URL the test runs the queued task itself.)
"""

import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import expect

from config.printable_sheets import HEADER_ROW
from members.models import User
from projects.demo import seed_projects
from tests.e2e.conftest import log_in
from yearend.enums import ReportKind, ReportStatus
from yearend.models import ReportJob
from yearend.tasks import build_report

pytestmark = pytest.mark.e2e

YEAR = "2024-2025"


@pytest.fixture
def report_site(demo_site, settings, tmp_path):
    daping = demo_site[0]
    seed_projects(daping)
    return daping


def test_the_secretary_generates_and_downloads_the_annual_report(page, live_server, report_site, artifacts_dir):
    log_in(page, live_server, "secretary")
    page.locator(".navbar").get_by_role("link", name="年度报告", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("年度报告")

    form = page.get_by_test_id("report-form")
    form.get_by_label("学年").select_option(YEAR)
    form.get_by_label("年度数据工作簿（Excel）").check()
    with page.expect_navigation():
        form.get_by_role("button", name="生成").click()
    expect(page.get_by_text("已开始生成报告，完成后可在下方下载。")).to_be_visible()
    row = page.get_by_test_id("report-job").first
    expect(row).to_contain_text(YEAR)
    # Built already in the embedded run; with REDIS_URL the task waits in the broker: run it as a worker would.
    build_report.apply(args=[ReportJob.objects.get().pk])
    link = row.get_by_test_id("report-download")
    expect(link).to_be_visible(timeout=5000)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"重庆市渝中区大坪小学校-{YEAR}-党建微项目数据.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    # Under the sheet's title, its note and its header row; the first column is 序号.
    titles = [row[1] for row in workbook["项目"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
    assert titles == ["“帮扶暖心”党建微项目", "“学习+成长”党建微项目", "“校家社联合教育”党建微项目"]

    # A summary waiting for a worker: the bar shows, then fills as the build runs.
    job = ReportJob.objects.create(
        committee=report_site,
        kind=ReportKind.SUMMARY,
        school_year=YEAR,
        requested_by=User.objects.get(username="secretary"),
    )
    page.reload()
    row = page.locator(f"[data-status-url$='/reports/{job.pk}/status/']")
    expect(row.get_by_role("progressbar")).to_be_visible()
    expect(row.get_by_test_id("report-download")).to_be_hidden()
    page.screenshot(path=str(artifacts_dir / "report-queued.png"), full_page=True)
    assert build_report.apply(args=[job.pk]).get() == ReportStatus.DONE
    expect(row.get_by_role("progressbar")).to_be_hidden(timeout=5000)
    expect(row).to_contain_text("已完成")
    link = row.get_by_test_id("report-download")
    expect(link).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "report-done.png"), full_page=True)
    with page.expect_download() as download_info:
        link.click()
    document = Document(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    # The official title on two whole lines: the committee, then the year and what it is.
    assert [paragraph.text for paragraph in document.paragraphs[:2]] == [
        "中共重庆市渝中区大坪小学校委员会",
        f"{YEAR.replace('-', '—')}学年党建微项目工作总结",
    ]


def test_the_report_page_fits_a_phone(phone_page, live_server, report_site, artifacts_dir):
    page = phone_page
    log_in(page, live_server, "committee1")
    page.goto(f"{live_server.url}/projects/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("年度报告")
    expect(page.get_by_test_id("report-form").get_by_role("button", name="生成")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts_dir / "report-phone.png"), full_page=True)
