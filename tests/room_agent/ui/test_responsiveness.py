"""What keeps the screen quick: keys typed faster than the catalog answers, a karaoke wipe that
renders no text per frame, and a frame that fills the screen about twice, not eight times."""

from __future__ import annotations

import threading

import pytest
from kivy.graphics import BorderImage, Rectangle, RoundedRectangle

from room_agent.ui import settings
from room_agent.ui.port import SearchRequest, SongPage


class GatedCatalog:
    """The test catalog, but a search for ``gate_query`` waits until the test opens the gate
    (a slow disk); every request is recorded."""

    def __init__(self, catalog, gate_query: str) -> None:
        self.catalog = catalog
        self.gate_query = gate_query
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.requests: list[str] = []

    def search(self, request: SearchRequest) -> SongPage:
        self.requests.append(request.query)
        if request.query == self.gate_query:
            self.entered.set()
            self.gate.wait(10)
        return self.catalog.search(request)

    def __getattr__(self, name: str):
        return getattr(self.catalog, name)


def test_three_keys_typed_faster_than_the_search_show_only_the_last_querys_results(
    guest, room, catalog, desk
):
    slow = GatedCatalog(catalog, gate_query="z")
    guest.app.attach(room, slow, desk)
    guest.tap(guest.session.ids.tab_search)
    search = guest.session.screens["search"]
    results = search.ids.results
    guest.until(lambda: search.total >= 0)  # the empty query's first page
    shown: list[list[str]] = []
    results.bind(data=lambda rv, data: shown.append([row["title"] for row in data]))
    keyboard = search.ids.keyboard
    try:
        guest.type_keys(keyboard, "z")
        assert slow.entered.wait(5)  # "z" is on the disk...
        assert search.ids.query_label.text == "Z"  # ...and the key shows at once
        guest.type_keys(keyboard, "j")
        assert search.ids.query_label.text == "ZJ"
        guest.type_keys(keyboard, "l")
        assert search.ids.query_label.text == "ZJL"
    finally:
        slow.gate.set()
    guest.until(lambda: search.shown_request is not None and search.shown_request.query == "zjl")
    guest.pump(5)
    assert slow.requests[-2:] == ["z", "zjl"]  # "zj" was overtaken before it ran
    assert shown == [["七里香", "晴天", "稻香", "告白气球"]]  # "z" came back stale: dropped


def _lyrics_screen(guest, room):
    room.enqueue("s-qlx")
    guest.tap(guest.session.ids.tab_now_playing)
    now = guest.session.screens["now_playing"]
    return now, now.ids.karaoke


def test_the_wipe_clip_follows_the_lyric_clock_without_rendering_text(guest, room):
    now, karaoke = _lyrics_screen(guest, room)
    room.advance(1000)  # the first line starts; 12 characters at 300 ms each
    guest.until(lambda: now.line == "窗外的麻雀在电线杆上多嘴")
    guest.until(lambda: karaoke.prepared == "你说这一句很有夏天的感觉")  # the next, ahead
    texture, rendered = karaoke.texture, karaoke.rasterised
    (_, _), (line_width, _) = karaoke.drawn_box
    widths = []
    for sung in range(1, 13):
        room.advance(300)
        guest.pump(1)
        widths.append(karaoke.sung_width)
        assert karaoke.wiped_chars == pytest.approx(sung)  # one more word each 300 ms
        assert karaoke.sung_width == pytest.approx(karaoke.wipe_fraction * line_width)
    assert widths == sorted(widths) and widths[0] < widths[-1]
    assert widths[-1] == line_width  # the whole line sung at its end
    assert karaoke.texture is texture  # the same texture every frame...
    assert karaoke.rasterised == rendered  # ...and no line rendered while it was sung


def test_the_next_line_is_rendered_ahead_not_on_the_frame_the_line_changes(guest, room):
    now, karaoke = _lyrics_screen(guest, room)
    room.advance(2000)
    guest.until(lambda: now.line == "窗外的麻雀在电线杆上多嘴")
    guest.until(lambda: karaoke.prepared == "你说这一句很有夏天的感觉")
    ahead = karaoke.rasterised
    room.advance(5000 - room.playback.position_ms + 100)  # into the second line
    guest.pump(1)  # the frame where the line changes
    assert now.line == "你说这一句很有夏天的感觉"
    assert karaoke.rasterised == ahead  # shown from the prepared texture
    guest.until(lambda: karaoke.prepared == "手中的铅笔在纸上来来回回")  # the third, ahead
    assert karaoke.rasterised == ahead + 1


