"""A deadline rush on one server: the page mix against the floor view, side by side, under wrk.

    .venv/bin/python bench/rush.py [--seconds 10] [--configs sync:2,sync:3,gthread:2x4] [--json out.json]

The site (bench/site.py): the demo on a PostgreSQL database of its own (BENCH_RUSH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/dangjian_bench_rush, dropped and created), static
files collected, production settings, gunicorn on loopback. For each gunicorn configuration
(worker class and count, threads) and each number of connections (10, 50, 200), wrk runs the
page mix (the pages the teachers, leaders and the secretary open around a deadline, each as
its user, round robin) and then the floor (`bench/urls.py`: base.html for the same users, no
data) for the same time, alternating, so a busy machine slows both alike. Figures: requests
per second, latency p50/p95/p99 and errors (connect, read, timeout, HTTP ≥ 400). The load
client runs on the same two cores as the server and the database: the figures are a floor.
"""

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import site

PORT = int(os.environ.get("BENCH_RUSH_PORT", "8218"))
DATABASE_URL = os.environ.get("BENCH_RUSH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dangjian_bench_rush")
CONNECTIONS = (10, 50, 200)
GOAL_SHARE = 0.5
GOAL_P95_MS_AT_50 = 300

LUA = """
local targets = %(targets)s
local counter = 0
init = function(args)
  counter = tonumber(args[1] or "0") %% #targets
end
request = function()
  counter = counter %% #targets + 1
  local target = targets[counter]
  return wrk.format("GET", target[1], {["Cookie"] = "sessionid=" .. target[2], ["Accept-Encoding"] = "gzip"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, ' ..
    '"timeout": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def page_mix(env: dict[str, str]) -> list[tuple[str, str]]:
    """(username, path) of the rush: filing and reading activities, the lists, the dashboard."""
    ids = site.site_query(
        env,
        "from projects.models import MicroProject\n"
        "from members.models import Member\n"
        "from activities.models import ActivityLog\n"
        "leader = Member.objects.get(user__username='leader1')\n"
        "project = MicroProject.objects.filter(group_id=leader.group_id, status='in_progress').order_by('pk').first()\n"
        "activity = ActivityLog.objects.filter(project=project).order_by('pk').first()\n"
        "result = {'project': project.pk, 'activity': activity.pk}\n",
    )
    mix = [
        ("secretary", "/"),
        ("leader1", f"/projects/{ids['project']}/"),
        ("leader1", f"/activities/projects/{ids['project']}/new/"),
        ("leader1", "/"),
        ("leader1", f"/activities/{ids['activity']}/"),
        ("secretary", "/projects/"),
        ("secretary", "/projects/dashboard/committee/"),
        ("committee1", "/projects/review/"),
        ("secretary", "/activities/achievements/"),
        ("district", "/projects/dashboard/district/"),
    ]
    return mix


def _lua(targets: list[tuple[str, str]], cookies: dict[str, str]) -> Path:
    table = "{" + ", ".join(f'{{"{path}", "{cookies[user]}"}}' for user, path in targets) + "}"
    script = Path(tempfile.mkstemp(prefix="dangjian-rush-", suffix=".lua")[1])
    script.write_text(LUA % {"targets": table})
    return script


def wrk(script: Path, connections: int, seconds: int) -> dict:
    threads = min(2, connections)
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
         f"http://127.0.0.1:{PORT}/"],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    )  # fmt: skip
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    raw = json.loads(line.removeprefix("RESULT "))
    return {
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "requests": raw["requests"],
        "errors": raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"],
        "error_kinds": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]},
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
    }


def drain(limit_s: float = 180) -> float:
    """Wait until the server has worked off what the last run left queued (wrk closes its sockets
    at the end, but requests already accepted are still rendered): a probe answered within a
    second means the queue is empty. Returns the seconds waited."""
    import urllib.error
    import urllib.request

    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        probe = time.perf_counter()
        with contextlib.suppress(urllib.error.URLError):
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accounts/login/", timeout=limit_s).read()
        if time.perf_counter() - probe < 1:
            break
    return round(time.perf_counter() - started, 1)


def page_times(mix: list[tuple[str, str]], cookies: dict[str, str]) -> dict[str, float]:
    """Each page of the mix once, one after the other on the idle server (milliseconds); a page
    that does not answer 200 as its user (a lost session would make wrk time the login redirect)
    stops the run."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    times = {}
    for user, path in mix:
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{path}",
            headers={"Cookie": f"sessionid={cookies[user]}", "Accept-Encoding": "gzip"},
        )
        started = time.perf_counter()
        with opener.open(request, timeout=60) as answer:
            answer.read()
            if answer.status != 200:
                raise SystemExit(f"{path} as {user} answered {answer.status}")
        times[f"{path} ({user})"] = round((time.perf_counter() - started) * 1000, 1)
    return times


