"""What a teacher's phone feels: each page loaded in Chromium on an emulated slow phone.

    .venv/bin/python bench/browser.py [--runs 3] [--lighthouse] [--json out.json]

The site (bench/site.py): the demo on an SQLite file, static files collected, gunicorn with
production settings on loopback. Chromium (Debian's, through Playwright) at 375×812 with touch,
its network throttled through the DevTools protocol to slow 4G (1.6 Mbit/s down, 750 kbit/s
up, 150 ms round trip) and its CPU slowed 4×. Each page, as the user who works with it, is
opened in a fresh browser context (cold: empty cache) and then again in the same context
(warm: a repeat visit); the figures are medians of `--runs`. Bytes are what crossed the
network (Resource Timing's transferSize, headers included), so a file served from the cache
counts 0. With --lighthouse, Lighthouse's mobile audit (its own slow-4G and 4× CPU
simulation) is run once per page with `npx lighthouse` from bench/lighthouse/ (npm ci there).
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import site

KIB = 1024
# Slow 4G as Lighthouse and the issue define it.
NETWORK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1000 * 1000 / 8,
    "uploadThroughput": 750 * 1000 / 8,
}
CPU_SLOWDOWN = 4
BUDGET_FIRST_KIB = 150
BUDGET_DASHBOARD_KIB = 250
BUDGET_REPEAT_KIB = 20
BUDGET_DCL_COLD_S = 2.0
BUDGET_DCL_WARM_S = 1.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PORT = int(os.environ.get("BENCH_BROWSER_PORT", "8118"))

MEASURE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const bytes = nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0);
  const fromNetwork = resources.filter((r) => r.transferSize > 0).length + (nav.transferSize > 0 ? 1 : 0);
  return {
    dcl: nav.domContentLoadedEventEnd / 1000,
    ttfb: nav.responseStart / 1000,
    html_done: nav.responseEnd / 1000,
    dom_interactive: nav.domInteractive / 1000,
    load: nav.loadEventEnd / 1000,
    bytes: bytes,
    requests: resources.length + 1,
    from_network: fromNetwork,
    html_bytes: nav.transferSize,
    charts: document.querySelectorAll("[data-chart]").length,
  };
}"""


def pages(env: dict[str, str]) -> list[tuple[str, str | None, str]]:
    """(name, username or None for anonymous, path) of the pages a phone opens most."""
    ids = site.site_query(
        env,
        "from projects.models import MicroProject\n"
        "from members.models import Member\n"
        "leader = Member.objects.get(user__username='leader1')\n"
        "project = MicroProject.objects.filter(group_id=leader.group_id, status='in_progress').order_by('pk').first()\n"
        "result = {'project': project.pk}\n",
    )
    project = ids["project"]
    return [
        ("login", None, "/accounts/login/"),
        ("home", "secretary", "/"),
        ("project page", "leader1", f"/projects/{project}/"),
        ("activity form", "leader1", f"/activities/projects/{project}/new/"),
        ("dashboard", "secretary", "/projects/dashboard/committee/"),
        ("district dashboard", "district", "/projects/dashboard/district/"),
    ]


def _open(context, url: str, charts_expected: bool) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    started = time.perf_counter()
    page.goto(url, wait_until="load")
    figures = page.evaluate(MEASURE)
    if charts_expected and figures["charts"]:
        # Charts are drawn as they come near the screen: the first one is what the phone shows.
        page.wait_for_function("() => document.querySelector('[data-chart-drawn]') !== null", timeout=60000)
        figures["charts_drawn"] = round(time.perf_counter() - started, 3)
        page.wait_for_load_state("networkidle")
        figures.update({k: v for k, v in page.evaluate(MEASURE).items() if k in ("bytes", "requests", "from_network")})
    page.close()
    return figures


def warm_up(base: str, cookies: dict[str, str], page_list) -> None:
    """Each page once per server worker before measuring: the first request of a fresh worker
    loads templates and code, which is the server's start-up, not what a phone feels."""
    import urllib.request

    for _ in range(4):
        for _name, username, path in page_list:
            request = urllib.request.Request(base + path)
            if username:
                request.add_header("Cookie", f"sessionid={cookies[username]}")
            urllib.request.urlopen(request, timeout=30).read()


