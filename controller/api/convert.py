"""Between domain values and ktv.v1 messages (the only place that knows both)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from controller.auth.model import Role
from controller.rooms import commands, events
from controller.rooms.model import BoardRoom, PowerMode, RoomState, SensorPins
from ktv.errors import InvalidArgument
from ktv.room_link import PlayOutcome, QueueSnapshot, RoomControl, SnapshotEntry
from ktv.v1 import auth_pb2, guest_pb2, link_pb2, rooms_pb2


def ts(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    out = Timestamp()
    out.FromDatetime(value.astimezone(UTC))
    return out


def from_ts(value: Timestamp, what: str = "time") -> datetime:
    """The UTC datetime of ``value``; InvalidArgument when it is outside 0001..9999 (the
    edge refuses those first: controller/api/bounds.py)."""
    try:
        return value.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument(
            f"{what} is out of range (seconds {value.seconds}, nanos {value.nanos})",
            reason="BAD_TIMESTAMP",
        ) from None


def room_state_to_pb(state: RoomState) -> int:
    return rooms_pb2.RoomState.Value(f"ROOM_STATE_{state.value}")


def room_state_from_pb(value: int) -> RoomState:
    try:
        name = rooms_pb2.RoomState.Name(value)
    except ValueError:
        name = ""
    if not name or name == "ROOM_STATE_UNSPECIFIED":
        raise InvalidArgument(
            "state is required: IDLE, RESERVED or MAINTENANCE", reason="BAD_TARGET_STATE"
        )
    return RoomState(name.removeprefix("ROOM_STATE_"))


def role_to_pb(role: Role) -> int:
    return role.value


def role_from_pb(value: int) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidArgument(f"unknown role {value}", reason="BAD_ROLE") from None


def room_to_pb(room: BoardRoom) -> rooms_pb2.Room:
    agent = room.agent
    return rooms_pb2.Room(
        name=room.name,
        display_name=room.display_name,
        tier=room.tier,
        state=room_state_to_pb(room.state),
        state_since_time=ts(room.state_since),
        agent=rooms_pb2.AgentStatus(
            online=agent.online,
            last_seen_time=ts(agent.last_seen),
            agent_version=agent.version,
            peer=agent.peer,
            catalog_version=agent.catalog_version,
        ),
        alerts=[
            rooms_pb2.RoomAlert(
                kind=a.kind.value,
                alert_kind=alert_kind_to_pb(a.kind.value),
                message=a.message,
                since_time=ts(a.since),
            )
            for a in room.alerts
        ],
        occupied=room.sensors.occupied,
        door_open=room.sensors.door_open,
        session=room.session,
        running_total_fen=room.running_total_fen,
        session_end_time=ts(room.session_ends_at),
        revision=room.revision,
        sensor_pins=_PINS_TO_PB[room.pins],  # type: ignore[arg-type]
        power=rooms_pb2.RoomPower(
            on=room.power.on,
            scene=room.power.scene,
            reason=room.power.reason,
            since_time=ts(room.power.since),
            load_watts=room.power.load_watts,
            mode=POWER_MODE_TO_PB[room.power.mode],  # type: ignore[arg-type]
        ),
        health=_HEALTH_TO_PB.get(room.health, rooms_pb2.HEALTH_BADGE_UNSPECIFIED),  # type: ignore[arg-type]
        guest_count=room.guest_count,
        layout=rooms_pb2.RoomLayout(
            floor=room.layout.floor,
            column=room.layout.column,
            row=room.layout.row,
            width=room.layout.width,
            height=room.layout.height,
        ),
        lock=rooms_pb2.RoomLock(
            locked_by=room.lock.by,
            reason=room.lock.reason,
            lock_time=ts(room.lock.since),
            until_time=ts(room.lock.until),
        )
        if room.lock is not None
        else None,
    )


_HEALTH_TO_PB = {
    "ok": rooms_pb2.HEALTH_BADGE_OK,
    "watch": rooms_pb2.HEALTH_BADGE_WATCH,
    "service": rooms_pb2.HEALTH_BADGE_SERVICE,
}


_PINS_TO_PB = {
    SensorPins.UNKNOWN: rooms_pb2.SENSOR_PINS_UNSPECIFIED,
    SensorPins.REAL: rooms_pb2.SENSOR_PINS_REAL,
    SensorPins.MOCK: rooms_pb2.SENSOR_PINS_MOCK,
}
POWER_MODE_TO_PB = {
    PowerMode.AUTO: rooms_pb2.POWER_MODE_AUTO,
    PowerMode.ON: rooms_pb2.POWER_MODE_ON,
    PowerMode.OFF: rooms_pb2.POWER_MODE_OFF,
}


def power_mode_from_pb(value: int) -> PowerMode:
    for mode, number in POWER_MODE_TO_PB.items():
        if number == value:
            return mode
    raise InvalidArgument("power mode must be ON, OFF or AUTO", reason="BAD_POWER_MODE")


def session_to_pb(room: BoardRoom, guest_url: str = "") -> link_pb2.SessionOpened:
    if not room.session:
        return link_pb2.SessionOpened()
    return link_pb2.SessionOpened(
        session=room.session,
        open_time=ts(room.state_since),
        end_time=ts(room.session_ends_at),
        after_end=after_end_to_pb(room.session_continues),  # type: ignore[arg-type]
        guest_url=guest_url,
    )


ROOM_CONTROL_TO_PB = {
    RoomControl.SKIP: guest_pb2.ROOM_CONTROL_SKIP,
    RoomControl.ORIGINAL_VOCAL: guest_pb2.ROOM_CONTROL_ORIGINAL_VOCAL,
    RoomControl.ACCOMPANIMENT: guest_pb2.ROOM_CONTROL_ACCOMPANIMENT,
    RoomControl.VOLUME_UP: guest_pb2.ROOM_CONTROL_VOLUME_UP,
    RoomControl.VOLUME_DOWN: guest_pb2.ROOM_CONTROL_VOLUME_DOWN,
    RoomControl.REPLAY: guest_pb2.ROOM_CONTROL_REPLAY,
    RoomControl.PAUSE_RESUME: guest_pb2.ROOM_CONTROL_PAUSE_RESUME,
}


def room_control_from_pb(value: int) -> RoomControl:
    for control, number in ROOM_CONTROL_TO_PB.items():
        if number == value:
            return control
    raise InvalidArgument("control must be one of RoomControl's values", reason="BAD_CONTROL")


def _snapshot_entry(entry: link_pb2.QueueSnapshotEntry) -> SnapshotEntry:
    return SnapshotEntry(
        entry_id=entry.entry_id[:64],
        song_id=entry.song_id[:64],
        title=entry.title[:200],
        artist=entry.artist[:200],
        added_at=entry.add_time.ToDatetime(UTC) if entry.HasField("add_time") else None,
        added_by=entry.added_by[:64],
        guest_id=entry.guest_id[:64],
    )


MAX_SNAPSHOT_ENTRIES = 1000  # a room's queue as reported; a longer one is cut


def snapshot_from_pb(msg: link_pb2.QueueSnapshot) -> QueueSnapshot:
    """An agent's queue report, each text clipped (the agent is trusted, not unbounded)."""
    return QueueSnapshot(
        session=msg.session[:128],
        now_playing=_snapshot_entry(msg.now_playing) if msg.HasField("now_playing") else None,
        position_s=max(msg.position_seconds, 0),
        duration_s=max(msg.duration_seconds, 0),
        accompaniment=msg.accompaniment,
        volume_percent=min(max(msg.volume_percent, 0), 100),
        paused=msg.paused,
        queue=tuple(_snapshot_entry(e) for e in msg.queue[:MAX_SNAPSHOT_ENTRIES]),
        taken_at=msg.take_time.ToDatetime(UTC) if msg.HasField("take_time") else None,
    )


