"""Guests' phones through the controller: adds with who added them (like the touchscreen's),
removes of one's own, controls through the touchscreen's paths, the QR URL of the session,
and the queue report the link sends up."""

from __future__ import annotations

import pytest

from ktv.errors import NotFound, PermissionDenied
from room_agent.core.events import GuestUrlChanged
from room_agent.core.ports import (
    GuestControl,
    GuestQueueSong,
    GuestRemoveSong,
    RoomControl,
    SessionClosed,
    SessionOpened,
    VocalSwitch,
)


def test_a_phones_song_is_queued_with_its_nickname_and_only_its_phone_removes_it(open_room):
    core = open_room.core
    core.add_song("s-qingtian")  # the touchscreen's own: playing now
    core.handle(GuestQueueSong("s-houlai", "e-phone1", "g1", "小王"))
    core.handle(GuestQueueSong("s-yiqi", "e-phone2", "g2", "Amy", top=True))
    core.handle(GuestQueueSong("s-houlai", "e-phone1", "g1", "小王"))  # the same add again
    queue = core.view().queue
    assert [(e.entry_id, e.added_by) for e in queue] == [("e-phone2", "Amy"), ("e-phone1", "小王")]
    with pytest.raises(PermissionDenied):
        core.handle(GuestRemoveSong("e-phone1", "g2"))
    core.handle(GuestRemoveSong("e-phone1", "g1"))
    assert [e.entry_id for e in core.view().queue] == ["e-phone2"]
    with pytest.raises(NotFound):
        core.handle(GuestQueueSong("no-such-song", "e3", "g1", "小王"))

    snapshot = core.queue_snapshot()
    assert snapshot.session == "sessions/1"
    assert snapshot.now_playing is not None and snapshot.now_playing.added_by == ""
    assert [(e.entry_id, e.added_by, e.guest_id) for e in snapshot.queue] == [
        ("e-phone2", "Amy", "g2")
    ]


def test_phone_controls_go_through_the_touchscreens_paths(open_room):
    core = open_room.core
    core.add_song("s-qingtian")
    core.add_song("s-houlai")
    volume = core.view().volume_percent
    core.handle(GuestControl(RoomControl.VOLUME_DOWN, "g1"))
    assert core.view().volume_percent < volume
    core.handle(GuestControl(RoomControl.ACCOMPANIMENT, "g1"))
    assert core.view().now_playing.vocal is VocalSwitch.ACCOMPANIMENT
    core.handle(GuestControl(RoomControl.ORIGINAL_VOCAL, "g1"))
    assert core.view().now_playing.vocal is VocalSwitch.ORIGINAL
    core.handle(GuestControl(RoomControl.SKIP, "g1"))
    assert core.view().now_playing.song.song_id == "s-houlai"
    assert open_room.sink.events()[-1].outcome.name == "SKIPPED"


def test_the_sessions_qr_url_comes_with_the_session_and_goes_at_checkout(room):
    core = room.core
    url = "https://ktv.example/g/?c=abc"
    core.handle(SessionOpened("sessions/7", room.clock.utcnow(), guest_url=url))
    assert core.view().guest_url == url
    core.handle(SessionOpened("sessions/7", room.clock.utcnow(), guest_url=url + "2"))  # revoked
    assert core.view().guest_url == url + "2"
    core.handle(SessionClosed("sessions/7"))
    assert core.view().guest_url == ""
    assert [e.url for e in room.of(GuestUrlChanged)] == [url, url + "2", ""]
