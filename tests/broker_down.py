"""Run a script in a fresh Django process whose broker is unreachable, and read its JSON outcome.

The broker-down tests need a process of their own: the suite's Celery app is eager, while
these must see a real Redis URL that refuses connections (port 1), on a SQLite file of their
own. The script prints one JSON line last; that is the outcome.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def run_with_broker_down(script: str, tmp_path: Path, *, timeout: int = 120) -> dict[str, Any]:
    """The last line the script printed, as JSON; fails the test with the script's stderr if it failed."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "MEDIA_ROOT")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": UNREACHABLE_BROKER,
        "SQLITE_PATH": str(tmp_path / "broker-down.sqlite3"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
