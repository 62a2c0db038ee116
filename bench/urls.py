"""The site's URLs plus the floor view the page benchmarks divide by (bench/pages.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """The least a page of the portal does: the same middleware, login and base.html, no data."""
    return render(request, "base.html")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *site_urlpatterns]