def measure(base: str, cookies: dict[str, str], page_list, runs: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    warm_up(base, cookies, page_list)
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, username, path in page_list:
                cold_runs, warm_runs = [], []
                for _ in range(runs):
                    context = browser.new_context(
                        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, device_scale_factor=2
                    )
                    if username:
                        context.add_cookies(
                            [{"name": "sessionid", "value": cookies[username], "url": base, "httpOnly": True}]
                        )
                    cold_runs.append(_open(context, base + path, charts_expected=True))
                    warm_runs.append(_open(context, base + path, charts_expected=True))
                    context.close()
                record = {"page": name, "user": username or "anonymous", "path": path}
                for label, measured in (("cold", cold_runs), ("warm", warm_runs)):
                    record[label] = {
                        key: statistics.median(run[key] for run in measured)
                        for key in measured[0]
                        if isinstance(measured[0][key], int | float)
                    }
                results.append(record)
                print(json.dumps(record, ensure_ascii=False), file=sys.stderr, flush=True)
        finally:
            browser.close()
    return results


def lighthouse(base: str, cookies: dict[str, str], page_list) -> dict[str, dict]:
    folder = Path(__file__).resolve().parent / "lighthouse"
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        print(f"lighthouse not installed: (cd {folder} && npm ci)", file=sys.stderr)
        return {}
    scores = {}
    for name, username, path in page_list:
        out = Path(tempfile.mkdtemp(prefix="dangjian-lh-")) / "report.json"
        headers = {"Cookie": f"sessionid={cookies[username]}"} if username else {}
        command = [
            str(binary),
            base + path,
            "--quiet",
            "--only-categories=performance",
            "--output=json",
            f"--output-path={out}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            f"--extra-headers={json.dumps(headers)}",
        ]
        # Lighthouse's trace sometimes misses the navigation's start (NO_NAVSTART) and its own
        # message says to run it again: up to three attempts, each reported if it fails.
        for attempt in range(1, 4):
            done = subprocess.run(
                command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=300
            )
            if done.returncode == 0 and out.exists():
                break
            print(f"lighthouse attempt {attempt} on {name} failed: {done.stderr[-300:]}", file=sys.stderr)
        if done.returncode != 0 or not out.exists():
            print(f"lighthouse failed on {name}: {done.stderr[-800:]}", file=sys.stderr)
            continue
        report = json.loads(out.read_text())
        audits = report["audits"]
        scores[name] = {
            "performance": round(report["categories"]["performance"]["score"] * 100),
            "fcp_s": round(audits["first-contentful-paint"]["numericValue"] / 1000, 2),
            "lcp_s": round(audits["largest-contentful-paint"]["numericValue"] / 1000, 2),
            "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
            "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
            "bytes_kib": round(audits["total-byte-weight"]["numericValue"] / KIB, 1),
        }
        print(f"lighthouse {name}: {scores[name]}", file=sys.stderr, flush=True)
    return scores


def table(run: dict) -> str:
    lines = [
        f"Run of {run['at']} · {run['machine']['cpu']}, {run['machine']['cores']} cores · load average before "
        f"{run['machine']['load_average']}, after {run['load_after']} · slow 4G (1.6 Mbit/s, 150 ms) + 4× CPU, "
        f"375×812 · median of {run['runs']} · commit {run['commit']}",
        "",
        "| Page (user) | First visit | Requests | DCL cold | Load cold | First chart drawn | Repeat visit | DCL warm "
        "(first byte) | Lighthouse | Met |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for record in run["pages"]:
        cold, warm = record["cold"], record["warm"]
        budget = BUDGET_DASHBOARD_KIB if "dashboard" in record["page"] else BUDGET_FIRST_KIB
        met = (
            cold["bytes"] / KIB <= budget
            and warm["bytes"] / KIB <= BUDGET_REPEAT_KIB
            and cold["dcl"] <= BUDGET_DCL_COLD_S
            and warm["dcl"] <= BUDGET_DCL_WARM_S
        )
        score = run["lighthouse"].get(record["page"], {}).get("performance")
        drawn = f"{cold['charts_drawn']:.2f} s" if "charts_drawn" in cold else "—"
        ttfb = f" ({warm['ttfb']:.2f} s)" if "ttfb" in warm else ""
        lines.append(
            f"| {record['page']} ({record['user']}) | {cold['bytes'] / KIB:.1f} KiB (≤ {budget}) | "
            f"{cold['requests']:.0f} | {cold['dcl']:.2f} s | {cold['load']:.2f} s | {drawn} | "
            f"{warm['bytes'] / KIB:.1f} KiB | {warm['dcl']:.2f} s{ttfb} | {score if score is not None else '—'} | "
            f"{'yes' if met else '**no**'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lighthouse", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--reuse", action="store_true", help="reuse the site an earlier run prepared")
    args = parser.parse_args()
    # A SIGTERM unwinds like Ctrl-C, so the servers this run started are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    database = Path(__file__).resolve().parent / ".data" / "browser" / "site.sqlite3"
    env = site.prepare(
        f"sqlite:///{database}", lambda line: print(line, file=sys.stderr), name="browser", reuse=args.reuse
    )
    page_list = pages(env)
    cookies = site.session_cookies(env, sorted({user for _n, user, _p in page_list if user}))
    base = f"http://127.0.0.1:{PORT}"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    before = site.machine()
    with site.gunicorn(env, PORT, workers=2):
        results = measure(base, cookies, page_list, args.runs)
        scores = lighthouse(base, cookies, page_list) if args.lighthouse else {}
    run = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": before,
        "load_after": site.machine()["load_average"],
        "runs": args.runs,
        "commit": commit,
        "pages": results,
        "lighthouse": scores,
    }
    if args.json:
        args.json.write_text(json.dumps(run, ensure_ascii=False, indent=1) + "\n")
    print(table(run))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--table":
        print(table(json.loads(Path(sys.argv[2]).read_text())))
    else:
        main()
