"""The music video inside the app, for single-screen rooms: libVLC decodes into memory
(``video_set_callbacks``) and the newest frame is uploaded into a Kivy texture.

libVLC calls ``lock``/``display`` on its own decoder thread; they only touch a pre-allocated
buffer and a flag. The UI thread uploads at most one frame per Kivy frame (the newest), so a
slow UI drops video frames instead of queueing them. Cost: one RGBA copy per uploaded frame
on top of decoding (measured in benchmarks/ui_bench.py --video).
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.uix.widget import Widget


class FrameSlot:
    """One RGBA frame buffer shared with libVLC's decoder thread."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.pitch = width * 4
        self.buffer = (ctypes.c_ubyte * (self.pitch * height))()
        self._lock = threading.Lock()
        self._fresh = False
        self.frames_in = 0

    # libVLC side (decoder thread) -----------------------------------------------------------
    def lock(self, opaque: Any, planes: Any) -> None:
        self._lock.acquire()
        planes[0] = ctypes.addressof(self.buffer)

    def unlock(self, opaque: Any, picture: Any, planes: Any) -> None:
        self._fresh = True
        self.frames_in += 1
        self._lock.release()

    def display(self, opaque: Any, picture: Any) -> None:
        return None

    # UI side ---------------------------------------------------------------------------------
    def take(self) -> bytes | None:
        """The newest frame if one arrived since the last call, else None."""
        if not self._fresh:
            return None
        with self._lock:
            self._fresh = False
            return bytes(self.buffer)


class VideoSurface(Widget):
    """Draws the newest decoded frame, scaled to the widget, on every Kivy frame."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("pos_hint", {"x": 0, "y": 0})  # fills its FloatLayout
        super().__init__(**kwargs)
        self.slot: FrameSlot | None = None
        self.frames_shown = 0
        self._texture: Texture | None = None
        with self.canvas:
            Color(1, 1, 1, 1)
            self._rect = Rectangle()
        self.bind(pos=self._place, size=self._place)
        self._event = None

    def attach(self, player: Any, width: int, height: int) -> FrameSlot:
        """Make python-vlc ``player`` decode into this surface at ``width`` x ``height``
        (call before ``play()``)."""
        import vlc

        slot = FrameSlot(width, height)
        self._callbacks = (
            vlc.CallbackDecorators.VideoLockCb(lambda o, p: slot.lock(o, p) or None),
            vlc.CallbackDecorators.VideoUnlockCb(slot.unlock),
            vlc.CallbackDecorators.VideoDisplayCb(slot.display),
        )  # kept alive as long as the surface: libVLC holds raw pointers to them
        player.video_set_callbacks(*self._callbacks, None)
        player.video_set_format("RV32", width, height, slot.pitch)
        self.slot = slot
        self._texture = Texture.create(size=(width, height), colorfmt="bgra")
        self._texture.flip_vertical()
        self._rect.texture = self._texture
        self._event = Clock.schedule_interval(self._upload, 0)
        self._place()
        return slot

    def detach(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _upload(self, dt: float) -> None:
        if self.slot is None or self._texture is None:
            return
        frame = self.slot.take()
        if frame is None:
            return
        self._texture.blit_buffer(frame, colorfmt="bgra", bufferfmt="ubyte")
        self.canvas.ask_update()
        self.frames_shown += 1

    def _place(self, *args: Any) -> None:
        """Fit the frame inside the widget, keeping its aspect ratio (letterbox)."""
        if self.slot is None or not self.width or not self.height:
            self._rect.pos, self._rect.size = self.pos, self.size
            return
        scale = min(self.width / self.slot.width, self.height / self.slot.height)
        w, h = self.slot.width * scale, self.slot.height * scale
        self._rect.pos = (self.x + (self.width - w) / 2, self.y + (self.height - h) / 2)
        self._rect.size = (w, h)
