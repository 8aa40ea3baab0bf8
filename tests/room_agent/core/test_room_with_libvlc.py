"""RoomCore driving the real libVLC player on generated songs: the queue plays through on
real end-of-song events, a broken or missing file is skipped, controls reach the player."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from media_index.model import Song, VocalMode
from room_agent.core.instruments import RecordingSink, SongShelf
from room_agent.core.ports import (
    Emergency,
    PlayerState,
    PlayOutcome,
    SessionOpened,
    SongPlayed,
    VocalSwitch,
)
from room_agent.core.room import RoomCore
from room_agent.player import PlayerConfig, VlcPlayer
from room_agent.store import SqliteRoomStore
from tests.support import media


@dataclass(frozen=True)
class Songs:
    short: Song
    channels: Song
    broken: Song
    missing: Song


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> Songs:
    root = tmp_path_factory.mktemp("core-songs")
    return Songs(
        short=media.song_for(media.tone_song(root / "short.ogg", duration_s=1.5)),
        channels=media.song_for(
            media.channels_mp3(root / "channels.mp3", duration_s=20), mode=VocalMode.CHANNELS
        ),
        broken=media.song_for(media.broken_file(root / "broken.mkv")),
        missing=media.song_for(root / "not-there.mkv"),
    )


@dataclass
class LiveRoom:
    core: RoomCore
    player: VlcPlayer
    sink: RecordingSink


@pytest.fixture
def live(songs: Songs, tmp_path: Path) -> Iterator[LiveRoom]:
    player = VlcPlayer(PlayerConfig())
    sink = RecordingSink()
    store = SqliteRoomStore(tmp_path / "room.sqlite")
    shelf = SongShelf([songs.short, songs.channels, songs.broken, songs.missing])
    core = RoomCore(player, sink, shelf, store=store)
    core.start()
    core.handle(SessionOpened("sessions/live", datetime.now(UTC)))
    try:
        yield LiveRoom(core, player, sink)
    finally:
        core.close()
        player.close()
        store.close()


def _wait_for(predicate, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _playing(room: LiveRoom) -> str | None:
    view = room.core.view()
    return view.now_playing.song.song_id if view.now_playing else None


@pytest.mark.slow
def test_the_queue_plays_through_real_ends_and_skips_files_that_do_not_open(
    live: LiveRoom, songs: Songs
) -> None:
    for song in (songs.short, songs.broken, songs.missing, songs.channels):
        live.core.add_song(song.song_id)
    assert _wait_for(lambda: _playing(live) == songs.channels.song_id)
    outcomes = [(p.song_id, p.outcome) for p in live.sink.events(SongPlayed)]
    assert outcomes == [
        (songs.short.song_id, PlayOutcome.COMPLETED),
        (songs.broken.song_id, PlayOutcome.FAILED),
        (songs.missing.song_id, PlayOutcome.FAILED),
    ]
    completed = live.sink.events(SongPlayed)[0]
    assert 1000 <= completed.played_ms <= 4000
    assert _wait_for(lambda: live.player.status().state is PlayerState.PLAYING)
    live.core.skip()
    assert live.sink.events(SongPlayed)[-1].outcome is PlayOutcome.SKIPPED
    assert _wait_for(lambda: live.player.status().state is PlayerState.STOPPED)


@pytest.mark.slow
def test_emergency_pauses_the_real_player_and_resumes_it(live: LiveRoom, songs: Songs) -> None:
    live.core.add_song(songs.channels.song_id)
    assert _wait_for(lambda: live.player.status().state is PlayerState.PLAYING)
    assert _wait_for(lambda: live.player.status().position_ms > 500)
    sent = time.monotonic()
    live.core.handle(Emergency(True, "火警"))
    assert _wait_for(lambda: live.player.status().state is PlayerState.PAUSED, 1.0)
    assert time.monotonic() - sent < 1.0
    held = live.player.status().position_ms
    time.sleep(0.5)
    assert abs(live.player.status().position_ms - held) < 100
    live.core.handle(Emergency(False))
    assert _wait_for(lambda: live.player.status().state is PlayerState.PLAYING, 2.0)


@pytest.mark.slow
def test_vocal_toggle_reaches_the_real_player(live: LiveRoom, songs: Songs) -> None:
    live.core.add_song(songs.channels.song_id)
    assert _wait_for(lambda: live.player.status().state is PlayerState.PLAYING)
    first = live.core.toggle_vocal()
    assert first in (VocalSwitch.ORIGINAL, VocalSwitch.ACCOMPANIMENT)
    assert live.core.toggle_vocal() is not first
