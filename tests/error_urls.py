"""The portal's URLconf plus one view that fails, to show the 500 page (tests/test_one_language.py)."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns


def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [*urlpatterns, path("broken/", _broken)]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
