from django.urls import path

from .views import achievements, files

app_name = "activities"

urlpatterns = [
    path("photos/<int:photo_id>/<slug:size>/", files.photo_file, name="photo_file"),
    path("achievements/<int:achievement_id>/certificate/", files.certificate_file, name="certificate_file"),
    # Achievements and their verification.
    path("achievements/", achievements.achievement_list, name="achievement_list"),
    path("achievements/new/", achievements.achievement_create, name="achievement_create"),
    path("achievements/committee-honour/new/", achievements.committee_honour_create, name="committee_honour_create"),
    path("achievements/review/", achievements.achievement_queue, name="achievement_queue"),
    path("achievements/<int:achievement_id>/", achievements.achievement_detail, name="achievement_detail"),
    path("achievements/<int:achievement_id>/verify/", achievements.achievement_verify, name="achievement_verify"),
    path("achievements/<int:achievement_id>/reject/", achievements.achievement_reject, name="achievement_reject"),
]
