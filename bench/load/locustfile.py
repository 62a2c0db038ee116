"""Load scenario for the portal: the secretary, group leaders and teachers of 大坪小学 at work.

Run it through `bench/load/run_load.sh`, which starts gunicorn, PostgreSQL's load database,
Redis and a Celery worker first. Against another server:

    locust -f bench/load/locustfile.py --host http://127.0.0.1:8765 --headless -u 50 -r 10 -t 2m

The server runs with production settings (DEBUG off) behind an imagined TLS proxy: every request
carries `X-Forwarded-Proto: https` and a same-site https Referer, as nginx and a browser would
send them, and the client is allowed to send the Secure session and CSRF cookies over the
plain-HTTP loopback hop. Logins are the demo accounts of `seed_demo` (password dangjian2024).
Request names are the URL patterns, so the statistics group by request type.
"""

import io
import os
import random
import re
from datetime import date, timedelta
from http.cookiejar import DefaultCookiePolicy

from locust import HttpUser, between, task
from PIL import Image

PASSWORD = os.environ.get("LOAD_PASSWORD", "dangjian2024")
# The three groups of the demo whose projects are approved and in progress.
LEADERS = ["leader1", "leader3", "leader5"]
TEACHERS = ["teacher1", "teacher3", "teacher5"]

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PROJECT_LINK = re.compile(r'href="/projects/(\d+)/"')
ADD_ACTIVITY_LINK = re.compile(r'href="/activities/projects/(\d+)/new/"')
ACTIVITY_LINK = re.compile(r'href="/activities/(\d+)/"')
SAVED_ACTIVITY_URL = re.compile(r"/activities/\d+/$")
HIDDEN_OR_SELECTED = re.compile(r'<input[^>]*name="(values-[^"]+)"[^>]*value="([^"]*)"')
INDICATOR_SELECTED = re.compile(
    r'<select name="(values-\d+-indicator)"[^>]*>.*?<option value="(\d+)"[^>]*selected', re.DOTALL
)


def _return_ok_secure(self, cookie, request) -> bool:
    """Send Secure cookies over http: the hop between the imagined TLS proxy and gunicorn."""
    return True


# requests copies the session's cookies into a fresh jar with the default policy for every
# request, so the policy is changed where it is defined; this process only talks to the portal.
DefaultCookiePolicy.return_ok_secure = _return_ok_secure


def small_jpeg(seed: int) -> bytes:
    """A phone-photo stand-in: 640x480, a few tens of kilobytes, different each time."""
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 480), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(40):
        x, y = rng.randrange(600), rng.randrange(440)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        image.paste(colour, (x, y, x + rng.randrange(10, 120), y + rng.randrange(10, 120)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def on_start(self) -> None:
        self.client.headers.update({"X-Forwarded-Proto": "https"})
        self.log_in()

    def referer(self, path: str) -> dict[str, str]:
        return {"Referer": self.host.replace("http://", "https://", 1).rstrip("/") + path}

    def csrf_token(self, html: str) -> str:
        match = CSRF_FIELD.search(html)
        if match is None:
            raise RuntimeError("no CSRF token in the page")
        return match.group(1)

    def log_in(self) -> None:
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf_token(page.text)},
            headers=self.referer("/accounts/login/"),
            name="/accounts/login/ [POST]",
            catch_response=True,
        ) as response:
            if response.url.rstrip("/").endswith("/accounts/login"):
                response.failure(f"login of {self.username} refused")

    def get(self, path: str, name: str):
        with self.client.get(path, name=name, catch_response=True) as response:
            if "/accounts/login/" in response.url:
                response.failure("sent to the login page: the session was lost")
            return response


class Secretary(PortalUser):
    """The committee secretary: the statistics dashboard and the review queue, read-only."""

    weight = 1
    username = "secretary"

    @task(3)
    def dashboard(self) -> None:
        # /projects/dashboard/ redirects to the committee's dashboard; requests follows it.
        self.get("/projects/dashboard/", name="/projects/dashboard/ (→ committee)")

    @task(2)
    def review_queue(self) -> None:
        self.get("/projects/review/", name="/projects/review/")

    @task(1)
    def home(self) -> None:
        self.get("/", name="/ (home)")


