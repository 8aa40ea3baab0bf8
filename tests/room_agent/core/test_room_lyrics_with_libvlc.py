"""End to end: the core's ``lyrics_line`` events, driven by the real libVLC player's position,
fire when the line's audio is heard (captured PCM with libVLC's presentation times)."""

from __future__ import annotations

import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from media_index.model import Song
from room_agent.core.events import CoreEvent, LyricsLine
from room_agent.core.instruments import RecordingSink, SongShelf
from room_agent.core.ports import SessionOpened
from room_agent.core.room import RoomCore
from room_agent.lyrics import parse_lrc
from room_agent.player import AudioOutput, OutputKind, PlayerConfig, VlcPlayer
from tests.room_agent.lyrics.libvlc_sync import LINE_TIMES_S, RATE_HZ, lrc_text, make_media
from tests.support.pcm import PcmRecorder


def _onsets_us(pcm: PcmRecorder) -> list[float]:
    onsets: list[float] = []
    loud_before = False
    buffers = sorted(pcm.buffers(), key=lambda b: b[1])  # as heard: volume applied
    peak = max((float(np.abs(f[:, 0]).max()) for _d, _p, f in buffers if len(f)), default=0.0)
    if peak == 0.0:
        return onsets
    for _deck, pts, frames in buffers:
        loud = np.abs(frames[:, 0]) > peak / 4
        if not loud_before and loud.any():
            onsets.append(pts + int(np.argmax(loud)) * 1e6 / RATE_HZ)
        loud_before = bool(loud[-64:].any()) if loud.any() else False
    return onsets


@pytest.mark.slow
def test_lyrics_line_events_fire_when_the_line_is_heard(tmp_path: Path) -> None:
    media = make_media(tmp_path / "bursts.ogg", duration_s=12.0)  # still playing when read
    song = Song("s-bursts", "节拍", ("测试",), str(media), duration_ms=12_000)
    pcm = PcmRecorder()
    player = VlcPlayer(PlayerConfig(audio=AudioOutput(OutputKind.CAPTURE, capture=pcm)))
    core = RoomCore(
        player, RecordingSink(), SongShelf([song]), lyrics=lambda s: parse_lrc(lrc_text())
    )
    changes: list[float] = []
    done = threading.Event()

    def on_event(event: CoreEvent) -> None:
        if isinstance(event, LyricsLine) and event.moment.index >= 0:
            changes.append(time.monotonic() * 1e6)
            if len(changes) == len(LINE_TIMES_S):
                done.set()

    core.subscribe(on_event)
    core.start()
    try:
        core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
        core.add_song(song.song_id)
        assert done.wait(LINE_TIMES_S[-1] + 8), changes
        deadline = time.monotonic() + 3  # the last burst reaches the capture
        while len(_onsets_us(pcm)) < len(changes) and time.monotonic() < deadline:
            time.sleep(0.05)
        onsets = _onsets_us(pcm)[: len(changes)]  # before stopping: a stop flushes the capture
    finally:
        core.close()
        player.close()
    assert len(onsets) == len(changes), (onsets, changes)
    errors_ms = [(c - o) / 1000 for c, o in zip(changes, onsets, strict=True)]
    print("lyrics_line event minus heard onset, ms:", [round(e, 1) for e in errors_ms])
    assert len(errors_ms) == len(LINE_TIMES_S)
    assert statistics.median(abs(e) for e in errors_ms) <= 50, errors_ms
    assert max(abs(e) for e in errors_ms) <= 500, errors_ms  # loose: a shared, loaded machine
