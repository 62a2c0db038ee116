"""The service worker, served from the site's root so that its scope is the whole site.

/sw.js is a few lines made here: the asset URLs as `static()` names them (hashed file names once
the static files are collected with a manifest), the patterns of the pages kept for offline use,
then `importScripts` of the worker's code in static/js/sw-core.js and of the outbox it sends
(static/js/outbox.js). Nothing in it is hard-coded to an unhashed static path, and a new build
of any asset changes these bytes, which is what makes browsers install the new worker. It is
plain script under the site's CSP (`script-src 'self'`): no inline code, no eval.

/offline/ is the page the worker shows for a page it has never kept; it names no user, so it is
kept with the assets at install.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

# Every script and style the pages of OFFLINE_PAGES load, kept at install (a test renders them
# and compares): offline, a page loads only what the install kept.
OFFLINE_ASSETS = (
    "favicon.png",
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "css/portal.css",
    "js/submit-once.js",
    "js/formset.js",
    "js/lightbox.js",
    "js/progress-bars.js",
    "js/photo-upload.js",
    "js/outbox.js",
    "js/outbox-page.js",
    "js/capture-shrink.js",
    "js/capture-photos.js",
    "js/capture-draft.js",
    "js/capture.js",
)

# Pages fetched from the network first and kept for when there is none: home, a project, a
# capture page (new activity, edit, an activity's own page with its photo upload).
OFFLINE_PAGES = (
    r"^/$",
    r"^/projects/\d+/$",
    r"^/activities/projects/\d+/new/$",
    r"^/activities/\d+/$",
    r"^/activities/\d+/edit/$",
)


def _script() -> str:
    assets = [static(name) for name in OFFLINE_ASSETS]
    config = {
        "assets": assets,
        "pages": list(OFFLINE_PAGES),
        "offline": reverse("offline"),
        "sessionUrl": reverse("activities:capture_session"),
        "staticUrl": static(""),
        # Changes with any asset's (hashed) name: the caches of the old worker are dropped.
        "version": hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12],
    }
    imports = ", ".join(json.dumps(static(name)) for name in ("js/outbox.js", "js/sw-core.js"))
    return f"self.DANGJIAN_SW = {json.dumps(config)};\nimportScripts({imports});\n"


@login_not_required
@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_script(), content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on navigation; never let a cache hold an old one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@login_not_required
@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "offline.html")