class GroupLeader(PortalUser):
    """A group leader filing activity logs for the group's project in progress."""

    weight = 2

    def on_start(self) -> None:
        self.username = random.choice(LEADERS)
        super().on_start()
        self.project_id = self.find_project()

    def find_project(self) -> int:
        projects = self.get("/projects/", name="/projects/")
        for project_id in dict.fromkeys(PROJECT_LINK.findall(projects.text)):
            page = self.get(f"/projects/{project_id}/", name="/projects/<id>/")
            if ADD_ACTIVITY_LINK.search(page.text):
                return int(project_id)
        raise RuntimeError(f"{self.username} has no project to file activities for")

    @task(3)
    def file_activity(self) -> None:
        path = f"/activities/projects/{self.project_id}/new/"
        form = self.get(path, name="/activities/projects/<id>/new/")
        data = {
            "csrfmiddlewaretoken": self.csrf_token(form.text),
            "date": (date.today() - timedelta(days=random.randrange(60))).isoformat(),
            "activity_type": "other",
            "title": f"压测活动 {random.randrange(10**6)}",
            "place": "会议室",
            "beneficiaries_count": str(random.randrange(1, 40)),
            "beneficiaries": "学生",
            "duration_hours": "1.5",
            "narrative": "负载测试写入的活动纪实。",
        }
        # The indicator rows as the page offers them; the first target gets a value.
        data.update(dict(HIDDEN_OR_SELECTED.findall(form.text)))
        selected = INDICATOR_SELECTED.findall(form.text)
        for field, indicator_id in selected:
            data[field] = indicator_id
        if selected:
            data[selected[0][0].replace("-indicator", "-value")] = "1"
        with self.client.post(
            path,
            data=data,
            headers=self.referer(path),
            name="/activities/projects/<id>/new/ [POST]",
            catch_response=True,
        ) as response:
            # Saved: redirected to the new activity's page; refused: the form again, with errors.
            if not SAVED_ACTIVITY_URL.search(response.url):
                response.failure("activity not saved (the form came back)")

    @task(2)
    def project_page(self) -> None:
        self.get(f"/projects/{self.project_id}/", name="/projects/<id>/")

    @task(1)
    def home(self) -> None:
        self.get("/", name="/ (home)")


class Teacher(PortalUser):
    """A teacher of a group with a project in progress, adding photos to its activities."""

    weight = 2

    def on_start(self) -> None:
        self.username = random.choice(TEACHERS)
        super().on_start()
        self.activity_ids = self.find_activities()

    def find_activities(self) -> list[int]:
        projects = self.get("/projects/", name="/projects/")
        for project_id in dict.fromkeys(PROJECT_LINK.findall(projects.text)):
            page = self.get(f"/projects/{project_id}/", name="/projects/<id>/")
            # The teacher's own group's project is the one with an upload form on its activities.
            activity_ids = [int(pk) for pk in dict.fromkeys(ACTIVITY_LINK.findall(page.text))]
            for activity_id in activity_ids[:1]:
                detail = self.get(f"/activities/{activity_id}/", name="/activities/<id>/")
                if f'action="/activities/{activity_id}/photos/"' in detail.text:
                    return activity_ids
        raise RuntimeError(f"{self.username} has no activity to add photos to")

    @task(2)
    def upload_photo(self) -> None:
        activity_id = random.choice(self.activity_ids)
        detail_path = f"/activities/{activity_id}/"
        detail = self.get(detail_path, name="/activities/<id>/")
        if 'data-testid="photo-upload-form"' not in detail.text:
            return  # The activity was archived meanwhile; nothing to upload to.
        with self.client.post(
            f"/activities/{activity_id}/photos/",
            data={"csrfmiddlewaretoken": self.csrf_token(detail.text), "caption": "压测照片"},
            files={
                "photos": (f"load-{random.randrange(10**6)}.jpg", small_jpeg(random.randrange(10**9)), "image/jpeg")
            },
            headers=self.referer(detail_path),
            name="/activities/<id>/photos/ [POST]",
            catch_response=True,
        ) as response:
            if "已上传 1 张照片" not in response.text:
                response.failure("photo not stored")

    @task(2)
    def activity_page(self) -> None:
        self.get(f"/activities/{random.choice(self.activity_ids)}/", name="/activities/<id>/")

    @task(1)
    def home(self) -> None:
        self.get("/", name="/ (home)")
