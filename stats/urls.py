from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    # The statistics dashboards and their print pages.
    path("", views.dashboard_home, name="dashboard"),
    path("committee/", views.dashboard_committee, name="dashboard_committee"),
    path("district/", views.dashboard_district, name="dashboard_district"),
    path(
        "committee/print/",
        views.dashboard_committee,
        {"printable": True},
        name="dashboard_committee_print",
    ),
    path("branches/<int:branch_id>/", views.dashboard_branch, name="dashboard_branch"),
    path(
        "branches/<int:branch_id>/print/",
        views.dashboard_branch,
        {"printable": True},
        name="dashboard_branch_print",
    ),
    path("groups/<int:group_id>/", views.dashboard_group, name="dashboard_group"),
    path(
        "groups/<int:group_id>/print/",
        views.dashboard_group,
        {"printable": True},
        name="dashboard_group_print",
    ),
    path("refresh/", views.dashboard_refresh, name="dashboard_refresh"),
]
