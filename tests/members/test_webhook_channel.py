"""The group-robot channel: the documented JSON reaches a local HTTP server, and a robot that is down
neither blocks nor undoes the save; its notices wait in the outbox and the sweep delivers them.
A robot takes 20 messages a minute: a burst goes out over the following minutes, each notice once."""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from celery.exceptions import Retry
from django.conf import settings
from django.core import mail
from django.core.cache import cache

from members.models import Member, NotificationWebhook, WebhookDelivery, WebhookKind
from members.services import notification_preferences_set
from members.tasks import deliver_webhook, sweep_webhook_deliveries
from projects import services
from projects.enums import ProjectStatus
from tests.faults.conftest import eager_celery  # noqa: F401 -- the fixture: the post runs in this process
from tests.projects.workflow_fixtures import draft_of

# In both runs the robot's task runs in this process, so each test sees its post at once (the
# outbox and its sweep are what a worker would run; the worker tests cover acks_late elsewhere).
pytestmark = pytest.mark.usefixtures("eager_celery")


class Robot:
    """A local stand-in for qyapi.weixin.qq.com / oapi.dingtalk.com: records each post, answers errcode 0.

    ``refuse`` posts from now on are answered with 企业微信's rate limit (45009) and not recorded.
    """

    def __init__(self, port: int = 0) -> None:
        self.posts: list[tuple[str, dict]] = []
        self.refuse = 0
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if robot.refuse:
                    robot.refuse -= 1
                    answer = {"errcode": 45009, "errmsg": "api freq out of limit"}
                else:
                    robot.posts.append((self.path, json.loads(body)))
                    answer = {"errcode": 0, "errmsg": "ok"}
                answer = json.dumps(answer).encode()
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


# 10:00:10 local time: the first minute of the tests below has 50 seconds left.
BURST_AT = datetime(2026, 6, 30, 10, 0, 10).astimezone()


@pytest.fixture
def clock():
    """A stopped clock at BURST_AT and no budget left over (they live in the cache, keyed by robot and minute).

    The embedded run's locmem cache outlives the test and SQLite reuses a rolled-back robot's id;
    with Redis the ids are new (PostgreSQL) and the shared cache is left alone.
    """
    if not settings.REDIS_URL:
        cache.clear()
    with time_machine.travel(BURST_AT, tick=False) as traveller:
        yield traveller


def _outbox(webhook: NotificationWebhook, count: int) -> list[int]:
    """``count`` notices waiting for the robot, as `WebhookChannel.deliver` leaves them."""
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=webhook, payload={"msgtype": "text", "text": {"content": f"通知 {index}"}})
        for index in range(count)
    )
    return [row.pk for row in rows]


def _contents(robot: Robot) -> list[str]:
    return [payload["text"]["content"] for _path, payload in robot.posts]


def _wecom(committee, robot: Robot, key: str) -> NotificationWebhook:
    return NotificationWebhook.objects.create(
        committee=committee, kind=WebhookKind.WECOM, url=f"http://127.0.0.1:{robot.port}/cgi-bin/webhook/send?key={key}"
    )


def test_a_burst_of_25_sends_20_this_minute_and_the_other_5_the_next(daping, robot, clock):
    webhook = _wecom(daping, robot, "k1")
    for delivery_id in _outbox(webhook, 25):
        deliver_webhook.delay(delivery_id)
    assert _contents(robot) == [f"通知 {index}" for index in range(20)]
    waiting = WebhookDelivery.objects.filter(delivered_at__isnull=True)
    # Not posted, not counted as failed attempts: they keep all their tries for later.
    assert set(waiting.values_list("attempts", "last_error")) == {(0, "")} and waiting.count() == 5
    assert sweep_webhook_deliveries() == 5 and len(robot.posts) == 20  # still this minute: nothing more

    clock.shift(timedelta(seconds=50))  # 10:01:00, the robot's next minute
    sweep_webhook_deliveries()
    assert _contents(robot) == [f"通知 {index}" for index in range(25)]  # each once, in order
    assert not waiting.exists()
    sweep_webhook_deliveries()
    assert len(robot.posts) == 25


@pytest.fixture
def celery_with_broker():
    """Tasks sent to the broker (memory:// in the embedded run), not run in process: a retry is scheduled."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = before


def _run_as_worker(delivery_id: int, retries: int = 0) -> bool:
    """The task's body as a worker runs it: a request with an id, not eager, its retries so far."""
    deliver_webhook.push_request(
        id=f"deliver-{delivery_id}-{retries}",
        args=[delivery_id],
        kwargs={},
        retries=retries,
        is_eager=False,
        called_directly=False,
    )
    try:
        return deliver_webhook.run(delivery_id)
    finally:
        deliver_webhook.pop_request()


def test_on_a_worker_the_task_over_the_budget_retries_when_the_next_minute_begins(
    daping, robot, clock, celery_with_broker
):
    webhook = _wecom(daping, robot, "k1")
    *first, last = _outbox(webhook, 21)
    assert all(_run_as_worker(delivery_id) for delivery_id in first)
    with pytest.raises(Retry) as retry:
        _run_as_worker(last)
    assert retry.value.when == 50  # seconds from 10:00:10 to 10:01:00
    assert len(robot.posts) == 20

    clock.shift(timedelta(seconds=50))
    assert _run_as_worker(last, retries=1) is True
    assert _contents(robot)[-1] == "通知 20" and len(robot.posts) == 21


def test_the_robots_rate_limit_answer_defers_the_notice_instead_of_failing_it(daping, robot, clock, celery_with_broker):
    webhook = _wecom(daping, robot, "k1")
    first, second = _outbox(webhook, 2)
    robot.refuse = 1  # another system spent this robot's minute: 企业微信 answers 45009
    with pytest.raises(Retry) as retry:
        _run_as_worker(first)
    assert retry.value.when == 50
    refused = WebhookDelivery.objects.get(pk=first)
    assert (refused.delivered_at, refused.attempts, refused.last_error) == (
        None,
        0,
        "errcode 45009: api freq out of limit",
    )
    # The rest of that minute is spent: the next notice is not even posted.
    with pytest.raises(Retry):
        _run_as_worker(second)
    assert robot.posts == []

    clock.shift(timedelta(seconds=50))
    assert _run_as_worker(first, retries=1) and _run_as_worker(second, retries=1)
    assert _contents(robot) == ["通知 0", "通知 1"]
    assert not WebhookDelivery.objects.filter(delivered_at__isnull=True).exists()


def test_two_robots_do_not_share_a_budget(daping, hongyan, robot, clock):
    other = Robot()
    try:
        ours, theirs = _wecom(daping, robot, "k1"), _wecom(hongyan, other, "k2")
        for delivery_id in _outbox(ours, 20) + _outbox(theirs, 20):
            deliver_webhook.delay(delivery_id)
        assert (len(robot.posts), len(other.posts)) == (20, 20)
        assert not WebhookDelivery.objects.filter(delivered_at__isnull=True).exists()
        # Both minutes are full now, each on its own.
        for delivery_id in _outbox(ours, 1) + _outbox(theirs, 1):
            deliver_webhook.delay(delivery_id)
        assert (len(robot.posts), len(other.posts)) == (20, 20)
    finally:
        other.stop()
