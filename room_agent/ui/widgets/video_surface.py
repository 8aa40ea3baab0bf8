"""The music video inside the app, for single-screen rooms: libVLC decodes into memory
(``room_agent.player.frames.VideoFrames``: scaled by libVLC to a modest size, three buffers)
and the newest frame is uploaded into a Kivy texture on the Kivy clock.

The UI thread uploads at most one frame per Kivy frame (the newest), straight from libVLC's
buffer (``blit_buffer`` reads a memoryview; no other copy), so a slow UI drops video frames
instead of queueing them and never sees a half-written one. Cost: one texture upload per
shown frame on top of decoding (benchmarks/tv_bench.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.uix.widget import Widget

from room_agent.ui import settings

if TYPE_CHECKING:
    from room_agent.player.frames import FrameSize, VideoFrames


class VideoSurface(Widget):
    """Draws the newest decoded frame on every Kivy frame, filling the widget: a backdrop
    behind the lyrics, so the picture is cropped to the widget's shape, never squeezed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("pos_hint", {"x": 0, "y": 0})  # fills its FloatLayout
        super().__init__(**kwargs)
        self.frames: VideoFrames | None = None
        self.frames_shown = 0
        self._texture: Texture | None = None
        self._size: FrameSize | None = None
        with self.canvas:
            self._colour = Color(1, 1, 1, 0)  # invisible until the first frame
            self._rect = Rectangle()
        self.bind(pos=self._place, size=self._place)
        self._event = None

    def show(self, frames: VideoFrames) -> None:
        """Draw ``frames`` (whose ``install`` routed a libVLC player's video to memory)."""
        self.detach()
        self.frames = frames
        self._event = Clock.schedule_interval(self._upload, 0)

    def attach(self, player: Any, width: int, height: int) -> VideoFrames:
        """Route python-vlc ``player``'s video here, scaled to fit ``width`` x ``height``
        (call before ``play()``)."""
        from room_agent.player.frames import VideoFrames

        frames = VideoFrames(width, height)
        frames.install(player)
        self.show(frames)
        return frames

    def detach(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _upload(self, dt: float) -> None:
        if self.frames is None:
            return
        with self.frames.newest() as frame:
            if frame is None:
                return
            if frame.size != self._size:
                self._size = frame.size
                self._texture = Texture.create(
                    size=(frame.size.width, frame.size.height), colorfmt="bgra"
                )
                self._rect.texture = self._texture
                self._colour.rgba = (settings.video_backdrop_brightness,) * 3 + (1,)
                self._place()
            assert self._texture is not None
            self._texture.blit_buffer(frame.pixels, colorfmt="bgra", bufferfmt="ubyte")
        self.canvas.ask_update()
        self.frames_shown += 1

    def _place(self, *args: Any) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size
        if self._size is not None and self.width and self.height:
            self._rect.tex_coords = cover_crop(
                self._size.width, self._size.height, self.width, self.height
            )


def cover_crop(
    frame_w: float, frame_h: float, area_w: float, area_h: float
) -> tuple[float, float, float, float, float, float, float, float]:
    """Texture coordinates showing the centre of a frame scaled to cover the area, keeping its
    aspect ratio; libVLC's rows run top to bottom, so v is flipped."""
    frame_aspect, area_aspect = frame_w / frame_h, area_w / area_h
    if area_aspect > frame_aspect:  # wider area: keep the full width, crop top and bottom
        u0, u1 = 0.0, 1.0
        keep = frame_aspect / area_aspect
        v0, v1 = (1 - keep) / 2, (1 + keep) / 2
    else:  # taller area: keep the full height, crop the sides
        keep = area_aspect / frame_aspect
        u0, u1 = (1 - keep) / 2, (1 + keep) / 2
        v0, v1 = 0.0, 1.0
    return (u0, v1, u1, v1, u1, v0, u0, v0)
