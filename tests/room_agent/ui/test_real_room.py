"""End to end on real parts: the touchscreen over the real RoomCore, the real libVLC player
(amem capture: what the guest hears), a real media_index catalog, a real outbox, generated
songs and an enhanced LRC file. A guest types ``zjl``, taps 七里香, it plays, the lyrics
advance, 伴唱 removes the vocal from what is heard, skip moves on; closing the session locks
the screen and an emergency takes it over."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from media_index import Catalog, CatalogEntry, FileStamp
from media_index.model import Song, VocalMode
from room_agent.core.ports import (
    Emergency,
    PlayerState,
    QueueSongs,
    SessionClosed,
    SessionOpened,
    VocalSwitch,
)
from room_agent.core.room import RoomCore
from room_agent.link.db import LinkDatabase
from room_agent.link.outbox import Outbox
from room_agent.lyrics.lrc import load_lrc
from room_agent.player import AudioOutput, OutputKind, PlayerConfig, VlcPlayer
from room_agent.ui.catalog_adapter import CatalogSongSource
from room_agent.ui.core_adapter import CoreRoomControl, RoomIdentity
from room_agent.ui.desk import UnavailableFrontDesk
from tests.support import media
from tests.support.pcm import PcmRecorder, tone_level

GONE = 0.005
LINES = (
    "窗外的麻雀",
    "在电线杆上多嘴",
    "你说这一句",
    "很有夏天的感觉",
    "手中的铅笔",
    "在纸上来来回回",
    "我用几行字形容你",
)


def _enhanced_lrc(path: Path) -> Path:
    """Seven lines of 2.5 s from 0.5 s, each character with its own word stamp."""
    rows = []
    for i, text in enumerate(LINES):
        start = 500 + i * 2500
        step = 2500 // len(text)
        stamps = "".join(f"<{_stamp(start + k * step)}>{ch}" for k, ch in enumerate(text))
        rows.append(f"[{_stamp(start)}]{stamps}<{_stamp(start + 2500)}>")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _stamp(ms: int) -> str:
    return f"{ms // 60000:02d}:{ms % 60000 // 1000:02d}.{ms % 1000 // 10:02d}"


@dataclass
class RealRoom:
    core: RoomCore
    control: CoreRoomControl
    player: VlcPlayer
    pcm: PcmRecorder
    catalog: Catalog


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Song, Song]:
    """七里香 (two tracks, word-timed lyrics) and 甜蜜蜜 (one mix), generated once."""
    root = tmp_path_factory.mktemp("real-room-songs")
    song_file = media.dual_track_mkv(root / "qlx.mkv", duration_s=20.0)
    plain_file = media.tone_song(root / "tmm.wav", freq_hz=440, duration_s=6)
    qlx = replace(
        media.song_for(song_file, song_id="s-qlx", mode=VocalMode.TRACKS),
        title="七里香",
        artists=("周杰伦",),
        language="mandarin",
        lyrics_path=str(_enhanced_lrc(root / "qlx.lrc")),
        lyrics_word_timed=True,
    )
    tmm = replace(
        media.song_for(plain_file, song_id="s-tmm"),
        title="甜蜜蜜",
        artists=("邓丽君",),
        language="mandarin",
    )
    return qlx, tmm


@pytest.fixture
def real_room(tmp_path: Path, songs: tuple[Song, Song]) -> Iterator[RealRoom]:
    catalog = Catalog(tmp_path / "catalog.db")
    catalog.put_entries([CatalogEntry(s, FileStamp(1, 1)) for s in songs])
    pcm = PcmRecorder()
    player = VlcPlayer(PlayerConfig(audio=AudioOutput(OutputKind.CAPTURE, capture=pcm)))
    db = LinkDatabase(tmp_path / "link.db")

    def lyrics(song):
        return load_lrc(song.lyrics_path) if song.lyrics_path else None

    core = RoomCore(player, Outbox(db), catalog.get, lyrics=lyrics)
    core.start()
    control = CoreRoomControl(
        core,
        RoomIdentity("A08", tier="medium", booking_url="https://ktv.example/rooms/A08"),
        catalog.get,
        online=True,
    )
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    yield RealRoom(core, control, player, pcm, catalog)
    core.close()
    player.close()
    db.close()
    catalog.close()


@pytest.fixture
def guest_in_real_room(guest, real_room):
    guest.app.attach(
        real_room.control, CatalogSongSource(real_room.catalog), UnavailableFrontDesk()
    )
    guest.app.root.session.reset()
    guest.pump(3)
    return guest


def _level(pcm: PcmRecorder, hz: float) -> float:
    """Level of ``hz`` in what was heard over the last half second (audio reaches amem a
    little ahead of the clock; callers retry with ``guest.until`` when the machine lags)."""
    now = time.monotonic()
    return tone_level(pcm.heard(now - 0.6, now - 0.1), hz)


def test_a_guest_orders_sings_switches_vocal_and_skips_on_the_real_room(
    guest_in_real_room, real_room
):
    guest = guest_in_real_room
    session = guest.session
    guest.tap(session.ids.tab_search)
    search = session.screens["search"]
    guest.type_keys(search.ids.keyboard, "zjl")
    guest.until(lambda: search.total == 1)
    guest.shot("search")
    guest.tap(guest.row(search.ids.results, song_id="s-qlx").ids.add)
    search.ids.keyboard.query = ""
    guest.type_keys(search.ids.keyboard, "tmm")
    guest.until(lambda: search.total == 1)
    guest.tap(guest.row(search.ids.results, song_id="s-tmm").ids.add)

    guest.until(lambda: guest.app.playback.song is not None, timeout_s=15)
    assert guest.app.playback.song.title == "七里香"
    guest.until(lambda: real_room.player.status().state is PlayerState.PLAYING, timeout_s=15)

    guest.tap(session.ids.tab_now_playing)
    now = session.screens["now_playing"]
    # 原唱 is heard first (the player starts on the original), then 伴唱 on one tap
    pcm = real_room.pcm
    # at the room's default volume (60 %) each tone is heard at about 0.03 of full scale
    guest.until(lambda: _level(pcm, media.VOCAL_HZ) > 4 * GONE, timeout_s=20)
    vocal = now.ids.vocal
    guest.until(lambda: vocal.text == "原唱" and not vocal.disabled)
    guest.tap(vocal)
    guest.until(lambda: real_room.player.status().vocal is VocalSwitch.ACCOMPANIMENT)
    guest.until(lambda: vocal.text == "伴唱")
    guest.until(
        lambda: (
            _level(pcm, media.VOCAL_HZ) < GONE  # the vocal is gone...
            and _level(pcm, media.ACCOMP_HZ) > 4 * GONE
        ),  # ...and the backing track plays on
        timeout_s=20,
    )

    guest.until(lambda: now.line in LINES[:-1], timeout_s=30)
    first = now.line
    assert now.next_line == LINES[LINES.index(first) + 1]
    guest.until(lambda: now.ids.karaoke.wiped_chars > 0)
    guest.until(lambda: now.line in LINES and now.line != first, timeout_s=30)  # advances
    guest.shot("lyrics")

    # 切歌: the queued second song starts
    assert [e.song.title for e in guest.app.queue_view.pending] == ["甜蜜蜜"]
    guest.tap(session.ids.bottom_bar.ids.skip)
    guest.until(lambda: guest.app.playback.song.title == "甜蜜蜜", timeout_s=15)
    guest.until(lambda: real_room.player.status().song_id == "s-tmm", timeout_s=15)
    assert session.ids.bottom_bar.ids.vocal.disabled  # one mix: no 原唱/伴唱
    assert [e.song.title for e in guest.app.queue_view.sung][:1] == ["七里香"]
    guest.shot("skipped")


def test_closing_the_session_locks_and_an_emergency_takes_over(guest_in_real_room, real_room):
    guest = guest_in_real_room
    real_room.core.handle(Emergency(True, "消防演习，请立即撤离"))
    guest.until(lambda: guest.app.root.current == "emergency")
    assert guest.app.root.emergency.ids.message.text == "消防演习，请立即撤离"
    real_room.core.handle(Emergency(False))
    guest.until(lambda: guest.app.root.current == "open")
    real_room.core.handle(SessionClosed("sessions/1"))
    guest.until(lambda: guest.app.root.current == "locked")
    assert guest.app.root.locked.ids.room_name.text == "A08  中包"
    guest.shot("locked")


def test_the_offline_badge_follows_the_link_and_search_still_works(guest_in_real_room, real_room):
    guest = guest_in_real_room
    real_room.control.set_online(False)
    guest.until(lambda: guest.session.ids.offline_badge.opacity == 1)
    guest.tap(guest.session.ids.tab_search)
    search = guest.session.screens["search"]
    guest.type_keys(search.ids.keyboard, "qlx")
    guest.until(lambda: search.total == 1)
    real_room.control.set_online(True)
    guest.until(lambda: guest.session.ids.offline_badge.opacity == 0)


def test_the_heap_stays_flat_while_a_song_and_its_lyrics_play(guest_in_real_room, real_room):
    """Three hours of lyrics must not grow the agent: every frame of now playing (the core's
    status, the lyric clock, the wipe, the time label) allocates only what it frees. A leak
    of a few small objects a frame is ~50 MB over a three-hour session at 60 fps; over these
    eight seconds it is well over a thousand blocks. (The bench's own per-frame rows once
    looked like such a leak: benchmarks/agent_bench.py now samples the trend.)
    """
    import gc
    import sys

    guest = guest_in_real_room
    real_room.core.handle(QueueSongs(("s-qlx",)))
    guest.tap(guest.session.ids.tab_now_playing)
    now = guest.session.screens["now_playing"]
    guest.until(lambda: now.line == LINES[1], timeout_s=20)  # warm: lines, labels, textures
    frames = 0

    def play(seconds: float) -> None:
        nonlocal frames
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            guest.pump(1)
            frames += 1
            time.sleep(1 / 60)

    play(1.0)
    frames = 0
    real_room.pcm.clear()  # the test's recorder keeps all it hears: not the agent's heap
    gc.collect()
    before = sys.getallocatedblocks()
    play(8.0)  # three more lines: rasterised, shown, dropped
    real_room.pcm.clear()
    gc.collect()
    grown = sys.getallocatedblocks() - before
    assert now.line in LINES[4:]
    assert frames > 200
    print(f"heap: {grown:+d} blocks over {frames} frames")
    assert grown < frames, f"{grown} blocks more after {frames} frames"
