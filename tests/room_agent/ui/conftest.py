"""One real Kivy app per test session (Kivy allows one window per process), rendered offscreen.

Each test attaches fresh doubles (``RoomDouble``, ``ShelfCatalog``, ``DeskDouble``) to the
running app, drives it with real touches dispatched through the window, pumps frames instead
of sleeping, and saves screenshots under ``artifacts/ui/``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

# Kivy reads these at import: set them before anything imports kivy.
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
if "KIVY_HOME" not in os.environ:
    _kivy_home = tempfile.mkdtemp(prefix="ktv-kivy-home-")
    os.environ["KIVY_HOME"] = _kivy_home
    atexit.register(shutil.rmtree, _kivy_home, ignore_errors=True)
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest

from media_index.model import Song, VocalMode
from room_agent.ui.port import LyricWord, RoomMode
from tests.room_agent.ui.doubles import (
    DeskDouble,
    RoomDouble,
    ShelfCatalog,
    ShelfSong,
    TimedLine,
)

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "artifacts" / "ui"
SHOTS = ROOT / "docs" / "screenshots"


def _song(song_id: str, title: str, artist: str, language: str = "mandarin", **kw) -> Song:
    return Song(
        song_id=song_id,
        title=title,
        artists=(artist,),
        path=f"/media/{song_id}.mkv",
        language=language,
        duration_ms=kw.pop("duration_ms", 240_000),
        vocal_mode=kw.pop("vocal_mode", VocalMode.TRACKS),
        **kw,
    )


SHELF = [
    ShelfSong(_song("s-qlx", "七里香", "周杰伦"), "qlx", "zjl", "male"),
    ShelfSong(_song("s-qt", "晴天", "周杰伦"), "qt", "zjl", "male"),
    ShelfSong(_song("s-dxz", "稻香", "周杰伦"), "dx", "zjl", "male"),
    ShelfSong(_song("s-gbh", "告白气球", "周杰伦"), "gbqq", "zjl", "male"),
    ShelfSong(_song("s-hhb", "后来", "刘若英"), "hl", "lry", "female"),
    ShelfSong(_song("s-ymy", "月亮代表我的心", "邓丽君"), "yldbwdx", "dlj", "female"),
    ShelfSong(
        _song("s-tmm", "甜蜜蜜", "邓丽君", vocal_mode=VocalMode.NONE), "tmm", "dlj", "female"
    ),
    ShelfSong(_song("s-hk", "海阔天空", "Beyond", "cantonese"), "hktk", "by", "group"),
    ShelfSong(_song("s-ly", "光辉岁月", "Beyond", "cantonese"), "ghsy", "by", "group"),
    ShelfSong(_song("s-yh", "Yesterday Once More", "Carpenters", "english"), "yom", "c", "band"),
    ShelfSong(_song("s-xx", "小幸运", "田馥甄"), "xxy", "tfz", "female"),
    ShelfSong(_song("s-pyl", "朋友", "周华健"), "py", "zhj", "male"),
]

QLX_LYRICS = (
    TimedLine(
        1000,
        5000,
        "窗外的麻雀在电线杆上多嘴",
        tuple(
            LyricWord(1000 + i * 300, 1000 + (i + 1) * 300, ch)
            for i, ch in enumerate("窗外的麻雀在电线杆上多嘴")
        ),
    ),
    TimedLine(5000, 9000, "你说这一句很有夏天的感觉"),
    TimedLine(9000, 13000, "手中的铅笔在纸上来来回回"),
)


@pytest.fixture(scope="session")
def ktv_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The running touchscreen app (800x480 window, offscreen)."""
    from kivy.config import Config

    Config.set("graphics", "width", "800")
    Config.set("graphics", "height", "480")
    Config.set("input", "mouse", "")  # no real mouse provider in tests
    Config.set("graphics", "multisamples", "0")  # as run_touchscreen configures it
    from kivy.base import EventLoop

    from room_agent.ui.app import KtvApp, TouchscreenConfig

    data_dir = tmp_path_factory.mktemp("ktv-data")  # the font: $KTV_FONT_DIR (tests/conftest.py)
    app = KtvApp(
        RoomDouble(),
        ShelfCatalog(SHELF),
        DeskDouble(),
        TouchscreenConfig(data_dir=data_dir),
    )
    app._run_prepare()
    EventLoop.idle()
    yield app
    app.shutdown()
    app._stop()
    EventLoop.close()


class Screen:
    """Drives the app like a guest: taps through the window, pumps frames, saves shots."""

    def __init__(self, app: object, name: str) -> None:
        self.app = app
        self.name = name
        self.shots = 0

    @property
    def session(self):  # the ordering area
        return self.app.root.session

    def pump(self, frames: int = 2) -> None:
        from kivy.base import EventLoop

        for _ in range(frames):
            EventLoop.idle()

    def until(self, condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
        """Pump frames until ``condition()`` holds (answers from worker threads)."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout_s}s")
            self.pump(1)
            time.sleep(0.005)
        self.pump(2)

    def tap(self, widget: object) -> None:
        """A real touch at the widget's centre, dispatched through the window."""
        from kivy.tests.common import UnitTestTouch

        self.pump(1)
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.pump(2)

    def row(self, recycle_view: object, **match: object) -> object:
        """The visible RecycleView row whose properties equal ``match``."""
        found: list[object] = []

        def visible() -> bool:
            self.pump(1)
            layout = recycle_view.children[0]
            found[:] = [
                w for w in layout.children if all(getattr(w, k) == v for k, v in match.items())
            ]
            return bool(found)

        self.until(visible)
        return found[0]

    def type_keys(self, keyboard: object, keys: str) -> None:
        for key in keys:
            self.tap(keyboard.keys[key.upper() if key.isalpha() else key])

    def shot(self, label: str, target_dir: Path = ARTIFACTS) -> Path:
        """Render the whole widget tree into a PNG at the window's logical size (an FBO, so
        it also works after the offscreen window was resized)."""
        self.pump(3)
        target_dir.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        final = target_dir / f"{self.name}-{label}.png"
        # the window clears to the backdrop colour (no full-screen rectangle); an export
        # starts from transparent, so lay the backdrop under the tree for the picture
        from kivy.graphics import Color, InstructionGroup, Rectangle

        from room_agent.ui import settings

        root = self.app.root
        backdrop = InstructionGroup()
        backdrop.add(Color(*settings.background_rgba))
        backdrop.add(Rectangle(pos=root.pos, size=root.size))
        root.canvas.before.insert(0, backdrop)
        try:
            root.export_to_png(str(final))
        finally:
            root.canvas.before.remove(backdrop)
        return final


@pytest.fixture
def room() -> RoomDouble:
    double = RoomDouble()
    double.know(*(s.song for s in SHELF))
    double.lyrics_by_song["s-qlx"] = QLX_LYRICS
    return double


@pytest.fixture
def catalog() -> ShelfCatalog:
    return ShelfCatalog(SHELF)


@pytest.fixture
def desk() -> DeskDouble:
    return DeskDouble(reachable=False)


@pytest.fixture
def guest(ktv_app, room, catalog, desk, request) -> Iterator[Screen]:
    """The app attached to fresh doubles, on the home screen of an open session."""
    from kivy.core.window import Window

    Window.size = (800, 480)
    ktv_app.lang = "zh"
    ktv_app.attach(room, catalog, desk)
    screen = Screen(ktv_app, request.node.name.removeprefix("test_"))
    screen.pump(2)
    if room.view.mode is RoomMode.OPEN:
        ktv_app.root.session.reset()
    screen.pump(2)
    yield screen
    screen.pump(1)
