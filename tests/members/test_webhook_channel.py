"""The group-robot channel: the documented JSON reaches a local HTTP server, and a robot that is down
neither blocks nor undoes the save; its notices wait in the outbox and the sweep delivers them."""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from members.models import Member, NotificationWebhook, WebhookDelivery, WebhookKind
from members.services import notification_preferences_set
from members.tasks import sweep_webhook_deliveries
from projects import services
from projects.enums import ProjectStatus
from tests.faults.conftest import eager_celery  # noqa: F401 -- the fixture: the post runs in this process
from tests.projects.workflow_fixtures import draft_of

# In both runs the robot's task runs in this process, so each test sees its post at once (the
# outbox and its sweep are what a worker would run; the worker tests cover acks_late elsewhere).
pytestmark = pytest.mark.usefixtures("eager_celery")


class Robot:
    """A local stand-in for qyapi.weixin.qq.com / oapi.dingtalk.com: records each post, answers errcode 0."""

    def __init__(self, port: int = 0) -> None:
        self.posts: list[tuple[str, dict]] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                robot.posts.append((self.path, json.loads(body)))
                answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    server = Robot()
    yield server
    server.stop()


def _submit(leader, capture):
    with capture(execute=True):
        return services.project_submit(actor=leader, project=draft_of(leader))


def test_wecom_robot_gets_the_documented_text_message_for_each_notice(
    rubric, daping, leader_a, robot, django_capture_on_commit_callbacks
):
    Member.objects.filter(name="周文静").update(phone="13800000002")
    NotificationWebhook.objects.create(
        committee=daping, kind=WebhookKind.WECOM, url=f"http://127.0.0.1:{robot.port}/cgi-bin/webhook/send?key=k1"
    )
    _submit(leader_a, django_capture_on_commit_callbacks)
    assert {path for path, _payload in robot.posts} == {"/cgi-bin/webhook/send?key=k1"}
    payloads = {payload["text"]["content"]: payload for _path, payload in robot.posts}
    assert set(payloads) == {
        f"{name}：第一党小组提交了项目申报《红领巾助学行动》，请评审。" for name in ("李雪梅", "陈立新", "周文静")
    }
    assert payloads["周文静：第一党小组提交了项目申报《红领巾助学行动》，请评审。"] == {
        "msgtype": "text",
        "text": {
            "content": "周文静：第一党小组提交了项目申报《红领巾助学行动》，请评审。",
            "mentioned_mobile_list": ["13800000002"],
        },
    }
    assert WebhookDelivery.objects.filter(delivered_at__isnull=False, attempts=1).count() == 3


def test_dingtalk_robot_gets_at_mobiles_and_a_signed_url(
    rubric, daping, leader_a, robot, django_capture_on_commit_callbacks
):
    secret = "SEC0123456789"
    NotificationWebhook.objects.create(
        committee=daping,
        kind=WebhookKind.DINGTALK,
        url=f"http://127.0.0.1:{robot.port}/robot/send?access_token=t1",
        secret=secret,
    )
    _submit(leader_a, django_capture_on_commit_callbacks)
    assert len(robot.posts) == 3
    path, payload = robot.posts[0]
    assert payload["msgtype"] == "text" and payload["at"] == {"atMobiles": payload["at"]["atMobiles"], "isAtAll": False}
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert query["access_token"] == ["t1"]
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]
    assert abs(int(timestamp) - time.time() * 1000) < 60_000


def test_a_robot_that_is_down_neither_blocks_nor_undoes_the_save_and_is_retried(
    rubric, daping, leader_a, django_capture_on_commit_callbacks
):
    down = Robot()
    port = down.port
    down.stop()  # nothing listens on the port now
    NotificationWebhook.objects.create(committee=daping, kind=WebhookKind.WECOM, url=f"http://127.0.0.1:{port}/send")
    started = time.monotonic()
    project = _submit(leader_a, django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 2
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED  # the save stands
    pending = WebhookDelivery.objects.filter(delivered_at__isnull=True)
    assert pending.count() == 3
    assert all(row.attempts == 1 and "Connection refused" in row.last_error for row in pending)

    assert sweep_webhook_deliveries() == 3  # still down: tried again, still waiting
    assert set(pending.values_list("attempts", flat=True)) == {2}

    back = Robot(port)
    try:
        sweep_webhook_deliveries()
        assert len(back.posts) == 3
        assert not WebhookDelivery.objects.filter(delivered_at__isnull=True).exists()
        assert sweep_webhook_deliveries() == 0  # delivered ones are never posted again
        assert len(back.posts) == 3
    finally:
        back.stop()


def test_no_robot_configured_posts_nothing(rubric, leader_a, django_capture_on_commit_callbacks):
    _submit(leader_a, django_capture_on_commit_callbacks)
    assert not WebhookDelivery.objects.exists()


def test_each_user_can_turn_e_mail_off(
    rubric, leader_a, secretary, committee_member, django_capture_on_commit_callbacks
):
    for user in (secretary, committee_member):
        user.email = f"{user.username}@example.org"
        user.save()
    notification_preferences_set(user=committee_member, email_notifications=False)
    mail.outbox.clear()
    _submit(leader_a, django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [["secretary@example.org"]]
