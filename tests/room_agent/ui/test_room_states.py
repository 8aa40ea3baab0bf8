"""What the touchscreen shows outside a session: welcome (locked), cleaning, maintenance, and
the emergency screen that overrides everything."""

from __future__ import annotations

import pytest

from room_agent.ui.port import RoomMode


def test_locked_room_shows_the_welcome_screen_with_room_tier_and_booking_qr(guest, room):
    room.set_room(mode=RoomMode.LOCKED)
    guest.until(lambda: guest.app.root.current == "locked")
    locked = guest.app.root.locked
    assert locked.ids.headline.text == "欢迎光临"
    assert locked.ids.room_name.text == "A08  中包"
    assert locked.ids.venue_message.text == "今晚 22:00 前欢唱套餐 8 折"
    assert locked.qr is not None and locked.ids.qr.texture is locked.qr
    assert locked.ids.clock.text.count(":") == 1
    guest.shot("welcome")


def test_a_locked_room_ignores_taps_on_the_ordering_screens(guest, room):
    room.set_room(mode=RoomMode.LOCKED)
    guest.until(lambda: guest.app.root.current == "locked")
    guest.tap(guest.session.ids.bottom_bar.ids.skip)  # not on screen: the tap hits nothing
    assert ("skip", None) not in room.intents


@pytest.mark.parametrize(
    ("mode", "headline"),
    [(RoomMode.CLEANING, "清洁中"), (RoomMode.MAINTENANCE, "维护中")],
)
def test_cleaning_and_maintenance_have_their_own_screen(guest, room, mode, headline):
    room.set_room(mode=mode)
    guest.until(lambda: guest.app.root.locked.ids.headline.text == headline)
    assert guest.app.root.current == "locked"
    guest.shot(mode.value)


def test_emergency_overrides_everything_and_clears_back_to_the_session(guest, room):
    room.enqueue("s-qlx")
    guest.tap(guest.session.ids.tab_now_playing)
    room.set_room(mode=RoomMode.EMERGENCY, emergency_message="消防演习，请立即撤离")
    guest.until(lambda: guest.app.root.current == "emergency")
    assert guest.app.root.emergency.ids.message.text == "消防演习，请立即撤离"
    guest.shot("emergency")
    room.set_room(mode=RoomMode.OPEN, emergency_message="")
    guest.until(lambda: guest.app.root.current == "open")


def test_session_opening_unlocks_to_home_with_a_clean_search(guest, room):
    search = guest.session.screens["search"]
    guest.tap(guest.session.ids.tab_search)
    guest.type_keys(search.ids.keyboard, "qt")
    room.set_room(mode=RoomMode.LOCKED)
    guest.until(lambda: guest.app.root.current == "locked")
    room.set_room(mode=RoomMode.OPEN)
    guest.until(lambda: guest.app.root.current == "open")
    assert guest.session.ids.content.current == "home"
    assert search.ids.keyboard.query == ""
