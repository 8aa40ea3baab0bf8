"""The live room board: the controller's authority on every room's state.

``RoomBoard`` keeps each room's :class:`RoomView` in memory, writes every business change to
the store in a short transaction, and after the commit tells watchers (WatchRooms) and sends
commands down the room's link. Heartbeats only touch memory (200 rooms beating every second
must not each become a write); the agent's status is written when it flips online/offline.

Call it from the event loop thread. Billing opens and closes sessions with
:meth:`RoomBoard.session_opened` / :meth:`RoomBoard.session_closed` inside its own
``store.transaction()``: the room row is written in that transaction and the board, the
watchers and the room's agent hear about it only once it commits.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from controller.rooms import commands
from controller.rooms.alerts import compute_alerts
from controller.rooms.events import DoorChanged, PresenceChanged, RoomEvent
from controller.rooms.model import (
    AgentLink,
    RoomState,
    RoomView,
    check_display_name,
    check_manual_transition,
    check_room_id,
    check_session_can_close,
    check_session_can_open,
    check_tier,
)
from controller.rooms.store import RoomRecords
from controller.settings import BoardTiming, watch_queue_max_messages
from controller.store.db import Store
from ktv.errors import AlreadyExists, InvalidArgument, NotFound

EMERGENCY_FLAG = "emergency"


def utc_now() -> datetime:
    return datetime.now(UTC)


class CommandSink(Protocol):
    """One connected agent's stream, as the board sees it."""

    def deliver(self, command: commands.RoomCommand) -> None: ...

    def replaced(self) -> None:
        """A newer connection for the same room took over: end this one."""

    def shutting_down(self) -> None:
        """The controller is stopping: end this stream."""


@dataclass(frozen=True)
class Emergency:
    active: bool = False
    message: str = ""


@dataclass(frozen=True)
class AgentWelcome:
    room: RoomView
    emergency: Emergency


class BoardWatcher:
    """A WatchRooms subscriber: changed rooms in order; ``None`` when the stream must end."""

    def __init__(self, board: RoomBoard, snapshot: list[RoomView]) -> None:
        self._board = board
        self.snapshot = snapshot
        self._queue: asyncio.Queue[RoomView | None] = asyncio.Queue(watch_queue_max_messages)
        self.overflowed = False

    def push(self, room: RoomView | None) -> None:
        try:
            self._queue.put_nowait(room)
        except asyncio.QueueFull:
            self.overflowed = True
            self._board.unwatch(self)

    async def next_change(self) -> RoomView | None:
        if self.overflowed:
            return None
        return await self._queue.get()

    def close(self) -> None:
        self._board.unwatch(self)


