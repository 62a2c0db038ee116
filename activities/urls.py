from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("photos/<int:photo_id>/<slug:size>/", views.photo_file, name="photo_file"),
    path("achievements/<int:achievement_id>/certificate/", views.certificate_file, name="certificate_file"),
]
