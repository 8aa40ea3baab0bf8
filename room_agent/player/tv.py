"""The TV (HDMI) side of the player: lyrics drawn by libVLC on the music video, and notices
(time left, warnings, 到钟, the desk's messages, emergencies) over the song.

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
from collections.abc import Callable, Sequence
from pathlib import Path

import vlc

from media_index.model import Song
from room_agent.lyrics.ass import AssLook
from room_agent.lyrics.files import write_ass
from room_agent.lyrics.model import Lyrics
from room_agent.tv.notices import NoticeLook, TvNotice, look_for

log = logging.getLogger(__name__)

LyricsLoader = Callable[[Song], "Lyrics | None"]
SubtitleFor = Callable[[Song], "Path | None"]


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


class VlcMarquee:
    """Implements ``room_agent.tv.notices.TvNotices`` with libVLC's marquee. Safe from any
    thread (libVLC variable sets); ``until_s`` becomes the marquee's own timeout, so a
    notice still goes away on time if its owner stops driving it."""

    def __init__(
        self, players: Sequence[vlc.MediaPlayer], clock: Callable[[], float] | None = None
    ) -> None:
        import time

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
