"""The session's guest QR code in the TV's corner: drawn by libVLC's logo filter over the
song's video (frames as libVLC renders them), decoded back to the URL; gone at checkout."""

from __future__ import annotations

import io
import time
from pathlib import Path

import zxingcpp
from PIL import Image

from room_agent.core.events import GuestUrlChanged
from room_agent.player.tv import VlcLogo
from room_agent.tv.guest_qr import TvGuestQr, qr_png
from tests.room_agent.tv.conftest import Songs, Tv

URL = "https://ktv.example/g/?c=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg"


def test_the_png_is_a_qr_code_of_the_url() -> None:
    with Image.open(io.BytesIO(qr_png(URL))) as picture:
        assert [c.text for c in zxingcpp.read_barcodes(picture)] == [URL]


def _decoded_soon(tv: Tv, want: list[str], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        found = [c.text for c in zxingcpp.read_barcodes(tv.picture())]
        if found == want:
            return
        assert time.monotonic() < deadline, f"the TV shows {found}, not {want}"


def test_the_tv_shows_the_sessions_qr_code_over_the_song_and_drops_it_at_checkout(
    tv: Tv, songs: Songs, tmp_path: Path
) -> None:
    tv.player.play(songs.with_lyrics)
    tv.at(500)
    qr = TvGuestQr(VlcLogo(tv.player.video_players()), tmp_path / "qr")
    qr.on_event(GuestUrlChanged(URL))
    _decoded_soon(tv, [URL])
    qr.on_event(GuestUrlChanged(""))
    _decoded_soon(tv, [])
    assert list((tmp_path / "qr").glob("*.png"))  # one file per URL, the old ones removed
