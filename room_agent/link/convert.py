"""Typed room events and commands (``room_agent.core.ports``) <-> ``ktv.v1.link`` protos.

The only place the link's wire format meets the core's vocabulary. Unknown or empty
commands raise ``InvalidArgument`` so the link can answer them with a failed CommandResult.
"""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from ktv.errors import InvalidArgument
from ktv.v1 import guest_pb2, link_pb2, rooms_pb2
from room_agent.core import ports

_OUTCOME_TO_PROTO = {
    ports.PlayOutcome.COMPLETED: link_pb2.PLAY_OUTCOME_COMPLETED,
    ports.PlayOutcome.SKIPPED: link_pb2.PLAY_OUTCOME_SKIPPED,
    ports.PlayOutcome.FAILED: link_pb2.PLAY_OUTCOME_FAILED,
    ports.PlayOutcome.STOPPED: link_pb2.PLAY_OUTCOME_STOPPED,
}

_STATE_FROM_PROTO = {
    rooms_pb2.ROOM_STATE_IDLE: ports.RoomBusinessState.IDLE,
    rooms_pb2.ROOM_STATE_RESERVED: ports.RoomBusinessState.RESERVED,
    rooms_pb2.ROOM_STATE_IN_USE: ports.RoomBusinessState.IN_USE,
    rooms_pb2.ROOM_STATE_CLEANING: ports.RoomBusinessState.CLEANING,
    rooms_pb2.ROOM_STATE_MAINTENANCE: ports.RoomBusinessState.MAINTENANCE,
}


def timestamp(moment: datetime) -> Timestamp:
    """A UTC Timestamp; naive datetimes are refused (the agent's clock speaks UTC only)."""
    if moment.tzinfo is None:
        raise InvalidArgument(f"time {moment.isoformat()} has no timezone; use UTC")
    ts = Timestamp()
    ts.FromDatetime(moment.astimezone(UTC))
    return ts


def moment(ts: Timestamp, what: str = "time") -> datetime:
    """The UTC datetime of ``ts``; InvalidArgument when it is outside 0001..9999."""
    try:
        return ts.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument(
            f"{what} is out of range (seconds {ts.seconds}, nanos {ts.nanos})"
        ) from None


def event_to_proto(
    event_id: str, event: ports.RoomEvent, occurred_at: datetime
) -> link_pb2.RoomEvent:
    msg = link_pb2.RoomEvent(event_id=event_id, occur_time=timestamp(occurred_at))
    match event:
        case ports.DoorChanged(open=is_open):
            msg.door.open = is_open
        case ports.PresenceChanged(present=present):
            msg.presence.present = present
        case ports.SongPlayed():
            if event.played_ms < 0:
                raise InvalidArgument(f"played_ms must be >= 0, got {event.played_ms}")
            msg.song_played.CopyFrom(
                link_pb2.SongPlayed(
                    song_id=event.song_id,
                    title=event.title,
                    session=event.session,
                    start_time=timestamp(event.start_time) if event.start_time else None,
                    outcome=_OUTCOME_TO_PROTO[event.outcome],
                    played_ms=event.played_ms,
                    error=event.error,
                )
            )
        case ports.ServiceCalled(kind=kind, note=note):
            if not kind:
                raise InvalidArgument("a service call needs a kind (service, water, ...)")
            msg.service_called.kind = kind
            msg.service_called.note = note
        case ports.PinsChecked(mocked=mocked, factory=factory):
            msg.pins_checked.mocked = mocked
            msg.pins_checked.factory = factory
        case ports.PowerSwitched():
            msg.power_switched.CopyFrom(
                link_pb2.PowerSwitched(
                    on=event.on,
                    scene=event.scene,
                    reason=event.reason,
                    outputs=[
                        link_pb2.OutputLevel(
                            name=o.name, level_permille=o.level_permille, rated_watts=o.rated_watts
                        )
                        for o in event.outputs
                    ],
                    load_watts=event.load_watts,
                )
            )
        case ports.MeterRead(meter=meter, total_wh=total_wh):
            msg.meter_read.meter = meter
            msg.meter_read.total_wh = total_wh
        case ports.DeviceHealth():
            health = msg.device_health
            if event.temperature_c is not None:
                health.temperature_c = event.temperature_c
                health.temperature_known = True
            if event.throttled_flags is not None:
                health.throttled_flags = event.throttled_flags
                health.throttling_known = True
            health.disk_written_bytes = event.disk_written_bytes
            health.disk_free_bytes = event.disk_free_bytes
            health.player_errors = event.player_errors
            health.taps = event.taps
            health.door_edges = event.door_edges
            health.motion_edges = event.motion_edges
            health.uptime_seconds = event.uptime_s
            for name, count in event.switches:
                health.switches.add(name=name, count=count)
        case _:
            raise InvalidArgument(f"not a room event: {type(event).__name__}")
    return msg


def event_kind(msg: link_pb2.RoomEvent) -> str:
    return msg.WhichOneof("payload") or ""


def session_opened(msg: link_pb2.SessionOpened) -> ports.SessionOpened:
    return ports.SessionOpened(
        session=msg.session,
        open_time=moment(msg.open_time, "open_time"),
        end_time=moment(msg.end_time, "end_time") if msg.HasField("end_time") else None,
        guest_count=msg.guest_count,
        continues_after_end=_AFTER_END.get(msg.after_end),
        guest_url=msg.guest_url,
    )


_AFTER_END = {link_pb2.AFTER_END_STOP: False, link_pb2.AFTER_END_CONTINUE_HOURLY: True}