def parse_config(text: str) -> dict:
    match = re.fullmatch(r"(sync|gthread):(\d+)(?:x(\d+))?", text)
    if not match:
        raise SystemExit(f"bad configuration {text!r}: sync:N or gthread:NxT")
    kind, workers, threads = match.group(1), int(match.group(2)), int(match.group(3) or 1)
    return {"worker_class": kind, "workers": workers, "threads": threads if kind == "gthread" else 1}


def label(config: dict) -> str:
    if config["worker_class"] == "gthread":
        return f"gthread {config['workers']}×{config['threads']}"
    return f"sync {config['workers']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--configs", default="sync:2,sync:3,sync:5,gthread:2x4,gthread:3x4")
    parser.add_argument("--connections", default=",".join(map(str, CONNECTIONS)))
    parser.add_argument("--conn-max-age", default="60", help="DJANGO_CONN_MAX_AGE of the servers")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--reuse", action="store_true", help="reuse the site an earlier run prepared")
    args = parser.parse_args()
    # A SIGTERM unwinds like Ctrl-C, so the servers this run started are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    configs = [parse_config(text) for text in args.configs.split(",")]
    connection_counts = [int(n) for n in args.connections.split(",")]

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    env = site.prepare(DATABASE_URL, log, name="rush", reuse=args.reuse)
    env["DJANGO_CONN_MAX_AGE"] = args.conn_max_age
    mix = page_mix(env)
    cookies = site.session_cookies(env, sorted({user for user, _path in mix}))
    mix_script = _lua(mix, cookies)
    floor_script = _lua([(user, "/bench/floor/") for user, _path in mix], cookies)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    runs = []
    single: dict[str, float] = {}
    for config in configs:
        with site.gunicorn(env, PORT, **config):
            # Every worker has loaded its code and templates and holds its database connection.
            wrk(mix_script, 10, max(5, args.seconds))
            drain()
            wrk(floor_script, 10, 3)
            drain()
            if not runs:
                single = page_times(mix + [(user, "/bench/floor/") for user in ("secretary", "leader1")], cookies)
                log(f"each page once, idle server: {single}")
            for connections in connection_counts:
                load_before = site.machine()["load_average"]
                pages = wrk(mix_script, connections, args.seconds)
                drain()
                floor = wrk(floor_script, connections, args.seconds)
                drain()
                record = {
                    "config": label(config),
                    **config,
                    "connections": connections,
                    "load_average": load_before,
                    "pages": pages,
                    "floor": floor,
                    "share": round(pages["rps"] / floor["rps"], 2) if floor["rps"] else None,
                }
                runs.append(record)
                log(json.dumps(record, ensure_ascii=False))
    run = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": site.machine(),
        "commit": commit,
        "seconds": args.seconds,
        "conn_max_age": args.conn_max_age,
        "mix": [path for _user, path in mix],
        "page_times_ms": single,
        "runs": runs,
    }
    if args.json:
        args.json.write_text(json.dumps(run, ensure_ascii=False, indent=1) + "\n")
    print(table(run))


def table(run: dict) -> str:
    lines = [
        f"Run of {run['at']} · {run['machine']['cpu']}, {run['machine']['cores']} cores · {run['seconds']} s per "
        f"measurement · CONN_MAX_AGE {run['conn_max_age']} · commit {run['commit']}",
        "",
        "| Server | Connections | Load average | Pages req/s | Floor req/s | Share (goal ≥ 50 %) | "
        "Pages p50 / p95 / p99 | Floor p50 / p95 / p99 | Errors pages / floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in run["runs"]:
        p, f = r["pages"], r["floor"]
        lines.append(
            f"| {r['config']} | {r['connections']} | {' / '.join(map(str, r['load_average']))} | {p['rps']} | "
            f"{f['rps']} | {r['share'] * 100:.0f} % | {p['p50_ms']:.0f} / {p['p95_ms']:.0f} / {p['p99_ms']:.0f} ms | "
            f"{f['p50_ms']:.0f} / {f['p95_ms']:.0f} / {f['p99_ms']:.0f} ms | {p['errors']} / {f['errors']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
