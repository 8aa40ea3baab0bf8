"""The touchscreen app: one Kivy App over a ``RoomControl``, a ``SongSource`` and a ``FrontDesk``.

The app turns core notifications (any thread) into Kivy properties on the UI thread; screens
bind to those properties in their ``.kv`` rules and call the intents below. Anything that can
block (catalog queries, controller calls) runs on worker threads and comes back through
Kivy's clock, so a slow disk or a dead LAN never freezes a touch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from ktv.errors import KtvError, Unsupported
from room_agent.core.ports import PlayerState, VocalSwitch
from room_agent.ui import i18n, settings
from room_agent.ui.fonts import register_cjk_font
from room_agent.ui.memory import freeze_start_up_heap, release_free_memory
from room_agent.ui.port import (
    IDLE_PLAYBACK,
    Change,
    FrontDesk,
    QueueView,
    RoomControl,
    SearchRequest,
    SongPage,
    SongSource,
    TouchscreenRoom,
)
from room_agent.ui.search_worker import Answer, LatestWinsWorker

log = logging.getLogger(__name__)

UI_DIR = Path(__file__).parent
KV_FILES = (
    "widgets/clipping.kv",  # first: its "-" rules would drop rules loaded before it
    "widgets/common.kv",
    "widgets/keyboard.kv",
    "widgets/song_list.kv",
    "widgets/guest_qr.kv",
    "screens/locked.kv",
    "screens/home.kv",
    "screens/search.kv",
    "screens/singers.kv",
    "screens/queue.kv",
    "screens/now_playing.kv",
    "screens/service.kv",
    "screens/session.kv",
)
T = TypeVar("T")


@dataclass(frozen=True)
class TouchscreenConfig:
    """How the touchscreen runs: full screen on the Pi, a window on a desktop."""

    fullscreen: bool = False
    size: tuple[int, int] = (800, 480)  # window size when not full screen
    language: i18n.Language = i18n.DEFAULT_LANGUAGE
    data_dir: Path | None = None  # where the extracted CJK font is cached
    extra_kv: tuple[str, ...] = field(default_factory=tuple)
    # Single-screen rooms: the player's video in memory (room_agent.player.frames.VideoFrames),
    # drawn behind the lyrics in now playing. None: the video is on the TV.
    video: Any = None


class KtvApp(App):
    """The ordering screen. ``u`` is the layout unit: 1.0 on a 480 px short side."""

    lang = StringProperty(i18n.DEFAULT_LANGUAGE.value)
    u = NumericProperty(1.0)
    room_view = ObjectProperty(None, allownone=True, rebind=True)
    queue_view = ObjectProperty(QueueView(), rebind=True)
    playback = ObjectProperty(IDLE_PLAYBACK, rebind=True)
    effects = ObjectProperty((), rebind=True)  # the room's atmosphere sounds (气氛)
    online = BooleanProperty(True)
    toast = StringProperty("")

    def __init__(
        self,
        room: RoomControl,
        catalog: SongSource,
        desk: FrontDesk,
        config: TouchscreenConfig | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title = "KTV"
        self.room = room
        self.catalog = catalog
        self.desk = desk
        self.touch_config = config or TouchscreenConfig()
        self.lang = self.touch_config.language.value
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ktv-ui-io")
        self._search = LatestWinsWorker(lambda r: self.catalog.search(r), self._search_done)
        self._search_callback: Callable[[Answer[SearchRequest, SongPage]], None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._toast_event = None
        self._poll_event = None
        self._room_poll_event = None
        self._trim = Clock.create_trigger(  # ~5 ms on a fragmented heap: off the UI thread
            lambda dt: self.run_async(release_free_memory, lambda result, error: None),
            settings.release_memory_after_idle_s,
        )

    # --- texts and layout --------------------------------------------------------------

    def t(self, key: str, lang: str | None = None, **values: object) -> str:
        """The string for ``key`` in the current language (kv passes ``app.lang`` so the
        label re-evaluates when the guest switches language)."""
        return i18n.text(key, i18n.Language(lang or self.lang), **values)

    @property
    def language(self) -> i18n.Language:
        return i18n.Language(self.lang)

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"

    def _resize(self, window: Any, width: int, height: int) -> None:
        self.u = max(0.6, min(width / 800, height / settings.design_short_side_px))

    # --- lifecycle -----------------------------------------------------------------------

    def build(self) -> Any:
        from kivy.core.window import Window

        register_cjk_font(self.touch_config.data_dir)
        from room_agent.ui.widgets import (
            buttons,
            clipping,
            guest_qr,
            karaoke_line,
            keyboard,
            song_list,
        )

        _ = (buttons, guest_qr, karaoke_line, keyboard, song_list)  # classes the kv rules name
        clipping.remember_window_framebuffer()
        Clock.clock_resolution = settings.frame_clock_resolution_s  # 60 fps means 60
        Window.clearcolor = settings.background_rgba  # the backdrop, without a full-screen fill
        for name in (*KV_FILES, *self.touch_config.extra_kv):
            Builder.load_file(str(UI_DIR / name))
        from room_agent.ui.screens.root import RootView

        Window.bind(on_resize=self._resize)
        self._resize(Window, *Window.size)
        root = RootView()
        self.attach(self.room)
        self._poll_event = Clock.schedule_interval(
            lambda dt: self.refresh(Change.PLAYBACK), settings.playback_poll_interval_s
        )
        self._room_poll_event = Clock.schedule_interval(
            lambda dt: self.refresh(Change.ROOM), settings.room_poll_interval_s
        )
        Clock.schedule_once(self._freeze_heap, settings.freeze_heap_after_s)
        return root

    def _freeze_heap(self, dt: float) -> None:
        """One collection now, on the welcome screen, instead of a 40 ms one every 20-30 s
        later; what it freed goes back to the OS on a worker thread."""
        freeze_start_up_heap()
        self.run_async(release_free_memory, lambda result, error: None)

    def attach(
        self,
        room: RoomControl,
        catalog: SongSource | None = None,
        desk: FrontDesk | None = None,
    ) -> None:
        """Follow ``room`` (and optionally a new catalog version or desk) from now on; the
        screens pull fresh views at once. Catalog swaps take effect on the next search."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.room = room
        if catalog is not None:
            self.catalog = catalog
        if desk is not None:
            self.desk = desk
        self._unsubscribe = room.subscribe(self._on_change)
        self.effects = tuple(room.effects())
        for change in (Change.ROOM, Change.QUEUE, Change.PLAYBACK):
            self.refresh(change)

    def on_stop(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Stop background work and unsubscribe from the core; idempotent."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for event in (self._poll_event, self._room_poll_event):
            if event is not None:
                event.cancel()
        self._poll_event = self._room_poll_event = None
        self._trim.cancel()
        self._search.close()
        self._pool.shutdown(wait=True, cancel_futures=True)

    # --- core notifications ------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        """Called by the core on any thread: hop onto the UI thread."""
        Clock.schedule_once(lambda dt: self.refresh(change), 0)

    def refresh(self, change: Change) -> None:
        if change is Change.ROOM:
            view: TouchscreenRoom = self.room.room()
            self.online = view.online
            self.room_view = view
        elif change is Change.QUEUE:
            self.queue_view = self.room.queue()
        elif change is Change.PLAYBACK:
            self.playback = self.room.now_playing()
        elif change is Change.SERVICE and self.root is not None:
            self.root.service_changed()

    # --- background work ---------------------------------------------------------------

    def run_async(
        self,
        work: Callable[[], T],
        done: Callable[[T | None, Exception | None], None],
    ) -> Future[T]:
        """Run ``work`` on an I/O thread and call ``done(result, error)`` on the UI thread."""

        def finished(future: Future[T]) -> None:
            if future.cancelled():
                return
            error = future.exception()
            result = None if error else future.result()
            Clock.schedule_once(lambda dt: done(result, error), 0)  # type: ignore[arg-type]

        future = self._pool.submit(work)
        future.add_done_callback(finished)
        return future

    def search(
        self,
        request: SearchRequest,
        done: Callable[[Answer[SearchRequest, SongPage]], None],
    ) -> None:
        """Search the local catalog off the UI thread; only the newest request answers."""
        self._search_callback = done
        self._search.submit(request)
        self._trim.cancel()  # debounce: trim once the guest has stopped typing
        self._trim()

    def _search_done(self, answer: Answer[SearchRequest, SongPage]) -> None:
        callback = self._search_callback
        if callback is not None:
            Clock.schedule_once(lambda dt: callback(answer), 0)

    # --- intents (what the screens call) -------------------------------------------------

    def show_toast(self, message: str) -> None:
        self.toast = message
        if self._toast_event is not None:
            self._toast_event.cancel()
        self._toast_event = Clock.schedule_once(
            lambda dt: setattr(self, "toast", ""), settings.toast_duration_s
        )

    def guarded(self, action: Callable[[], object]) -> bool:
        """Run an intent; a refused intent shows its message (never crashes the UI).
        Returns whether the core accepted it."""
        try:
            action()
        except Unsupported:
            self.show_toast(self.t("key_unsupported"))
        except KtvError as exc:
            self.show_toast(exc.message)
        else:
            return True
        return False

    def add_song(self, song_id: str, title: str = "", *, to_top: bool = False) -> None:
        if self.guarded(lambda: self.room.enqueue(song_id, to_top=to_top)):
            self.show_toast(self.t("added_top" if to_top else "added", title=title))

    def skip(self) -> None:
        self.guarded(self.room.skip)

    def replay(self) -> None:
        self.guarded(self.room.replay)

    def toggle_pause(self) -> None:
        if self.playback.state is PlayerState.PAUSED:
            self.guarded(self.room.resume)
        else:
            self.guarded(self.room.pause)

    def toggle_vocal(self) -> None:
        if self.playback.vocal is VocalSwitch.UNAVAILABLE:
            self.show_toast(self.t("vocal_unavailable"))
            return
        self.guarded(self.room.toggle_vocal)

    def change_key(self, delta: int) -> None:
        self.guarded(lambda: self.room.change_key(delta))

    def change_volume(self, delta: int) -> None:
        self.guarded(lambda: self.room.change_volume(delta))

    def play_effect(self, name: str) -> None:
        """An atmosphere sound: the sound is the answer; a refusal (too fast) is a toast."""
        self.guarded(lambda: self.room.play_effect(name))

    def toggle_mute(self) -> None:
        self.guarded(lambda: self.room.set_mute(not self.playback.muted))

    def vocal_label(self, vocal: VocalSwitch, lang: str) -> str:
        if vocal is VocalSwitch.ORIGINAL:
            return self.t("original", lang)
        if vocal is VocalSwitch.ACCOMPANIMENT:
            return self.t("accompaniment", lang)
        return f"{self.t('original', lang)}/{self.t('accompaniment', lang)}"

    def go(self, screen: str) -> None:
        """Switch the ordering area to ``screen`` (home, search, singers, queue...)."""
        if self.root is not None:
            self.root.go(screen)


def run_touchscreen(
    room: RoomControl,
    catalog: SongSource,
    desk: FrontDesk,
    config: TouchscreenConfig | None = None,
) -> None:
    """Run the touchscreen until the window closes (blocks; call from the main thread).

    The agent's CLI calls this with the core adapted by ``room_agent.ui.core_adapter``."""
    config = config or TouchscreenConfig()
    _configure(config)
    KtvApp(room, catalog, desk, config).run()


async def run_touchscreen_async(
    room: RoomControl,
    catalog: SongSource,
    desk: FrontDesk,
    config: TouchscreenConfig | None = None,
) -> None:
    """The same on the agent's asyncio loop (shared with the link's grpc.aio and zeroconf):
    ``await`` it beside ``agent.run()``; it returns when the window closes."""
    config = config or TouchscreenConfig()
    _configure(config)
    await KtvApp(room, catalog, desk, config).async_run(async_lib="asyncio")


def _configure(config: TouchscreenConfig) -> None:
    """Window settings; must run before Kivy creates its window."""
    from kivy.config import Config

    Config.set("graphics", "fullscreen", "auto" if config.fullscreen else "0")
    Config.set("graphics", "width", str(config.size[0]))
    Config.set("graphics", "height", str(config.size[1]))
    Config.set("graphics", "multisamples", "0")  # MSAA doubles fill cost; flat UI needs none
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


__all__ = ["KtvApp", "TouchscreenConfig", "run_touchscreen", "run_touchscreen_async"]
