"""The room agent process of the outage soak (tests/support/outage.py), and its handle.

``python -m tests.support.outage_agent --room A08 --data-dir D --controller HOST:PORT`` runs
one real headless room agent (``build_agent`` + ``ktv-agent``'s own run loop, signal handling
and sd_notify) and answers JSON requests on stdin/stdout from a thread: emit events (from a
thread of its own, as the sensors and the core do), report the link's state and the loop's
lag, or say that the loop did not answer (frozen). A thread logs the loop thread's stack when
the loop has not run for a second. ``AgentProcess`` is the parent's end: requests, the
watchdog pings it received on its own NOTIFY_SOCKET, CPU time, SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from tests.support.controller import REPO_ROOT

REQUEST_TIMEOUT_S = 10.0  # the agent answers from a thread; a frozen loop is reported, not hung
LOOP_ANSWER_TIMEOUT_S = 3.0  # the agent's loop must run a trivial coroutine within this
WATCHDOG_USEC = 2_000_000  # the agent pings every 1 s: fine-grained gaps in the table


def _agent_main(argv: list[str]) -> int:
    """The child: one headless room agent, ``ktv-agent``'s run loop, a stdin request loop."""
    from room_agent.agent import build_agent
    from room_agent.cli import _run_agents
    from room_agent.config import AgentConfig
    from room_agent.core import ports
    from room_agent.link.discovery import parse_host_port

    p = argparse.ArgumentParser()
    p.add_argument("--room", required=True)
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--controller", required=True)
    p.add_argument("--heartbeat-interval-s", type=float, default=1.0)
    args = p.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = AgentConfig(
        room=args.room,
        data_dir=args.data_dir,
        controller=parse_host_port(args.controller),
        heartbeat_interval_s=args.heartbeat_interval_s,
        headless=True,
    )
    agent = build_agent(config)
    max_lag_ms = [0.0]
    emitted: list[str] = []
    emitted_lock = threading.Lock()
    stop_emitting = threading.Event()
    emitter: list[threading.Thread] = []

    def emit(n: int, spacing_s: float) -> None:
        started = time.monotonic()
        for i in range(n):
            if stop_emitting.is_set():
                return
            event = ports.DoorChanged(open=i % 2 == 0) if i % 3 else ports.PresenceChanged(True)
            event_id = agent.outbox.emit(event, datetime.now(UTC))
            with emitted_lock:
                emitted.append(event_id)
            pause = started + (i + 1) * spacing_s - time.monotonic()
            if pause > 0:
                stop_emitting.wait(pause)

    last_probe = [time.monotonic()]

    async def probe_lag() -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(0.05)
            max_lag_ms[0] = max(max_lag_ms[0], (time.perf_counter() - t0 - 0.05) * 1000)
            last_probe[0] = time.monotonic()

    def report_stalls(loop_thread: int) -> None:
        """Log where the loop's thread is when it has not run the probe for a second."""
        reported = 0.0
        while True:
            time.sleep(0.25)
            seen = last_probe[0]
            if time.monotonic() - seen > 1.0 and seen != reported:
                reported = seen
                frame = sys._current_frames().get(loop_thread)
                stack = "".join(traceback.format_stack(frame)) if frame else "?"
                logging.getLogger("soak").warning("event loop stalled > 1 s at:\n%s", stack)

    async def snapshot(reset_lag: bool) -> dict[str, object]:
        link = agent.link
        depth = await asyncio.to_thread(agent.outbox.depth)
        lag = max_lag_ms[0]
        if reset_lag:
            max_lag_ms[0] = 0.0
        return {
            "online": link.online.is_set(),
            "state": link.state.value,
            "connections": link.connections,
            "depth": depth,
            "max_lag_ms": round(lag, 1),
        }

    def answer(loop: asyncio.AbstractEventLoop, request: dict) -> dict[str, object]:
        do = request.get("do")
        if do == "emit":
            stop_emitting.clear()
            thread = threading.Thread(
                target=emit, args=(int(request["n"]), float(request["spacing_s"])), daemon=True
            )
            emitter[:] = [thread]
            thread.start()
            return {"ok": True}
        if do == "emitting":
            return {"ok": True, "running": any(t.is_alive() for t in emitter)}
        if do == "emitted":  # ids emitted since the last call (the emitter stops first)
            if request.get("stop"):
                stop_emitting.set()
                for thread in emitter:
                    thread.join(30)
            with emitted_lock:
                ids, emitted[:] = list(emitted), []
            return {"ok": True, "ids": ids, "running": any(t.is_alive() for t in emitter)}
        if do == "state":
            future = asyncio.run_coroutine_threadsafe(
                snapshot(bool(request.get("reset_lag"))), loop
            )
            try:
                return {"ok": True, **future.result(LOOP_ANSWER_TIMEOUT_S)}
            except TimeoutError:
                future.cancel()
                return {"ok": False, "frozen": True}
        return {"ok": False, "error": f"unknown request {do!r}"}

    def serve_requests(loop: asyncio.AbstractEventLoop) -> None:
        for line in sys.stdin:
            try:
                reply = answer(loop, json.loads(line))
            except Exception as exc:  # report, never die: the parent decides
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()

    async def main() -> None:
        probe = asyncio.create_task(probe_lag())
        threading.Thread(target=report_stalls, args=(threading.get_ident(),), daemon=True).start()
        threading.Thread(
            target=serve_requests, args=(asyncio.get_running_loop(),), daemon=True
        ).start()
        try:
            await _run_agents([agent], None)
        finally:
            probe.cancel()

    try:
        asyncio.run(main())
    finally:
        stop_emitting.set()
        agent.close()
    return 0


