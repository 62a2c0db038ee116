"""A production-like portal for the browser and load benchmarks: the demo data, collected static
files and gunicorn on loopback, with the settings a deployment without nginx runs (DEBUG off,
WhiteNoise, pages gzipped by the app).

`prepare` migrates and seeds a database (SQLite file or a PostgreSQL database of its own) and
collects the static files; `Gunicorn` starts and stops one server; `session_cookies` logs the
demo users in through Django's own session machinery (no login form, no password hashing under
load). Everything started here is stopped by the context managers.
"""

import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECRET_KEY = secrets.token_urlsafe(50)


def machine() -> dict:
    """The machine and how busy it is, to stand beside every figure."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {"cpu": cpu, "cores": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def site_env(database_url: str, static_root: Path, media_root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_")) and k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.site_settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
        DJANGO_LOG_LEVEL="WARNING",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(media_root),
        PYTHONPATH=str(ROOT),
    )
    if database_url.startswith("sqlite:///"):
        env["SQLITE_PATH"] = database_url.removeprefix("sqlite:///")
    else:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(database_url: str, log, *, name: str, reuse: bool = False) -> dict[str, str]:
    """A fresh database with the demo, static files collected; returns the servers' environment.

    Kept in bench/.data/<name>/; with ``reuse`` a site prepared before for the same database is
    used as it is (seeding the demo takes minutes on a busy machine; its marker names the commit
    it was prepared at).
    """
    work = ROOT / "bench" / ".data" / name
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    marker = work / "prepared"
    env = site_env(database_url, work / "static", work / "media")
    if reuse and marker.exists() and marker.read_text().endswith(f" {database_url}"):
        log(f"site reused from {work} (prepared at {marker.read_text().split()[0][:7]})")
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "collectstatic", "--noinput", "-v", "0")  # this commit's static files
        _analyse(database_url)
        return env
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if database_url.startswith("sqlite:///"):
        Path(env["SQLITE_PATH"]).unlink(missing_ok=True)
    else:
        admin, name = database_url.rsplit("/", 1)
        subprocess.run(
            ["psql", f"{admin}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    started = time.perf_counter()
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "seed_demo", "--force")
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    _analyse(database_url)
    log(f"site prepared in {time.perf_counter() - started:.0f} s ({database_url})")
    marker.write_text(f"{commit} {database_url}")
    return env


def _analyse(database_url: str) -> None:
    """Planner statistics for the freshly seeded tables, as autovacuum would gather on a live database."""
    if not database_url.startswith("sqlite:///"):
        subprocess.run(["psql", database_url, "-qc", "ANALYZE"], check=True, stdout=subprocess.DEVNULL)


def session_cookies(env: dict[str, str], usernames: list[str]) -> dict[str, str]:
    """A logged-in session cookie per username, made in a child process with the site's settings."""
    code = (
        "import json, sys, django; django.setup()\n"
        "from django.test import Client\n"
        "from django.conf import settings\n"
        "from members.models import User\n"
        "out = {}\n"
        "for name in sys.argv[1:]:\n"
        "    c = Client(); c.force_login(User.objects.get(username=name))\n"
        "    out[name] = c.cookies[settings.SESSION_COOKIE_NAME].value\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [PYTHON, "-c", code, *usernames], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def site_query(env: dict[str, str], code: str) -> object:
    """Run `code` (which sets `result`) in a child process with the site's settings; returns result (JSON)."""
    script = f"import json, django; django.setup()\n{code}\nprint(json.dumps(result))\n"
    done = subprocess.run([PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@contextmanager
def gunicorn(env: dict[str, str], port: int, *, workers: int, worker_class: str = "sync", threads: int = 1):
    """gunicorn serving the site on 127.0.0.1:port until the block ends."""
    args = [PYTHON, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
    args += ["-k", worker_class, "--timeout", "60", "--backlog", "2048", "--log-level", "warning"]
    if worker_class == "gthread":
        args += ["--threads", str(threads)]
    log = Path(tempfile.mkstemp(prefix="dangjian-bench-gunicorn-", suffix=".log")[1])
    with log.open("w") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while not port_open(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
