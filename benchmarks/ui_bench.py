"""Touchscreen benchmark: cold start, key press to results drawn, lyric frame time, RSS.

    .venv/bin/python benchmarks/ui_bench.py                  # 1M-song catalog (built once)
    .venv/bin/python benchmarks/ui_bench.py --songs 100000   # smaller catalog

The catalog comes from the index's own generator (benchmarks/search_bench.py) and is cached
under $TMPDIR/ktv-ui-bench/. Each measurement runs the real Kivy app offscreen in a child
process (one window per process), against the real media_index.Catalog. Playback state comes
from the test room double (tests/room_agent/ui/doubles.py), advanced by the wall clock.
Targets (issue 5): start <= 3 s, key-to-results p95 <= 100 ms, lyric frames at 60 fps with
no frame over 33 ms, agent RSS with the UI <= 250 MB.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CACHE = Path(tempfile.gettempdir()) / "ktv-ui-bench"
KEYS = "abcdefghjklmnpqrstwxyz"  # initials that start Chinese syllables (no i, u, v, o)
HEAVY_MODULES = ("pypinyin", "opencc", "numpy", "matplotlib", "PIL", "qrcode", "grpc", "vlc")


def _env() -> dict[str, str]:
    (CACHE / "kivy-home").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        KIVY_NO_ARGS="1",
        KIVY_NO_FILELOG="1",
        KIVY_HOME=str(CACHE / "kivy-home"),
        KTV_DATA_DIR=str(CACHE / "data"),
    )
    env.setdefault("KIVY_IMAGE", "sdl2,tex,dds")  # as run_touchscreen configures it
    if not env.get("DISPLAY"):
        env["SDL_VIDEODRIVER"] = "offscreen"
    return env


def catalog_path(songs: int) -> Path:
    """The index's synthetic catalog of ``songs`` songs, built once through the real import
    path and shared with benchmarks/search_bench.py (see benchmarks/synthetic_songs.py)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic_songs import cached_catalog

    built = cached_catalog(songs)
    if not built.cached:
        print(f"built {songs:,} songs in {built.wall_s:.0f} s wall", file=sys.stderr)
    return built.path


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- child process: the app ---------------------------------------------------------------


def child(mode: str, catalog: Path, started_at: float) -> None:
    from kivy.config import Config

    Config.set("graphics", "width", "800")
    Config.set("graphics", "height", "480")
    Config.set("input", "mouse", "")
    Config.set("graphics", "multisamples", "0")  # as run_touchscreen configures it
    # lyrics: no frame cap, the bench paces frames itself and times only the work
    Config.set("graphics", "maxfps", "0" if mode in ("lyrics", "video") else "60")
    from kivy.base import EventLoop

    from media_index import Catalog
    from room_agent.ui import settings
    from room_agent.ui.app import KtvApp, TouchscreenConfig
    from room_agent.ui.catalog_adapter import CatalogSongSource
    from room_agent.ui.desk import UnavailableFrontDesk
    from tests.room_agent.ui.doubles import RoomDouble

    cat = Catalog(catalog, readonly=True)
    room = RoomDouble()
    app = KtvApp(room, CatalogSongSource(cat), UnavailableFrontDesk(), TouchscreenConfig())
    app._run_prepare()
    home = app.root.session.screens["home"]
    deadline = time.monotonic() + 120
    while not home.loaded:  # interactive: first frame drawn and the home shelves answered
        _display_frame(EventLoop)
        if time.monotonic() > deadline:
            raise SystemExit("home shelves never loaded")
    _display_frame(EventLoop)
    result: dict[str, object] = {"start_s": time.time() - started_at}
    result["freeze_frame_ms"] = _until_heap_frozen(EventLoop)

    if mode == "keys":
        result["keys_ms"], result["catalog_ms"], result["keys_cpu_ms"] = _keys(app, EventLoop)
        result["rss_mb"] = _rss_mb()
        idle_until = time.monotonic() + settings.release_memory_after_idle_s + 0.5
        while time.monotonic() < idle_until:  # the guest stops typing
            _display_frame(EventLoop)  # bare idle() calls: llvmpipe defers frees (+40 MB)
        result["rss_idle_mb"] = _rss_mb()
        result["redraw_ms"], result["redraw_cpu_ms"] = _full_redraws(EventLoop)
        result.update(_floor(EventLoop))
        result["modules"] = sorted(m for m in HEAVY_MODULES if m in sys.modules)
    elif mode == "lyrics":
        result["frames_ms"], result["cpu_percent"] = _lyrics(app, room, cat, EventLoop)
        result["frames_cpu_ms"] = app.bench_frame_cpu_ms
        result["frame_causes"] = app.bench_frame_causes
        result["rss_mb"] = _rss_mb()  # while the lyrics play
    elif mode == "video":
        result.update(_video(app, room, cat, EventLoop))
    result.setdefault("rss_mb", _rss_mb())
    app.shutdown()
    cat.close()
    print("RESULT " + json.dumps(result), flush=True)


