"""Playback per container, heard through PulseAudio: ``library_bench.py playback``.

    .venv/bin/python benchmarks/library_bench.py playback [--runs 5] [--seconds 16]
        [--containers mpg,vob,mkv,mp4,mp3,avi] [--as-cached]

For every container a venue has, a generated song made the way its libraries make it
(MPEG-PS: MPEG-2 video + two MP2 tracks, ffmpeg's default mux; MKV/MP4: H.264 + two AAC;
AVI: MPEG-4 + two MP3; MP3: accompaniment left, original right) is played by ``VlcPlayer``
into a private PulseAudio null sink and recorded from its monitor (tests/support/pulse.py).
The signals are those of tests/support/media.py: a 330 Hz accompaniment with a 3 kHz tick
every 250 ms in both tracks, a 1 kHz vocal in the original only. Each run of a container:

- play -> first audio: first 10 ms window above -34 dBFS after ``play()``;
- a 原唱/伴唱 switch every ~1.1 s for the whole song: longest silence (2 ms windows) around
  each switch, the vocal gone/back (10 ms windows), and the largest error of the 250 ms
  metronome over the WHOLE song (a deck drifting apart shows as a jump at the next switch);
- lyric offset: the player's position (``status().position_ms``, what the lyric clock
  follows) minus the position heard at the same instant (from the tick train), sampled
  every 100 ms; + = lyrics early;
- key change +2 on the accompaniment (330 Hz -> 370 Hz): silence around it, and the first
  40 ms window whose band centroid is nearer 370 than 330;
- skip -> next song: ``play()`` of a second song of the same container whose accompaniment
  is 550 Hz: the first 20 ms window where 550 Hz outweighs 330 Hz.

``--as-cached`` plays MPEG-PS as the room's song cache stores it (a lossless remux to MKV,
room_agent/library/remux.py) instead of the NAS file. Medians (and worst) over --runs runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ktv.errors import Unsupported
from media_index.model import Channel, Song, VocalMode
from room_agent.core.ports import VocalSwitch
from room_agent.player import AudioOutput, OutputKind, PlayerConfig, VlcPlayer
from tests.support import media
from tests.support.pcm import centroid_hz, longest_silence_ms, tick_onsets_s, tone_level
from tests.support.pulse import RATE_HZ, PulseServer

CONTAINERS = ("mpg", "vob", "mkv", "mp4", "mp3", "avi")
SINGLE = ("wav", "ogg", "m4a")  # lyric offset only (no vocal mode)
SKIP_HZ = 550.0
SWITCH_EVERY_S = 1.1


def _sig(accomp_hz: float, vocal: bool) -> str:
    expr = f"0.25*sin(2*PI*{accomp_hz}*t)+{media._TICK}"
    return expr + (f"+{media._VOCAL}" if vocal else "")


def make_song(path: Path, seconds: float, accomp_hz: float = media.ACCOMP_HZ) -> Song:
    """One generated song of ``path``'s container (see the module's docstring)."""
    ext = path.suffix[1:]
    orig, acc = _sig(accomp_hz, True), _sig(accomp_hz, False)

    def src(left: str, right: str) -> list[str]:
        return media._eval_src(left, right, seconds)

    pic = ["-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={seconds}"]
    two = ["-map", "0:v", "-map", "1:a", "-map", "2:a"]
    if ext in ("mpg", "vob"):
        muxer = "vob" if ext == "vob" else "mpeg"
        args = [*pic, *src(orig, orig), *src(acc, acc), *two, "-c:v", "mpeg2video", "-b:v", "1M",
                "-c:a", "mp2", "-b:a", "192k", "-ar", "48000", "-f", muxer]  # fmt: skip
    elif ext in ("mkv", "mp4"):
        args = [*pic, *src(orig, orig), *src(acc, acc), *two, "-c:v", "libx264", "-preset",
                "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k"]  # fmt: skip
    elif ext == "avi":
        args = [*pic, *src(orig, orig), *src(acc, acc), *two, "-c:v", "mpeg4",
                "-c:a", "libmp3lame", "-b:a", "192k"]  # fmt: skip
    elif ext == "mp3":
        args = [*src(acc, orig), "-c:a", "libmp3lame", "-b:a", "192k", "-joint_stereo", "0"]
    else:
        args = [
            *src(acc, acc),
            *{"ogg": ["-c:a", "libvorbis"], "m4a": ["-c:a", "aac"]}.get(ext, []),
        ]
    media._ffmpeg(*args, "-t", str(seconds), str(path))
    if ext == "mp3":
        mode, fields = VocalMode.CHANNELS, {"vocal_channel": Channel.RIGHT}
    elif ext in SINGLE:
        mode, fields = VocalMode.NONE, {}
    else:
        mode, fields = VocalMode.TRACKS, {"vocal_track": 0, "accompaniment_track": 1}
    return Song(
        song_id=path.stem, title=path.stem, artists=("bench",), path=str(path),
        has_video=ext not in ("mp3", *SINGLE), vocal_mode=mode, **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def _windows(x: np.ndarray, ms: int, test: Callable[[np.ndarray], bool]) -> float | None:
    win, step = RATE_HZ * ms // 1000, RATE_HZ * 5 // 1000
    for i in range(0, len(x) - win, step):
        if test(x[i : i + win]):
            return i * 1000 / RATE_HZ
    return None


def _audible(x: np.ndarray) -> bool:
    return float(np.abs(x).max()) > 0.02


class Run:
    """One song of one container, listened to from play() to the next song."""

    def __init__(self, pulse: PulseServer, player: VlcPlayer, song: Song, nxt: Song) -> None:
        self.pulse, self.player, self.song, self.next = pulse, player, song, nxt
        self.out: dict[str, list[float]] = {}

    def add(self, key: str, value: float | None) -> None:
        self.out.setdefault(key, [])
        if value is not None:
            self.out[key].append(value)

    def go(self, seconds: float, key: bool) -> dict[str, list[float]]:
        player, song = self.player, self.song
        player.stop()
        time.sleep(0.3)
        with self.pulse.record() as rec:
            time.sleep(0.3)
            t0 = time.monotonic()
            player.play(song)
            positions: list[tuple[float, int]] = []
            switches: list[tuple[float, VocalSwitch]] = []
            vocal = song.vocal_mode is not VocalMode.NONE
            next_switch = t0 + 1.5
            end = t0 + seconds - (2.5 if key else 1.0)
            while (now := time.monotonic()) < end:
                status = player.status()
                positions.append((now, status.position_ms))
                if vocal and now >= next_switch:
                    want = (
                        VocalSwitch.ACCOMPANIMENT
                        if len(switches) % 2 == 0
                        else VocalSwitch.ORIGINAL
                    )
                    t = time.monotonic()
                    player.set_vocal(want)
                    switches.append((t, want))
                    next_switch = t + SWITCH_EVERY_S
                time.sleep(0.1)
            t_key = None
            if key:
                if vocal and player.status().vocal is not VocalSwitch.ACCOMPANIMENT:
                    player.set_vocal(VocalSwitch.ACCOMPANIMENT)
                    time.sleep(0.4)
                t_key = time.monotonic()
                try:
                    player.set_key(2)
                except Unsupported as exc:  # counted: the table says so
                    print(f"  {song.song_id}: key change refused: {exc}", flush=True)
                    self.add("key change refused (runs)", 1.0)
                    t_key = None
                time.sleep(1.0)
            if song.vocal_mode is not VocalMode.NONE:
                fell_back = not player.vocal_method.uses_shadow
                self.add("seamless switch lost (runs)", 1.0 if fell_back else 0.0)
            t_skip = time.monotonic()
            player.play(self.next)
            time.sleep(0.8)
        with contextlib.suppress(Unsupported):
            player.set_key(0)
        x = rec.samples()

        def at(instant: float) -> int:
            return max(0, rec.sample_at(instant))

        def after(instant: float, secs: float, lead: float = 0.0) -> np.ndarray:
            i = at(instant - lead)
            return x[i : i + int((secs + lead) * RATE_HZ)]

        first = _windows(after(t0, 1.5), 10, _audible)
        self.add("play -> first audio", first)
        t_end = t_key if t_key else t_skip
        # from the song's first sound (position 0): tick k heard is the song's k * 250 ms
        song_at = at(t0) + int((first or 0) * RATE_HZ / 1000)
        whole = x[song_at : at(t_end)]
        onsets = tick_onsets_s(whole)
        # parec starved by a loaded machine drops audio: that run's whole-song measures would
        # show the capture's hole, not the player's (counted, not measured)
        lost = rec.lost_ms(t0, t_end) > 3.0 or any(
            rec.lost_ms(t, t + 1.0) > 3.0 for t in np.arange(t0, t_end - 1.0, 1.0)
        )
        self.add("capture lost audio (runs)", 1.0 if lost else 0.0)
        if len(onsets) > 4 and not lost:
            iv = np.diff(onsets)
            self.add("largest jump over the song", float(np.abs(iv - 0.25).max() * 1000))
            # heard position: tick k of the song is at k * 250 ms
            tick_ms = np.round(onsets / 0.25) * 250
            lyric = []
            for instant, pos in positions:
                s = (at(instant) - song_at) / RATE_HZ
                k = np.searchsorted(onsets, s) - 1
                if k < 0 or pos <= 0 or instant < t0 + 1.0:
                    continue
                heard = tick_ms[k] + (s - onsets[k]) * 1000
                lyric.append(pos - heard)
            if lyric:
                self.add("lyric offset (+ = early)", float(np.median(lyric)))
                self.add("lyric offset, worst", float(max(lyric, key=abs)))
        for t, want in switches:
            around = after(t, 0.5, lead=0.3)
            self.add("switch silence", longest_silence_ms(around))
            if want is VocalSwitch.ACCOMPANIMENT:
                test = lambda w: tone_level(w, media.VOCAL_HZ) < 0.01  # noqa: E731
            else:
                test = lambda w: tone_level(w, media.VOCAL_HZ) > 0.05  # noqa: E731
            self.add("switch -> vocal gone/back", _windows(after(t, 0.5), 10, test))
        if t_key is not None:
            around = after(t_key, 0.8, lead=0.2)
            self.add("key change silence", longest_silence_ms(around))
            shifted = media.ACCOMP_HZ * 2 ** (2 / 12)

            def new_pitch(w: np.ndarray) -> bool:
                if float(np.abs(w).max()) < 0.02:
                    return False
                c = centroid_hz(w, 250, 450)
                return abs(c - shifted) < abs(c - media.ACCOMP_HZ)

            self.add("key change -> new pitch", _windows(after(t_key, 0.8), 40, new_pitch))
        skip = after(t_skip, 0.8)
        self.add(
            "skip -> next song",
            _windows(
                skip,
                20,
                lambda w: tone_level(w, SKIP_HZ) > 2 * tone_level(w, media.ACCOMP_HZ) + 0.01,
            ),
        )
        return self.out


def cmd_playback(args: argparse.Namespace) -> int:
    from room_agent.library.remux import remux_to_mkv

    containers = [c for c in args.containers.split(",") if c]
    rows: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="ktv-playback-bench-") as tmp:
        root = Path(tmp)
        with PulseServer(root / "pulse") as pulse:
            config = PlayerConfig(
                audio=AudioOutput(OutputKind.PULSE), extra_vlc_args=tuple(args.vlc_arg)
            )
            player = VlcPlayer(config)
            try:
                for ext in containers:
                    song = make_song(root / f"song.{ext}", args.seconds)
                    nxt = make_song(root / f"next.{ext}", 6, accomp_hz=SKIP_HZ)
                    label = ext
                    if args.as_cached and ext in ("mpg", "vob"):
                        song = _cached(song, root / f"song-{ext}.mkv", remux_to_mkv)
                        nxt = _cached(nxt, root / f"next-{ext}.mkv", remux_to_mkv)
                        label = f"{ext} (cached)"
                    merged: dict[str, list[float]] = {}
                    for _ in range(args.runs):
                        got = Run(pulse, player, song, nxt).go(args.seconds, key=ext not in SINGLE)
                        for k, v in got.items():
                            merged.setdefault(k, []).extend(v)
                    rows[label] = merged
                    brief = {k: round(statistics.median(v), 1) for k, v in merged.items() if v}
                    print(f"  {label}: {json.dumps(brief)}", flush=True)
            finally:
                player.close()
    load = os.getloadavg()[0]
    print(f"\nplayback per container through PulseAudio: {args.runs} runs of a "
          f"{args.seconds:g} s song each, ms, median (worst); load {load:.1f}\n")  # fmt: skip
    measures = [
        ("play -> first audio", 100), ("skip -> next song", 100), ("switch silence", 20),
        ("switch -> vocal gone/back", 50), ("largest jump over the song", 40),
        ("key change silence", 20), ("key change -> new pitch", 200),
        ("lyric offset (+ = early)", 40), ("lyric offset, worst", None),
        ("capture lost audio (runs)", None), ("seamless switch lost (runs)", None),
        ("key change refused (runs)", None),
    ]  # fmt: skip
    print("| measure | " + " | ".join(rows) + " | target |")
    print("|---|" + "---:|" * len(rows) + "---|")
    for name, target in measures:
        cells = []
        for label in rows:
            v = rows[label].get(name, [])
            if not v:
                cells.append("-")
            elif name.endswith("(runs)"):
                cells.append(f"{sum(v):.0f} of {len(v)}")
            elif name == "lyric offset, worst":
                cells.append(f"{max(v, key=abs):+.0f}")
            else:
                cells.append(f"{statistics.median(v):.0f} ({max(v, key=abs):.0f})")
        bound = "-" if target is None else (f"±{target}" if "lyric" in name else f"≤ {target}")
        print(f"| {name} | " + " | ".join(cells) + f" | {bound} |")
    return 0


def _cached(song: Song, dest: Path, remux: Callable[[Path, Path], Path]) -> Song:
    from dataclasses import replace

    remux(Path(song.path), dest)
    return replace(song, path=str(dest))


def add_parser(sub: argparse._SubParsersAction) -> None:
    sp = sub.add_parser("playback", help="playback per container, heard through PulseAudio")
    sp.add_argument("--runs", type=int, default=5)
    sp.add_argument("--seconds", type=float, default=16.0, help="length of each song")
    sp.add_argument("--containers", default=",".join(CONTAINERS + SINGLE))
    sp.add_argument("--as-cached", action="store_true", help="MPEG-PS as the song cache stores it")
    sp.add_argument("--vlc-arg", action="append", default=[], help="extra libVLC option")
    sp.set_defaults(run=cmd_playback)


__all__ = ["add_parser", "make_song"]
