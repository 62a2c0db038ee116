from django.urls import path

from . import views

app_name = "branches"
urlpatterns = [
    path("", views.organisation, name="organisation"),
    path("branches/<int:branch_id>/", views.branch_detail, name="branch"),
    path("groups/<int:group_id>/", views.group_detail, name="group"),
]
