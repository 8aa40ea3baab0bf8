"""How a room's player is set up (output, video, media root, methods)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

from room_agent.core.ports import VocalSwitch
from room_agent.player import settings
from room_agent.player.output import AudioOutput, OutputKind


@dataclass(frozen=True)
class PlayerConfig:
    audio: AudioOutput = field(default_factory=AudioOutput)
    video_output: str = "dummy"  # "dummy" in tests; e.g. "drm" or "xcb_x11" on the TV
    media_root: str = ""
    file_caching_ms: int = settings.file_caching_ms
    shadow_enabled: bool = True
    key_enabled: bool = True
    target_lufs: float = settings.target_lufs
    start_vocal: VocalSwitch = VocalSwitch.ORIGINAL
    extra_vlc_args: tuple[str, ...] = ()
    # MPEG-PS (.mpg/.vob; and two-track MP4) not already remuxed by the song cache is
    # remuxed to MKV before its decks open (room_agent/library/remux.py), into remux_dir
    # ("" = a temporary folder)
    remux_mpeg_ps: bool = True
    remux_dir: str = ""
    # How much later a sample is heard than libVLC's clock says (heard_clock.py); None: the
    # measured default for the output and the song's container (settings.heard_lag_pulse_ms)
    heard_lag_ms: float | None = None

    # The TV: the font libVLC draws notices (marquee) in; full screen on the TV's output, and
    # for X11 outputs the display/screen the TV is (e.g. ":0.1"; "" = $DISPLAY).
    tv_font: str = settings.tv_font
    fullscreen: bool = False
    x11_display: str = ""

    def heard_lag(self, song_path: str) -> float:
        if self.heard_lag_ms is not None:
            return self.heard_lag_ms
        if self.audio.kind is not OutputKind.PULSE:
            return 0.0
        # the cache's remux keeps the source's suffix (song.vob.mkv): that file plays as it
        suffixes = [s.lower().lstrip(".") for s in PurePath(song_path).suffixes[-2:]]
        if len(suffixes) == 2 and suffixes[1] == "mkv":
            suffixes = [suffixes[0]] if suffixes[0] in ("mpg", "mpeg", "vob") else suffixes[1:]
        return settings.heard_lag_pulse_ms.get(suffixes[-1] if suffixes else "", 0.0)

    def instance_args(self) -> list[str]:
        args = ["--quiet", "--no-xlib", "--no-video-title-show", "--no-snapshot-preview"]
        args += [f"--vout={self.video_output}", *self.audio.instance_args()]
        args.append(f"--freetype-font={self.tv_font}")
        # notices sit on a dark translucent box: readable over any picture (marquee only;
        # the ASS lyrics are drawn by libass with their own outline)
        args += [f"--freetype-background-opacity={settings.tv_notice_box_opacity}"]
        args += ["--freetype-background-color=0"]
        if self.fullscreen:
            args.append("--fullscreen")
        if self.x11_display:
            args.append(f"--x11-display={self.x11_display}")
        return args + list(self.extra_vlc_args)
