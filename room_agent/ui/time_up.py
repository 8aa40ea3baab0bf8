"""Prepaid time on the touchscreen: the time-left badge, the N-minutes-left banner and the
到钟 screen that replaces the queue (the queue is kept and listed, greyed).

Widgets only read ``TimeLeft`` values (``room_agent.core.time_left``) and call the
``on_extend`` callback with the option the guest picked (the core's ``request_extension``).
Membership payment from stored value is not on main yet: the buttons ask the desk and say so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from ktv.errors import KtvError
from room_agent.core.room_time import ExtensionRequest, TimeLeftChanged, TimeUpChanged, TimeWarning
from room_agent.core.time_left import TimeLeft, TimePhase
from room_agent.core.views import RoomView

EXTEND_OPTIONS = ("30m", "1h", "2h")
_PHASE_COLOURS = {
    TimePhase.RUNNING: (0.16, 0.45, 0.30, 1),
    TimePhase.WARNING: (0.85, 0.55, 0.05, 1),
    TimePhase.GRACE: (0.80, 0.20, 0.15, 1),
    TimePhase.TIME_UP: (0.80, 0.20, 0.15, 1),
}


def _fill(widget: Label | BoxLayout, rgba: tuple[float, float, float, float]) -> None:
    with widget.canvas.before:
        colour = Color(*rgba)
        rect = Rectangle(pos=widget.pos, size=widget.size)
    widget.bind(
        pos=lambda w, p: setattr(rect, "pos", p), size=lambda w, s: setattr(rect, "size", s)
    )
    widget._fill_colour = colour  # type: ignore[attr-defined]


class TimeBadge(Label):
    """剩余 1:30 in the corner; amber in the warning minutes, red at 到钟, hidden when the
    session has no end."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(bold=True, font_size=dp(18), **kwargs)
        _fill(self, _PHASE_COLOURS[TimePhase.RUNNING])

    def show(self, left: TimeLeft) -> None:
        self.text = left.badge_text
        self.opacity = 0 if left.phase is TimePhase.UNLIMITED else 1
        colour = _PHASE_COLOURS.get(left.phase)
        if colour is not None:
            self._fill_colour.rgba = colour  # type: ignore[attr-defined]


