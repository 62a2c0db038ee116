"""A Celery worker whose reminder sweep stalls inside its second reminder, for the SIGKILL test.

Run as ``python -m tests.deadlines.stalling_reminder_worker <celery worker args>`` with
FAULT_MARKER (written when the sweep reaches the second reminder) and FAULT_STALL_SECONDS. The
first reminder has committed by then; the second's transaction is open when the worker dies.
"""

import os
import sys
import time
from pathlib import Path

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from deadlines import services

    marker = Path(os.environ["FAULT_MARKER"])
    seconds = float(os.environ.get("FAULT_STALL_SECONDS", "60"))
    send = services.notification_send
    calls = []

    def stalling_send(**kwargs):
        calls.append(1)
        result = send(**kwargs)
        if len(calls) == 2:
            marker.write_text("second reminder")
            time.sleep(seconds)
        return result

    services.notification_send = stalling_send
    from config.celery import app

    app.worker_main(["worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
