"""Lyric sync against real libVLC, per container/codec: how far the lyric line change is from
the instant the audio is heard (amem presentation dates). Negative = lyrics early.

    .venv/bin/python benchmarks/lyrics_sync.py [runs]

Prints one row per format: median and worst absolute error over all lines of all runs.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.room_agent.lyrics.libvlc_sync import make_media, measure

FORMATS = (".ogg", ".m4a", ".mp3", ".wav", ".mkv", ".mpg")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"lyric line change vs heard audio, libVLC get_time() + PlaybackClock, {runs} runs")
    print(f"{'format':8} {'median ms':>10} {'mean ms':>9} {'p99/max |ms|':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for extension in FORMATS:
            media = make_media(Path(tmp) / f"bursts{extension}")
            errors = [e for _ in range(runs) for e in measure(media).errors_ms]
            worst = max(abs(e) for e in errors)
            print(
                f"{extension[1:]:8} {statistics.median(errors):10.1f} "
                f"{statistics.fmean(errors):9.1f} {worst:13.1f}"
            )


if __name__ == "__main__":
    main()
