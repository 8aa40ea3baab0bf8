"""Every screen at the three supported touchscreen sizes: touch targets stay big enough and
nothing spills off screen; the screenshots are kept as artifacts, and refreshed under
docs/screenshots/ when KTV_UPDATE_SCREENSHOTS=1."""

from __future__ import annotations

import os

import pytest

from room_agent.ui.port import RoomMode
from tests.room_agent.ui.conftest import ARTIFACTS, SHOTS

SIZES = [(800, 480), (1024, 600), (1920, 1080)]
DOC_SIZES = {(800, 480), (1920, 1080)}
MIN_TOUCH_PX = 40  # a fingertip; our design target is 48 at 480 px


def _buttons(widget):
    from kivy.uix.button import Button

    for child in widget.walk(restrict=True):
        if isinstance(child, Button) and child.opacity > 0 and child.width > 0:
            yield child


def _tour(guest, room, desk):
    """(name, action) for each screen worth a screenshot."""
    session = guest.session

    def search():
        guest.tap(session.ids.tab_search)
        guest.type_keys(session.screens["search"].ids.keyboard, "zjl")
        guest.until(lambda: session.screens["search"].total == 4)

    def now_playing():
        guest.tap(session.ids.tab_now_playing)
        guest.until(lambda: session.screens["now_playing"].line != "")

    def singers():
        guest.tap(session.ids.tab_singers)
        guest.until(lambda: session.screens["singers"].loaded > 0)

    def service():
        desk.reachable = True
        guest.tap(session.ids.tab_service)
        service = session.screens["service"]
        guest.until(lambda: len(service.lines) == 3)
        # the menu's rows are laid out a frame after the data: wait for the last row's button
        guest.row(service.ids.lines, sku="whisky-jw")
        guest.pump(30)

    return [
        ("home", lambda: guest.until(lambda: len(session.screens["home"].hot) > 0)),
        ("search", search),
        ("singers", singers),
        ("queue", lambda: guest.tap(session.ids.tab_queue)),
        ("now-playing", now_playing),
        ("service", service),
        ("welcome", lambda: room.set_room(mode=RoomMode.LOCKED)),
        ("cleaning", lambda: room.set_room(mode=RoomMode.CLEANING)),
        (
            "emergency",
            lambda: room.set_room(
                mode=RoomMode.EMERGENCY, emergency_message="消防演习，请立即撤离"
            ),
        ),
    ]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_screen_fits_and_keeps_big_touch_targets(guest, room, desk, size):
    from kivy.core.window import Window

    Window.size = size
    guest.until(lambda: tuple(Window.size) == size)
    for song_id in ("s-qlx", "s-qt", "s-hhb", "s-ymy"):
        room.enqueue(song_id)
    room.advance(1000 + 4 * 300 + 100)
    label = f"{size[0]}x{size[1]}"
    for name, action in _tour(guest, room, desk):
        action()
        guest.pump(30)
        screen = guest.app.root.current_screen
        for button in _buttons(screen):
            if button.get_root_window() is None:
                continue
            x, _ = button.to_window(button.x, button.y)
            if x >= size[0]:
                continue  # a hidden panel parked off screen, not a spill
            assert button.height >= MIN_TOUCH_PX * min(1.0, size[1] / 480), (name, button.text)
            assert x >= -1 and x + button.width <= size[0] + 1, (name, button.text, x)
        path = guest.shot(name, ARTIFACTS / "screens" / label)
        if os.environ.get("KTV_UPDATE_SCREENSHOTS") == "1" and size in DOC_SIZES:
            target = SHOTS / label
            target.mkdir(parents=True, exist_ok=True)
            (target / f"{name}.png").write_bytes(path.read_bytes())
    Window.size = (800, 480)