def _display_frame(loop) -> None:
    """One frame as a display shows it: drawn, finished (a buffer swap waits for the GPU) and
    paced at 60 Hz. The offscreen window has no vsync: a loop of bare ``idle()`` calls queues
    frames in llvmpipe faster than it draws them, and the next timed frame pays for the
    backlog (the first now-playing frame measured 21-44 ms after such a loop, 15-18 ms after
    paced frames)."""
    from kivy.graphics.opengl import glFinish

    loop.idle()
    glFinish()
    time.sleep(1 / 60)


def _until_heap_frozen(loop) -> float:
    """Frames until the app has frozen its start-up heap (room_agent.ui.memory, 2 s after
    start: one full collection, on the welcome screen in a room); the longest of them."""
    import gc

    longest = 0.0
    deadline = time.monotonic() + 30
    while not gc.get_freeze_count():
        began = time.perf_counter()
        _display_frame(loop)
        longest = max(longest, (time.perf_counter() - began) * 1000 - 1000 / 60)
        if time.monotonic() > deadline:
            raise SystemExit("the app never froze its start-up heap")
    return longest


def _keys(app, loop) -> tuple[list[float], list[float], list[float]]:
    """Tap a key on the on-screen keyboard, time until its results are in the list and a
    frame has been drawn with them; also the process CPU (all threads: the search, Kivy,
    llvmpipe's rasteriser threads) each key cost."""
    session = app.root.session
    session.go("search")
    search = session.screens["search"]
    keyboard = search.ids.keyboard
    while not keyboard.keys:  # keys are built on the screen's first frame
        loop.idle()
    from kivy.graphics.opengl import glFinish

    rng = random.Random(5)
    timings = []
    catalog_ms = []
    cpu_ms = []
    for _ in range(60):
        keyboard.query = ""
        for _ in range(rng.choice((1, 2, 3, 3, 4))):
            letter = rng.choice(KEYS)
            before = search.last_request
            began = time.perf_counter()
            cpu_began = time.process_time()
            keyboard.keys[letter.upper()].dispatch("on_release")
            expected = search.last_request
            assert expected is not before
            while search.ids.results.data is None or search.total < 0 or _pending(search):
                loop.idle()
            loop.idle()  # the frame that draws the new rows
            glFinish()  # what the display's buffer swap waits for
            timings.append((time.perf_counter() - began) * 1000)
            cpu_ms.append((time.process_time() - cpu_began) * 1000)
            catalog_ms.append(search.last_elapsed_s * 1000)
    return timings, catalog_ms, cpu_ms


def _full_redraws(loop, count: int = 30) -> tuple[list[float], list[float]]:
    """What one full redraw of the screen costs (glFinish included), wall and CPU of all
    threads: every Kivy frame with a change redraws the whole window."""
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish

    timings = []
    cpu = []
    for _ in range(count):
        loop.idle()  # settle anything pending, then time the drawing alone (no fps-cap sleep)
        Window.canvas.ask_update()
        began = time.perf_counter()
        cpu_began = time.process_time()
        Window.dispatch("on_draw")
        Window.dispatch("on_flip")
        glFinish()
        timings.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - cpu_began) * 1000)
    return timings, cpu


def _floor(loop) -> dict[str, list[float]]:
    """The software renderer's floor: an empty window's frame, and a frame with one
    window-sized rectangle (the cost of filling every pixel once), wall and CPU."""
    from kivy.core.window import Window
    from kivy.graphics import Color, Rectangle
    from kivy.uix.widget import Widget

    root = Window.children[0]
    Window.remove_widget(root)
    result = {}
    empty_wall, empty_cpu = _full_redraws(loop)
    fill = Widget()
    with fill.canvas:
        Color(0.2, 0.1, 0.3, 1)
        Rectangle(pos=(0, 0), size=Window.size)
    Window.add_widget(fill)
    fill_wall, fill_cpu = _full_redraws(loop)
    Window.remove_widget(fill)
    Window.add_widget(root)
    result.update(
        empty_wall=empty_wall, empty_cpu=empty_cpu, fill_wall=fill_wall, fill_cpu=fill_cpu
    )
    return result