class AgentProcess:
    """The parent's handle on the agent process: JSON requests, the watchdog pings it sent."""

    def __init__(self, data_dir: Path, room: str, controller: str, heartbeat_s: float) -> None:
        self.notify_path = data_dir / "notify.sock"
        data_dir.mkdir(parents=True, exist_ok=True)
        self._notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._notify.bind(str(self.notify_path))
        self._notify.settimeout(0.2)
        self.pings: list[float] = []  # monotonic times of WATCHDOG=1
        self._closing = threading.Event()
        self._listener = threading.Thread(target=self._listen, daemon=True)
        self._listener.start()
        self.log_path = data_dir / "agent.log"
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "NOTIFY_SOCKET": str(self.notify_path),
            "WATCHDOG_USEC": str(WATCHDOG_USEC),
        }
        env.pop("WATCHDOG_PID", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.outage_agent", "--room", room, "--data-dir",
             str(data_dir), "--controller", controller,
             "--heartbeat-interval-s", str(heartbeat_s)],
            cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env,
        )  # fmt: skip
        log.close()
        self._replies: queue.Queue[dict | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _listen(self) -> None:
        while not self._closing.is_set():
            try:
                message = self._notify.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if b"WATCHDOG=1" in message:
                self.pings.append(time.monotonic())

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._replies.put(json.loads(line))
        self._replies.put(None)

    def request(self, timeout_s: float = REQUEST_TIMEOUT_S, **request: object) -> dict:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()
        try:
            reply = self._replies.get(timeout=timeout_s)
        except queue.Empty:
            raise AssertionError(f"agent gave no answer to {request} in {timeout_s} s") from None
        if reply is None:
            raise AssertionError(f"agent exited ({self.process.poll()}): {self.log_tail()}")
        return reply

    def state(self, *, reset_lag: bool = False) -> dict:
        return self.request(do="state", reset_lag=reset_lag)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def cpu_s(self) -> float:
        """CPU time the agent process used so far (user + system), read from /proc: it is
        right even when the agent's loop no longer answers."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def max_ping_gap_s(self, since: float) -> float:
        """Longest silence between watchdog pings since ``since`` (monotonic), up to now."""
        times = [since, *(t for t in list(self.pings) if t >= since), time.monotonic()]
        return max(b - a for a, b in itertools.pairwise(times))

    def stop(self, timeout_s: float = 15.0) -> int | None:
        """SIGTERM, as systemd stops it; None when it ignored SIGTERM (then it is killed)."""
        code: int | None = None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        else:
            code = self.process.returncode
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        self._closing.set()
        self._listener.join(5)
        self._notify.close()
        return code


if __name__ == "__main__":
    sys.exit(_agent_main(sys.argv[1:]))
