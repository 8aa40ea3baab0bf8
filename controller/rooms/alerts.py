"""Occupancy alerts: what the front desk should look at, from state + sensors + liveness.

Pure: takes a room and the current time, returns the open alerts oldest first. Sensors never
change a room's business state or a bill; they only raise alerts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from controller.rooms.model import AlertKind, BoardRoom, RoomAlert, RoomState


def _later(*instants: datetime | None) -> datetime | None:
    known = [t for t in instants if t is not None]
    return max(known) if known else None


def compute_alerts(
    room: BoardRoom, now: datetime, *, nobody_present_after_s: float
) -> tuple[RoomAlert, ...]:
    alerts: list[RoomAlert] = []
    sensors, agent = room.sensors, room.agent
    has_session = room.state is RoomState.IN_USE

    if sensors.occupied and room.state in (RoomState.IDLE, RoomState.RESERVED):
        since = _later(sensors.presence_since, room.state_since) or now
        alerts.append(
            RoomAlert(
                AlertKind.OCCUPIED_WITHOUT_SESSION,
                f"someone is in {room.room_id} but no session is open",
                since,
            )
        )
    if has_session and not sensors.occupied:
        since = _later(sensors.presence_since, room.state_since) or now
        if now - since >= timedelta(seconds=nobody_present_after_s):
            minutes = int((now - since).total_seconds() // 60)
            alerts.append(
                RoomAlert(
                    AlertKind.NOBODY_PRESENT,
                    f"session open in {room.room_id} but nobody present for {minutes} min",
                    since,
                )
            )
    if has_session and room.session_ends_at is not None and now >= room.session_ends_at:
        over_min = int((now - room.session_ends_at).total_seconds() // 60)
        alerts.append(
            RoomAlert(
                AlertKind.TIME_UP,
                f"{room.room_id} 到钟: time is up"
                + (f" ({over_min} min over)" if over_min else ""),
                room.session_ends_at,
            )
        )
    if room.state is RoomState.CLEANING and sensors.door_open:
        since = _later(sensors.door_since, room.state_since) or now
        alerts.append(
            RoomAlert(
                AlertKind.DOOR_OPEN_WHILE_CLEANING,
                f"door of {room.room_id} opened while cleaning",
                since,
            )
        )
    if not agent.online:
        since = agent.status_since or room.created_at
        text = (
            f"agent of {room.room_id} offline"
            if agent.last_seen is not None
            else f"agent of {room.room_id} never connected"
        )
        alerts.append(RoomAlert(AlertKind.AGENT_OFFLINE, text, since))
    if room.service_call is not None:
        call = room.service_call
        what = call.kind or "service"
        alerts.append(
            RoomAlert(
                AlertKind.SERVICE_CALLED,
                f"{room.room_id} calls for {what}" + (f": {call.note}" if call.note else ""),
                call.since,
            )
        )
    alerts.sort(key=lambda a: a.since)
    return tuple(alerts)