def command_to_pb(command: commands.RoomCommand) -> link_pb2.RoomCommand:
    body = command.body
    out = link_pb2.RoomCommand(command_id=command.command_id)
    match body:
        case commands.SessionOpened():
            out.session_opened.CopyFrom(
                link_pb2.SessionOpened(
                    session=body.session,
                    open_time=ts(body.open_time),
                    end_time=ts(body.end_time),
                    guest_count=body.guest_count,
                    after_end=after_end_to_pb(body.continues_after_end),  # type: ignore[arg-type]
                    guest_url=body.guest_url,
                )
            )
        case commands.SessionClosed():
            out.session_closed.session = body.session
        case commands.Emergency():
            out.emergency.active = body.active
            out.emergency.message = body.message
        case commands.RoomStateChanged():
            out.room_state.state = room_state_to_pb(body.state)  # type: ignore[assignment]
        case commands.ShowMessage():
            out.show_message.text = body.text
            out.show_message.duration_seconds = body.duration_s
        case commands.QueueSongs():
            out.queue_songs.song_ids.extend(body.song_ids)
        case commands.VolumeLimit():
            out.volume_limit.max_percent = body.max_percent
        case commands.SetPower():
            out.set_power.mode = POWER_MODE_TO_PB[body.mode]  # type: ignore[assignment]
            out.set_power.reason = body.reason
        case commands.ServiceAcknowledged():
            out.service_acknowledged.kind = body.kind
            out.service_acknowledged.staff = body.staff
            out.service_acknowledged.call_kind = body.call_kind
        case commands.GuestQueueSong():
            out.guest_queue_song.CopyFrom(
                link_pb2.GuestQueueSong(
                    song_id=body.song_id,
                    top=body.top,
                    entry_id=body.entry_id,
                    guest_id=body.guest_id,
                    nickname=body.nickname,
                )
            )
        case commands.GuestRemoveSong():
            out.guest_remove_song.entry_id = body.entry_id
            out.guest_remove_song.guest_id = body.guest_id
        case commands.GuestControl():
            out.guest_control.control = ROOM_CONTROL_TO_PB[body.control]  # type: ignore[assignment]
            out.guest_control.guest_id = body.guest_id
    return out