class TimeWarningBanner(Label):
    """The warning over whatever screen is on; the song goes on underneath."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(font_size=dp(22), bold=True, **kwargs)
        _fill(self, (0.10, 0.10, 0.10, 0.85))

    def show(self, minutes: int) -> None:
        self.text = f"还剩 {minutes} 分钟，如需续钟请按「续钟」\n{minutes} minutes left"
        self.halign = "center"
        self.opacity = 1


class TimeUpScreen(BoxLayout):
    """到钟: extend options to the desk, the kept queue underneath."""

    def __init__(self, on_extend: Callable[[str], None], **kwargs: object) -> None:
        super().__init__(orientation="vertical", padding=dp(16), spacing=dp(10), **kwargs)
        _fill(self, (0.07, 0.07, 0.12, 1))
        self._on_extend = on_extend
        self.add_widget(
            Label(text="时间到了 · 到钟", font_size=dp(40), bold=True, size_hint_y=0.22)
        )
        self.add_widget(
            Label(
                text="歌曲已暂停，已点歌曲为您保留。续钟后立即继续播放。\n"
                "Time is up. Your songs are kept; singing resumes as soon as you extend.",
                font_size=dp(16),
                halign="center",
                size_hint_y=0.18,
            )
        )
        options = BoxLayout(spacing=dp(12), size_hint_y=0.2)
        self.buttons: list[Button] = []
        for option in EXTEND_OPTIONS:
            button = Button(text=f"续钟 {option}", font_size=dp(22), bold=True)
            button.bind(on_release=lambda _b, o=option: self._on_extend(o))
            options.add_widget(button)
            self.buttons.append(button)
        self.add_widget(options)
        self.status = Label(
            text="请求将发送到前台（会员储值支付即将开放）/ sent to the front desk",
            font_size=dp(14),
            size_hint_y=0.08,
            color=(0.8, 0.8, 0.8, 1),
        )
        self.add_widget(self.status)
        self.queue = Label(font_size=dp(16), size_hint_y=0.32, color=(0.75, 0.75, 0.75, 1))
        self.add_widget(self.queue)

    def show(self, now_playing: str, queued: Sequence[str]) -> None:
        lines = [f"暂停中 paused: {now_playing}"] if now_playing else []
        shown = list(queued[:4])
        lines += [f"{i}. {title}" for i, title in enumerate(shown, 1)]
        if len(queued) > len(shown):
            lines.append(f"… 共 {len(queued)} 首 / {len(queued)} songs")
        self.queue.text = "\n".join(lines) or "已点 0 首"

    def requested(self, option: str, new: bool) -> None:
        self.status.text = (
            f"已通知前台续钟 {option}，请稍候 / the desk has your request ({option})"
            if new
            else "前台已收到您的请求，请稍候 / the desk already has your request"
        )


class TimeCore(Protocol):
    """What the overlay needs from ``RoomCore``."""

    def time_left(self) -> TimeLeft: ...
    def request_extension(self, note: str = "") -> ExtensionRequest: ...
    def subscribe(self, listener: Callable[[object], None]) -> Callable[[], None]: ...
    def view(self) -> RoomView: ...


class TimeOverlay:
    """Puts the badge, the warning banner and the 到钟 screen over whatever the touchscreen
    shows (added to the window, above the app's root). Core events arrive on any thread and
    are handed to Kivy's clock; the badge also refreshes every second."""

    def __init__(self, core: TimeCore, window: Widget, *, banner_s: float = 15.0) -> None:
        self.core = core
        self.window = window
        self.banner_s = banner_s
        self.badge = TimeBadge(size_hint=(None, None), size=(dp(170), dp(34)))
        self.banner = TimeWarningBanner(size_hint=(None, None), opacity=0)
        self.screen = TimeUpScreen(on_extend=self.extend, size_hint=(None, None))
        self._banner_event: object = None
        self._shown_up = False
        window.add_widget(self.badge)
        window.bind(size=lambda *_: self._layout())
        self._layout()
        self._unsubscribe = core.subscribe(self._on_core_event)
        self._tick = Clock.schedule_interval(lambda dt: self.refresh(), 1.0)
        self.refresh()

    def close(self) -> None:
        self._unsubscribe()
        self._tick.cancel()

    def _layout(self) -> None:
        width, height = self.window.size
        self.badge.pos = (width - self.badge.width - dp(6), height - self.badge.height - dp(6))
        self.banner.size = (width * 0.9, height * 0.2)
        self.banner.pos = (width * 0.05, height * 0.05)
        self.screen.size = (width, height)
        self.screen.pos = (0, 0)

    def _on_core_event(self, event: object) -> None:
        if isinstance(event, TimeWarning):
            Clock.schedule_once(lambda dt: self.warn(event.minutes), 0)
        elif isinstance(event, TimeUpChanged | TimeLeftChanged):
            Clock.schedule_once(lambda dt: self.refresh(), 0)

    def warn(self, minutes: int) -> None:
        self.banner.show(minutes)
        if self.banner.parent is None:
            self._raise(self.banner)
        if self._banner_event is not None:
            self._banner_event.cancel()  # type: ignore[attr-defined]
        self._banner_event = Clock.schedule_once(lambda dt: self._hide_banner(), self.banner_s)

    def _hide_banner(self) -> None:
        self.banner.opacity = 0
        if self.banner.parent is not None:
            self.window.remove_widget(self.banner)

    def refresh(self) -> None:
        left = self.core.time_left()
        self.badge.show(left)
        up = left.phase is TimePhase.TIME_UP
        if up and not self._shown_up:
            self._hide_banner()
            self._raise(self.screen)
        elif not up and self._shown_up:
            self.window.remove_widget(self.screen)
        self._shown_up = up
        if up:
            view = self.core.view()
            playing = view.now_playing
            title = f"{playing.entry.title} — {playing.entry.artist}" if playing else ""
            self.screen.show(title, [f"{e.title} — {e.artist}" for e in view.queue])
        self._raise(self.badge)

    def _raise(self, widget: Widget) -> None:
        if widget.parent is not None:
            self.window.remove_widget(widget)
        self.window.add_widget(widget)

    def extend(self, option: str) -> None:
        try:
            request = self.core.request_extension(option)
        except KtvError as exc:
            self.screen.status.text = exc.message
            return
        self.screen.requested(option, request.new)


def attach_time_overlay(core: TimeCore) -> None:
    """The full agent's hook: once the window exists, lay the overlay over the app."""

    def attach(dt: float) -> None:
        from kivy.core.window import Window

        TimeOverlay(core, Window)

    Clock.schedule_once(attach, 0)
