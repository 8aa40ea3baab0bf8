"""The guest's phone page on slow venue Wi-Fi (issue 25): its first load in bytes (gzipped, as
the controller serves it) and in time under Chromium's network emulation (default 1.5 Mbit/s
both ways, 150 ms round trip; CDP Network.emulateNetworkConditions, cache disabled, a fresh
390x844 context per run). A real controller on loopback (plain HTTP) with one open room.

    .venv/bin/python benchmarks/guest_page_load.py [--runs 5] [--kbit 1500] [--rtt-ms 150]

Rows (medians and worst of the runs): bytes of each file of the first load; time to the join
form (navigation start -> the nickname box visible); time from tapping 进入包厢 to the room's
page. Targets: <= 150 KB gzipped, <= 2 s. Needs the built web app
(./run web) and Debian's Chromium. benchmarks/guest_phone.py can print these rows too:
``from benchmarks.guest_page_load import page_rows``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ktv.v1 import billing_pb2, billing_pb2_grpc  # noqa: E402
from tests.support.controller import launch  # noqa: E402
from tests.support.guest_page import FIRST_LOAD_BUDGET_GZ, first_load  # noqa: E402
from tests.support.guests import room_url  # noqa: E402
from tests.web.venue import read_web_addr  # noqa: E402

PHONE = {"width": 390, "height": 844}
TARGET_S = 2.0


def byte_rows() -> list[tuple[str, str, str]]:
    files = first_load()
    rows = [
        (f"first load: {f.name}", f"{f.raw / 1024:.1f} KB", f"{f.gz / 1024:.1f} KB gz")
        for f in files
    ]
    total_gz = sum(f.gz for f in files)
    rows.append(
        (
            "first load: total (target <= 150 KB gz)",
            f"{sum(f.raw for f in files) / 1024:.1f} KB",
            f"{total_gz / 1024:.1f} KB gz {'ok' if total_gz <= FIRST_LOAD_BUDGET_GZ else 'OVER'}",
        )
    )
    return rows


def _slow_phone(browser, base_url: str, kbit: int, rtt_ms: int):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, base_url=base_url, locale="zh-CN")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    rate = kbit * 1000 / 8  # bytes per second
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": rtt_ms, "downloadThroughput": rate, "uploadThroughput": rate},
    )
    received = []
    cdp.on("Network.loadingFinished", lambda e: received.append(e["encodedDataLength"]))
    return context, page, received


def timed_runs(base_url: str, url: str, runs: int, kbit: int, rtt_ms: int):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    to_form, to_room, wire = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            for run in range(runs):
                context, page, received = _slow_phone(browser, base_url, kbit, rtt_ms)
                started = time.perf_counter()
                page.goto(url, wait_until="commit")
                nickname = page.locator('[data-test="nickname"] input')
                expect(nickname).to_be_visible(timeout=60000)
                to_form.append(time.perf_counter() - started)
                wire.append(sum(received))
                nickname.fill(f"phone{run}")
                started = time.perf_counter()
                page.locator('[data-test="join-button"]').click()
                expect(page.locator('[data-test="room-name"]')).to_be_visible(timeout=60000)
                to_room.append(time.perf_counter() - started)
                context.close()
        finally:
            browser.close()
    return to_form, to_room, wire


def measure(runs: int = 5, kbit: int = 1500, rtt_ms: int = 150):  # type: ignore[no-untyped-def]
    """(seconds to the join form, seconds from 进入包厢 to the room's page, bytes on the wire
    to the join form), one sample per cold run, through a real controller with one open room."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        venue = Path(tmp) / "venue.toml"
        text = (ROOT / "examples" / "venue.toml").read_text(encoding="utf-8")
        venue.write_text(text.replace('provider = "terminal"', 'provider = "sandbox"'), "utf-8")
        ctl = launch(data, ["--venue-config", str(venue), "--no-mdns"])
        try:
            ctl.add_room("P01", tier="small")
            billing_pb2_grpc.BillingServiceStub(ctl.channel()).OpenSession(
                billing_pb2.OpenSessionRequest(
                    room="rooms/P01", guest_count=4, request_id=uuid.uuid4().hex
                ),
                metadata=ctl.admin_md,
                timeout=10,
            )
            base = read_web_addr(data)["url"]
            url = room_url((ctl.channel(), ctl.admin_md), "P01")
            return timed_runs(base, url, runs, kbit, rtt_ms)
        finally:
            ctl.stop()


def page_rows(runs: int = 5, kbit: int = 1500, rtt_ms: int = 150) -> list[tuple[str, str, str]]:
    rows = byte_rows()
    to_form, to_room, wire = measure(runs, kbit, rtt_ms)
    net = f"{kbit / 1000:g} Mbit/s, {rtt_ms} ms RTT, {runs} cold runs"
    median_wire = statistics.median(wire) / 1024
    rows.append(("bytes on the wire to the join form", f"{median_wire:.1f} KB", net))
    for label, samples in (
        (f"open the QR URL -> join form (target <= {TARGET_S:g} s)", to_form),
        ("tap 进入包厢 -> the room's page", to_room),
    ):
        median, worst = statistics.median(samples), max(samples)
        rows.append((label, f"p50 {median:.2f} s", f"worst {worst:.2f} s"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kbit", type=int, default=1500)
    parser.add_argument("--rtt-ms", type=int, default=150)
    args = parser.parse_args()
    rows = page_rows(args.runs, args.kbit, args.rtt_ms)
    width = max(len(r[0]) for r in rows)
    for name, a, b in rows:
        print(f"{name:<{width}}  {a:>14}  {b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