def _pending(search) -> bool:
    return search.shown_request is not search.last_request


def _lyrics(app, room, cat, loop, seconds: float = 10.0) -> tuple[list[float], float]:
    """Play a song with word-timed lyrics for ``seconds`` of wall time on the now-playing
    screen and record the duration of every frame (clock tick + layout + draw) and the
    process CPU use (percent of one core)."""
    from kivy.graphics.opengl import glFinish

    from room_agent.ui.port import LyricWord
    from tests.room_agent.ui.doubles import TimedLine

    song = cat.search("", limit=1).songs[0]
    room.know(song)
    lines = []
    for i in range(60):
        text = "窗外的麻雀在电线杆上多嘴" if i % 2 else "你说这一句很有夏天的感觉"
        start = i * 3000
        words = tuple(
            LyricWord(start + k * 240, start + (k + 1) * 240, ch) for k, ch in enumerate(text)
        )
        lines.append(TimedLine(start, start + 3000, text, words))
    room.lyrics_by_song[song.song_id] = tuple(lines)
    room.enqueue(song.song_id)
    app.root.session.go("now_playing")
    frame_s = 1 / 60
    frames = []
    frame_cpu = []
    causes = FrameCauses()
    began = time.perf_counter()
    cpu_began = time.process_time()
    next_frame = began
    while time.perf_counter() - began < seconds:
        position = int((time.perf_counter() - began) * 1000)
        room.playback = dataclasses.replace(room.playback, position_ms=position)
        causes.begin()
        t0 = time.perf_counter()
        c0 = time.process_time()
        loop.idle()
        glFinish()  # what a display's buffer swap does: the frame is really drawn
        frames.append((time.perf_counter() - t0) * 1000)
        frame_cpu.append((time.process_time() - c0) * 1000)
        causes.end(frames[-1], frame_cpu[-1])
        next_frame += frame_s
        delay = next_frame - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    cpu = (time.process_time() - cpu_began) / (time.perf_counter() - began) * 100
    causes.close()
    app.bench_frame_cpu_ms = frame_cpu
    app.bench_frame_causes = causes.summary()
    return frames, cpu


