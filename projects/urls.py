from django.urls import path

from .views import applications

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
]
