"""The browser board under load: 200 rooms with live agents, what Chromium shows and when.

    .venv/bin/python benchmarks/web_board.py [--rooms 200] [--events 300] [--boards 20]
                                             [--soak-minutes 10] [--event-every-s 10]

Starts a real controller process with its HTTP side (loopback, --insecure-dev), creates and
enrolls N rooms and runs N agents in this process (benchmarks/rooms_load.py's raw Connect
streams: heartbeat every second, a door toggled every ~--event-every-s per room). Debian's
Chromium (Playwright) then measures:

- event -> tile repainted: a SetRoomState over gRPC (ktvctl's path) at a known time, to the
  MutationObserver record of that tile's data-state in the page, and to the next animation
  frame after it (when the browser paints); clocks of page and script are aligned first;
- board page load to interactive on loopback: navigation start -> every tile drawn and the
  stream live (performance.now() in the page), median of 5 cold pages;
- JS+CSS bytes gzipped that the desk board and the wall page load (the files the page
  fetched, gzip level 6 as a web server would send them);
- controller RSS with --boards open boards (pages in one Chromium, each its own stream);
- the wall page's JS heap (after a forced GC), DOM nodes and listeners sampled every 30 s
  while events flow for --soak-minutes.
Prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from rooms_load import Stats, agent, percentile, rss_mb

from ktv.v1 import auth_pb2, rooms_pb2
from tests.support.controller import launch
from tests.web.venue import read_web_addr, venue_toml

DIST = Path(__file__).resolve().parents[1] / "controller" / "web" / "ui" / "dist"
MANAGER = ("m1", "2222")
ALL_DRAWN = """n => document.querySelectorAll('[data-test="tile"]').length >= n
  && document.querySelector('[data-test="live"]')?.dataset.live === '1'"""
# In every page, from its first script: the moment (performance.now()) when every tile is
# drawn and the stream is live, watched by a MutationObserver (no polling granularity).
READY_PROBE = """(() => {
  const check = () => {
    if (window.__readyAt) return
    const live = document.querySelector('[data-test="live"]')?.dataset.live === '1'
    const n = document.querySelectorAll('[data-test="tile"]').length
    if (live && n >= (window.__expectTiles || 1)) window.__readyAt = performance.now()
  }
  const all = { subtree: true, childList: true, attributes: true }
  new MutationObserver(check).observe(document, all)
})()"""
# The page's EventSource, wrapped before the app starts: when each change arrived and the
# server's send_time on it (splits the latency into controller -> page and page -> DOM).
ARRIVALS = """(() => {
  window.__arrivals = []
  const Original = window.EventSource
  window.EventSource = class extends Original {
    constructor(...args) {
      super(...args)
      window.__streamAt = window.__streamAt || performance.now()
      this.addEventListener('snapshot', () => {
        window.__snapshotAt = window.__snapshotAt || performance.now()
      })
      this.addEventListener('change', (ev) => {
        const t = performance.timeOrigin + performance.now()
        const msg = JSON.parse(ev.data)
        for (const r of msg.rooms || []) {
          const mark = { room: r.name.slice(6), state: r.state, t, sent: msg.send_time }
          if (window.__arrivals.length < 100000) window.__arrivals.push(mark)
        }
      })
    }
  }
})()"""
OBSERVE = """() => {
  window.__marks = []
  new MutationObserver((records) => {
    const t = performance.timeOrigin + performance.now()
    for (const r of records) {
      const el = r.target
      const mark = { room: el.dataset.room, state: el.dataset.state, t, paint: 0 }
      if (window.__marks.length < 100000) window.__marks.push(mark)
      requestAnimationFrame(() => { mark.paint = performance.timeOrigin + performance.now() })
    }
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-state'] })
}"""


def clock_offset_s(page) -> float:  # type: ignore[no-untyped-def]
    """page clock - this process's clock, from the tightest of 20 round trips."""
    best = (float("inf"), 0.0)
    for _ in range(20):
        t0 = time.time()
        t_page = page.evaluate("performance.timeOrigin + performance.now()") / 1000
        t1 = time.time()
        best = min(best, (t1 - t0, t_page - (t0 + t1) / 2))
    return best[1]


def gz_bytes(page, base: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(files, gzipped bytes) of the JS and CSS the page loaded from the app."""
    urls = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"
        ".concat([location.origin + '/index.html'])"
    )
    total = files = 0
    for url in set(urls):
        path = urlparse(url).path
        if not path.endswith((".js", ".css", ".html")) or not url.startswith(base):
            continue
        local = DIST / path.lstrip("/")
        if local.is_file():
            total += len(gzip.compress(local.read_bytes(), compresslevel=6))
            files += 1
    return files, total


class Agents:
    """The N agents on an asyncio loop in a thread (the browser's driver is synchronous)."""

    def __init__(self, address: str, tokens: dict[str, str], event_every_s: float) -> None:
        self.stats = Stats()
        self.loop = asyncio.new_event_loop()
        self.stop_event: asyncio.Event | None = None
        self.thread = threading.Thread(
            target=self.loop.run_until_complete,
            args=(self._main(address, tokens, event_every_s),),
            daemon=True,
        )
        self.thread.start()

    async def _main(self, address: str, tokens: dict[str, str], every_s: float) -> None:
        self.stop_event = asyncio.Event()
        await asyncio.gather(
            *(
                agent(address, t, r, self.stats, self.stop_event, every_s)
                for r, t in tokens.items()
            ),
            return_exceptions=True,
        )

    def stop(self) -> None:
        if self.stop_event is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--events", type=int, default=300, help="state changes timed")
    parser.add_argument("--boards", type=int, default=20)
    parser.add_argument("--soak-minutes", type=float, default=10.0)
    parser.add_argument("--event-every-s", type=float, default=10.0, help="door toggles per room")
    args = parser.parse_args()

    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
    from rich.progress import Progress

    result: dict[str, object] = {}

    class Noted(dict):  # each number is printed as soon as it is known
        def __setitem__(self, key: str, value: object) -> None:
            super().__setitem__(key, value)
            print(f"  {key}: {value}", file=sys.stderr, flush=True)

    result = Noted()
    with tempfile.TemporaryDirectory(prefix="ktv-web-bench-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        venue_id = f"bench-{uuid.uuid4().hex[:6]}"
        config = Path(tmp) / "venue.toml"
        config.write_text(venue_toml(venue_id), encoding="utf-8")
        ctl = launch(
            data,
            [
                "--venue-config",
                str(config),
                "--venue-id",
                venue_id,
                "--no-mdns",
                "--offline-after-s",
                "10",
            ],
        )
        agents = None
        try:
            base = read_web_addr(data)["url"].rstrip("/")
            rooms = ctl.rooms()
            existing = [
                r.name.removeprefix("rooms/")
                for r in rooms.ListRooms(
                    rooms_pb2.ListRoomsRequest(page_size=1000), metadata=ctl.admin_md, timeout=10
                ).rooms
            ]
            started = time.monotonic()
            for i in range(max(0, args.rooms - len(existing))):
                ctl.add_room(f"L{i:03d}", tier="small")
            ids = [
                r.name.removeprefix("rooms/")
                for r in rooms.ListRooms(
                    rooms_pb2.ListRoomsRequest(page_size=1000), metadata=ctl.admin_md, timeout=10
                ).rooms
            ]
            tokens = {r: ctl.enroll_agent(r) for r in ids}
            ctl.add_staff(MANAGER[0], auth_pb2.ROLE_MANAGER, MANAGER[1])
            result["rooms (agents)"] = len(ids)
            result["setup (add + enroll) s"] = round(time.monotonic() - started, 1)
            agents = Agents(ctl.address, tokens, args.event_every_s)
            deadline = time.monotonic() + 60
            while True:
                listed = rooms.ListRooms(
                    rooms_pb2.ListRoomsRequest(page_size=1000), metadata=ctl.admin_md, timeout=10
                ).rooms
                if all(r.agent.online for r in listed):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("agents did not all come online")
                time.sleep(0.2)
            rss_base = rss_mb(ctl.process.pid)
            result["controller RSS, agents up, no board MB"] = round(rss_base, 1)

            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox"]
                )
                # bypass_csp: Playwright's wait_for_function evaluates its predicate with
                # eval(), which the app's Content-Security-Policy (script-src 'self') refuses
                ctx = browser.new_context(
                    viewport={"width": 1366, "height": 768}, base_url=base, bypass_csp=True
                )
                answer = ctx.request.post(
                    "/api/session",
                    data={"staff_id": MANAGER[0], "pin": MANAGER[1]},
                    headers={"origin": base},
                )
                assert answer.ok, answer.text()
                csrf = next(c["value"] for c in ctx.cookies() if c["name"] == "ktv_csrf")
                key = ctx.request.post(
                    "/api/wall-keys",
                    data={"label": "bench"},
                    headers={"origin": base, "x-csrf-token": csrf},
                )
                assert key.ok, key.text()
                wall_key = key.json()["key"]
                state_file = Path(tmp) / "session.json"
                ctx.storage_state(path=str(state_file))

                # -- load to interactive, 5 cold pages --------------------------------------
                loads, streams, snapshots = [], [], []
                probes = f"window.__expectTiles = {len(ids)};\n{READY_PROBE};\n{ARRIVALS};"
                ctx.add_init_script(probes)
                for i in range(5):
                    page = ctx.new_page()
                    page.goto("/#/")
                    page.wait_for_function("() => window.__readyAt", polling=200, timeout=60000)
                    ready, stream, snapshot = page.evaluate(
                        "[window.__readyAt, window.__streamAt, window.__snapshotAt]"
                    )
                    loads.append(ready)
                    streams.append(stream)
                    snapshots.append(snapshot)
                    if i == 0:
                        files, size = gz_bytes(page, base)
                        result["desk board JS+CSS gzipped KB (files)"] = (
                            f"{size / 1024:.1f} ({files})"
                        )
                    page.close()
                result["board load to interactive ms, median of 5 (min-max)"] = (
                    f"{statistics.median(loads):.0f} ({min(loads):.0f}-{max(loads):.0f})"
                )
                result["  app running, stream opened at ms (median)"] = (
                    f"{statistics.median(streams):.0f}"
                )
                result["  snapshot of every room received at ms (median)"] = (
                    f"{statistics.median(snapshots):.0f}"
                )

                # -- event -> tile repainted ------------------------------------------------
                desk = ctx.new_page()
                desk.bring_to_front()  # a page in the background is not painted
                desk.goto("/#/")
                desk.wait_for_function(ALL_DRAWN, arg=len(ids), polling=200, timeout=60000)
                desk.evaluate(OBSERVE)
                offset = clock_offset_s(desk)
                calls: list[tuple[str, str, float]] = []
                state = {r: rooms_pb2.ROOM_STATE_IDLE for r in ids}
                for i in range(args.events):
                    room_id = ids[(i * 7) % len(ids)]
                    target = (
                        rooms_pb2.ROOM_STATE_MAINTENANCE
                        if state[room_id] == rooms_pb2.ROOM_STATE_IDLE
                        else rooms_pb2.ROOM_STATE_IDLE
                    )
                    t_call = time.time()
                    rooms.SetRoomState(
                        rooms_pb2.SetRoomStateRequest(
                            name=f"rooms/{room_id}",
                            state=target,
                            reason="bench",
                            request_id=uuid.uuid4().hex,
                        ),
                        metadata=ctl.admin_md,
                        timeout=10,
                    )
                    state[room_id] = target
                    calls.append((room_id, rooms_pb2.RoomState.Name(target), t_call))
                    desk.wait_for_timeout(40)  # ~25 changes/s on top of the agents' doors
                desk.wait_for_timeout(2000)
                marks = desk.evaluate("window.__marks")
                arrivals = desk.evaluate("window.__arrivals")
                result["page visibility while timed"] = desk.evaluate("document.visibilityState")
                seen: dict[tuple[str, str], list[dict]] = {}
                for m in marks:
                    seen.setdefault((m["room"], m["state"]), []).append(m)
                came: dict[tuple[str, str], list[dict]] = {}
                for a in arrivals:
                    came.setdefault((a["room"], a["state"]), []).append(a)
                dom_ms, paint_ms, up_ms, in_page_ms, missing = [], [], [], [], 0
                for room_id, name, t_call in calls:
                    hits = seen.get((room_id, name)) or []
                    hit = next((m for m in hits if m["t"] / 1000 - offset >= t_call), None)
                    if hit is None:
                        missing += 1
                        continue
                    hits.remove(hit)
                    dom_ms.append((hit["t"] / 1000 - offset - t_call) * 1000)
                    if hit["paint"]:
                        paint_ms.append((hit["paint"] / 1000 - offset - t_call) * 1000)
                    # door events also bring changes with the same state: take the first
                    # message after the call that carries the new state
                    got = came.get((room_id, name)) or []
                    arrival = next(
                        (a for a in got if t_call <= a["t"] / 1000 - offset and a["t"] <= hit["t"]),
                        None,
                    )
                    if arrival is not None:
                        got.remove(arrival)
                        in_page_ms.append(hit["t"] - arrival["t"])
                        sent = datetime.fromisoformat(arrival["sent"].replace("Z", "+00:00"))
                        up_ms.append((arrival["t"] / 1000 - offset - sent.timestamp()) * 1000)
                result["events timed (missing)"] = f"{len(dom_ms)} ({missing})"
                result["gRPC call -> tile in DOM p50 / p99 ms"] = (
                    f"{percentile(dom_ms, 0.5):.1f} / {percentile(dom_ms, 0.99):.1f}"
                )
                result["gRPC call -> next frame (repaint) p50 / p99 ms"] = (
                    f"{percentile(paint_ms, 0.5):.1f} / {percentile(paint_ms, 0.99):.1f}"
                )
                result["  max ms"] = f"{max(paint_ms or [float('nan')]):.1f}"
                result["  of which server send_time -> page receives p50 / p99 ms"] = (
                    f"{percentile(up_ms, 0.5):.1f} / {percentile(up_ms, 0.99):.1f}"
                )
                result["  of which page receives -> tile in DOM p50 / p99 ms"] = (
                    f"{percentile(in_page_ms, 0.5):.1f} / {percentile(in_page_ms, 0.99):.1f}"
                )
                desk.close()

                ctx.close()

                # -- wall page soak -----------------------------------------------------------
                wall_ctx = browser.new_context(
                    viewport={"width": 1920, "height": 1080}, base_url=base, bypass_csp=True
                )
                wall = wall_ctx.new_page()
                wall.goto(f"/#/wall?wall={wall_key}")
                wall.wait_for_function(ALL_DRAWN, arg=len(ids), polling=200, timeout=60000)
                files, size = gz_bytes(wall, base)
                result["wall page JS+CSS gzipped KB (files)"] = f"{size / 1024:.1f} ({files})"
                cdp = wall_ctx.new_cdp_session(wall)
                cdp.send("Performance.enable")
                samples = []
                t0 = time.monotonic()
                flips = 0
                next_sample = t0
                progress = Progress(transient=True)
                progress.start()
                soak = progress.add_task("wall soak", total=args.soak_minutes * 60)
                while True:
                    now = time.monotonic()
                    progress.update(soak, completed=now - t0)
                    if now >= next_sample:
                        cdp.send("HeapProfiler.collectGarbage")
                        m = {
                            x["name"]: x["value"]
                            for x in cdp.send("Performance.getMetrics")["metrics"]
                        }
                        samples.append(
                            (
                                (now - t0) / 60,
                                m["JSHeapUsedSize"] / 1e6,
                                int(m["Nodes"]),
                                int(m["JSEventListeners"]),
                                rss_mb(ctl.process.pid),
                            )
                        )
                        next_sample += 30
                        if now - t0 >= args.soak_minutes * 60:
                            break
                    room_id = ids[flips % len(ids)]
                    target = (
                        rooms_pb2.ROOM_STATE_MAINTENANCE
                        if state[room_id] == rooms_pb2.ROOM_STATE_IDLE
                        else rooms_pb2.ROOM_STATE_IDLE
                    )
                    rooms.SetRoomState(
                        rooms_pb2.SetRoomStateRequest(
                            name=f"rooms/{room_id}",
                            state=target,
                            reason="soak",
                            request_id=uuid.uuid4().hex,
                        ),
                        metadata=ctl.admin_md,
                        timeout=10,
                    )
                    state[room_id] = target
                    flips += 1
                    wall.wait_for_timeout(200)
                progress.stop()
                live = wall.evaluate("document.querySelector('[data-test=\"live\"]').dataset.live")
                first, last = samples[1] if len(samples) > 1 else samples[0], samples[-1]
                result["wall soak minutes (state changes + door events/s)"] = (
                    f"{samples[-1][0]:.1f} ({flips} + ~{len(ids) / args.event_every_s:.0f}/s)"
                )
                result["wall JS heap after GC MB: at 0.5 min -> end (max)"] = (
                    f"{first[1]:.2f} -> {last[1]:.2f} ({max(s[1] for s in samples):.2f})"
                )
                result["wall DOM nodes: at 0.5 min -> end"] = f"{first[2]} -> {last[2]}"
                result["wall JS listeners: at 0.5 min -> end"] = f"{first[3]} -> {last[3]}"
                result["controller RSS during soak MB: start -> end"] = (
                    f"{first[4]:.0f} -> {last[4]:.0f}"
                )
                result["wall still live at the end"] = live == "1"
                wall_ctx.close()

                # -- N open boards ----------------------------------------------------------
                # a fresh sign-in: the first one went idle during a soak longer than the
                # session's idle timeout (15 min), and boards would land on the sign-in page
                fresh = browser.new_context(base_url=base)
                answer = fresh.request.post(
                    "/api/session",
                    data={"staff_id": MANAGER[0], "pin": MANAGER[1]},
                    headers={"origin": base},
                )
                assert answer.ok, answer.text()
                fresh.storage_state(path=str(state_file))
                fresh.close()
                before = rss_mb(ctl.process.pid)
                boards = []
                # one browser context each: Chromium keeps at most 6 HTTP/1.1 connections
                # per host in a profile and every open board holds one for its stream
                for _ in range(args.boards):
                    board_ctx = browser.new_context(
                        viewport={"width": 1366, "height": 768},
                        base_url=base,
                        storage_state=str(state_file),
                        bypass_csp=True,
                    )
                    page = board_ctx.new_page()
                    page.goto("/#/")
                    boards.append(page)
                deadline = time.monotonic() + 240
                drawn = 0
                for page in boards:  # a starved renderer may never answer: bounded waits
                    try:
                        left_ms = max(1000, (deadline - time.monotonic()) * 1000)
                        page.wait_for_function(
                            ALL_DRAWN, arg=len(ids), polling=1000, timeout=left_ms
                        )
                        drawn += 1
                    except PlaywrightTimeout:
                        pass
                result[f"open boards live with every tile drawn, of {args.boards}"] = drawn
                boards[0].wait_for_timeout(10_000)  # events flow to all of them
                during = rss_mb(ctl.process.pid)
                result[f"controller RSS +{args.boards} open boards MB"] = (
                    f"{during - before:+.1f} ({before:.0f} -> {during:.0f})"
                )
                for page in boards:
                    page.context.close()

                browser.close()
        finally:
            if agents is not None:
                agents.stop()
            ctl.stop()

    width = max(len(k) for k in result)
    print(
        f"\nweb_board: {args.rooms} rooms with agents (door every ~{args.event_every_s:g} s each), "
        "Debian Chromium, loopback, --insecure-dev\n"
    )
    print(f"| {'metric':<{width}} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for k, v in result.items():
        print(f"| {k:<{width}} | {v} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