class FrameCauses:
    """What a frame did besides moving the wipe: a garbage collection, text rendered (any
    Kivy label, the karaoke line's ahead-of-time line included). Long frames are told apart
    by these, so a slow frame is never a mystery."""

    def __init__(self) -> None:
        import gc

        from kivy.core.text import LabelBase

        self._gc_ms = 0.0
        self._gc_began = 0.0
        self._text_ms = 0.0
        self._texts = 0
        # counters and only the slow frames: a probe that kept a row per frame grew the
        # process it measured by ~3.5 MB a minute (a leak that was the bench's own)
        self.frames = 0
        self.first: dict[str, float] = {}
        self.slow: list[dict[str, float]] = []
        self.text_frames = 0
        self.text_frame_ms = 0.0
        self.gc_frames = 0
        self.gc_frame_ms = 0.0
        self._original_render = LabelBase.render
        causes = self

        def render(label, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return causes._original_render(label, *args, **kwargs)
            finally:
                causes._texts += 1
                causes._text_ms += (time.perf_counter() - t0) * 1000

        LabelBase.render = render
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
        else:
            self._gc_ms += (time.perf_counter() - self._gc_began) * 1000

    def begin(self) -> None:
        self._gc_ms = self._text_ms = 0.0
        self._texts = 0

    def end(self, wall_ms: float, cpu_ms: float, slow_ms: float = 33.3, **more: float) -> None:
        """Count the frame; keep its row (with ``more``) if it took over ``slow_ms``."""
        if self._texts:
            self.text_frames += 1
            self.text_frame_ms = max(self.text_frame_ms, wall_ms)
        if self._gc_ms > 0:
            self.gc_frames += 1
            self.gc_frame_ms = max(self.gc_frame_ms, self._gc_ms)
        if wall_ms > slow_ms or not self.frames:
            row = {"frame": self.frames, "wall": wall_ms, "cpu": cpu_ms, "gc": self._gc_ms}
            row.update(text=self._text_ms, texts=self._texts, **more)
            if not self.frames:
                self.first = row
            if wall_ms > slow_ms:
                self.slow.append(row)
        self.frames += 1

    def close(self) -> None:
        import gc

        from kivy.core.text import LabelBase

        gc.callbacks.remove(self._on_gc)
        LabelBase.render = self._original_render

    def summary(self) -> dict[str, object]:
        return {
            "text_frames": self.text_frames,
            "text_frame_ms": self.text_frame_ms,
            "gc_frames": self.gc_frames,
            "gc_ms": self.gc_frame_ms,
            "first": self.first,
            "slow": self.slow,
        }


def _video(app, room, cat, loop) -> dict[str, object]:
    """Single-screen layout: the same lyric playback with a 1280x720 H.264 music video decoded
    by libVLC into a texture behind the lyrics (scaled to 800x450 by libVLC)."""
    import vlc

    from room_agent.ui.widgets.video_surface import VideoSurface

    video = CACHE / "video-720p30.mp4"
    if not video.exists():
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=1280x720:rate=30",
                "-t",
                "15",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-pix_fmt",
                "yuv420p",
                str(video),
            ],
            check=True,
        )
    instance = vlc.Instance(["--quiet", "--no-audio", "--no-xlib"])
    player = instance.media_player_new()
    now = app.root.session.screens["now_playing"]
    surface = VideoSurface()
    lyrics_area = now.ids.karaoke.parent
    lyrics_area.add_widget(surface, index=len(lyrics_area.children))  # behind the lyrics
    slot = surface.attach(player, 800, 450)
    player.set_media(instance.media_new(str(video)))
    player.play()
    frames, cpu = _lyrics(app, room, cat, loop)
    player.stop()
    surface.detach()
    player.release()
    instance.release()
    return {
        "video_frames_ms": frames,
        "video_cpu_percent": cpu,
        "decoded": slot.frames_in,
        "shown": surface.frames_shown,
    }


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_child(mode: str, catalog: Path) -> dict:
    started = time.time()
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--catalog",
            str(catalog),
            "--t0",
            str(started),
        ],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"child {mode} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")


