from django.urls import path

from .views import applications, assessment, catalogue, dashboards, reports, review

app_name = "projects"
urlpatterns = [
    path("", applications.project_list, name="list"),
    path("new/", applications.project_create, name="create"),
    path("<int:project_id>/", applications.project_detail, name="detail"),
    path("<int:project_id>/edit/", applications.project_edit, name="edit"),
    path("<int:project_id>/submit/", applications.project_submit, name="submit"),
    path("<int:project_id>/withdraw/", applications.project_withdraw, name="withdraw"),
    path("<int:project_id>/start/", applications.project_start, name="start"),
    path("<int:project_id>/conclude/", applications.project_conclude, name="conclude"),
    path("<int:project_id>/attachment/", applications.project_attachment, name="attachment"),
    # The review side.
    path("review/", review.queue, name="queue"),
    path("review/decide/", review.bulk_decide, name="bulk_decide"),
    path("review/export/", review.export_review, name="export_review"),
    path("<int:project_id>/review/", review.review, name="review"),
    path("<int:project_id>/review/start/", review.start_review, name="start_review"),
    path("<int:project_id>/decide/", review.decide, name="decide"),
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/<slug:kind>/new/", catalogue.catalogue_create, name="catalogue_create"),
    path("catalogue/<slug:kind>/<int:item_id>/edit/", catalogue.catalogue_edit, name="catalogue_edit"),
    path("catalogue/<slug:kind>/<int:item_id>/active/", catalogue.catalogue_set_active, name="catalogue_set_active"),
    # The year-end assessment.
    path("assessment/", assessment.assessment_list, name="assessment_list"),
    path("assessment/new/", assessment.assessment_open, name="assessment_open"),
    path("assessment/<int:round_id>/", assessment.assessment_round, name="assessment_round"),
    path("assessment/<int:round_id>/settings/", assessment.assessment_settings, name="assessment_settings"),
    path("assessment/<int:round_id>/thresholds/", assessment.assessment_thresholds, name="assessment_thresholds"),
    path("assessment/<int:round_id>/rubric/", assessment.assessment_rubric, name="assessment_rubric"),
    path("assessment/<int:round_id>/ranking/", assessment.assessment_ranking, name="assessment_ranking"),
    path("assessment/<int:round_id>/publish/", assessment.assessment_publish, name="assessment_publish"),
    path(
        "assessment/<int:round_id>/projects/<int:project_id>/",
        assessment.assessment_sheet,
        name="assessment_sheet",
    ),
]
urlpatterns += [
    # Reports (年度报告).
    path("reports/", reports.report_list, name="reports"),
    path("reports/new/", reports.report_request, name="report_request"),
    path("reports/<int:job_id>/status/", reports.report_status, name="report_status"),
    path("reports/<int:job_id>/download/", reports.report_download, name="report_download"),
]
urlpatterns += [
    # The statistics dashboards and their print pages.
    path("dashboard/", dashboards.dashboard_home, name="dashboard"),
    path("dashboard/committee/", dashboards.dashboard_committee, name="dashboard_committee"),
    path("dashboard/district/", dashboards.dashboard_district, name="dashboard_district"),
    path(
        "dashboard/committee/print/",
        dashboards.dashboard_committee,
        {"printable": True},
        name="dashboard_committee_print",
    ),
    path("dashboard/branches/<int:branch_id>/", dashboards.dashboard_branch, name="dashboard_branch"),
    path(
        "dashboard/branches/<int:branch_id>/print/",
        dashboards.dashboard_branch,
        {"printable": True},
        name="dashboard_branch_print",
    ),
    path("dashboard/groups/<int:group_id>/", dashboards.dashboard_group, name="dashboard_group"),
    path(
        "dashboard/groups/<int:group_id>/print/",
        dashboards.dashboard_group,
        {"printable": True},
        name="dashboard_group_print",
    ),
    path("dashboard/refresh/", dashboards.dashboard_refresh, name="dashboard_refresh"),
]
