from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import service_worker
from members import views as member_views

urlpatterns = [
    path("", member_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("org/", include("branches.urls")),
    path("members/", include("members.urls")),
    path("projects/", include("projects.urls")),
    # The statistics and the year's end keep the addresses they had when they lived in projects/.
    path("projects/dashboard/", include("stats.urls")),
    path("projects/", include("yearend.urls")),
    path("activities/", include("activities.urls")),
    path("schedule/", include("deadlines.urls")),
    path("admin/", admin.site.urls),
    # The service worker at the root, so its scope is the whole site; its offline page.
    path("sw.js", service_worker.service_worker, name="service_worker"),
    path("offline/", service_worker.offline, name="offline"),
]

admin.site.site_header = "党建微项目管理平台"
admin.site.site_title = "党建微项目"

# The portal's own Chinese error pages (Django's defaults are English).
handler400 = "config.error_views.bad_request"
handler403 = "config.error_views.permission_denied"
handler404 = "config.error_views.page_not_found"
handler500 = "config.error_views.server_error"
