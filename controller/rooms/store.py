"""SQLite persistence of rooms, room events and song plays (the board's adapter)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from controller.rooms.events import RoomEvent, SongPlayed
from controller.rooms.model import (
    AgentLink,
    BoardRoom,
    PowerMode,
    RoomLayout,
    RoomLock,
    RoomPower,
    RoomState,
    SensorPins,
    Sensors,
    ServiceCall,
)
from controller.store.db import Store


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class RoomRecords:
    def __init__(self, store: Store) -> None:
        self.store = store

    def load_all(self) -> list[BoardRoom]:
        rows = self.store.query("SELECT * FROM rooms ORDER BY room_id")
        return [self._view(r) for r in rows]

    def insert(self, room: BoardRoom) -> None:
        self.store.execute(
            "INSERT INTO rooms (room_id, display_name, tier, state, state_since, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                room.room_id,
                room.display_name,
                room.tier,
                room.state.value,
                _ts(room.state_since),
                _ts(room.created_at),
            ),
        )
        self.save(room)

    def save(self, room: BoardRoom) -> None:
        agent, sensors = room.agent, room.sensors
        self.store.execute(
            "UPDATE rooms SET display_name=?, tier=?, state=?, state_since=?, session=?,"
            " session_end=?, running_total_fen=?, agent_online=?, agent_last_seen=?,"
            " agent_version=?, agent_peer=?, agent_status_since=?, door_open=?, door_since=?,"
            " occupied=?, presence_since=?, revision=?, service_kind=?, service_note=?,"
            " service_since=?, session_continues=?, pins=?, power_on=?, power_scene=?,"
            " power_reason=?, power_since=?, power_load_watts=?, power_mode=?, health=?,"
            " guest_count=?, layout_floor=?, layout_column=?, layout_row=?, layout_width=?,"
            " layout_height=?, lock_by=?, lock_reason=?, lock_since=?, lock_until=?"
            " WHERE room_id=?",
            (
                room.display_name,
                room.tier,
                room.state.value,
                _ts(room.state_since),
                room.session,
                _ts(room.session_ends_at),
                room.running_total_fen,
                int(agent.online),
                _ts(agent.last_seen),
                agent.version,
                agent.peer,
                _ts(agent.status_since),
                int(sensors.door_open),
                _ts(sensors.door_since),
                int(sensors.occupied),
                _ts(sensors.presence_since),
                room.revision,
                room.service_call.kind if room.service_call else None,
                room.service_call.note if room.service_call else "",
                _ts(room.service_call.since) if room.service_call else None,
                None if room.session_continues is None else int(room.session_continues),
                room.pins.value,
                int(room.power.on),
                room.power.scene,
                room.power.reason,
                _ts(room.power.since),
                room.power.load_watts,
                room.power.mode.value,
                room.health,
                room.guest_count,
                room.layout.floor,
                room.layout.column,
                room.layout.row,
                room.layout.width,
                room.layout.height,
                room.lock.by if room.lock else None,
                room.lock.reason if room.lock else "",
                _ts(room.lock.since) if room.lock else None,
                _ts(room.lock.until) if room.lock else None,
                room.room_id,
            ),
        )

    def log_state_change(
        self, before: BoardRoom, after: BoardRoom, *, reason: str, actor: str, at: datetime
    ) -> None:
        self.store.execute(
            "INSERT INTO room_state_changes (room_id, from_state, to_state, reason, actor,"
            " changed_at) VALUES (?, ?, ?, ?, ?, ?)",
            (after.room_id, before.state.value, after.state.value, reason, actor, _ts(at)),
        )

    def add_event(self, event: RoomEvent, received_at: datetime) -> bool:
        """Store the event once; False when its event_id is already known."""
        cursor = self.store.execute(
            "INSERT OR IGNORE INTO room_events"
            " (event_id, room_id, kind, occur_time, received_at, payload)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                event.event_id,
                event.room_id,
                event.kind,
                _ts(event.occur_time),
                _ts(received_at),
                event.payload_json,
            ),
        )
        if cursor.rowcount == 0:
            return False
        if isinstance(event.payload, SongPlayed):
            play = event.payload
            self.store.execute(
                "INSERT INTO song_plays (event_id, room_id, song_id, title, session, start_time,"
                " outcome, played_ms, error, occur_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    event.event_id,
                    event.room_id,
                    play.song_id,
                    play.title,
                    play.session,
                    _ts(play.start_time),
                    play.outcome.name,  # stored upper case, as the link's enum names it
                    play.played_ms,
                    play.error,
                    _ts(event.occur_time),
                ),
            )
        return True

    def get_flag(self, key: str) -> str | None:
        row = self.store.query_one("SELECT value FROM venue_flags WHERE key = ?", (key,))
        return row["value"] if row else None

    def set_flag(self, key: str, value: str, now: datetime) -> None:
        self.store.execute(
            "INSERT INTO venue_flags (key, value, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at",
            (key, value, _ts(now)),
        )

    @staticmethod
    def _view(r: dict[str, Any]) -> BoardRoom:
        return BoardRoom(
            room_id=r["room_id"],
            display_name=r["display_name"],
            tier=r["tier"],
            state=RoomState(r["state"]),
            state_since=datetime.fromisoformat(r["state_since"]),
            created_at=datetime.fromisoformat(r["created_at"]),
            session=r["session"],
            session_ends_at=_dt(r["session_end"]),
            running_total_fen=r["running_total_fen"],
            agent=AgentLink(
                online=bool(r["agent_online"]),
                last_seen=_dt(r["agent_last_seen"]),
                version=r["agent_version"],
                peer=r["agent_peer"],
                status_since=_dt(r["agent_status_since"]),
            ),
            sensors=Sensors(
                door_open=bool(r["door_open"]),
                door_since=_dt(r["door_since"]),
                occupied=bool(r["occupied"]),
                presence_since=_dt(r["presence_since"]),
            ),
            service_call=ServiceCall(
                r["service_kind"], r["service_note"], datetime.fromisoformat(r["service_since"])
            )
            if r["service_kind"] is not None and r["service_since"]
            else None,
            session_continues=None
            if r.get("session_continues") is None
            else bool(r["session_continues"]),
            pins=SensorPins(r.get("pins") or ""),
            power=RoomPower(
                on=bool(r.get("power_on")),
                scene=r.get("power_scene") or "",
                reason=r.get("power_reason") or "",
                since=_dt(r.get("power_since")),
                load_watts=r.get("power_load_watts") or 0,
                mode=PowerMode(r.get("power_mode") or "AUTO"),
            ),
            health=r.get("health") or "",
            revision=r["revision"],
            guest_count=r.get("guest_count") or 0,
            layout=RoomLayout(
                r.get("layout_floor") or "1F",
                r.get("layout_column") or 0,
                r.get("layout_row") or 0,
                r.get("layout_width") or 1,
                r.get("layout_height") or 1,
            ),
            lock=RoomLock(
                r["lock_by"],
                r.get("lock_reason") or "",
                datetime.fromisoformat(r["lock_since"]),
                _dt(r.get("lock_until")),
            )
            if r.get("lock_by") is not None and r.get("lock_since")
            else None,
        )
