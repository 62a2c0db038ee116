"""Capture benchmark: an activity with five 12-megapixel photos from a phone on a slow 4G link.

Both ways run in one process, one after the other, against the same server and the same five
photos, in Debian's Chromium under Chromium's own emulation of a slow 4G link (1.6 Mbit/s down,
750 kbit/s up, 150 ms round trip) and a 4x slower CPU:

- capture: the activity form of issue 15 — photos shrunk on the phone (2048 px, JPEG 0.85),
  the activity and each photo sent as its own request from the outbox;
- whole: the same form with JavaScript off, as the portal worked before — the activity posted,
  then the five originals in one multipart upload to the activity's page.

Measured: the bytes of each photo as sent (the shrunk JPEG the page made, against the original),
the number of POST requests, and the time from
tapping 保存 to 已保存 (capture: the page's status says 已保存; whole: the activity's post and then
the upload's post each until its page has loaded, the time spent choosing files left out).

It serves the embedded run (SQLite file, Celery in process) with `manage.py runserver` on port
8015 (`--port`) from a throwaway folder, seeded with the demo. Results as JSON on stdout:

    .venv/bin/python bench/capture.py > docs/benchmarks-capture.json
    .venv/bin/python bench/capture.py --photo phone.jpg > out.json   # real photos (repeat --photo)

The five photos are bench/photos.py's synthetic 12-megapixel JPEGs unless real ones are named
with --photo (fewer than five are repeated in turn): a real phone's photo, with its skies, walls
and noise reduction, is what the bytes goal is about; the synthetic one is a worst case (grain
everywhere).
"""

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.photos import photo_jpeg  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
CPU_SLOWDOWN = 4
PHOTOS = 5
PASSWORD = "dangjian2024"


def _serve(folder: Path, port: int) -> subprocess.Popen:
    env = os.environ | {
        "SQLITE_PATH": str(folder / "capture.sqlite3"),
        "MEDIA_ROOT": str(folder / "media"),
        "DJANGO_DEBUG": "1",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    subprocess.run([*manage, "seed_demo"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("runserver did not start")


def _throttle(context, page) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


def _log_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "leader1")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _fill(page, title: str) -> None:
    page.get_by_label("活动日期").fill("2024-10-15")
    page.get_by_label("活动类型").select_option(label="一对一助学")
    page.get_by_label("活动名称").fill(title)


def _files(photos: list[bytes]) -> list[dict]:
    return [
        {"name": f"IMG_{index:04d}.jpg", "mimeType": "image/jpeg", "buffer": content}
        for index, content in enumerate(photos, start=1)
    ]


def _posts(page) -> list[str]:
    """The POSTs the page sends (their bodies hold Blobs, which Playwright does not see)."""
    sent: list[str] = []
    page.on("request", lambda request: request.method == "POST" and sent.append(request.url))
    return sent


def capture_way(browser, base: str, capture_url: str, photos: list[bytes]) -> dict:
    context = browser.new_context(service_workers="block", **PHONE)
    page = context.new_page()
    page.set_default_timeout(900_000)
    _log_in(page, base)
    page.goto(capture_url)
    page.wait_for_selector("form[data-capture-ready]")
    _throttle(context, page)
    sent = _posts(page)
    _fill(page, "送教下乡：邻水县示范课（capture）")
    page.get_by_test_id("capture-files").set_input_files(_files(photos))
    started = time.monotonic()
    page.get_by_role("button", name="保存活动记录").click()
    # The photos as they will be sent: each item carries its shrunk JPEG's size once it is ready.
    page.wait_for_function(
        "count => document.querySelectorAll('[data-capture-photo][data-bytes]').length === count", arg=len(photos)
    )
    shrunk = page.eval_on_selector_all("[data-capture-photo]", "items => items.map(item => +item.dataset.bytes)")
    page.wait_for_selector("[data-capture-status][data-state=saved]", timeout=900_000)
    seconds = time.monotonic() - started
    context.close()
    return {"seconds": round(seconds, 1), "photo_bytes": shrunk, "requests": len(sent)}


def whole_way(browser, base: str, capture_url: str, photos: list[bytes]) -> dict:
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.set_default_timeout(900_000)
    _log_in(page, base)
    page.goto(capture_url)
    _throttle(context, page)
    sent = _posts(page)
    _fill(page, "送教下乡：邻水县示范课（whole）")
    started = time.monotonic()
    with page.expect_navigation(timeout=900_000):
        page.get_by_role("button", name="保存活动记录").click()
    activity_seconds = time.monotonic() - started
    page.locator("input[name=photos]").set_input_files(_files(photos))
    started = time.monotonic()
    with page.expect_navigation(timeout=900_000):
        page.get_by_role("button", name="上传照片").click()
    upload_seconds = time.monotonic() - started
    context.close()
    return {
        "seconds": round(activity_seconds + upload_seconds, 1),
        "activity_seconds": round(activity_seconds, 1),
        "upload_seconds": round(upload_seconds, 1),
        "photo_bytes": [len(photo) for photo in photos],
        "requests": len(sent),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8015)
    parser.add_argument("--photo", type=Path, action="append", default=[], help="a real JPEG (repeatable)")
    args = parser.parse_args()
    if args.photo:
        real = [path.read_bytes() for path in args.photo]
        photos = [real[index % len(real)] for index in range(PHOTOS)]
        source = [path.name for path in args.photo]
    else:
        photos = [photo_jpeg(seed=seed) for seed in range(1, PHOTOS + 1)]
        source = "bench/photos.py synthetic 4000x3000, seeds 1-5"
    with tempfile.TemporaryDirectory() as folder:
        server = _serve(Path(folder), args.port)
        try:
            base = f"http://127.0.0.1:{args.port}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                page = browser.new_page()
                _log_in(page, base)
                capture_url = base + page.get_by_test_id("action-log-activity").first.get_attribute("href")
                page.close()
                load_before = os.getloadavg()
                capture = capture_way(browser, base, capture_url, photos)
                print(json.dumps({"capture": capture}), file=sys.stderr)
                whole = whole_way(browser, base, capture_url, photos)
                load_after = os.getloadavg()
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    original = sum(len(photo) for photo in photos)
    shrunk = sum(capture["photo_bytes"])
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in load_after],
        },
        "network": SLOW_4G,
        "cpu_slowdown": CPU_SLOWDOWN,
        "photos": PHOTOS,
        "photo_source": source,
        "original_bytes": [len(photo) for photo in photos],
        "capture": capture,
        "whole": whole,
        "bytes_ratio": round(shrunk / original, 3),
        "time_ratio": round(capture["seconds"] / whole["seconds"], 3),
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
