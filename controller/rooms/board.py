"""The live room board: the controller's authority on every room's state.

``RoomBoard`` keeps each room's :class:`BoardRoom` in memory, writes every business change to
the store in a short transaction, and after the commit tells watchers (WatchRooms) and sends
commands down the room's link. Heartbeats only touch memory (200 rooms beating every second
must not each become a write); the agent's status is written when it flips online/offline.

Call it from the event loop thread. Billing opens and closes sessions with
:meth:`RoomBoard.session_opened` / :meth:`RoomBoard.session_closed` inside its own
``store.transaction()``: the room row is written in that transaction and the board, the
watchers and the room's agent hear about it only once it commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from controller.rooms import commands
from controller.rooms.alerts import compute_alerts
from controller.rooms.events import RoomEvent
from controller.rooms.model import (
    AgentLink,
    BoardRoom,
    PowerMode,
    RoomLayout,
    RoomLock,
    RoomState,
    check_acknowledgeable,
    check_display_name,
    check_lock,
    check_lockable,
    check_manual_transition,
    check_not_locked,
    check_room_id,
    check_session_can_close,
    check_session_can_open,
    check_tier,
)
from controller.rooms.sensors import apply_sensor_event
from controller.rooms.store import RoomRecords
from controller.rooms.watch import BoardWatcher
from controller.settings import BoardTiming
from controller.store.db import Store
from ktv import room_link
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


class GuestLinks(Protocol):
    """What the guests' side offers the board (installed by ``controller.guests``): the URL a
    room's QR code shows for a session, and what an agent says about its queue."""

    def url_for(self, room_id: str, session: str) -> str:
        """The room's guest URL for ``session`` (a code issued if it has none); "" for none."""

    def queue_reported(self, room_id: str, snapshot: room_link.QueueSnapshot) -> None: ...

    def command_answered(self, room_id: str, command_id: str, ok: bool, error: str) -> None: ...


@dataclass(frozen=True)
class Emergency:
    active: bool = False
    message: str = ""