class RoomBoard:
    def __init__(
        self,
        store: Store,
        *,
        tiers: tuple[str, ...],
        timing: BoardTiming | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.records = RoomRecords(store)
        self.tiers = tiers
        self.timing = timing or BoardTiming()
        self.clock = clock
        self._rooms: dict[str, RoomView] = {}
        self._links: dict[str, CommandSink] = {}
        self._watchers: set[BoardWatcher] = set()
        self.emergency = Emergency()

    # --- start-up -----------------------------------------------------------------------
    def load(self) -> None:
        """Read every room; no agent is connected yet, so online ones are marked offline."""
        now = self.clock()
        with self.store.transaction():
            for room in self.records.load_all():
                if room.agent.online:
                    room = room.bumped(agent=replace(room.agent, online=False, status_since=now))
                    self.records.save(room)
                self._rooms[room.room_id] = self._with_alerts(room, now)
        flag = self.records.get_flag(EMERGENCY_FLAG)
        if flag:
            data = json.loads(flag)
            self.emergency = Emergency(bool(data["active"]), str(data["message"]))

    # --- reads ----------------------------------------------------------------------------
    def rooms(self) -> list[RoomView]:
        return [self._rooms[k] for k in sorted(self._rooms)]

    def get(self, room_id: str) -> RoomView:
        room = self._rooms.get(room_id)
        if room is None:
            raise NotFound(f"rooms/{room_id} does not exist", reason="ROOM_NOT_FOUND")
        return room

    def is_connected(self, room_id: str) -> bool:
        return room_id in self._links

    # --- configuration --------------------------------------------------------------------
    def create_room(self, room_id: str, display_name: str, tier: str) -> RoomView:
        check_room_id(room_id)
        check_tier(tier, self.tiers)
        display_name = check_display_name(display_name) or room_id
        if room_id in self._rooms:
            raise AlreadyExists(f"rooms/{room_id} already exists", reason="ROOM_EXISTS")
        now = self.clock()
        room = RoomView(
            room_id=room_id,
            display_name=display_name,
            tier=tier,
            state=RoomState.IDLE,
            state_since=now,
            created_at=now,
            agent=AgentLink(status_since=now),
        )
        with self.store.transaction():
            self.records.insert(room)
            self.store.after_commit(lambda: self._install(room, now))
        return self._with_alerts(room, now)

    def update_room(self, room_id: str, display_name: str = "", tier: str = "") -> RoomView:
        room = self.get(room_id)
        changes: dict[str, object] = {}
        if display_name:
            changes["display_name"] = check_display_name(display_name) or room.display_name
        if tier:
            changes["tier"] = check_tier(tier, self.tiers)
        if not changes:
            raise InvalidArgument(
                "nothing to update: give a display name or a tier", reason="EMPTY_UPDATE"
            )
        return self._commit(room.bumped(**changes))

    def set_state(self, room_id: str, target: RoomState, reason: str = "") -> RoomView:
        room = self.get(room_id)
        check_manual_transition(room_id, room.state, target)
        if room.state is target:
            return room
        now = self.clock()
        new = room.bumped(state=target, state_since=now)
        return self._commit(new, [commands.StateChanged(target)])

    # --- sessions (called by billing inside its transaction) ------------------------------
    def session_opened(
        self,
        room_id: str,
        session: str,
        *,
        open_time: datetime | None = None,
        end_time: datetime | None = None,
        guest_count: int = 0,
    ) -> RoomView:
        room = self.get(room_id)
        check_session_can_open(room)
        if not session:
            raise InvalidArgument("session name is required", reason="BAD_SESSION")
        now = self.clock()
        opened = open_time or now
        new = room.bumped(
            state=RoomState.IN_USE,
            state_since=now,
            session=session,
            session_end=end_time,
            running_total_fen=0,
        )
        body = commands.OpenSession(session, opened, end_time, guest_count)
        return self._commit(new, [body, commands.StateChanged(RoomState.IN_USE)])

    def session_closed(self, room_id: str, session: str) -> RoomView:
        room = self.get(room_id)
        check_session_can_close(room, session)
        now = self.clock()
        new = room.bumped(
            state=RoomState.CLEANING,
            state_since=now,
            session="",
            session_end=None,
            running_total_fen=0,
        )
        body = commands.CloseSession(session)
        return self._commit(new, [body, commands.StateChanged(RoomState.CLEANING)])

    def set_running_total(self, room_id: str, running_total_fen: int) -> RoomView:
        room = self.get(room_id)
        if room.running_total_fen == running_total_fen:
            return room
        return self._commit(room.bumped(running_total_fen=running_total_fen))

    def set_session_end(self, room_id: str, end_time: datetime | None) -> RoomView:
        """Billing sold more time (续钟): the board shows the new end of the session."""
        room = self.get(room_id)
        if room.session_end == end_time:
            return room
        return self._commit(room.bumped(session_end=end_time))

    # --- commands and emergency -----------------------------------------------------------
    def send(self, room_id: str, body: commands.CommandBody) -> bool:
        """Send a command to the room's agent now; False if it is not connected."""
        self.get(room_id)
        sink = self._links.get(room_id)
        if sink is None:
            return False
        sink.deliver(commands.RoomCommand(body))
        return True

    def set_emergency(self, active: bool, message: str) -> int:
        """Venue-wide emergency stop; returns how many connected rooms were told now."""
        message = message.strip()
        if active and not message:
            raise InvalidArgument(
                "an emergency needs a message for the rooms", reason="EMPTY_MESSAGE"
            )
        state = Emergency(active, message if active else "")
        with self.store.transaction():
            self.records.set_flag(
                EMERGENCY_FLAG,
                json.dumps({"active": state.active, "message": state.message}),
                self.clock(),
            )
        self.emergency = state
        body = commands.EmergencyStop(state.active, state.message)
        for sink in list(self._links.values()):
            sink.deliver(commands.RoomCommand(body))
        return len(self._links)

    # --- the link -------------------------------------------------------------------------
    def attach_agent(
        self, room_id: str, version: str, peer: str, sink: CommandSink
    ) -> AgentWelcome:
        room = self.get(room_id)
        old = self._links.get(room_id)
        self._links[room_id] = sink
        if old is not None and old is not sink:
            old.replaced()
        now = self.clock()
        agent = AgentLink(
            online=True,
            last_seen=now,
            version=version,
            peer=peer,
            status_since=room.agent.status_since if room.agent.online else now,
        )
        room = self._commit(room.bumped(agent=agent))
        return AgentWelcome(room, self.emergency)

    def detach_agent(self, room_id: str, sink: CommandSink) -> None:
        """The stream ended. The room goes offline when its heartbeat times out."""
        if self._links.get(room_id) is sink:
            del self._links[room_id]

    def agent_seen(self, room_id: str, sink: CommandSink) -> None:
        if self._links.get(room_id) is not sink:
            return
        room = self._rooms[room_id]
        now = self.clock()
        if room.agent.online:
            self._rooms[room_id] = replace(room, agent=replace(room.agent, last_seen=now))
            return
        agent = replace(room.agent, online=True, last_seen=now, status_since=now)
        self._commit(room.bumped(agent=agent))

    def record_event(self, event: RoomEvent, sink: CommandSink | None = None) -> bool:
        """Store the event once (True if new) and apply sensor changes to the board."""
        room = self.get(event.room_id)
        now = self.clock()
        occur = min(event.occur_time, now)
        new_room = self._apply_sensor(room, event.payload, occur)
        with self.store.transaction():
            is_new = self.records.add_event(event, now)
            if is_new and new_room is not room:
                self.records.save(new_room)
                self.store.after_commit(lambda: self._install(new_room, now))
        if sink is not None:
            self.agent_seen(event.room_id, sink)
        return is_new

    @staticmethod
    def _apply_sensor(room: RoomView, payload: object, occur: datetime) -> RoomView:
        sensors = room.sensors
        if isinstance(payload, DoorChanged):
            if sensors.door_since is not None and occur < sensors.door_since:
                return room  # an older event delivered late: the newer one stands
            if sensors.door_open == payload.open and sensors.door_since is not None:
                return room
            return room.bumped(sensors=replace(sensors, door_open=payload.open, door_since=occur))
        if isinstance(payload, PresenceChanged):
            if sensors.presence_since is not None and occur < sensors.presence_since:
                return room
            if sensors.occupied == payload.present and sensors.presence_since is not None:
                return room
            return room.bumped(
                sensors=replace(sensors, occupied=payload.present, presence_since=occur)
            )
        return room

    # --- time -------------------------------------------------------------------------------
    def tick(self) -> None:
        """Mark silent agents offline and refresh time-based alerts (call every ~0.5 s)."""
        now = self.clock()
        limit = timedelta(seconds=self.timing.offline_after_s)
        for room_id in list(self._rooms):
            room = self._rooms[room_id]
            seen = room.agent.last_seen
            if room.agent.online and seen is not None and now - seen > limit:
                agent = replace(room.agent, online=False, status_since=now)
                self._commit(room.bumped(agent=agent))
                continue
            alerts = self._with_alerts(room, now).alerts
            if alerts != room.alerts:
                self._install(room.bumped(alerts=alerts), now)

    # --- watchers ---------------------------------------------------------------------------
    def watch(self) -> BoardWatcher:
        watcher = BoardWatcher(self, self.rooms())
        self._watchers.add(watcher)
        return watcher

    def unwatch(self, watcher: BoardWatcher) -> None:
        self._watchers.discard(watcher)

    @property
    def watcher_count(self) -> int:
        return len(self._watchers)

    def close(self) -> None:
        """End every watcher and every agent stream (server shutdown)."""
        for watcher in list(self._watchers):
            watcher.push(None)
        self._watchers.clear()
        for sink in list(self._links.values()):
            sink.shutting_down()
        self._links.clear()

    # --- internals --------------------------------------------------------------------------
    def _with_alerts(self, room: RoomView, now: datetime) -> RoomView:
        alerts = compute_alerts(
            room, now, nobody_present_after_s=self.timing.nobody_present_after_s
        )
        return room if alerts == room.alerts else replace(room, alerts=alerts)

    def _commit(self, room: RoomView, bodies: list[commands.CommandBody] | None = None) -> RoomView:
        now = self.clock()
        with self.store.transaction():
            self.records.save(room)
            self.store.after_commit(lambda: self._install(room, now, bodies or []))
        return self._with_alerts(room, now)

    def _install(
        self, room: RoomView, now: datetime, bodies: list[commands.CommandBody] | None = None
    ) -> None:
        room = self._with_alerts(room, now)
        self._rooms[room.room_id] = room
        for watcher in list(self._watchers):
            watcher.push(room)
        sink = self._links.get(room.room_id)
        if sink is not None:
            for body in bodies or []:
                sink.deliver(commands.RoomCommand(body))
