"""Costs of the room agent core's hot paths on this machine.

    .venv/bin/python benchmarks/room_core.py

Prints median and p99 per operation: the SQLite snapshot written on every queue change, the
position saved every 2 s, one core tick (20 per second), a lyric lookup, parsing an LRC.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media_index.model import Song
from room_agent.core.instruments import RecordingPlayer, RecordingSink, SongShelf
from room_agent.core.ports import SessionOpened
from room_agent.core.room import RoomCore
from room_agent.lyrics import LyricTimeline, parse_lrc
from room_agent.store import SqliteRoomStore

SONGS = [
    Song(f"s{n}", f"歌曲{n}", ("歌手",), f"/m/{n}.mkv", duration_ms=240_000) for n in range(60)
]


def enhanced_lrc(lines: int = 60) -> str:
    out = []
    for n in range(lines):
        t0 = 5.0 + n * 3.5
        words = "".join(
            f"<{int((t0 + i * 0.3) // 60):02d}:{(t0 + i * 0.3) % 60:05.2f}>字" for i in range(10)
        )
        out.append(f"[{int(t0 // 60):02d}:{t0 % 60:05.2f}]{words}")
    return "\n".join(out) + "\n"


def timed(work: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def main() -> None:
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteRoomStore(Path(tmp) / "room.sqlite")
        core = RoomCore(
            RecordingPlayer(), RecordingSink(), SongShelf(SONGS), store=store,
            lyrics=lambda song: parse_lrc(enhanced_lrc()),
        )  # fmt: skip
        core.start(run_loop=False)
        core.handle(SessionOpened("sessions/bench", datetime.now(UTC)))
        for song in SONGS[:31]:
            core.add_song(song.song_id)
        for _ in range(20):
            core.skip()
        for song in SONGS[31:51]:
            core.add_song(song.song_id)
        snapshot = core._snapshot()
        rows.append(("store.save (30 queued, 20 sung)", *timed(lambda: store.save(snapshot), 200)))
        rows.append(("store.save_position", *timed(lambda: store.save_position(1, 1, True), 500)))
        rows.append(("core.add_song (incl. save)", *timed(lambda: core.add_song("s55"), 100)))
        rows.append(("core.tick (lyrics + timers)", *timed(core.tick, 2000)))
        rows.append(("core.view()", *timed(core.view, 2000)))
        core.close()
        store.close()
    text = enhanced_lrc()
    lyrics = parse_lrc(text)
    timeline = LyricTimeline(lyrics)
    rows.append(("parse_lrc (60 enhanced lines)", *timed(lambda: parse_lrc(text), 200)))
    rows.append(("LyricTimeline.at", *timed(lambda: timeline.at(100_000), 5000)))
    print(f"{'operation':36} {'median ms':>10} {'p99 ms':>9}")
    for name, median, p99 in rows:
        print(f"{name:36} {median:10.3f} {p99:9.3f}")


if __name__ == "__main__":
    main()
