from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("<int:member_id>/", views.member_detail, name="detail"),
]
# TEMP
from django.http import HttpResponse

urlpatterns += [
    path("import/", lambda r: HttpResponse("x"), name="import"),
    path("export/", lambda r: HttpResponse("x"), name="export"),
]
