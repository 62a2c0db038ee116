from django.urls import path

from .views import files

app_name = "activities"

urlpatterns = [
    path("photos/<int:photo_id>/<slug:size>/", files.photo_file, name="photo_file"),
    path("achievements/<int:achievement_id>/certificate/", files.certificate_file, name="certificate_file"),
]
