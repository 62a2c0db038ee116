"""The 申报表 as PDF: asked for on the project page, converted by the worker (eager Celery here,
run after the commit), offered only where LibreOffice is installed, never converted twice for an
unchanged application. The PDF itself is read back page by page (A4, one page, the title)."""

import os
import stat

import pytest
from django.urls import reverse

from config import office_pdf
from projects.models import ApplicationPdf, MicroProject
from projects.tasks import build_application_pdf
from tests.documents import ARTIFACTS, pages
from tests.projects.workflow_fixtures import draft_of

TITLE = "红领巾助学行动"


def require_libreoffice() -> None:
    if not office_pdf.available():
        if os.environ.get("DOCUMENTS_REQUIRED") == "1":
            pytest.fail("LibreOffice (soffice) is required here (DOCUMENTS_REQUIRED=1)")
        pytest.skip("LibreOffice (soffice) is not installed")


def page_of(client, project: MicroProject) -> str:
    return client.get(reverse("projects:detail", args=[project.pk])).content.decode()


def ask(client, project: MicroProject, capture, execute: bool = True):
    with capture(execute=execute):
        return client.post(reverse("projects:application_pdf_request", args=[project.pk]), follow=True)


@pytest.mark.slow
def test_the_worker_makes_one_a4_page_pdf_of_the_application(
    leader_a, teacher, login, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_PDF = True
    require_libreoffice()
    project = draft_of(leader_a, TITLE)
    client = login(leader_a)
    assert 'data-testid="application-pdf-request"' in page_of(client, project)

    response = ask(client, project, django_capture_on_commit_callbacks)
    # The test captures the commit's callbacks and runs them after the response (the embedded
    # run converts at the commit, before the message): the page it led to said the PDF is coming.
    assert "申报表 PDF 正在生成" in response.content.decode()
    job = ApplicationPdf.objects.get(project=project)
    # Converted already in the embedded run; with REDIS_URL the task waits in the broker: run it
    # as a worker would (a finished job is left alone, so the embedded run converts only once).
    build_application_pdf.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done" and job.pdf_file.name.endswith(".pdf")
    url = reverse("projects:application_pdf", args=[project.pk])
    assert f'href="{url}"' in page_of(client, project)
    ask(client, project, django_capture_on_commit_callbacks)  # a second click: the same PDF
    assert ApplicationPdf.objects.filter(project=project).count() == 1

    # Whoever may download the .docx (a member of the school) downloads the PDF too.
    download = login(teacher).get(url)
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;") and ".pdf" in download["Content-Disposition"]
    pdf = b"".join(download.streaming_content)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "application-form-worker.pdf").write_bytes(pdf)
    found = pages(pdf)
    assert len(found) == 1 and found[0].is_a4() and not found[0].landscape
    assert found[0].lines[0] == "党建微项目申报表"
    assert TITLE in "".join(found[0].lines)

    # The application edited: the old PDF is not offered as the current one; asking makes a new one.
    project.save()
    html = page_of(client, project)
    assert 'data-testid="application-pdf-request"' in html and f'href="{url}"' not in html
    assert client.get(url).status_code == 404


def test_a_repeated_click_while_the_pdf_is_made_queues_one_conversion(
    leader_a, login, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REPORT_PDF = True
    # A server whose soffice runs but makes no PDF: the queue is real, the conversion fails.
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(fake.parent))
    project = draft_of(leader_a, TITLE)
    client = login(leader_a)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("projects:application_pdf_request", args=[project.pk]))
    with django_capture_on_commit_callbacks(execute=False) as again:
        response = client.post(reverse("projects:application_pdf_request", args=[project.pk]), follow=True)
    assert len(queued) == 1 and again == []  # the second click queued nothing
    assert "正在生成" in response.content.decode()
    assert ApplicationPdf.objects.filter(project=project).count() == 1
    assert 'data-testid="application-pdf-pending"' in page_of(client, project)

    job = ApplicationPdf.objects.get(project=project)
    build_application_pdf.apply(args=[job.pk])  # the worker runs the conversion, which fails
    job.refresh_from_db()
    assert job.status == "failed" and "PDF 生成失败" in job.error_message
    assert 'data-testid="application-pdf-request"' in page_of(client, project)  # asked for again
    assert client.get(reverse("projects:application_pdf", args=[project.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=False) as retried:
        client.post(reverse("projects:application_pdf_request", args=[project.pk]))
    assert len(retried) == 1 and ApplicationPdf.objects.filter(project=project).count() == 1
    assert ApplicationPdf.objects.get(project=project).status == "queued"


def test_without_libreoffice_no_pdf_button_is_shown_and_none_is_made(
    leader_a, login, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REPORT_PDF = True
    monkeypatch.setenv("PATH", "/nonexistent")  # a server without soffice
    assert not office_pdf.available()
    project = draft_of(leader_a, TITLE)
    client = login(leader_a)
    html = page_of(client, project)
    assert 'data-testid="application-form"' in html  # the .docx is still there
    assert "application-pdf" not in html
    response = ask(client, project, django_capture_on_commit_callbacks)
    assert "服务器未安装 LibreOffice" in response.content.decode()
    assert not ApplicationPdf.objects.exists()
    assert client.get(reverse("projects:application_pdf", args=[project.pk])).status_code == 404


def test_with_report_pdf_off_no_pdf_button_is_shown(leader_a, login, settings):
    settings.REPORT_PDF = False
    project = draft_of(leader_a, TITLE)
    assert "application-pdf" not in page_of(login(leader_a), project)