def after_end_to_pb(continues: bool | None) -> int:
    if continues is None:
        return link_pb2.AFTER_END_UNSPECIFIED
    return link_pb2.AFTER_END_CONTINUE_HOURLY if continues else link_pb2.AFTER_END_STOP


MAX_EVENT_ID_CHARS = 128
MAX_OUTPUTS = 64  # a room's outputs in one PowerSwitched

_OUTCOME_FROM_PB = {
    link_pb2.PLAY_OUTCOME_COMPLETED: PlayOutcome.COMPLETED,
    link_pb2.PLAY_OUTCOME_SKIPPED: PlayOutcome.SKIPPED,
    link_pb2.PLAY_OUTCOME_FAILED: PlayOutcome.FAILED,
    link_pb2.PLAY_OUTCOME_STOPPED: PlayOutcome.STOPPED,
}


def play_outcome_from_pb(event_id: str, outcome: int) -> PlayOutcome:
    """A played song's outcome; an unset or unknown one is refused (it would be a play the
    charts cannot count)."""
    try:
        return _OUTCOME_FROM_PB[outcome]  # type: ignore[index]
    except KeyError:
        raise InvalidArgument(
            f"event_id {event_id}: a song played with no known outcome ({outcome})",
            reason="BAD_EVENT",
        ) from None


