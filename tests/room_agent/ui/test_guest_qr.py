"""手机点歌 on the touchscreen: the session's QR code in the corner, large on a tap, decoded
from a screenshot to the URL the controller sent; phones' songs show their nicknames."""

from __future__ import annotations

import zxingcpp
from PIL import Image

from room_agent.ui.port import Change, QueueEntry

URL = "https://ktv.example/g/?c=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg"


def decoded(path) -> list[str]:  # type: ignore[no-untyped-def]
    with Image.open(path) as picture:
        return [code.text for code in zxingcpp.read_barcodes(picture.convert("L"))]


def test_the_sessions_qr_code_opens_large_and_decodes_to_the_guest_url(guest, room):
    badge = guest.session.ids.guest_qr
    assert badge.opacity == 0  # no URL from the controller: no badge
    room.set_room(guest_url=URL)
    guest.until(lambda: badge.texture is not None and badge.opacity == 1)
    assert not badge.large
    assert decoded(guest.shot("corner")) == [URL]  # the corner badge alone scans
    guest.tap(badge.ids.qr_image)
    guest.until(lambda: badge.large)
    assert decoded(guest.shot("large")) == [URL]
    guest.tap(badge)
    guest.until(lambda: not badge.large)
    room.set_room(guest_url="")  # checkout: the code goes
    guest.until(lambda: badge.opacity == 0)


def test_a_song_added_from_a_phone_shows_who_added_it(guest, room):
    room.enqueue("s-qlx")  # playing
    room.enqueue("s-qt")
    room.pending.append(QueueEntry("phone-1", room.catalog["s-hhb"], "小王"))
    room._emit(Change.QUEUE)
    guest.tap(guest.session.ids.tab_queue)
    rows = guest.session.screens["queue"].ids.entries
    assert guest.row(rows, title="后来").added_by == "小王"
    assert [r["added_by"] for r in rows.data] == ["", "小王"]
    guest.shot("queue")