def pypinyin_rss_mb() -> float:
    """What importing pypinyin (and converting one title) adds to a process's RSS."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from benchmarks.ui_bench import _rss_mb\n"
        "before = _rss_mb()\n"
        "import pypinyin; pypinyin.lazy_pinyin('七里香')\n"
        "print(_rss_mb() - before)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def one_run(catalog: Path) -> list[tuple[str, float, float | None, str]]:
    keys = run_child("keys", catalog)
    lyrics = run_child("lyrics", catalog)
    video = run_child("video", catalog)
    key_ms, frames = keys["keys_ms"], lyrics["frames_ms"]
    frames_cpu = lyrics["frames_cpu_ms"]
    over = sum(1 for f in frames if f > 33.3)
    causes = lyrics["frame_causes"]
    print(f"  modules the app imported: {', '.join(keys['modules']) or 'none'}", file=sys.stderr)
    for slow in causes["slow"]:  # a long frame is explained, never a mystery
        print(
            f"  lyric frame {slow['frame']} took {slow['wall']:.1f} ms ({slow['cpu']:.1f} CPU): "
            f"{slow['texts']} texts rendered in {slow['text']:.1f} ms, GC {slow['gc']:.1f} ms",
            file=sys.stderr,
        )
    return [
        ("key press to results drawn p50 (ms)", pct(key_ms, 0.5), None, ""),
        ("key press to results drawn p95 (ms)", pct(key_ms, 0.95), None, "<= 100 ms"),
        ("key press to results drawn p99 (ms)", pct(key_ms, 0.99), max(key_ms), ""),
        ("  CPU per key, all threads p50 (ms)", pct(keys["keys_cpu_ms"], 0.5), None, ""),
        ("  of which catalog search p50 (ms)", pct(keys["catalog_ms"], 0.5), None, ""),
        ("  of which catalog search p95 (ms)", pct(keys["catalog_ms"], 0.95), None, ""),
        ("search screen redraw p50 (ms)", pct(keys["redraw_ms"], 0.5), None, ""),
        ("search screen redraw CPU p50 (ms)", pct(keys["redraw_cpu_ms"], 0.5), None, ""),
        ("empty window frame p50 (ms)", pct(keys["empty_wall"], 0.5), None, ""),
        ("empty window frame CPU p50 (ms)", pct(keys["empty_cpu"], 0.5), None, ""),
        ("one window-sized fill frame p50 (ms)", pct(keys["fill_wall"], 0.5), None, ""),
        ("one window-sized fill frame CPU p50 (ms)", pct(keys["fill_cpu"], 0.5), None, ""),
        ("lyric frame work p50 (ms)", pct(frames, 0.5), None, ""),
        ("lyric frame work p99 (ms)", pct(frames, 0.99), max(frames), "< 16.7 ms for 60 fps"),
        ("lyric frame CPU p50 (ms)", pct(frames_cpu, 0.5), None, ""),
        ("lyric frame CPU p99 (ms)", pct(frames_cpu, 0.99), max(frames_cpu), ""),
        (f"lyric frames over 33 ms (of {len(frames)})", float(over), float(over), "0"),
        ("  first frame: tap, screen built, song starts (ms)", causes["first"]["wall"], None, ""),
        ("  frames that rendered text (line changes, clock)", causes["text_frames"], None, ""),
        ("  longest frame that rendered text (ms)", causes["text_frame_ms"], None, ""),
        ("  frames with a garbage collection", causes["gc_frames"], None, ""),
        ("  longest garbage collection in a frame (ms)", causes["gc_ms"], None, ""),
        ("CPU, lyrics at 60 fps (% of one core)", lyrics["cpu_percent"], None, ""),
        ("CPU, lyrics + 720p video texture (%)", video["video_cpu_percent"], None, "single screen"),
        (
            "video frames decoded / shown in 10 s",
            float(video["decoded"]),
            float(video["shown"]),
            "",
        ),
        ("frame work p99 with video (ms)", pct(video["video_frames_ms"], 0.99), None, ""),
        ("RSS with UI + catalog, right after ~155 keys (MB)", keys["rss_mb"], None, "<= 250 MB"),
        ("RSS with UI + catalog, typing paused 2 s (MB)", keys["rss_idle_mb"], None, "<= 250 MB"),
        ("RSS with UI + catalog, lyrics playing (MB)", lyrics["rss_mb"], None, "<= 250 MB"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=1_000_000)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1, help="repeat and report medians")
    parser.add_argument("--child")
    parser.add_argument("--catalog", type=Path)
    parser.add_argument("--t0", type=float)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.catalog, args.t0)
        return 0

    catalog = args.catalog or catalog_path(args.songs)
    songs = args.songs
    if args.catalog:
        from media_index import Catalog

        with Catalog(args.catalog, readonly=True) as cat:  # count(*) only: stats() scans
            songs = cat._fresh().scalar("SELECT max(id) FROM song")
    run_child("start", catalog)  # warm the font cache and the OS page cache once
    start_runs = [run_child("start", catalog) for _ in range(args.starts)]
    starts = [run["start_s"] for run in start_runs]
    freezes = [run["freeze_frame_ms"] for run in start_runs]
    runs = []
    loads = []
    for number in range(args.runs):
        print(f"run {number + 1} of {args.runs} ...", file=sys.stderr)
        runs.append(one_run(catalog))
        loads.append(os.getloadavg()[0])
    rows = [("cold start to interactive (s)", statistics.median(starts), max(starts), "<= 3 s")]
    rows.append(("  its heap freeze at 2 s: longest frame (ms)", statistics.median(freezes),
                 max(freezes), ""))  # fmt: skip
    for i, (name, _, _, target) in enumerate(runs[0]):
        values = [run[i][1] for run in runs]
        worsts = [run[i][2] for run in runs if run[i][2] is not None]
        rows.append((name, statistics.median(values), max(worsts) if worsts else None, target))
    rows.append(("pypinyin's share of any RSS (MB)", pypinyin_rss_mb(), None, ""))
    print(
        f"\nui_bench: {songs:,}-song catalog, 800x480 offscreen (software GL), "
        f"{os.cpu_count()} cores, {args.runs} run(s): medians (max = worst of all runs), "
        f"load average {statistics.median(loads):.1f} (1-min, median over runs)"
    )
    print(f"| {'measure':<52} | {'value':>9} | {'max':>9} | target |")
    print(f"|{'-' * 54}|{'-' * 11}|{'-' * 11}|--------|")
    for name, value, worst, target in rows:
        worst_text = f"{worst:9.1f}" if worst is not None else " " * 9
        print(f"| {name:<52} | {value:9.1f} | {worst_text} | {target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
