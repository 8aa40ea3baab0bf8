"""Prepaid time on the touchscreen: the time-left badge, the N-minutes-left banner and the
到钟 screen that replaces the queue (the queue is kept and listed, greyed).

Widgets only read ``TimeLeft`` values (``room_agent.core.time_left``). 续钟 (the 到钟 screen,
or the panel the badge opens before the end; ``room_agent.ui.extend_panel``) offers the
venue's options priced for the room (``FrontDesk.extend_options``): asking the desk goes to
the core's ``request_extension`` (outbox, once), paying from a member's balance goes to
``FrontDesk.extend_from_balance`` on a worker thread. With an app running (``KtvApp``) the
overlay sits below the app's top bar, which stays visible and usable.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Protocol

from kivy.app import App
from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from ktv.errors import KtvError
from room_agent.core.room_time import ExtensionRequest, TimeLeftChanged, TimeUpChanged, TimeWarning
from room_agent.core.time_left import TimeLeft, TimePhase
from room_agent.core.views import RoomView
from room_agent.ui.extend_panel import TimeUpScreen, extend_error_text
from room_agent.ui.port import ExtendOption, ExtendReceipt, FrontDesk

__all__ = ["TimeBadge", "TimeOverlay", "TimeUpScreen", "TimeWarningBanner", "attach_time_overlay"]

EXTEND_OPTIONS = ("30m", "1h", "2h")
TOP_BAR_U = 46  # the app's top bar height in app.u (room_agent/ui/screens/session.kv)
_PHASE_COLOURS = {
    TimePhase.RUNNING: (0.16, 0.45, 0.30, 1),
    TimePhase.WARNING: (0.85, 0.55, 0.05, 1),
    TimePhase.GRACE: (0.80, 0.20, 0.15, 1),
    TimePhase.OVERTIME: (0.85, 0.55, 0.05, 1),
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


class TimeBadge(ButtonBehavior, Label):
    """剩余 1:30 in the corner; amber in the warning minutes and overtime, red at 到钟, hidden
    when the session has no end. A tap opens the 续钟 panel."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("font_size", dp(18))
        super().__init__(bold=True, **kwargs)
        _fill(self, _PHASE_COLOURS[TimePhase.RUNNING])

    compact = False  # in the app's top bar, over the clock: "剩58分" instead of the long text

    def show(self, left: TimeLeft) -> None:
        self.text = left.short_text if self.compact else left.badge_text
        self.opacity = 0 if left.phase is TimePhase.UNLIMITED else 1
        self.disabled = left.phase is TimePhase.UNLIMITED
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


class TimeCore(Protocol):
    """What the overlay needs from ``RoomCore``."""

    def time_left(self) -> TimeLeft: ...
    def request_extension(self, note: str = "") -> ExtensionRequest: ...
    def subscribe(self, listener: Callable[[object], None]) -> Callable[[], None]: ...
    def view(self) -> RoomView: ...


def _unit() -> float:
    """The app's layout unit (``KtvApp.u``), or dp(1) without an app (tests, renders)."""
    app = App.get_running_app()
    return float(getattr(app, "u", 0) or dp(1))


def _top_inset(unit: float) -> float:
    app = App.get_running_app()
    return TOP_BAR_U * unit if app is not None and hasattr(app, "u") else 0.0


def _clock_slot() -> tuple[tuple[float, float], tuple[float, float]] | None:
    """(window pos, size) of the app's top-bar clock, if a ``KtvApp`` with a session view is
    running: the badge takes its place during a prepaid session."""
    app = App.get_running_app()
    session = getattr(getattr(app, "root", None), "session", None)
    bar = getattr(session, "ids", {}).get("top_bar") if session is not None else None
    if bar is None:
        return None
    for child in bar.children:
        if type(child) is Label and child.text and child.text == getattr(session, "clock", None):
            return child.to_window(child.x, child.y), (child.width, child.height)
    return None


