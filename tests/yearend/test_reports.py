"""年度报告 as jobs: asked for on the page, built once by the worker, their progress, downloads and
PDF, who may ask, a repeated post, and the broker down. What the files hold: test_report_documents."""

import datetime
import io
import os
import textwrap
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from config import office_pdf
from projects import services
from tests.broker_down import run_with_broker_down
from tests.documents import pages
from tests.form_fields import form_fields
from tests.yearend.assessment_fixtures import approved_of, assess
from tests.yearend.report_year import (
    HELPING,
    YEAR,
    build_as_a_worker_would,
    request_report,
    sheet_rows,
)
from yearend import report_selectors, report_services
from yearend import services as assessment_services
from yearend.enums import ReportKind, ReportStatus
from yearend.errors import YearEndError
from yearend.models import ReportJob
from yearend.tasks import build_report


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
