"""The RoomCore as the touchscreen sees it (no Kivy): views, change notifications, intents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from media_index.model import Song, VocalMode
from room_agent.core.instruments import ManualClock, RecordingPlayer, RecordingSink, SongShelf
from room_agent.core.ports import Emergency, SessionOpened, VocalSwitch
from room_agent.core.room import RoomCore
from room_agent.lyrics.model import LyricLine, Lyrics
from room_agent.lyrics.model import LyricWord as CoreWord
from room_agent.ui.core_adapter import CoreRoomControl, RoomIdentity
from room_agent.ui.port import Change, RoomMode

SONGS = [
    Song(
        "s-qt",
        "晴天",
        ("周杰伦",),
        "/m/qt.mkv",
        duration_ms=269_000,
        vocal_mode=VocalMode.TRACKS,
        vocal_track=0,
        accompaniment_track=1,
    ),
    Song("s-hl", "后来", ("刘若英",), "/m/hl.mpg", duration_ms=340_000),
    Song("s-py", "朋友", ("周华健",), "/m/py.mp4", duration_ms=200_000),
]
LYRICS = Lyrics(
    lines=(
        LyricLine(
            1000,
            3000,
            "故事的小黄花",
            tuple(
                CoreWord(1000 + i * 300, 1300 + i * 300, ch) for i, ch in enumerate("故事的小黄花")
            ),
        ),
        LyricLine(3000, 6000, "从出生那年就飘着"),
    )
)


@dataclass
class Wired:
    control: CoreRoomControl
    core: RoomCore
    clock: ManualClock
    changes: list[Change]
    online: dict[str, bool]


@pytest.fixture
def room():
    clock = ManualClock()
    player = RecordingPlayer(clock)
    shelf = SongShelf(SONGS)
    core = RoomCore(
        player,
        RecordingSink(),
        shelf,
        monotonic=clock,
        utcnow=clock.utcnow,
        lyrics=lambda song: LYRICS if song.song_id == "s-qt" else None,
    )
    core.start(run_loop=False)
    online = {"up": True}
    adapter = CoreRoomControl(
        core,
        RoomIdentity("A08", tier="vip", welcome_message="欢迎"),
        shelf,
        online=lambda: online["up"],
    )
    changes: list[Change] = []
    adapter.subscribe(changes.append)
    yield Wired(adapter, core, clock, changes, online)
    core.close()


def test_a_closed_room_is_locked_and_opening_a_session_unlocks_it(room):
    control, core = room.control, room.core
    view = control.room()
    assert (view.mode, view.tier, view.venue_message, view.online) == (
        RoomMode.LOCKED,
        "vip",
        "欢迎",
        True,
    )
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    assert control.room().mode is RoomMode.OPEN
    assert Change.ROOM in room.changes


def test_queue_and_sung_views_and_sing_again_by_the_sung_entry(room):
    control, core = room.control, room.core
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    for song_id in ("s-qt", "s-hl", "s-py"):
        control.enqueue(song_id)
    assert control.now_playing().song.title == "晴天"
    assert [e.song.title for e in control.queue().pending] == ["后来", "朋友"]
    control.skip()
    control.skip()
    sung = control.queue().sung
    assert [e.song.title for e in sung] == ["后来", "晴天"]  # most recent first
    control.sing_again(sung[1].entry_id)  # 晴天 again
    assert [e.song.title for e in control.queue().pending][-1] == "晴天"
    assert Change.QUEUE in room.changes and Change.PLAYBACK in room.changes


def test_lyrics_frames_carry_the_word_timings(room):
    control, core = room.control, room.core
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    control.enqueue("s-qt")
    room.clock.advance(1.45)
    core.tick()
    frame = control.lyrics()
    assert frame.line == "故事的小黄花" and frame.next_line == "从出生那年就飘着"
    assert [w.text for w in frame.words] == list("故事的小黄花")
    assert frame.line_start_ms == 1000 and frame.line_end_ms == 3000


def test_vocal_key_volume_and_mute_go_to_the_core(room):
    control, core = room.control, room.core
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    control.enqueue("s-qt")
    first = control.now_playing().vocal
    assert control.toggle_vocal() is not first
    assert control.change_key(+2) == 2 and control.change_key(-1) == 1
    volume = control.change_volume(-10)  # whatever the room's default, room to go up
    assert control.change_volume(+5) == volume + 5
    control.set_mute(True)
    assert control.now_playing().muted


def test_emergency_and_link_state_reach_the_room_view(room):
    control, core = room.control, room.core
    core.handle(Emergency(True, "请立即撤离"))
    view = control.room()
    assert view.mode is RoomMode.EMERGENCY and view.emergency_message == "请立即撤离"
    room.online["up"] = False
    assert control.room().online is False


def test_service_calls_are_recorded_and_acknowledged(room):
    control, core = room.control, room.core
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    call = control.call_service("water")
    assert control.service_calls()[-1].acknowledged is False
    control.acknowledge(call.call_id, "小王")
    assert control.service_calls()[-1].acknowledged_by == "小王"
    assert Change.SERVICE in room.changes


def test_a_one_mix_song_reports_no_vocal_switch(room):
    control, core = room.control, room.core
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    control.enqueue("s-hl")
    assert control.now_playing().vocal is VocalSwitch.UNAVAILABLE


def test_the_guests_choose_the_lights_scene_only_in_their_session(room):
    from ktv.errors import FailedPrecondition

    control, core = room.control, room.core
    assert control.scene() == "welcome"  # standby
    with pytest.raises(FailedPrecondition):
        control.choose_scene("party")
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    assert control.choose_scene("party") == "party" == control.scene()
