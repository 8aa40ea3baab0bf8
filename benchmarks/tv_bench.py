"""CPU and memory of each screen layout, per video size: what a room's Pi must afford.

    .venv/bin/python benchmarks/tv_bench.py [--seconds 20] [--runs 3]

Cases, each in a fresh process playing a generated H.264 + 2 x AAC karaoke song through the
room's real ``VlcPlayer`` (main + shadow deck, audio to libVLC's dummy output):

- ``decode only``: the video decoded and thrown away (``--vout=dummy``): the floor;
- ``two screens``: the TV path: libVLC's X11 output (``xcb_x11``) on a private Xvfb screen at
  the video's size, with the karaoke ASS (libass) and a marquee notice drawn over it;
- ``video scaled into memory``: libVLC's swscale to 640x360 BGRX, nobody reading;
- ``Kivy lyric wipe``: the decode plus a Kivy window redrawing a lyric label with a moving
  wipe at 60 fps, no video texture: with the next two it splits the single-screen cost;
- ``single screen``: the video scaled by libVLC to 640x360 into memory (``VideoFrames``) and
  uploaded into a Kivy texture behind a lyric label (Kivy on the same Xvfb, Mesa llvmpipe).

CPU is the process's own (user + system) over 1 s windows after a 3 s warm-up, in % of one
core; the X server's CPU (Xvfb copying the TV picture) is reported beside it. RSS at the end.
Kivy's GL here is software (llvmpipe); on a Pi the GPU does that part.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CACHE = Path(tempfile.gettempdir()) / "ktv-tv-bench"
VIDEOS = {"720p": (1280, 720), "480p": (854, 480)}
LRC = "".join(
    f"[00:{s:02d}.00]<00:{s:02d}.00>还<00:{s:02d}.50>记<00:{s + 1:02d}.00>得"
    f"<00:{s + 1:02d}.50>你<00:{s + 2:02d}.00>\n"
    for s in range(1, 58, 3)
)
TICK_HZ = os.sysconf("SC_CLK_TCK")
UPLOADS: list[float] = []  # seconds per texture upload (single screen), filled by the child


def make_song(name: str, duration_s: int) -> Path:
    width, height = VIDEOS[name]
    path = CACHE / f"mv-{name}.mkv"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                *("ffmpeg", "-nostdin", "-v", "error", "-y"),
                *("-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=30"),
                *("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100"),
                *("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"),
                *("-map", "0:v", "-map", "1:a", "-map", "2:a", "-t", str(duration_s)),
                *("-c:v", "libx264", "-preset", "veryfast", "-b:v", "3M", "-pix_fmt", "yuv420p"),
                *("-c:a", "aac", "-b:a", "128k", str(path)),
            ],
            check=True,
        )
        path.with_suffix(".lrc").write_text(LRC, encoding="utf-8")
    return path


def _cpu_ticks(pid: int | str = "self") -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- child process ---------------------------------------------------------------------------


def child(case: str, video: str, seconds: float, xvfb_pid: int, shot: str = "") -> None:
    from media_index.model import Song, VocalMode
    from room_agent.lyrics.files import LyricsFiles
    from room_agent.player import PlayerConfig, VlcPlayer
    from room_agent.player.frames import VideoFrames
    from room_agent.player.tv import TvLyrics, TvPicture, VlcMarquee
    from room_agent.tv.notices import NoticeKind, TvNotice

    path = make_song(video, 60)
    song = Song(
        "bench", "还记得你", ("测试",), str(path), has_video=True, vocal_mode=VocalMode.TRACKS,
        vocal_track=0, accompaniment_track=1, lyrics_path=str(path.with_suffix(".lrc")),
    )  # fmt: skip
    vout = "xcb_x11" if case == "two" else "dummy"
    player = VlcPlayer(PlayerConfig(video_output=vout, fullscreen=case == "two"))
    frames = None
    if case == "two":
        player.tv = TvPicture(TvLyrics(LyricsFiles("/"), CACHE / "tv-lyrics"))
        VlcMarquee(player.video_players()).show_notice(
            TvNotice("剩余 8分 / 8 min", NoticeKind.BADGE)
        )
    if case in ("single", "memory"):
        frames = VideoFrames()
        for mp in player.video_players():
            frames.install(mp)
    player.play(song)
    samples: list[float] = []
    xvfb: list[float] = []
    shown = 0
    if case in ("single", "kivy"):
        samples, shown = _run_kivy(frames, seconds, xvfb_pid, xvfb)
    elif case == "two" and shot:
        samples = _sample(seconds, xvfb_pid, xvfb, lambda: time.sleep(0.05))
        subprocess.run(
            [
                *("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "x11grab"),
                *("-video_size", "1280x720", "-i", os.environ["DISPLAY"]),
                *("-frames:v", "1", shot),
            ],
            check=True,
            timeout=60,
        )
    else:
        samples = _sample(seconds, xvfb_pid, xvfb, lambda: time.sleep(0.05))
    rss = _rss_mb()
    decoded = frames.frames_in if frames is not None else 0
    player.close()
    upload_ms = statistics.median(UPLOADS) * 1000 if UPLOADS else 0.0
    report = {"cpu": samples, "xvfb": xvfb, "rss": rss, "decoded": decoded, "shown": shown}
    print(json.dumps({**report, "upload_ms": upload_ms}))


def _sample(seconds: float, xvfb_pid: int, xvfb: list[float], step) -> list[float]:  # type: ignore[no-untyped-def]
    """Run ``step`` repeatedly; CPU % of one core per 1 s window after a 3 s warm-up."""
    warm_until = time.monotonic() + 3.0
    while time.monotonic() < warm_until:
        step()
    samples: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0, c0 = time.monotonic(), _cpu_ticks()
        x0 = _cpu_ticks(xvfb_pid) if xvfb_pid else 0
        while time.monotonic() - t0 < 1.0:
            step()
        elapsed = time.monotonic() - t0
        samples.append((_cpu_ticks() - c0) / TICK_HZ / elapsed * 100)
        if xvfb_pid:
            xvfb.append((_cpu_ticks(xvfb_pid) - x0) / TICK_HZ / elapsed * 100)
    return samples


def _run_kivy(frames, seconds: float, xvfb_pid: int, xvfb: list[float]):  # type: ignore[no-untyped-def]
    from kivy.config import Config

    Config.set("graphics", "width", "800")
    Config.set("graphics", "height", "480")
    Config.set("graphics", "maxfps", "60")
    from kivy.base import EventLoop
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.graphics import Color, Rectangle
    from kivy.uix.floatlayout import FloatLayout
    from kivy.uix.label import Label

    from room_agent.ui.widgets.video_surface import VideoSurface

    root = FloatLayout()
    surface = VideoSurface()
    if frames is not None:
        root.add_widget(surface)
    lyric = Label(text="还记得你", font_size=48, pos_hint={"x": 0, "y": 0.1}, size_hint=(1, 0.3))
    root.add_widget(lyric)  # above the video
    with lyric.canvas.after:  # the karaoke wipe: a bar that moves every frame, as in now playing
        Color(0.2, 0.6, 1.0, 0.5)
        wipe = Rectangle(pos=(0, 80), size=(0, 60))

    def step(dt: float) -> None:
        wipe.size = ((time.monotonic() % 4.0) / 4.0 * 800, 60)

    Clock.schedule_interval(step, 0)
    Window.add_widget(root)
    upload_s: list[float] = []
    original = surface._upload

    def timed_upload(dt: float) -> None:  # the UI thread's whole share of the video
        began = time.perf_counter()
        before = surface.frames_shown
        original(dt)
        if surface.frames_shown > before:
            upload_s.append(time.perf_counter() - began)

    surface._upload = timed_upload  # type: ignore[method-assign]
    if frames is not None:
        surface.show(frames)
    EventLoop.ensure_window()
    samples = _sample(seconds, xvfb_pid, xvfb, EventLoop.idle)
    UPLOADS.extend(upload_s)
    return samples, surface.frames_shown


# --- parent: run the cases and print the table ---------------------------------------------


class Xvfb:
    """A private X server (its own display number), stopped afterwards."""

    def __init__(self) -> None:
        self.display = f":{300 + os.getpid() % 600}"
        self.proc = subprocess.Popen(
            ["Xvfb", self.display, "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def run_child(
    case: str, video: str, seconds: float, xvfb: Xvfb, shot: str = ""
) -> dict[str, object]:
    env = dict(os.environ)
    env.update(
        DISPLAY=xvfb.display,
        KIVY_NO_ARGS="1",
        KIVY_NO_CONSOLELOG="1",
        KIVY_NO_FILELOG="1",
        KIVY_HOME=str(CACHE / "kivy-home"),
    )
    out = subprocess.run(
        [sys.executable, __file__, "--child", case, video, str(seconds), str(xvfb.proc.pid), shot],
        capture_output=True,
        text=True,
        env=env,
        timeout=seconds + 120,
        check=False,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"{case} {video} failed:\n{out.stderr[-2000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tv-shot", default="", help="save the Xvfb TV screen (720p) here")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, video, seconds, xvfb_pid, shot = args.child
        child(case, video, float(seconds), int(xvfb_pid), shot)
        return
    if shutil.which("Xvfb") is None:
        raise SystemExit("needs Xvfb (Debian: xvfb) for the TV's X11 output")
    for name in VIDEOS:
        make_song(name, 60)
    xvfb = Xvfb()
    cases = [
        ("decode", "decode only (vout dummy)"),
        ("two", "two screens: TV vout + ASS + marquee"),
        ("memory", "video scaled into memory only (640x360, nobody reads)"),
        ("kivy", "Kivy lyric wipe at 60 fps, no video texture"),
        ("single", "single screen: 640x360 frames + Kivy texture"),
    ]
    rows = []
    try:
        for video in VIDEOS:
            for case, label in cases:
                cpu: list[float] = []
                xcpu: list[float] = []
                rss: list[float] = []
                extra = ""
                for _ in range(args.runs):
                    shot = args.tv_shot if (case, video) == ("two", "720p") else ""
                    result = run_child(case, video, args.seconds, xvfb, shot)
                    cpu += result["cpu"]  # type: ignore[operator]
                    xcpu += result["xvfb"]  # type: ignore[operator]
                    rss.append(result["rss"])  # type: ignore[arg-type]
                    if case in ("single", "memory"):
                        secs = args.seconds + 3
                        decoded, shown = result["decoded"], result["shown"]
                        extra = f"{decoded / secs:.0f} decoded/s, {shown / secs:.0f} shown/s"
                        if shown:
                            extra += f", upload {result['upload_ms']:.2f} ms"
                cpu.sort()
                rows.append(
                    (
                        video,
                        label,
                        statistics.median(cpu),
                        cpu[min(len(cpu) - 1, int(0.9 * len(cpu)))],
                        statistics.median(xcpu) if case == "two" else None,
                        statistics.median(rss),
                        extra,
                    )
                )
                print(f"  done: {video} {label}", file=sys.stderr)
    finally:
        xvfb.close()
    load = os.getloadavg()[0]
    print(f"\n{os.cpu_count()} cores, {args.runs} runs x {args.seconds:.0f} s, load {load:.1f}")
    print("| video | layout | CPU % median | CPU % p90 | X server CPU % | RSS MB | frames |")
    print("|---|---|---|---|---|---|---|")
    for video, label, med, p90, xmed, rss_mb, extra in rows:
        xs = f"{xmed:.1f}" if xmed is not None else ""
        print(f"| {video} | {label} | {med:.1f} | {p90:.1f} | {xs} | {rss_mb:.0f} | {extra} |")


if __name__ == "__main__":
    main()