def event_from_pb(room_id: str, event: link_pb2.RoomEvent, now: datetime) -> events.RoomEvent:
    from google.protobuf.json_format import MessageToJson

    if not event.event_id or len(event.event_id) > MAX_EVENT_ID_CHARS:
        raise InvalidArgument("event_id is required (<= 128 chars)", reason="BAD_EVENT_ID")
    where = f"event_id {event.event_id}:"
    occur = (
        from_ts(event.occur_time, f"{where} occur_time") if event.HasField("occur_time") else now
    )
    which = event.WhichOneof("payload")
    payload: events.EventPayload
    if which == "door":
        payload = events.DoorChanged(open=event.door.open)
    elif which == "presence":
        payload = events.PresenceChanged(present=event.presence.present)
    elif which == "song_played":
        sp = event.song_played
        payload = events.SongPlayed(
            song_id=sp.song_id,
            title=sp.title,
            session=sp.session,
            start_time=(
                from_ts(sp.start_time, f"{where} start_time") if sp.HasField("start_time") else None
            ),
            outcome=play_outcome_from_pb(event.event_id, sp.outcome),
            played_ms=sp.played_ms,
            error=sp.error,
        )
    elif which == "service_called":
        payload = events.ServiceCalled(
            kind=event.service_called.kind, note=event.service_called.note
        )
    elif which == "pins_checked":
        payload = events.PinsChecked(
            mocked=event.pins_checked.mocked, factory=event.pins_checked.factory[:64]
        )
    elif which == "power_switched":
        ps = event.power_switched
        if len(ps.outputs) > MAX_OUTPUTS or ps.load_watts < 0:
            raise InvalidArgument(
                f"{where} power_switched with {len(ps.outputs)} outputs, {ps.load_watts} W",
                reason="BAD_EVENT",
            )
        payload = events.PowerSwitched(
            on=ps.on,
            scene=ps.scene[:32],
            reason=ps.reason[:200],
            outputs=tuple(
                events.OutputLevel(o.name[:32], o.level_permille, o.rated_watts) for o in ps.outputs
            ),
            load_watts=ps.load_watts,
        )
    elif which == "meter_read":
        total = event.meter_read.total_wh
        if not 0 <= total < 1e12 or total != total:  # NaN
            raise InvalidArgument(f"{where} meter reading {total} Wh", reason="BAD_EVENT")
        payload = events.MeterRead(meter=event.meter_read.meter[:16], total_wh=total)
    elif which == "device_health":
        h = event.device_health
        if len(h.switches) > MAX_OUTPUTS:
            raise InvalidArgument(f"{where} {len(h.switches)} outputs", reason="BAD_EVENT")
        payload = events.DeviceHealth(
            temperature_c=h.temperature_c if h.temperature_known else None,
            throttled_flags=h.throttled_flags if h.throttling_known else None,
            disk_written_bytes=max(h.disk_written_bytes, 0),
            disk_free_bytes=max(h.disk_free_bytes, 0),
            player_errors=max(h.player_errors, 0),
            taps=max(h.taps, 0),
            door_edges=max(h.door_edges, 0),
            motion_edges=max(h.motion_edges, 0),
            switches=tuple((s.name[:32], max(s.count, 0)) for s in h.switches),
            uptime_s=max(h.uptime_seconds, 0),
        )
    else:
        raise InvalidArgument(
            f"event {event.event_id} carries no known payload", reason="BAD_EVENT"
        )
    return events.RoomEvent(
        event_id=event.event_id,
        room_id=room_id,
        occur_time=occur,
        payload=payload,
        payload_json=MessageToJson(event, indent=None),
    )


def whoami_to_pb(
    role: Role, room_id: str, staff_id: str, display_name: str = ""
) -> auth_pb2.WhoAmIResponse:
    return auth_pb2.WhoAmIResponse(
        role=role.value,  # type: ignore[arg-type]
        room=f"rooms/{room_id}" if room_id else "",
        staff_id=staff_id,
        display_name=display_name,
    )


def wall_key_to_pb(row: Mapping[str, Any]) -> auth_pb2.WallKey:
    revoked = row["revoked_at"]
    return auth_pb2.WallKey(
        id=str(row["credential_id"]),
        label=str(row["label"]),
        create_time=ts(datetime.fromisoformat(str(row["created_at"]))),
        created_by=str(row["staff_id"]),
        revoke_time=ts(datetime.fromisoformat(str(revoked))) if revoked else None,
    )


def alert_kind_to_pb(kind: str) -> int:
    """An alert kind's AlertKind number (0 for a kind the contract does not know yet: the
    deprecated string beside it still says it)."""
    try:
        return int(rooms_pb2.AlertKind.Value(f"ALERT_KIND_{kind}"))
    except ValueError:
        return 0


def alert_kind_from_pb(kind: int, old_kind: str) -> str:
    """The alert kind a request names: ``alert_kind``, or the old string ``kind`` from clients
    that predate the enum."""
    if kind:
        name = rooms_pb2.AlertKind.Name(kind) if kind in rooms_pb2.AlertKind.values() else ""
        if not name:
            raise InvalidArgument(f"unknown alert kind {kind}", reason="BAD_ALERT_KIND")
        return name.removeprefix("ALERT_KIND_")
    return old_kind
