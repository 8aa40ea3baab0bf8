"""The music video decoded into memory instead of onto a screen (libVLC's "vmem").

Used by single-screen rooms (the touchscreen shows the video in a Kivy texture behind the
lyrics) and by tests and benchmarks that look at what the TV would show: libVLC blends the
subtitles (our ASS karaoke) and the marquee (TV notices) into these frames.

libVLC picks the size through a format callback: the video is scaled (by libVLC's swscale,
on its decoder thread) to fit ``max_width`` x ``max_height`` keeping its aspect ratio, so a
720p or 1080p song costs the reader no more than a 640x360 copy.

Three buffers, so neither side ever waits or tears: libVLC writes into one, the newest
finished frame waits in another, the reader (the Kivy thread) reads a third. The reader gets
a ``memoryview`` of the newest buffer, which stays untouched until it hands it back; there is
no copy on the reader's side (Kivy's ``blit_buffer`` reads the view directly).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import vlc

from room_agent.player import settings

CHROMA = b"RV32"  # 32-bit BGRX in memory (little-endian): Kivy's "bgra"
BYTES_PER_PIXEL = 4
_BUFFERS = 3

# libvlc_video_format_cb with a writable chroma (python-vlc declares it as c_char_p, which
# ctypes turns into an immutable bytes object, so the callback could not choose RV32).
_FormatCb = ctypes.CFUNCTYPE(
    ctypes.c_uint,
    ctypes.POINTER(ctypes.c_void_p),
    ctypes.POINTER(ctypes.c_char),
    ctypes.POINTER(ctypes.c_uint),
    ctypes.POINTER(ctypes.c_uint),
    ctypes.POINTER(ctypes.c_uint),
    ctypes.POINTER(ctypes.c_uint),
)
_CleanupCb = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_set_format_callbacks = ctypes.CFUNCTYPE(None, ctypes.c_void_p, _FormatCb, _CleanupCb)(
    ("libvlc_video_set_format_callbacks", vlc.dll)
)


@dataclass(frozen=True)
class FrameSize:
    width: int
    height: int

    @property
    def pitch(self) -> int:
        return self.width * BYTES_PER_PIXEL

    @property
    def nbytes(self) -> int:
        return self.pitch * self.height


def visible_height(width: int, coded_height: int) -> int:
    """libVLC 3 hands the format callback a padded height (measured: 360 -> 368 for hardware
    decoders, 386 for the software one; 720 -> 738; 480 -> 482); a 16:9 or 4:3 picture within
    32 rows of it is the real one, so the aspect ratio is kept."""
    for height in range(coded_height, max(coded_height - 32, 0), -1):
        if width * 9 == height * 16 or width * 3 == height * 4:
            return height
    return coded_height


def fit_within(width: int, height: int, max_width: int, max_height: int) -> FrameSize:
    """The largest even-sized frame inside the box with the source's aspect ratio (never
    larger than the source: small videos are not blown up in memory)."""
    if width <= 0 or height <= 0:
        return FrameSize(max(2, max_width - max_width % 2), max(2, max_height - max_height % 2))
    scale = min(max_width / width, max_height / height, 1.0)
    w = max(2, int(width * scale) // 2 * 2)
    h = max(2, int(height * scale) // 2 * 2)
    return FrameSize(w, h)


@dataclass(frozen=True)
class Frame:
    """The newest decoded frame: BGRX rows, top row first, ``size.pitch`` bytes each."""

    size: FrameSize
    number: int  # counts frames libVLC finished since the video started
    pixels: memoryview


class VideoFrames:
    """libVLC's video of one or more players (only one plays at a time) into memory."""

    def __init__(
        self,
        max_width: int = settings.memory_video_max_width_px,
        max_height: int = settings.memory_video_max_height_px,
    ) -> None:
        self.max_width = max_width
        self.max_height = max_height
        self._lock = threading.Lock()
        self._size: FrameSize | None = None
        self._buffers: list[ctypes.Array[ctypes.c_ubyte]] = []
        self._writing: int | None = None
        self._ready: int | None = None
        self._reading: int | None = None
        self._taken = 0
        self.frames_in = 0  # finished by libVLC
        self.formats_seen = 0  # how many times libVLC (re)configured the video
        self._callbacks = (
            _FormatCb(self._on_format),
            _CleanupCb(self._on_cleanup),
            vlc.CallbackDecorators.VideoLockCb(self._on_lock),
            vlc.CallbackDecorators.VideoUnlockCb(self._on_unlock),
            vlc.CallbackDecorators.VideoDisplayCb(self._on_display),
        )  # kept alive as long as this object: libVLC holds raw pointers to them

    def install(self, player: vlc.MediaPlayer) -> None:
        """Route ``player``'s video here (before it plays; replaces its screen output)."""
        setup, cleanup, lock, unlock, display = self._callbacks
        _set_format_callbacks(player._as_parameter_, setup, cleanup)
        player.video_set_callbacks(lock, unlock, display, None)

    @property
    def size(self) -> FrameSize | None:
        return self._size

    # --- the reader (any one thread, e.g. Kivy's) ------------------------------------------
    @contextmanager
    def newest(self) -> Iterator[Frame | None]:
        """The newest frame not taken before (None if none came since); libVLC does not
        write into it until the ``with`` block ends."""
        with self._lock:
            index = self._ready
            size = self._size
            if index is None or size is None or self.frames_in == self._taken:
                frame = None
            else:
                self._reading = index
                self._taken = self.frames_in
                frame = Frame(size, self.frames_in, memoryview(self._buffers[index]).cast("B"))
        try:
            yield frame
        finally:
            if frame is not None:
                frame.pixels.release()
                with self._lock:
                    self._reading = None

    # --- libVLC's decoder thread ---------------------------------------------------------
    def _on_format(self, _opaque, chroma, width, height, pitches, lines) -> int:  # type: ignore[no-untyped-def]
        source_h = visible_height(width[0], height[0])
        size = fit_within(width[0], source_h, self.max_width, self.max_height)
        with self._lock:
            if size != self._size or not self._buffers:
                self._buffers = [(ctypes.c_ubyte * size.nbytes)() for _ in range(_BUFFERS)]
                self._ready = self._reading = self._writing = None
            self._size = size
            self.formats_seen += 1
        ctypes.memmove(chroma, CHROMA, 4)
        width[0], height[0] = size.width, size.height
        pitches[0], lines[0] = size.pitch, size.height
        return _BUFFERS

    def _on_cleanup(self, _opaque) -> None:  # type: ignore[no-untyped-def]
        return None

    def _on_lock(self, _opaque, planes):  # type: ignore[no-untyped-def]
        with self._lock:
            if not self._buffers:  # no format agreed (never seen): a scratch frame, not a crash
                self._size = FrameSize(self.max_width, self.max_height)
                self._buffers = [(ctypes.c_ubyte * self._size.nbytes)() for _ in range(_BUFFERS)]
            busy = {self._ready, self._reading}
            index = next(i for i in range(len(self._buffers)) if i not in busy)
            self._writing = index
            planes[0] = ctypes.addressof(self._buffers[index])
        return index + 1  # libVLC's picture id (not NULL)

    def _on_unlock(self, _opaque, _picture, _planes) -> None:  # type: ignore[no-untyped-def]
        return None

    def _on_display(self, _opaque, picture) -> None:  # type: ignore[no-untyped-def]
        if not picture:
            return
        with self._lock:
            index = int(picture) - 1
            if 0 <= index < len(self._buffers) and index != self._reading:
                self._ready = index
                self.frames_in += 1
            self._writing = None
