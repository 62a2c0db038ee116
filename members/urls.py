from django.urls import path

from . import notification_views, views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("<int:member_id>/", views.member_detail, name="detail"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/read/", notification_views.notifications_read, name="notifications_read"),
    path("notifications/preferences/", notification_views.notification_preferences, name="notification_preferences"),
    path("import/", views.roster_import, name="import"),
    path("import/template/", views.roster_import_template, name="import_template"),
    path("import/preview/", views.roster_import_preview, name="import_preview"),
    path("import/confirm/", views.roster_import_confirm, name="import_confirm"),
    path("export/", views.roster_export, name="export"),
]
