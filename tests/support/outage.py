"""Controller outages against a real room agent process: the soak of benchmarks/outage_soak.py
and of tests/room_agent/link/test_outage_soak.py.

    with OutageSoak(tmp_path, heartbeat_interval_s=1) as soak:
        result = soak.round(1, outage_s=3, events=200, how="kill")   # one outage, checked
        result.ok, result.problems

The controller is the real ``python -m controller serve`` process (tests/support/controller),
stopped (SIGKILL or SIGTERM) and started again on the same port. The agent is the real
headless agent in a process of its own (tests/support/outage_agent.py); its NOTIFY_SOCKET is a
datagram socket here, so the soak also sees whether the agent's event loop kept feeding the
watchdog.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.controller import RunningController, launch
from tests.support.outage_agent import AgentProcess

UNIT_WATCHDOG_S = 30.0  # systemd/ktv-agent.service WatchdogSec: a longer silence = a restart


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