def _filled_pixels(canvas) -> float:
    """Pixels the GPU fills to draw ``canvas`` (every rectangle-like instruction's area,
    transparent ones included: the rasteriser still shades them)."""
    total = 0.0
    for instruction in canvas.children:
        if isinstance(instruction, (Rectangle, RoundedRectangle, BorderImage)):
            total += instruction.size[0] * instruction.size[1]
        elif hasattr(instruction, "children"):  # canvases and instruction groups
            total += _filled_pixels(instruction)
    return total


def test_a_search_screen_frame_fills_the_window_about_twice_not_eight_times(guest):
    from kivy.core.window import Window

    guest.tap(guest.session.ids.tab_search)
    search = guest.session.screens["search"]
    guest.type_keys(search.ids.keyboard, "z")
    guest.until(lambda: search.total == 5)
    screens = _filled_pixels(Window.canvas) / (Window.width * Window.height)
    # no stencil clipping (two extra fills per clipped area), no invisible button images,
    # no full-window backdrop rectangle, text drawn only where it is inked:
    # 7.8 screens before, 2.4 after
    assert screens < 3.0, screens


def test_a_short_title_in_a_wide_row_fills_only_its_text(guest):
    from kivy.core.text import Label as CoreLabel

    guest.tap(guest.session.ids.tab_search)
    search = guest.session.screens["search"]
    guest.type_keys(search.ids.keyboard, "qt")
    guest.until(lambda: search.total == 1)
    title = guest.row(search.ids.results, song_id="s-qt").ids.title_label  # 晴天
    (x, _), (width, height) = title.ink_box
    measure = CoreLabel(text="晴天", font_size=title.font_size, font_name=title.font_name)
    text_width, _ = measure.get_extents("晴天")
    assert text_width <= width <= text_width + 8  # the text, not the 400 px row
    assert title.width > 4 * width
    assert x == int(title.center_x - title.texture_size[0] / 2)  # left-aligned as before
    assert height == title.texture_size[1]


def test_the_start_up_heap_is_frozen_out_of_the_garbage_collectors_walks(guest):
    """A full collection walks every tracked object with the GIL held (41 ms over the whole
    agent's start-up heap: a frozen wipe). Once the app is up its long-lived objects are
    frozen, so later collections walk only what was made since."""
    import gc

    guest.until(lambda: gc.get_freeze_count() > 0, timeout_s=settings.freeze_heap_after_s + 10)
    shell = guest.session
    assert not any(obj is shell for obj in gc.get_objects())  # out of every generation
    assert gc.get_freeze_count() > 10_000


def test_the_frame_clock_ticks_at_most_60_times_a_second(guest):
    """Kivy's default clock wakes up to 10 ms early and drew 80-125 frames a second where
    nothing blocks the swap (offscreen here, Xvfb, a display without vsync)."""
    import time

    from kivy.clock import Clock

    guest.pump(2)
    start, began = Clock.frames, time.perf_counter()
    while time.perf_counter() - began < 1.0:
        guest.pump(1)
    ticks = (Clock.frames - start) / (time.perf_counter() - began)
    assert 0 < ticks <= 66, f"{ticks:.0f} frames a second"  # ~62: it wakes <= 1.8 ms early


def test_a_screen_built_on_first_use_is_frozen_with_the_start_up_heap(guest):
    """Screens built after start-up (now playing, search: their keys and rows) were ~55,000
    objects the GC walked again on every full collection (27 ms in the whole agent)."""
    import gc

    from room_agent.ui.screens.session import LazyScreens
    from room_agent.ui.widgets.clipping import ScreenSwitcher

    guest.until(lambda: gc.get_freeze_count() > 0, timeout_s=settings.freeze_heap_after_s + 10)
    screens = LazyScreens(ScreenSwitcher())  # a stack of its own, beside the app's
    singer = screens["singer"]
    guest.until(
        lambda: not any(obj is singer for obj in gc.get_objects()),
        timeout_s=settings.freeze_screen_after_s + 10,
    )
