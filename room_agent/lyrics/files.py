"""Finding a song's lyrics on disk, and writing the ASS file libVLC draws on the TV."""

from __future__ import annotations

import logging
from pathlib import Path

from ktv.errors import NotFound
from media_index.model import Song
from room_agent.lyrics.ass import AssLook, lyrics_to_ass
from room_agent.lyrics.lrc import load_lrc
from room_agent.lyrics.model import Lyrics

log = logging.getLogger(__name__)


class LyricsFiles:
    """A ``LyricsLoader`` for the core: ``song.lyrics_path`` (relative paths under the media
    root), else an ``.lrc`` next to the media file with the same name. None when there is
    none; a broken file is logged and treated as none (the song still plays)."""

    def __init__(self, media_root: str | Path) -> None:
        self.media_root = Path(media_root)

    def path_for(self, song: Song) -> Path | None:
        candidates = []
        if song.lyrics_path:
            candidates.append(self.media_root / song.lyrics_path)  # absolute paths stay absolute
        candidates.append((self.media_root / song.path).with_suffix(".lrc"))
        return next((p for p in candidates if p.is_file()), None)

    def __call__(self, song: Song) -> Lyrics | None:
        path = self.path_for(song)
        if path is None:
            return None
        try:
            return load_lrc(path)
        except (NotFound, OSError) as exc:
            log.warning("lyrics for %s unreadable: %s", song.song_id, exc)
            return None


def write_ass(lyrics: Lyrics, path: str | Path, look: AssLook | None = None) -> Path:
    """Write the karaoke subtitle (UTF-8) for libVLC's ``add_slave``; returns the path."""
    look = look or AssLook()
    target = Path(path)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(lyrics_to_ass(lyrics, look), encoding="utf-8")
    tmp.replace(target)
    return target
