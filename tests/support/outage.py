"""Controller outages against a real room agent process: the soak of benchmarks/outage_soak.py
and of tests/room_agent/link/test_outage_soak.py.

    with OutageSoak(tmp_path, heartbeat_interval_s=1) as soak:
        result = soak.round(outage_s=3, events=200, how="kill")   # one outage, checked
        result.ok, result.problems

The controller is the real ``python -m controller serve`` process (tests/support/controller),
stopped (SIGKILL or SIGTERM) and started again on the same port. The agent is the real
headless agent (``build_agent`` + ``ktv-agent``'s own run loop, signal handling and sd_notify)
in a process of its own, run as ``python -m tests.support.outage AGENT-ARGS``; its events are
emitted on a thread of that process, as the sensors and the core do, and it answers JSON
requests on stdin/stdout. Its NOTIFY_SOCKET is a datagram socket here, so the soak also sees
whether the agent's event loop kept feeding the watchdog.
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
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tests.support.controller import REPO_ROOT, RunningController, launch

REQUEST_TIMEOUT_S = 10.0  # the agent answers from a thread; a frozen loop is reported, not hung
LOOP_ANSWER_TIMEOUT_S = 3.0  # the agent's loop must run a trivial coroutine within this
WATCHDOG_USEC = 2_000_000  # the agent pings every 1 s: fine-grained gaps in the table
UNIT_WATCHDOG_S = 30.0  # systemd/ktv-agent.service WatchdogSec: a longer silence = a restart


# --- the agent process ----------------------------------------------------------------------


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
            [sys.executable, "-m", "tests.support.outage", "--room", room, "--data-dir",
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


# --- rounds ---------------------------------------------------------------------------------


@dataclass
class RoundResult:
    number: int
    how: str  # "kill" (SIGKILL) or "term" (SIGTERM: a clean stop)
    outage_s: float = 0.0  # controller down: stop -> serving again
    emitted_outage: int = 0
    emitted_live: int = 0  # emitted while the backlog drained (the room keeps singing)
    reconnect_s: float = 0.0  # controller serving -> agent online
    drain_s: float = 0.0  # controller serving -> outbox empty
    stored: int = 0  # of this round's events, stored by the controller
    missing: int = 0
    unexpected: int = 0  # stored events for the room that the agent never emitted
    max_loop_lag_ms: float = 0.0  # the agent's event loop, over the whole round
    max_watchdog_gap_s: float = 0.0  # longest silence between WATCHDOG=1 pings
    agent_cpu_pct: float = 0.0
    board_online: bool = False  # the controller's board shows the room online afterwards
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def stored_event_ids(data_dir: Path, room_id: str) -> list[str]:
    with contextlib.closing(
        sqlite3.connect(f"file:{data_dir / 'controller.db'}?mode=ro", uri=True, timeout=10)
    ) as db:
        return [
            row[0]
            for row in db.execute("SELECT event_id FROM room_events WHERE room_id = ?", (room_id,))
        ]


class OutageSoak:
    """One controller, one room agent process, as many outage rounds as asked for."""

    def __init__(
        self,
        work_dir: Path,
        *,
        room: str = "A08",
        heartbeat_interval_s: float = 1.0,
        recovery_timeout_s: float = 120.0,
        live_spacing_s: float = 0.01,
    ) -> None:
        self.work_dir = work_dir
        self.room = room
        self.heartbeat_interval_s = heartbeat_interval_s
        self.recovery_timeout_s = recovery_timeout_s
        self.live_spacing_s = live_spacing_s
        self.venue = f"soak-{uuid.uuid4().hex[:10]}"
        self.controller_dir = work_dir / "controller"
        self.controller: RunningController | None = None
        self.agent: AgentProcess | None = None
        self.all_emitted: set[str] = set()
        self.agent_exit_code: int | None = None

    def __enter__(self) -> OutageSoak:
        from room_agent.link.credentials import AgentCredential, save_credential

        self.controller = launch(self.controller_dir, ["--venue-id", self.venue])
        try:
            self.address = self.controller.address
            self.controller.add_room(self.room)
            token = self.controller.enroll_agent(self.room)
            agent_dir = self.work_dir / "agent"
            save_credential(
                agent_dir, AgentCredential(room=f"rooms/{self.room}", agent_token=token)
            )
            self.agent = AgentProcess(agent_dir, self.room, self.address, self.heartbeat_interval_s)
            self._until(lambda: self.agent.state().get("online"), 60, "agent online")
        except BaseException:
            self.__exit__(None, None, None)  # no process left behind
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.agent is not None:
            self.agent_exit_code = self.agent.stop()
        if self.controller is not None:
            self.controller.stop()

    @staticmethod
    def _until(predicate, timeout_s: float, what: str) -> float:  # type: ignore[no-untyped-def]
        started = time.monotonic()
        while not predicate():
            if time.monotonic() - started > timeout_s:
                raise TimeoutError(f"{what}: not within {timeout_s:g} s")
            time.sleep(0.05)
        return time.monotonic() - started

    def _stop_controller(self, how: str) -> None:
        assert self.controller is not None
        if how == "term":
            self.controller.stop()
        else:
            self._kill_9(self.controller)

    @staticmethod
    def _kill_9(ctl: RunningController) -> None:
        ctl.process.send_signal(signal.SIGKILL)
        ctl.process.wait(10)

    def _collect(self) -> list[str]:
        assert self.agent is not None
        ids = self.agent.request(do="emitted", stop=True, timeout_s=60)["ids"]
        self.all_emitted.update(ids)
        return ids

    def round(self, number: int, *, outage_s: float, events: int, how: str) -> RoundResult:
        """Stop the controller, emit ``events`` during ``outage_s``, start it again, keep
        emitting until the backlog is gone; then check every event is stored once."""
        agent, result = self.agent, RoundResult(number, how)
        assert agent is not None
        first = agent.state(reset_lag=True)
        if not first.get("online") or first.get("depth"):
            result.problems.append(f"not online and drained at the start: {first}")
            return result
        round_started, cpu_before = time.monotonic(), agent.cpu_s()
        self._stop_controller(how)
        stopped_at = time.monotonic()  # the process is gone
        self._until(lambda: not agent.state().get("online"), 30, "agent noticed the outage")
        agent.request(do="emit", n=events, spacing_s=outage_s * 0.8 / max(events, 1))
        while time.monotonic() - stopped_at < outage_s:
            time.sleep(min(0.5, max(0.0, outage_s - (time.monotonic() - stopped_at))))
        with contextlib.suppress(TimeoutError):  # a loaded machine: fsyncs slower than planned
            self._until(
                lambda: not agent.request(do="emitting")["running"], outage_s, "events emitted"
            )
        outage_ids = self._collect()
        result.emitted_outage = len(outage_ids)
        if result.emitted_outage != events:
            result.problems.append(f"emitted {result.emitted_outage} of {events} in the outage")

        self.controller = launch(
            self.controller_dir, ["--venue-id", self.venue, "--listen", self.address]
        )
        serving_at = time.monotonic()
        result.outage_s = serving_at - stopped_at
        agent.request(do="emit", n=1_000_000, spacing_s=self.live_spacing_s)
        online_s = drained_s = None
        frozen = False
        while time.monotonic() - serving_at < self.recovery_timeout_s:
            state = agent.state()
            if state.get("frozen"):
                frozen = True
                break
            elapsed = time.monotonic() - serving_at
            if online_s is None and state.get("online"):
                online_s = elapsed
            if online_s is not None and state.get("depth", 99) <= 2:  # only the live trickle left
                drained_s = elapsed
                break
            time.sleep(0.05)
        live_ids = self._collect()
        result.emitted_live = len(live_ids)
        if frozen:
            result.problems.append("agent's event loop froze (no answer within 3 s)")
        elif online_s is None or drained_s is None:
            result.problems.append(
                f"not recovered within {self.recovery_timeout_s:g} s (online after {online_s})"
            )
        else:
            result.reconnect_s, result.drain_s = online_s, drained_s
            with contextlib.suppress(TimeoutError):  # the last live events
                self._until(lambda: agent.state().get("depth") == 0, 30, "outbox empty")
        end = agent.state()
        if end.get("depth"):
            result.problems.append(f"{end.get('depth')} event(s) still waiting in the outbox")
        round_ids = set(outage_ids) | set(live_ids)
        stored = stored_event_ids(self.controller_dir, self.room)
        if len(stored) != len(set(stored)):
            result.problems.append("an event id is stored twice")
        stored_set = set(stored)
        result.stored = len(round_ids & stored_set)
        result.missing = len(round_ids - stored_set)
        result.unexpected = len(stored_set - self.all_emitted)
        if result.missing or result.unexpected:
            result.problems.append(f"{result.missing} missing, {result.unexpected} unexpected")
        elapsed = time.monotonic() - round_started
        result.agent_cpu_pct = 100 * (agent.cpu_s() - cpu_before) / elapsed
        if not end.get("frozen"):
            result.max_loop_lag_ms = float(end["max_lag_ms"])
        result.max_watchdog_gap_s = agent.max_ping_gap_s(round_started)
        if result.max_watchdog_gap_s > UNIT_WATCHDOG_S:
            result.problems.append(
                f"watchdog silent for {result.max_watchdog_gap_s:.1f} s (systemd would restart)"
            )
        result.board_online = self._board_online()
        if not result.board_online:
            result.problems.append("the board shows the room offline")
        return result

    def _board_online(self) -> bool:
        from ktv.v1 import rooms_pb2

        assert self.controller is not None
        room = (
            self.controller.rooms()
            .GetRoom(
                rooms_pb2.GetRoomRequest(name=f"rooms/{self.room}"),
                metadata=self.controller.admin_md,
                timeout=10,
            )
            .room
        )
        return room.agent.online


def rounds(
    soak: OutageSoak, *, count: int, outage_s: float, events: int, how: str
) -> Iterator[RoundResult]:
    """``how``: kill, term or alternate (kill, term, kill, ...)."""
    for n in range(1, count + 1):
        this = how if how != "alternate" else ("kill" if n % 2 else "term")
        yield soak.round(n, outage_s=outage_s, events=events, how=this)


if __name__ == "__main__":
    sys.exit(_agent_main(sys.argv[1:]))
