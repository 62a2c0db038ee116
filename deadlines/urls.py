from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("feed/reset/", views.feed_reset, name="feed_reset"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
