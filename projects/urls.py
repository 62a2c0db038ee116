from django.urls import path

from .views import applications, calendar, catalogue, review

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
    path("<int:project_id>/application.docx", applications.project_application_form, name="application_form"),
    path("<int:project_id>/application.pdf", applications.project_application_pdf, name="application_pdf"),
    path(
        "<int:project_id>/application-pdf/",
        applications.project_application_pdf_request,
        name="application_pdf_request",
    ),
    # The review side.
    path("review/", review.queue, name="queue"),
    path("review/decide/", review.bulk_decide, name="bulk_decide"),
    path("review/export/", review.export_review, name="export_review"),
    path("<int:project_id>/review/", review.review, name="review"),
    path("<int:project_id>/decide/", review.decide, name="decide"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/extensions/", calendar.extension_grant, name="extension_grant"),
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/<slug:kind>/new/", catalogue.catalogue_create, name="catalogue_create"),
    path("catalogue/<slug:kind>/<int:item_id>/edit/", catalogue.catalogue_edit, name="catalogue_edit"),
    path("catalogue/<slug:kind>/<int:item_id>/active/", catalogue.catalogue_set_active, name="catalogue_set_active"),
]
