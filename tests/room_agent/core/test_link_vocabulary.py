"""One vocabulary for the room link: the room and the controller speak the same classes."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from controller.api import convert
from controller.rooms import commands, events, model
from ktv import limits, room_link
from ktv.errors import InvalidArgument
from ktv.v1 import link_pb2
from media_index import records
from room_agent.core import ports
from room_agent.core import settings as core_settings
from room_agent.core.events import RoomScreen
from room_agent.core.persistence import RoomSnapshot
from room_agent.core.queue import QueueState
from room_agent.lyrics.clock import LyricTimeline
from room_agent.lyrics.model import LyricLine, Lyrics, LyricWord
from room_agent.player import settings as player_settings
from room_agent.store.room_store import SqliteRoomStore
from room_agent.ui import port
from room_agent.ui.karaoke import wiped_chars

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


def test_the_room_and_the_controller_speak_the_same_event_and_command_classes() -> None:
    for name in ("DoorChanged", "PresenceChanged", "SongPlayed", "ServiceCalled"):
        assert getattr(ports, name) is getattr(events, name) is getattr(room_link, name)
    for name in (
        "SessionOpened",
        "SessionClosed",
        "QueueSongs",
        "VolumeLimit",
        "ShowMessage",
        "Emergency",
        "RoomStateChanged",
        "ServiceAcknowledged",
    ):
        assert getattr(ports, name) is getattr(commands, name) is getattr(room_link, name)


def test_one_play_outcome_and_one_room_state_on_both_sides() -> None:
    assert ports.PlayOutcome is records.PlayOutcome is room_link.PlayOutcome
    assert ports.RoomBusinessState is model.RoomState is room_link.RoomState


def test_the_touchscreen_knows_the_time_up_screen() -> None:
    assert port.RoomMode is RoomScreen
    assert RoomScreen.TIME_UP in set(port.RoomMode)
    assert port.LyricWord is LyricWord  # the lyrics' own word, not a copy in another order


def test_the_key_range_is_one_bound_for_the_core_and_the_player() -> None:
    assert core_settings.key_limit_semitones == limits.KEY_SEMITONES_MAX
    assert (player_settings.key_min_semitones, player_settings.key_max_semitones) == (
        -limits.KEY_SEMITONES_MAX,
        limits.KEY_SEMITONES_MAX,
    )


def test_the_controller_refuses_a_song_played_without_an_outcome() -> None:
    """Before: stored as "UNSPECIFIED", which the catalog feed could not read back."""
    msg = link_pb2.RoomEvent(event_id="e1")
    msg.song_played.song_id = "s-1"
    msg.song_played.outcome = link_pb2.PLAY_OUTCOME_UNSPECIFIED
    with pytest.raises(InvalidArgument) as refused:
        convert.event_from_pb("A08", msg, NOW)
    assert refused.value.reason == "BAD_EVENT"
    msg.song_played.outcome = link_pb2.PLAY_OUTCOME_SKIPPED
    got = convert.event_from_pb("A08", msg, NOW).payload
    assert isinstance(got, room_link.SongPlayed) and got.outcome is room_link.PlayOutcome.SKIPPED


def test_a_room_saved_with_the_old_lower_case_state_still_loads(tmp_path) -> None:
    path = tmp_path / "room.sqlite"
    with SqliteRoomStore(path) as store:
        store.save(RoomSnapshot(QueueState((), (), ()), business_state=ports.RoomState.IN_USE))
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT business_state FROM room").fetchone() == ("IN_USE",)
        db.execute("UPDATE room SET business_state = 'in_use'")  # an agent before this change
    with SqliteRoomStore(path) as store:
        loaded = store.load()
    assert loaded is not None and loaded.business_state is room_link.RoomState.IN_USE


def test_the_touchscreen_wipe_is_the_lyrics_clock_arithmetic() -> None:
    words = (
        LyricWord(1000, 1600, "还"),
        LyricWord(1600, 2400, "记得"),
        LyricWord(2400, 3000, "吗"),
    )
    line = LyricLine(1000, 3000, "还记得吗", words)
    timeline = LyricTimeline(Lyrics((line,)))
    for position in (1000, 1300, 1600, 2000, 2399, 2400, 2999):
        moment = timeline.at(position)
        frame = port.LyricsFrame(
            line=line.text,
            position_ms=position,
            line_start_ms=line.start_ms,
            line_end_ms=line.end_ms,
            words=words,
        )
        assert wiped_chars(frame) == pytest.approx(moment.line_progress * 4)