class TimeOverlay:
    """Puts the badge, the warning banner and the 到钟 screen over whatever the touchscreen
    shows (added to the window, above the app's root, below its top bar). Core events arrive
    on any thread and are handed to Kivy's clock; the badge also refreshes every second.
    ``desk``: where 续钟 prices and member payment come from (None: ask the desk only)."""

    def __init__(
        self,
        core: TimeCore,
        window: Widget,
        *,
        banner_s: float = 15.0,
        desk: FrontDesk | None = None,
    ) -> None:
        self.core = core
        self.window = window
        self.banner_s = banner_s
        self.desk = desk
        self.u = _unit()
        self.badge = TimeBadge(
            size_hint=(None, None), size=(170 * self.u, 30 * self.u), font_size=16 * self.u
        )
        self.badge.bind(on_release=lambda *_: self.open_panel())
        self.banner = TimeWarningBanner(size_hint=(None, None), opacity=0)
        self.screen = TimeUpScreen(
            on_extend=self.extend,
            on_pay=self.pay,
            on_close=self.close_panel,
            u=self.u,
            size_hint=(None, None),
        )
        self._banner_event: object = None
        self._shown_up = False
        self._panel = False  # the 续钟 panel opened from the badge, before the end
        self._pay_ids: dict[tuple[int, str, str, str], str] = {}
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
        top = height - _top_inset(self.u)
        gap = 4 * self.u
        slot = _clock_slot()
        if slot is not None:  # over the top bar's clock: covers no button, no content
            self.badge.compact = True
            self.badge.pos, self.badge.size = slot
            self.badge.font_size = 14 * self.u
        else:
            self.badge.compact = False
            self.badge.size = (170 * self.u, 30 * self.u)
            self.badge.pos = (width - self.badge.width - gap, top - self.badge.height - gap)
        self.banner.size = (width * 0.9, height * 0.2)
        self.banner.pos = (width * 0.05, height * 0.05)
        self.screen.size = (width, top)
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
        self._layout()  # the app's top bar may have moved (a resize, the offline badge)
        left = self.core.time_left()
        self.badge.show(left)
        up = left.phase is TimePhase.TIME_UP
        if up and not self._shown_up:
            self._hide_banner()
            self._panel = False
            self.screen.as_panel(False)
            self._show_screen()
            self._load_options()
        elif not up and self._shown_up and not self._panel:
            self._hide_screen()
        elif left.phase is TimePhase.UNLIMITED and self._panel:
            self.close_panel()
        self._shown_up = up
        if up or self._panel:
            view = self.core.view()
            playing = view.now_playing
            title = f"{playing.entry.title} — {playing.entry.artist}" if playing else ""
            self.screen.show(title, [f"{e.title} — {e.artist}" for e in view.queue])
        if self.screen.parent is None and self.badge.parent is None:
            self._raise(self.badge)

    def _show_screen(self) -> None:
        """The screen replaces the badge (it says the same, and the badge's corner is where
        the panel's close button is)."""
        if self.badge.parent is not None:
            self.window.remove_widget(self.badge)
        self._raise(self.screen)

    def _hide_screen(self) -> None:
        if self.screen.parent is not None:
            self.window.remove_widget(self.screen)
        self._raise(self.badge)

    def _raise(self, widget: Widget) -> None:
        if widget.parent is not None:
            self.window.remove_widget(widget)
        self.window.add_widget(widget)

    # --- 续钟 -------------------------------------------------------------------------------
    def open_panel(self) -> None:
        """The badge was tapped: the 续钟 panel over the ordering screens (before the end)."""
        if self._shown_up or self.core.time_left().phase is TimePhase.UNLIMITED:
            return
        self._panel = True
        self.screen.as_panel(True)
        self._show_screen()
        self.refresh()
        self._load_options()

    def close_panel(self) -> None:
        if not self._panel:
            return
        self._panel = False
        if not self._shown_up:
            self._hide_screen()

    def _load_options(self) -> None:
        desk = self.desk
        if desk is None:
            self.screen.member_unavailable("请求将发送到前台 / your request goes to the front desk")
            return
        self._off_ui(desk.extend_options, self._options_loaded)

    def _options_loaded(self, options: object, error: BaseException | None) -> None:
        if error is not None:
            self.screen.member_unavailable(extend_error_text(error))
            return
        if options:
            self.screen.set_options(options)  # type: ignore[arg-type]

    def extend(self, option: str) -> None:
        try:
            request = self.core.request_extension(option)
        except KtvError as exc:
            self.screen.status.text = exc.message
            return
        self.screen.requested(option, request.new)

    def pay(self, option: ExtendOption, phone: str, pin: str) -> None:
        desk = self.desk
        if desk is None:
            self.screen.paid(extend_error_text(KtvError("no front desk")))
            return
        # the same option, member and PIN for the same end is one payment (a retry after a
        # timeout must not pay twice); anything different is a new request
        end = str(self.core.time_left().ends_at)
        key = (option.minutes, phone, pin, end)
        request_id = self._pay_ids.setdefault(key, uuid.uuid4().hex)
        self._off_ui(
            lambda: desk.extend_from_balance(option, phone, pin, request_id),
            self._paid,
        )

    def _paid(self, receipt: object, error: BaseException | None) -> None:
        if error is not None or not isinstance(receipt, ExtendReceipt):
            self.screen.paid(extend_error_text(error or KtvError("no answer")))
            if isinstance(error, KtvError) and error.reason == "PREPAY_REQUIRED":
                self._load_options()  # the price moved (a time band began): show the new one
            return
        until = receipt.ends_at.astimezone().strftime("%H:%M") if receipt.ends_at else ""
        self.screen.paid(f"已续钟，至 {until}，谢谢 / extended until {until}, thank you")

    @staticmethod
    def _off_ui(
        work: Callable[[], object], done: Callable[[object, BaseException | None], None]
    ) -> None:
        """Network calls run on a thread; the answer comes back on Kivy's clock."""

        def run() -> None:
            try:
                result, error = work(), None
            except Exception as exc:  # any failure is shown, never raised into Kivy
                result, error = None, exc
            Clock.schedule_once(lambda dt: done(result, error), 0)

        threading.Thread(target=run, name="ktv-extend", daemon=True).start()


def attach_time_overlay(core: TimeCore, desk: FrontDesk | None = None) -> None:
    """The full agent's hook: once the window exists, lay the overlay over the app."""

    def attach(dt: float) -> None:
        from kivy.core.window import Window

        TimeOverlay(core, Window, desk=desk)

    Clock.schedule_once(attach, 0)