def command_from_proto(msg: link_pb2.RoomCommand) -> ports.RoomCommand:
    kind = msg.WhichOneof("cmd")
    if kind == "session_opened":
        if not msg.session_opened.session:
            raise InvalidArgument("session_opened without a session name")
        return session_opened(msg.session_opened)
    if kind == "session_closed":
        return ports.SessionClosed(session=msg.session_closed.session)
    if kind == "queue_songs":
        return ports.QueueSongs(song_ids=tuple(msg.queue_songs.song_ids))
    if kind == "volume_limit":
        pct = msg.volume_limit.max_percent
        if not 0 <= pct <= 100:
            raise InvalidArgument(f"volume limit must be 0-100 percent, got {pct}")
        return ports.VolumeLimit(max_percent=pct)
    if kind == "show_message":
        return ports.ShowMessage(
            text=msg.show_message.text, duration_s=msg.show_message.duration_seconds
        )
    if kind == "emergency":
        return ports.Emergency(active=msg.emergency.active, message=msg.emergency.message)
    if kind == "room_state":
        state = _STATE_FROM_PROTO.get(msg.room_state.state)
        if state is None:
            raise InvalidArgument(f"unknown room state {msg.room_state.state}")
        return ports.RoomStateChanged(state=state)
    if kind == "service_acknowledged":
        ack = msg.service_acknowledged
        return ports.ServiceAcknowledged(staff=ack.staff, call_kind=ack.call_kind)
    if kind == "set_power":
        mode = _POWER_MODE_FROM_PROTO.get(msg.set_power.mode)
        if mode is None:
            raise InvalidArgument(f"set_power needs ON, OFF or AUTO, got {msg.set_power.mode}")
        return ports.SetPower(mode=mode, reason=msg.set_power.reason)
    if kind == "guest_queue_song":
        add = msg.guest_queue_song
        if not add.song_id or not add.entry_id:
            raise InvalidArgument("a phone's song needs a song id and an entry id")
        return ports.GuestQueueSong(
            song_id=add.song_id,
            entry_id=add.entry_id[:64],
            guest_id=add.guest_id[:64],
            nickname=add.nickname[:64],
            top=add.top,
        )
    if kind == "guest_remove_song":
        remove = msg.guest_remove_song
        return ports.GuestRemoveSong(entry_id=remove.entry_id, guest_id=remove.guest_id)
    if kind == "guest_control":
        control = _CONTROL_FROM_PROTO.get(msg.guest_control.control)
        if control is None:
            raise InvalidArgument(f"unknown room control {msg.guest_control.control}")
        return ports.GuestControl(control=control, guest_id=msg.guest_control.guest_id)
    raise InvalidArgument(f"command {msg.command_id!r} carries nothing the agent knows")


_CONTROL_FROM_PROTO = {
    guest_pb2.ROOM_CONTROL_SKIP: ports.RoomControl.SKIP,
    guest_pb2.ROOM_CONTROL_ORIGINAL_VOCAL: ports.RoomControl.ORIGINAL_VOCAL,
    guest_pb2.ROOM_CONTROL_ACCOMPANIMENT: ports.RoomControl.ACCOMPANIMENT,
    guest_pb2.ROOM_CONTROL_VOLUME_UP: ports.RoomControl.VOLUME_UP,
    guest_pb2.ROOM_CONTROL_VOLUME_DOWN: ports.RoomControl.VOLUME_DOWN,
    guest_pb2.ROOM_CONTROL_REPLAY: ports.RoomControl.REPLAY,
    guest_pb2.ROOM_CONTROL_PAUSE_RESUME: ports.RoomControl.PAUSE_RESUME,
}


def _snapshot_entry(entry: ports.SnapshotEntry) -> link_pb2.QueueSnapshotEntry:
    out = link_pb2.QueueSnapshotEntry(
        entry_id=entry.entry_id,
        song_id=entry.song_id,
        title=entry.title,
        artist=entry.artist,
        added_by=entry.added_by,
        guest_id=entry.guest_id,
    )
    if entry.added_at is not None:
        out.add_time.CopyFrom(timestamp(entry.added_at))
    return out


def snapshot_to_proto(snapshot: ports.QueueSnapshot) -> link_pb2.QueueSnapshot:
    out = link_pb2.QueueSnapshot(
        session=snapshot.session,
        position_seconds=snapshot.position_s,
        duration_seconds=snapshot.duration_s,
        accompaniment=snapshot.accompaniment,
        volume_percent=snapshot.volume_percent,
        paused=snapshot.paused,
        queue=[_snapshot_entry(e) for e in snapshot.queue],
    )
    if snapshot.now_playing is not None:
        out.now_playing.CopyFrom(_snapshot_entry(snapshot.now_playing))
    if snapshot.taken_at is not None:
        out.take_time.CopyFrom(timestamp(snapshot.taken_at))
    return out


_POWER_MODE_FROM_PROTO = {
    rooms_pb2.POWER_MODE_AUTO: ports.PowerMode.AUTO,
    rooms_pb2.POWER_MODE_ON: ports.PowerMode.ON,
    rooms_pb2.POWER_MODE_OFF: ports.PowerMode.OFF,
}


def welcome_commands(welcome: link_pb2.ControllerWelcome) -> list[ports.RoomCommand]:
    """What a (re)connecting agent must apply at once: the session (open, or none -> a
    ``SessionClosed("")`` that locks) and the emergency state (on or off)."""
    commands: list[ports.RoomCommand] = []
    if welcome.HasField("session") and welcome.session.session:
        commands.append(session_opened(welcome.session))
    else:
        commands.append(ports.SessionClosed(session=""))
    commands.append(ports.Emergency(active=welcome.emergency, message=welcome.emergency_message))
    return commands
