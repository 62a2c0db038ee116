"""The reminder sweep on a real worker against Redis (the .ci/run PostgreSQL + Redis pass).

Beat sending the task twice for the same day sends each reminder once; a worker killed in the
middle of the sweep (SIGKILL, inside the second reminder's transaction) and a new worker that gets
the unacknowledged message again send the rest, with no duplicate and none missed.
"""

import datetime
import time
import uuid

import pytest
from django.db import connections
from django.utils import timezone

from deadlines.models import ReminderSent
from deadlines.tasks import send_deadline_reminders
from members.models import Notification, User
from projects import calendar_services, services
from projects.models import YearCalendar
from tests.faults.conftest import PYTHON, child_env, needs_server_run, wait_for, worker_args, worker_options
from tests.projects.workflow_fixtures import draft_of

pytestmark = [pytest.mark.worker, pytest.mark.slow, needs_server_run]

VISIBILITY_TIMEOUT = 5
REMINDERS = 6  # two applications × three reviewers each, all due tomorrow


@pytest.fixture
def queue():
    from config.celery import app

    name = f"reminders-{uuid.uuid4().hex[:8]}"
    yield name
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(name)


@pytest.fixture
def due_tomorrow(transactional_db, demo_schools):
    secretary = User.objects.get(username="secretary")
    for leader, title in (("leader1", "红领巾助学行动"), ("leader2", "第二党小组的项目")):
        leader = User.objects.get(username=leader)
        services.project_submit(actor=leader, project=draft_of(leader, title))
    school_year = "2025-2026"
    calendar_services.calendar_save(
        actor=secretary,
        school_year=school_year,
        data=calendar_services.CalendarData(review_due_on=timezone.localdate() + datetime.timedelta(days=1)),
    )
    assert YearCalendar.objects.count() == 1


def _reminders():
    return list(Notification.objects.filter(message__startswith="到期提醒").values_list("recipient__username", "link"))


def _assert_each_once():
    reminders = _reminders()
    assert len(reminders) == REMINDERS, reminders
    assert len(set(reminders)) == REMINDERS  # each reviewer once per application
    assert ReminderSent.objects.count() == REMINDERS


def test_beat_sending_the_sweep_twice_sends_each_reminder_once(due_tomorrow, processes, queue):
    worker = processes("worker", worker_args(queue), child_env())
    send_deadline_reminders.apply_async(queue=queue)
    send_deadline_reminders.apply_async(queue=queue)
    assert wait_for(lambda: worker.output().count(" succeeded in ") == 2, 60), worker.output()[-3000:]
    _assert_each_once()
    connections.close_all()


def test_a_worker_killed_mid_sweep_and_a_new_one_send_none_twice_and_miss_none(
    due_tomorrow, processes, queue, tmp_path
):
    marker = tmp_path / "half-way"
    env = child_env(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    doomed = processes(
        "doomed-worker",
        [PYTHON, "-m", "tests.deadlines.stalling_reminder_worker", *worker_options(queue)],
        {**env, "FAULT_MARKER": str(marker), "FAULT_STALL_SECONDS": "60"},
    )
    send_deadline_reminders.apply_async(queue=queue)
    assert wait_for(marker.exists, 60), f"the sweep never reached its second reminder:\n{doomed.output()[-3000:]}"
    doomed.kill()
    assert len(_reminders()) == 1  # the first committed; the second died with its transaction
    time.sleep(VISIBILITY_TIMEOUT + 1)
    survivor = processes("survivor-worker", worker_args(queue), env)
    assert wait_for(lambda: len(_reminders()) == REMINDERS, 60), survivor.output()[-3000:]
    time.sleep(2)  # a duplicate, had one been coming, would be written by now
    _assert_each_once()
    connections.close_all()
