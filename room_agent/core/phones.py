"""Guests' phones in the room: their controls through the touchscreen's own paths, and the
queue report the link sends up for them (who added each song, what plays, how loud)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ktv.room_link import GuestControl, QueueSnapshot, RoomControl, SnapshotEntry
from room_agent.core.ports import PlayerState, VocalSwitch
from room_agent.core.queue import QueuedSong
from room_agent.core.views import RoomView

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

# Core events after which phones should see the room again (CoreEvent.name).
SNAPSHOT_EVENTS = frozenset(
    {
        "queue_changed",
        "song_started",
        "song_ended",
        "playback_changed",
        "vocal_changed",
        "volume_changed",
        "locked",
    }
)


def apply_control(core: RoomCore, command: GuestControl) -> None:
    """A phone's control, through the same core methods as the touchscreen's buttons."""
    match command.control:
        case RoomControl.SKIP:
            core.skip()
        case RoomControl.ORIGINAL_VOCAL:
            core.set_vocal(VocalSwitch.ORIGINAL)
        case RoomControl.ACCOMPANIMENT:
            core.set_vocal(VocalSwitch.ACCOMPANIMENT)
        case RoomControl.VOLUME_UP:
            core.volume_up()
        case RoomControl.VOLUME_DOWN:
            core.volume_down()
        case RoomControl.REPLAY:
            core.replay()
        case RoomControl.PAUSE_RESUME:
            core.toggle_pause()


def _entry(entry: QueuedSong) -> SnapshotEntry:
    return SnapshotEntry(
        entry.entry_id,
        entry.song_id,
        entry.title,
        entry.artist,
        entry.added_at,
        entry.added_by,
        entry.guest_id,
    )


def snapshot_of(view: RoomView, now: datetime) -> QueueSnapshot:
    playing = view.now_playing
    return QueueSnapshot(
        session=view.session,
        now_playing=_entry(playing.entry) if playing else None,
        position_s=playing.position_ms // 1000 if playing else 0,
        duration_s=playing.duration_ms // 1000 if playing else 0,
        accompaniment=bool(playing and playing.vocal is VocalSwitch.ACCOMPANIMENT),
        volume_percent=view.volume_percent,
        paused=bool(playing and playing.state is PlayerState.PAUSED),
        queue=tuple(_entry(e) for e in view.queue),
        taken_at=now,
    )
