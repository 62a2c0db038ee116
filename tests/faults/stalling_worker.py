"""A Celery worker whose display-size and statistics jobs stall half-way, for the SIGKILL test.

Run as ``python -m tests.faults.stalling_worker <celery worker args>`` with FAULT_MARKER (a file
written when a job reaches its middle) and FAULT_STALL_SECONDS. A display-size job stalls after
decoding and resizing, before any file is stored; a statistics recompute stalls inside its
transaction, after updating the existing snapshot rows and before creating the new ones.
"""

import functools
import os
import sys
import time
from pathlib import Path

import django


def _stalling(function, label: str):
    marker = Path(os.environ["FAULT_MARKER"])
    seconds = float(os.environ.get("FAULT_STALL_SECONDS", "60"))

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        marker.write_text(label)
        time.sleep(seconds)
        return result

    return wrapper


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from activities import images
    from stats.models import StatSnapshot

    images.display_renditions = _stalling(images.display_renditions, "display sizes")
    manager = StatSnapshot.objects  # one manager instance per model: patch its bound method
    manager.bulk_create = _stalling(manager.bulk_create, "statistics")

    from config.celery import app

    app.worker_main(["worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
