"""The 申报表 as PDF: one conversion per version of a project's application.

Kept apart from `models.py` (which holds the projects' own records); `models.py` imports it so
Django finds the model. Written only by `projects.application_pdf_services`.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.choice_labels import FastChoiceDisplay

from .enums import PdfStatus


def application_pdf_path(instance: "ApplicationPdf", filename: str) -> str:
    # Random names under the project's folder; the download name is made at download time.
    return f"application-pdfs/{instance.project_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class ApplicationPdf(FastChoiceDisplay, models.Model):
    """The PDF of a project's 申报表 as the application stood at ``version`` (its ``updated_at``).

    One row per version: asking again for an unchanged application returns the same row, so a
    repeated click never makes a second conversion.
    """

    project = models.ForeignKey(
        "projects.MicroProject", on_delete=models.CASCADE, related_name="application_pdfs", verbose_name=_("项目")
    )
    version = models.DateTimeField(_("申报内容版本"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    status = models.CharField(_("状态"), max_length=20, choices=PdfStatus.choices, default=PdfStatus.QUEUED)
    pdf_file = models.FileField(_("PDF 文件"), upload_to=application_pdf_path, max_length=200, blank=True)
    error_message = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("申报表 PDF")
        verbose_name_plural = _("申报表 PDF")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="application_pdf_one_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.version:%Y-%m-%d %H:%M}"
