from django.urls import path

from .views import achievements, activities, capture, delegation, files, photos

app_name = "activities"

urlpatterns = [
    # Activity logs and their photos.
    path("projects/<int:project_id>/new/", activities.activity_create, name="activity_create"),
    path("projects/<int:project_id>/photos.zip", photos.project_photos_zip, name="project_photos_zip"),
    path("<int:activity_id>/", activities.activity_detail, name="activity_detail"),
    path("<int:activity_id>/edit/", activities.activity_edit, name="activity_edit"),
    path("<int:activity_id>/archive/", activities.activity_archive, name="activity_archive"),
    path("<int:activity_id>/photos/", photos.photo_upload, name="photo_upload"),
    path("photos/<int:photo_id>/archive/", photos.photo_archive, name="photo_archive"),
    path("photos/<int:photo_id>/<slug:size>/", files.photo_file, name="photo_file"),
    path("achievements/<int:achievement_id>/certificate/", files.certificate_file, name="certificate_file"),
    path(
        "achievements/<int:achievement_id>/certificate/preview/",
        files.certificate_preview_file,
        name="certificate_preview_file",
    ),
    # The capture API the phone's outbox sends to, one piece per request (JSON).
    path("capture/session/", capture.capture_session, name="capture_session"),
    path("capture/projects/<int:project_id>/", capture.capture_activity_create, name="capture_activity_create"),
    path("capture/<int:activity_id>/", capture.capture_activity_update, name="capture_activity_update"),
    path("capture/<int:activity_id>/photos/", capture.capture_photo, name="capture_photo"),
    # Delegation of activity logging by the group's leader.
    path("projects/<int:project_id>/delegates/", delegation.delegation_list, name="delegation_list"),
    path("projects/<int:project_id>/delegates/grant/", delegation.delegation_grant, name="delegation_grant"),
    path("delegates/<int:delegation_id>/revoke/", delegation.delegation_revoke, name="delegation_revoke"),
    # Achievements and their verification.
    path("achievements/", achievements.achievement_list, name="achievement_list"),
    path("achievements/new/", achievements.achievement_create, name="achievement_create"),
    path("achievements/committee-honour/new/", achievements.committee_honour_create, name="committee_honour_create"),
    path("achievements/review/", achievements.achievement_queue, name="achievement_queue"),
    path("achievements/<int:achievement_id>/", achievements.achievement_detail, name="achievement_detail"),
    path("achievements/<int:achievement_id>/edit/", achievements.achievement_edit, name="achievement_edit"),
    path("achievements/<int:achievement_id>/verify/", achievements.achievement_verify, name="achievement_verify"),
    path("achievements/<int:achievement_id>/reject/", achievements.achievement_reject, name="achievement_reject"),
]
