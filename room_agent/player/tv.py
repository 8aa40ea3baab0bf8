"""The TV (HDMI) side of the player: lyrics drawn by libVLC on the music video, a backdrop
video for songs without one, and notices (time left, warnings, 到钟, the desk's messages,
emergencies) over the song.

Lyrics: the song's lyrics, loaded by the same loader the core's lyrics clock uses, become an
ASS karaoke file (``room_agent/lyrics/ass.py``) attached to the main deck as its subtitle.
libass then draws the wipe at the video's presentation time, i.e. on the main deck's clock,
which is the clock the core reads for its own lyrics: pause, seek, replay and the vocal swap
(a volume swap between decks, see ``shadow.py``) move both together; no Python timer runs.

Notices: libVLC's marquee ("marq" sub-source, one line of text) on every player that may
carry the video, in ``--freetype-font`` (Noto Sans CJK SC). The marquee is a player setting:
it survives song changes and is drawn while the song is paused.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import vlc

from media_index.model import Song
from room_agent.core.events import SongEnded, SongStarted
from room_agent.lyrics.ass import AssLook
from room_agent.lyrics.files import write_ass
from room_agent.lyrics.model import Lyrics
from room_agent.player import settings
from room_agent.tv import settings as tv_settings
from room_agent.tv.notices import NoticeLook, TvNotice, look_for
from room_agent.tv.standby import StandbyTimer

log = logging.getLogger(__name__)

LyricsLoader = Callable[[Song], "Lyrics | None"]


@dataclass(frozen=True)
class TvMedia:
    """What the main deck adds to a song for the TV."""

    subtitle: Path | None = None  # the karaoke ASS, drawn by libass on the video
    backdrop: Path | None = None  # a video under an audio-only song, to carry the lyrics


TvMediaFor = Callable[[Song], TvMedia]


class TvPicture:
    """``VlcPlayer.tv``: the song's karaoke subtitle and, for a song without video, the
    backdrop video its lyrics and notices are drawn on."""

    def __init__(self, lyrics: TvLyrics | None, backdrop: TvBackdrop | None = None) -> None:
        self.lyrics = lyrics
        self.backdrop = backdrop

    def __call__(self, song: Song) -> TvMedia:
        subtitle = self.lyrics(song) if self.lyrics is not None else None
        backdrop = None
        if not song.has_video and self.backdrop is not None:
            backdrop = self.backdrop.ready()
        return TvMedia(subtitle, backdrop)


class TvLyrics:
    """``subtitle_for(song)``: the song's karaoke ASS file (written once per song and lyrics
    version into ``cache_dir``), or None when the song has no lyrics."""

    def __init__(
        self, lyrics_for: LyricsLoader, cache_dir: str | Path, look: AssLook | None = None
    ) -> None:
        self._lyrics_for = lyrics_for
        self.cache_dir = Path(cache_dir)
        self.look = look or AssLook()
        self._written: dict[str, tuple[Lyrics, Path]] = {}

    def __call__(self, song: Song) -> Path | None:
        try:
            lyrics = self._lyrics_for(song)
        except Exception:  # a broken lyrics file never stops the song
            log.exception("lyrics for %s could not be loaded for the TV", song.song_id)
            return None
        if lyrics is None or not lyrics.lines:
            return None
        known = self._written.get(song.song_id)
        if known is not None and known[0] == lyrics and known[1].is_file():
            return known[1]
        digest = hashlib.sha1(song.song_id.encode("utf-8")).hexdigest()[:16]
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            path = write_ass(lyrics, self.cache_dir / f"{digest}.ass", self.look)
        except OSError as exc:
            log.warning("cannot write the TV lyrics of %s: %s", song.song_id, exc)
            return None
        self._written[song.song_id] = (lyrics, path)
        return path


class TvBackdrop:
    """A quiet video (dark, 10 fps, ~120 KB per 10 min) that audio-only songs play over, so the
    TV has a picture for their lyrics and notices. A venue may give its own clip; else one is
    made with ffmpeg once, in the background (a song before it is ready plays without)."""

    def __init__(self, path: str | Path, *, make: bool = True) -> None:
        self.path = Path(path)
        self._make = make
        self._lock = threading.Lock()
        self._maker: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None

    def ready(self) -> Path | None:
        if self.path.is_file():
            return self.path
        self.prepare()
        return None

    def prepare(self) -> None:
        """Start making the backdrop if it is missing (returns at once)."""
        with self._lock:
            if not self._make or self.path.is_file() or self._thread is not None:
                return
            self._thread = threading.Thread(target=self._render, name="ktv-tv-backdrop")
            self._thread.daemon = True
            self._thread.start()

    def _render(self) -> None:
        part = self.path.with_name(self.path.name + ".part.mkv")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            colour, size = settings.tv_backdrop_colour, settings.tv_backdrop_size
            cmd = [
                *("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i"),
                f"color=c={colour}:s={size}:r=10:d={settings.tv_backdrop_length_s}",
                *("-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage"),
                *("-g", "300", "-pix_fmt", "yuv420p", str(part)),
            ]
            with self._lock:
                self._maker = subprocess.Popen(cmd, stderr=subprocess.PIPE)
            _out, err = self._maker.communicate()
            if self._maker.returncode == 0:
                part.replace(self.path)
                log.info("TV backdrop ready: %s", self.path)
            else:
                log.warning("cannot make the TV backdrop: %s", err.decode(errors="replace")[-300:])
        except OSError as exc:
            log.warning("cannot make the TV backdrop: %s", exc)
        finally:
            part.unlink(missing_ok=True)
            with self._lock:
                self._maker = None

    def close(self) -> None:
        with self._lock:
            maker, thread = self._maker, self._thread
            if maker is not None and maker.poll() is None:
                maker.terminate()
        if thread is not None:
            thread.join(timeout=10)


class TvStandby:
    """The TV's picture between songs: the backdrop, looped, on a libVLC player of its own,
    so notices (an emergency above all) are seen even when nothing is playing. When it goes
    up or down is :class:`~room_agent.tv.standby.StandbyTimer`'s (pure) answer on ``clock``.
    Follows the core's events; libVLC is driven from its own thread (stopping a player can
    block). With an injected clock, :meth:`settle` after moving it makes the thread catch up.
    """

    def __init__(
        self,
        backdrop: TvBackdrop,
        instance_args: Sequence[str],
        *,
        delay_s: float = settings.tv_standby_delay_s,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._backdrop = backdrop
        self._clock = clock
        self._timer = StandbyTimer(delay_s)
        self._instance = vlc.Instance([*instance_args, "--no-audio"])
        self.player: vlc.MediaPlayer = self._instance.media_player_new()
        self.shows = 0  # how many times the backdrop was put up
        self._wake = threading.Condition()
        self._idle_passes = 0  # the thread found nothing due (for settle)
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="ktv-tv-standby", daemon=True)

    def start(self) -> TvStandby:
        self._thread.start()
        return self

    @property
    def showing(self) -> bool:
        return self._timer.showing

    def on_event(self, event: object) -> None:
        """A core event (under the core's lock: only records what is wanted)."""
        if isinstance(event, SongStarted | SongEnded):
            self.want(isinstance(event, SongEnded))

    def want(self, shown: bool) -> None:
        with self._wake:
            self._timer.want(shown, self._clock())
            self._wake.notify_all()

    def settle(self, timeout_s: float = 10.0) -> None:
        """Returns once the thread has looked at the clock as it is now and applied what was
        due (for tests with a manual clock: advance it, then settle)."""
        with self._wake:
            seen = self._idle_passes
            self._wake.notify_all()
            if not self._wake.wait_for(
                lambda: self._idle_passes > seen or self._closed, timeout=timeout_s
            ):
                raise TimeoutError("the TV standby thread did not catch up")

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._closed:
                    now = self._clock()
                    shown = self._timer.due(now)
                    if shown is not None:
                        break
                    self._idle_passes += 1
                    self._wake.notify_all()
                    wait = self._timer.wait_s(now)
                    # a real clock moves on its own: look again when something can be due
                    self._wake.wait(timeout=None if wait is None else max(0.05, wait))
                if self._closed:
                    return
            self._apply(shown)

    def _apply(self, shown: bool) -> None:
        path = self._backdrop.ready() if shown else None
        if shown and path is None:
            with self._wake:  # no backdrop yet: try again shortly
                self._timer.unavailable(self._clock())
            return
        if path is not None:
            media = self._instance.media_new_path(str(path))
            media.add_option(":input-repeat=65535")
            self.player.set_media(media)
            media.release()
            self.player.play()
            self.shows += 1
        else:
            # a real stop destroys the window: the next standby opens a new one, which an X
            # server stacks over the song's (libVLC keeps a song's window, frozen, between
            # songs; a reused standby window would stay underneath it)
            self.player.stop()
        with self._wake:
            self._timer.applied(shown)

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.player.stop()
        self.player.release()
        self._instance.release()


class VlcMarquee:
    """Implements ``room_agent.tv.notices.TvNotices`` with libVLC's marquee. Safe from any
    thread (libVLC variable sets); ``until_s`` becomes the marquee's own timeout, so a
    notice still goes away on time if its owner stops driving it."""

    def __init__(
        self, players: Sequence[vlc.MediaPlayer], clock: Callable[[], float] | None = None
    ) -> None:
        self._players = tuple(players)
        self._clock = clock or time.monotonic
        self.shown: TvNotice | None = None
        for mp in self._players:
            mp.video_set_marquee_string(vlc.VideoMarqueeOption.Text, "")
            mp.video_set_marquee_int(vlc.VideoMarqueeOption.Enable, 1)

    def show_notice(self, notice: TvNotice) -> None:
        look = look_for(notice.kind)
        timeout_ms = 0
        if notice.until_s is not None:
            timeout_ms = max(1, int((notice.until_s - self._clock()) * 1000))
        for mp in self._players:
            self._style(mp, look, timeout_ms)
            mp.video_set_marquee_string(vlc.VideoMarqueeOption.Text, notice.text)
        self.shown = notice

    def clear_notice(self) -> None:
        for mp in self._players:
            mp.video_set_marquee_string(vlc.VideoMarqueeOption.Text, "")
        self.shown = None

    @staticmethod
    def _style(mp: vlc.MediaPlayer, look: NoticeLook, timeout_ms: int) -> None:
        opt = vlc.VideoMarqueeOption
        mp.video_set_marquee_int(opt.Position, int(look.position))
        mp.video_set_marquee_int(opt.Color, look.colour_rgb)
        mp.video_set_marquee_int(opt.Opacity, look.opacity)
        mp.video_set_marquee_int(opt.Size, look.size_px)
        mp.video_set_marquee_int(opt.X, look.margin_px)
        mp.video_set_marquee_int(opt.Y, look.margin_px)
        mp.video_set_marquee_int(opt.Timeout, timeout_ms)


class VlcLogo:
    """Implements ``room_agent.tv.guest_qr.TvLogo`` with libVLC's logo filter (a PNG in the
    bottom-right corner of every player that may carry the TV picture)."""

    BOTTOM_RIGHT = 10  # libVLC positions: bit flags, right 2 + bottom 8

    def __init__(self, players: Sequence[vlc.MediaPlayer]) -> None:
        self._players = tuple(players)

    def show_logo(self, path: Path) -> None:
        opt = vlc.VideoLogoOption
        for mp in self._players:
            mp.video_set_logo_string(opt.logo_file, str(path))
            mp.video_set_logo_int(opt.logo_position, self.BOTTOM_RIGHT)
            mp.video_set_logo_int(opt.logo_x, tv_settings.qr_margin_px)
            mp.video_set_logo_int(opt.logo_y, tv_settings.qr_margin_px)
            mp.video_set_logo_int(opt.logo_opacity, 255)
            mp.video_set_logo_int(opt.logo_enable, 1)

    def clear_logo(self) -> None:
        for mp in self._players:
            mp.video_set_logo_int(vlc.VideoLogoOption.logo_enable, 0)