@dataclass(frozen=True)
class AgentWelcome:
    room: BoardRoom
    emergency: Emergency
    offline_after_s: float  # silence after which this agent counts as offline


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
        self._rooms: dict[str, BoardRoom] = {}
        self._links: dict[str, CommandSink] = {}
        self._offline_after_s: dict[str, float] = {}  # per agent, from its hello
        self._watchers: set[BoardWatcher] = set()
        self.emergency = Emergency()
        self.guest_links: GuestLinks | None = None  # set by controller.guests when composed

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
    def rooms(self) -> list[BoardRoom]:
        return [self._rooms[k] for k in sorted(self._rooms)]

    def get(self, room_id: str) -> BoardRoom:
        room = self._rooms.get(room_id)
        if room is None:
            raise NotFound(f"rooms/{room_id} does not exist", reason="ROOM_NOT_FOUND")
        return room

    def is_connected(self, room_id: str) -> bool:
        return room_id in self._links

    # --- configuration --------------------------------------------------------------------
    def create_room(self, room_id: str, display_name: str, tier: str) -> BoardRoom:
        check_room_id(room_id)
        check_tier(tier, self.tiers)
        display_name = check_display_name(display_name) or room_id
        if room_id in self._rooms:
            raise AlreadyExists(f"rooms/{room_id} already exists", reason="ROOM_EXISTS")
        now = self.clock()
        room = BoardRoom(
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

    def update_room(self, room_id: str, display_name: str = "", tier: str = "") -> BoardRoom:
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

    def set_state(
        self, room_id: str, target: RoomState, reason: str = "", actor: str = ""
    ) -> BoardRoom:
        """Staff moves (maintenance, reserve, cleaning done); logged with who and why."""
        room = self.get(room_id)
        check_manual_transition(room_id, room.state, target)
        if room.state is target:
            return room
        now = self.clock()
        new = room.bumped(state=target, state_since=now)
        return self._commit(new, [commands.RoomStateChanged(target)], reason=reason, actor=actor)

    # --- sessions (called by billing inside its transaction) ------------------------------
    def session_opened(
        self,
        room_id: str,
        session: str,
        *,
        open_time: datetime | None = None,
        end_time: datetime | None = None,
        guest_count: int = 0,
        actor: str = "billing",
        continues_after_end: bool | None = None,
    ) -> BoardRoom:
        room = self.get(room_id)
        check_session_can_open(room, self.clock())
        if not session:
            raise InvalidArgument("session name is required", reason="BAD_SESSION")
        now = self.clock()
        opened = open_time or now
        new = room.bumped(
            state=RoomState.IN_USE,
            state_since=now,
            session=session,
            session_ends_at=end_time,
            session_continues=continues_after_end,
            running_total_fen=0,
            guest_count=guest_count,
        )
        body = commands.SessionOpened(
            session,
            opened,
            end_time,
            guest_count,
            continues_after_end,
            self.guest_url(room_id, session),
        )
        return self._commit(
            new,
            [body, commands.RoomStateChanged(RoomState.IN_USE)],
            reason=f"session {session} opened",
            actor=actor,
        )

    def session_closed(self, room_id: str, session: str, *, actor: str = "billing") -> BoardRoom:
        room = self.get(room_id)
        check_session_can_close(room, session)
        now = self.clock()
        new = room.bumped(
            state=RoomState.CLEANING,
            state_since=now,
            session="",
            session_ends_at=None,
            session_continues=None,
            running_total_fen=0,
            guest_count=0,
        )
        body = commands.SessionClosed(session)
        return self._commit(
            new,
            [body, commands.RoomStateChanged(RoomState.CLEANING)],
            reason=f"session {session} closed",
            actor=actor,
        )

    def set_running_total(
        self, room_id: str, running_total_fen: int, guest_count: int | None = None
    ) -> BoardRoom:
        room = self.get(room_id)
        guests = room.guest_count if guest_count is None else guest_count
        if room.running_total_fen == running_total_fen and room.guest_count == guests:
            return room
        return self._commit(room.bumped(running_total_fen=running_total_fen, guest_count=guests))

    def check_can_open(self, room_id: str) -> None:
        """Raise (ROOM_HELD) before billing does any work for a session in a locked room;
        the state itself is checked again when the session opens."""
        check_not_locked(self.get(room_id), self.clock())

    def set_lock(
        self,
        room_id: str,
        locked: bool,
        reason: str = "",
        until: datetime | None = None,
        *,
        actor: str,
    ) -> BoardRoom:
        """锁房 / release. Locking replaces a lock in force (new reason or until); releasing
        a room that is not locked changes nothing."""
        room = self.get(room_id)
        now = self.clock()
        if not locked:
            return room if room.lock is None else self._commit(room.bumped(lock=None))
        text = check_lock(reason, until, now)
        check_lockable(room)
        since = room.lock.since if room.lock and room.lock.holds(now) else now
        return self._commit(room.bumped(lock=RoomLock(actor, text, since, until)))

    def set_layout(self, room_id: str, layout: RoomLayout) -> BoardRoom:
        """The room's place on the floor plan (drawn by the web board)."""
        room = self.get(room_id)
        if room.layout == layout:
            return room
        return self._commit(room.bumped(layout=layout))

    def set_session_end(
        self, room_id: str, end_time: datetime | None, continues_after_end: bool | None = None
    ) -> BoardRoom:
        """Billing sold more time (续钟): the board shows the new end of the session and the
        room's agent hears it (the same session with the new end: it lifts a time-up)."""
        room = self.get(room_id)
        continues = room.session_continues if continues_after_end is None else continues_after_end
        if room.session_ends_at == end_time and room.session_continues == continues:
            return room
        bodies: list[commands.CommandBody] = []
        if room.session:
            bodies.append(
                commands.SessionOpened(
                    room.session,
                    room.state_since,
                    end_time,
                    0,
                    continues,
                    self.guest_url(room_id, room.session),
                )
            )
        return self._commit(
            room.bumped(session_ends_at=end_time, session_continues=continues), bodies
        )

    def acknowledge_alert(self, room_id: str, kind: str, actor: str = "") -> BoardRoom:
        """Staff dealt with it (went to the room). Only hand-cleared kinds qualify. The
        room's screen hears it ("staff are on the way", with who acknowledged)."""
        room = self.get(room_id)
        check_acknowledgeable(kind)
        call = room.service_call
        if call is None:
            return room  # already acknowledged (by a colleague): nothing to do
        body = commands.ServiceAcknowledged(kind, actor, call.kind)
        return self._commit(room.bumped(service_call=None), [body])

    def set_power(
        self, room_id: str, mode: PowerMode, reason: str = "", actor: str = ""
    ) -> tuple[BoardRoom, bool]:
        """The desk forces the room's power on/off or hands it back (AUTO). Kept on the board
        (a reconnecting agent is told again) and sent to the agent now if it is connected;
        the tile's power changes when the agent reports the switch. Returns (room, told)."""
        room = self.get(room_id)
        why = reason.strip() or f"desk{' ' + actor if actor else ''}"
        new = room if room.power.mode is mode else room.bumped(power=replace(room.power, mode=mode))
        told = room_id in self._links
        return self._commit(new, [commands.SetPower(mode, why)]), told

    def set_health(self, room_id: str, badge: str) -> BoardRoom:
        """The device-health badge on the tile (computed by ``controller.devices``)."""
        room = self.get(room_id)
        if room.health == badge:
            return room
        return self._commit(room.bumped(health=badge))

    # --- guests' phones ----------------------------------------------------------------------
    def guest_url(self, room_id: str, session: str) -> str:
        """The URL the room's QR code shows for ``session`` ("" without the guests' side)."""
        if self.guest_links is None or not session:
            return ""
        return self.guest_links.url_for(room_id, session)

    def resend_session(self, room_id: str) -> bool:
        """Tell the room's agent its session again (the same session: a new guest URL after
        the desk revoked the code). False when no session is open or no agent is connected."""
        room = self.get(room_id)
        if not room.session:
            return False
        body = commands.SessionOpened(
            room.session,
            room.state_since,
            room.session_ends_at,
            0,
            room.session_continues,
            self.guest_url(room_id, room.session),
        )
        return self.send(room_id, body)

    def queue_reported(
        self, room_id: str, sink: CommandSink, snapshot: room_link.QueueSnapshot
    ) -> None:
        if self._links.get(room_id) is sink and self.guest_links is not None:
            self.guest_links.queue_reported(room_id, snapshot)

    def command_answered(
        self, room_id: str, sink: CommandSink, command_id: str, ok: bool, error: str
    ) -> None:
        if self._links.get(room_id) is sink and self.guest_links is not None:
            self.guest_links.command_answered(room_id, command_id, ok, error)

    # --- commands and emergency -----------------------------------------------------------
    def send(self, room_id: str, body: commands.CommandBody, command_id: str = "") -> bool:
        """Send a command to the room's agent now; False if it is not connected. A caller
        that waits for the agent's answer chooses the ``command_id``."""
        self.get(room_id)
        sink = self._links.get(room_id)
        if sink is None:
            return False
        command = commands.RoomCommand(body, command_id) if command_id else None
        sink.deliver(command or commands.RoomCommand(body))
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
        body = commands.Emergency(state.active, state.message)
        for sink in list(self._links.values()):
            sink.deliver(commands.RoomCommand(body))
        return len(self._links)

    # --- the link -------------------------------------------------------------------------
    def attach_agent(
        self,
        room_id: str,
        version: str,
        peer: str,
        sink: CommandSink,
        *,
        heartbeat_interval_s: float = 0.0,
        catalog_version: str = "",
    ) -> AgentWelcome:
        """Register a connected agent. An agent announcing slow heartbeats gets a longer
        timeout (three missed beats) so it does not flap offline between them."""
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
            catalog_version=catalog_version,
        )
        offline_after_s = max(self.timing.offline_after_s, 3 * max(heartbeat_interval_s, 0.0))
        self._offline_after_s[room_id] = offline_after_s
        forced = [] if room.power.mode is PowerMode.AUTO else [commands.SetPower(room.power.mode)]
        room = self._commit(room.bumped(agent=agent), forced)  # after the welcome, on the stream
        return AgentWelcome(room, self.emergency, offline_after_s)

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

    def agent_catalog(self, room_id: str, sink: CommandSink, catalog_version: str) -> None:
        """The agent reports the catalog version it runs (after a swap or a rollback)."""
        if self._links.get(room_id) is not sink:
            return
        room = self._rooms[room_id]
        if catalog_version and room.agent.catalog_version != catalog_version:
            self._commit(room.bumped(agent=replace(room.agent, catalog_version=catalog_version)))

    def record_event(self, event: RoomEvent, sink: CommandSink | None = None) -> bool:
        """Store the event once (True if new) and apply sensor changes to the board."""
        room = self.get(event.room_id)
        now = self.clock()
        occur = min(event.occur_time, now)
        new_room = apply_sensor_event(room, event.payload, occur)
        with self.store.transaction():
            is_new = self.records.add_event(event, now)
            if is_new and new_room is not room:
                self.records.save(new_room)
                self.store.after_commit(lambda: self._install(new_room, now))
        if sink is not None:
            self.agent_seen(event.room_id, sink)
        return is_new

    # --- time -------------------------------------------------------------------------------
    def tick(self) -> None:
        """Mark silent agents offline and refresh time-based alerts (call every ~0.5 s)."""
        now = self.clock()
        for room_id in list(self._rooms):
            room = self._rooms[room_id]
            seen = room.agent.last_seen
            limit = timedelta(
                seconds=self._offline_after_s.get(room_id, self.timing.offline_after_s)
            )
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
    def _with_alerts(self, room: BoardRoom, now: datetime) -> BoardRoom:
        alerts = compute_alerts(
            room, now, nobody_present_after_s=self.timing.nobody_present_after_s
        )
        return room if alerts == room.alerts else replace(room, alerts=alerts)

    def _commit(
        self,
        room: BoardRoom,
        bodies: list[commands.CommandBody] | None = None,
        *,
        reason: str = "",
        actor: str = "",
    ) -> BoardRoom:
        now = self.clock()
        before = self._rooms.get(room.room_id)
        with self.store.transaction():
            self.records.save(room)
            if before is not None and before.state is not room.state:
                self.records.log_state_change(
                    before, room, reason=reason, actor=actor or "controller", at=now
                )
            self.store.after_commit(lambda: self._install(room, now, bodies or []))
        return self._with_alerts(room, now)

    def _install(
        self, room: BoardRoom, now: datetime, bodies: list[commands.CommandBody] | None = None
    ) -> None:
        room = self._with_alerts(room, now)
        self._rooms[room.room_id] = room
        for watcher in list(self._watchers):
            watcher.push(room)
        sink = self._links.get(room.room_id)
        if sink is not None:
            for body in bodies or []:
                sink.deliver(commands.RoomCommand(body))
