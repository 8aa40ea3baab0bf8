"""Now playing: title, singer, time; the current lyric line with a karaoke wipe and the
next line; the full set of controls (skip, replay, pause, 原唱/伴唱, key, volume, mute).

The wipe runs from a 60 fps clock event that only exists while this screen is shown. When
the line changes, the line after it is rasterised a moment later (``lyrics_prepare_delay_s``),
so no frame both switches lines and renders text.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from room_agent.ui import settings
from room_agent.ui.karaoke import wiped_chars
from room_agent.ui.port import LyricsFrame
from room_agent.ui.widgets.video_surface import VideoSurface


class NowPlayingScreen(Screen):
    line = StringProperty("")
    next_line = StringProperty("")
    frames_drawn = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._event = None
        self._prepare = Clock.create_trigger(self._prepare_next, settings.lyrics_prepare_delay_s)
        self.video: VideoSurface | None = None

    def on_line(self, screen: Any, line: str) -> None:
        self._prepare()

    def _prepare_next(self, dt: float) -> None:
        self.ids.karaoke.prepare(self.next_line)

    def on_pre_enter(self, *args: Any) -> None:
        self._show_video(App.get_running_app().touch_config.video)
        self.tick(0)
        self._event = Clock.schedule_interval(self.tick, settings.lyrics_frame_interval_s)

    def on_leave(self, *args: Any) -> None:
        if self.video is not None:
            self.video.detach()
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _show_video(self, frames: Any) -> None:
        """Single-screen rooms: the music video as the bottom layer of the lyrics area,
        uploaded only while this view is shown."""
        if frames is None:
            return
        area = self.ids.karaoke.parent
        if self.video is None:
            self.video = VideoSurface()
            area.add_widget(self.video, index=len(area.children))  # drawn first: underneath
        self.video.show(frames)

    def tick(self, dt: float) -> None:
        frame: LyricsFrame = App.get_running_app().room.lyrics()
        self.line = frame.line
        self.next_line = frame.next_line
        self.ids.karaoke.wiped_chars = wiped_chars(frame)
        self.frames_drawn += 1
