from django.urls import path

from .views import assessment, reports

app_name = "yearend"
urlpatterns = [
    # The year-end assessment.
    path("assessment/", assessment.assessment_list, name="assessment_list"),
    path("assessment/new/", assessment.assessment_open, name="assessment_open"),
    path("assessment/<int:round_id>/", assessment.assessment_round, name="assessment_round"),
    path("assessment/<int:round_id>/settings/", assessment.assessment_settings, name="assessment_settings"),
    path("assessment/<int:round_id>/thresholds/", assessment.assessment_thresholds, name="assessment_thresholds"),
    path("assessment/<int:round_id>/rubric/", assessment.assessment_rubric, name="assessment_rubric"),
    path("assessment/<int:round_id>/ranking/", assessment.assessment_ranking, name="assessment_ranking"),
    path("assessment/<int:round_id>/publish/", assessment.assessment_publish, name="assessment_publish"),
    path("assessment/<int:round_id>/notice.docx", assessment.assessment_notice, name="assessment_notice"),
    path(
        "assessment/<int:round_id>/projects/<int:project_id>/",
        assessment.assessment_sheet,
        name="assessment_sheet",
    ),
    # Reports (年度报告).
    path("reports/", reports.report_list, name="reports"),
    path("reports/new/", reports.report_request, name="report_request"),
    path("reports/<int:job_id>/status/", reports.report_status, name="report_status"),
    path("reports/<int:job_id>/download/", reports.report_download, name="report_download"),
    path("reports/<int:job_id>/download.pdf", reports.report_download_pdf, name="report_download_pdf"),
]
