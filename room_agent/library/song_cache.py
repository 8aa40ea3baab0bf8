"""Queued songs copied to the room's own disk, so a NAS or LAN outage never stops a song the
guests already chose.

    cache = SongCache(SongCacheSettings(root, max_bytes=8 << 30), media_root, catalog.get)
    core = RoomCore(player, sink, cache.lookup, ...)   # plays the local copy when there is one
    core.subscribe(cache.on_core_event)                # queue_changed -> copy in the background
    cache.precache(song_ids)                           # the hot chart, at night

One folder per song, ``ROOT/<song_id>/``, holding the media file and its lyrics and CD+G
graphics under their own names (libVLC finds the ``.cdg`` next to the ``.mp3``). A song is
copied into ``ROOT/.staging-<song_id>/`` file by file, each read and written sequentially in
1 MiB blocks and fsynced once (an SD card's kindest pattern: one sequential write per song),
then the folder is renamed into place: a song folder is whole or absent. Its mtime is when it
was last sung (``lookup`` touches it): the least recently sung go first when the cache would
pass ``max_bytes`` or leave the disk with less than ``min_free_bytes`` free; songs queued now
are never evicted for another. MPEG-PS media (``.mpg``/``.vob``, and MP4 with two audio
tracks) are not copied but rewritten losslessly as Matroska on the way in (``remux.py``:
the same packets in a container libVLC plays to the MKV figures), still one sequential read
and write; a file ffmpeg cannot remux is copied as it is. Everything runs on the
``song-cache`` thread; the core's listener only hands ids over (never blocks the room's
inbox). State is the folder itself, so ``ktv-agent cache hot`` in another process can fill it
too (a flock orders their commits).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from media_index.model import Song, VocalMode
from room_agent.core.events import QueueChanged
from room_agent.library.policy import CachedSong, evictions
from room_agent.library.remux import RemuxFailed, remux_to_mkv, remuxed_name, wants_remux

log = logging.getLogger(__name__)

COPY_BLOCK_BYTES = 1024 * 1024
STAGING_PREFIX = ".staging-"


@dataclass(frozen=True)
class SongCacheSettings:
    root: Path
    max_bytes: int  # the cache's own bound
    min_free_bytes: int = 1024 * 1024 * 1024  # never fill the disk past this
    remux_mpeg_ps: bool = True  # .mpg/.vob stored as a lossless MKV remux (remux.py)


class SongCache:
    def __init__(
        self,
        settings: SongCacheSettings,
        media_root: Path | str | None,
        songs: Callable[[str], Song],
        *,
        disk_free: Callable[[Path], int] | None = None,
    ) -> None:
        self.settings = settings
        self.root = Path(settings.root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.media_root = Path(media_root) if media_root else None
        self._songs = songs
        self._disk_free = disk_free or (lambda p: shutil.disk_usage(p).free)
        self._wanted: deque[str] = deque()
        self._protected: frozenset[str] = frozenset()  # queued now: never evicted
        self._cond = threading.Condition()
        self._stop = False
        self._busy = False
        self.copied: list[str] = []  # song ids copied by this process, in order
        self.skipped: dict[str, str] = {}  # song id -> why it was not cached
        for stale in self.root.glob(f"{STAGING_PREFIX}*"):  # a copy cut by a power loss
            shutil.rmtree(stale, ignore_errors=True)
        self._thread = threading.Thread(target=self._run, name="song-cache", daemon=True)
        self._thread.start()

    # --- the core's side (never blocks) ----------------------------------------------------
    def lookup(self, song_id: str) -> Song:
        """The catalog's song, pointing at the local copy when the cache has it (the core's
        ``SongLookup``: called when a song is queued and when it starts)."""
        song = self._songs(song_id)
        folder = self._folder(song_id)
        if not folder.is_dir():
            return song
        local = self._localised(song, folder)
        if local is None:
            return song
        with contextlib.suppress(OSError):
            os.utime(folder)  # sung (or queued) now: the last to be evicted
        return local

    def on_core_event(self, event: object) -> None:
        """A core listener: the queue changed, copy what is queued (in queue order)."""
        if isinstance(event, QueueChanged):
            self.want([entry.song_id for entry in event.queue], protect=True)

    def want(self, song_ids: Iterable[str], *, protect: bool = False) -> None:
        ids = list(dict.fromkeys(song_ids))
        with self._cond:
            if protect:
                self._protected = frozenset(ids)
            for song_id in ids:
                if song_id not in self._wanted:
                    self._wanted.append(song_id)
            self._cond.notify()

    def precache(self, song_ids: Iterable[str]) -> None:
        """Copy these too (the hot chart at night), after anything queued."""
        self.want(song_ids)

    def wait_idle(self, timeout_s: float = 60.0) -> bool:
        """Block until nothing is waiting to be copied (tests, ``ktv-agent cache hot``)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._wanted or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(10)

    # --- the cache ------------------------------------------------------------------------
    def songs(self) -> list[CachedSong]:
        out = []
        for folder in self.root.iterdir():
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
            out.append(CachedSong(folder.name, folder, size, folder.stat().st_mtime))
        return out

    def used_bytes(self) -> int:
        return sum(s.size for s in self.songs())

    def _folder(self, song_id: str) -> Path:
        return self.root / _safe_name(song_id)

    def _localised(self, song: Song, folder: Path) -> Song | None:
        names = {kind: Path(p).name for kind, p in _files(song).items()}
        if (folder / remuxed_name(names["path"])).is_file():
            names["path"] = remuxed_name(names["path"])
        if not all((folder / name).is_file() for name in names.values()):
            return None
        local = {kind: str(folder / name) for kind, name in names.items()}
        return replace(
            song,
            path=local["path"],
            lyrics_path=local.get("lyrics_path", song.lyrics_path),
            graphics_path=local.get("graphics_path", song.graphics_path),
        )

    def _source(self, path: str) -> Path:
        p = Path(path)
        return p if p.is_absolute() or self.media_root is None else self.media_root / p

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._wanted and not self._stop:
                    self._busy = False
                    self._cond.notify_all()
                    self._cond.wait()
                if self._stop:
                    return
                song_id = self._wanted.popleft()
                self._busy = True
            try:
                self._cache(song_id)
            except Exception as exc:  # a NAS error, a full disk: that song stays on the NAS
                self.skipped[song_id] = str(exc)
                log.warning("song %s not cached: %s", song_id, exc)

    def _cache(self, song_id: str) -> None:
        folder = self._folder(song_id)
        if folder.is_dir():
            return
        song = self._songs(song_id)
        sources = {kind: self._source(p) for kind, p in _files(song).items()}
        size = sum(src.stat().st_size for src in sources.values())
        with self._locked():
            if not self._make_room(size):
                self.skipped[song_id] = f"no room for {size} bytes"
                log.info("song %s (%d bytes) does not fit the cache", song_id, size)
                return
        staging = self.root / f"{STAGING_PREFIX}{folder.name}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            for kind, src in sources.items():
                if not (kind == "path" and self._remuxed(song, src, staging)):
                    _copy_sequential(src, staging / src.name)
            _fsync_dir(staging)
            with self._locked():
                os.rename(staging, folder)
                _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self.copied.append(song_id)
        log.info("cached song %s (%d bytes)", song_id, size)

    def _remuxed(self, song: Song, src: Path, staging: Path) -> bool:
        """MPEG-PS (and two-track MP4) into the staging folder as MKV; False: copy it."""
        two_tracks = song.vocal_mode is VocalMode.TRACKS
        if not (self.settings.remux_mpeg_ps and wants_remux(src, two_tracks=two_tracks)):
            return False
        song_id = song.song_id
        dest = staging / remuxed_name(src.name)
        try:
            remux_to_mkv(src, dest)
        except RemuxFailed as exc:
            log.warning("song %s: cached as it is (%s)", song_id, exc)
            return False
        with open(dest, "rb+") as fh:
            os.fsync(fh.fileno())
        return True

    def _make_room(self, size: int) -> bool:
        """Evict the least recently sung (never a queued song) until ``size`` fits."""
        victims = evictions(
            self.songs(),
            {_safe_name(s) for s in self._protected},
            size=size,
            max_bytes=self.settings.max_bytes,
            free_bytes=self._disk_free(self.root),
            min_free_bytes=self.settings.min_free_bytes,
        )
        if victims is None:
            return False
        for victim in victims:
            shutil.rmtree(victim.folder, ignore_errors=True)
            log.info("evicted song %s from the cache (%d bytes)", victim.song_id, victim.size)
        return True

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.root / ".lock", "a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _files(song: Song) -> dict[str, str]:
    files = {"path": song.path}
    if song.lyrics_path:
        files["lyrics_path"] = song.lyrics_path
    if song.graphics_path:
        files["graphics_path"] = song.graphics_path
    return files


def _safe_name(song_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in song_id)[:128] or "_"


def _copy_sequential(src: Path, dest: Path) -> None:
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        while block := fin.read(COPY_BLOCK_BYTES):
            fout.write(block)
        fout.flush()
        os.fsync(fout.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
