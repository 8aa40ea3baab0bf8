"""The session's guest QR code (手机点歌) in the TV's bottom-right corner, over the video and
the standby picture, while the session is open: a PNG drawn once per URL, shown by libVLC's
logo filter (``room_agent.player.tv.VlcLogo``). The URL comes from the core's
``GuestUrlChanged`` (the controller sends it with the session)."""

from __future__ import annotations

import hashlib
import logging
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from room_agent.core.events import GuestUrlChanged
from room_agent.tv import settings

log = logging.getLogger(__name__)


class TvLogo(Protocol):
    """An image in a corner of the TV picture (libVLC's logo filter on the Pi)."""

    def show_logo(self, path: Path) -> None: ...

    def clear_logo(self) -> None: ...


def qr_png(data: str, module_px: int = settings.qr_module_px) -> bytes:
    """A greyscale PNG of the QR code for ``data`` (2-module quiet zone), no Pillow needed."""
    import qrcode

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    rows = []
    for row in matrix:
        line = bytes(0 if dark else 255 for dark in row for _ in range(module_px))
        rows += [b"\x00" + line] * module_px  # filter type 0 per scanline
    side = len(matrix) * module_px

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


class CoreEvents(Protocol):
    def subscribe(self, listener: Callable[[object], None]) -> Callable[[], None]: ...


class TvGuestQr:
    def __init__(self, port: TvLogo, directory: Path) -> None:
        self.port = port
        self.directory = Path(directory)
        self.shown_url = ""
        self._unsubscribe: Callable[[], None] | None = None

    def attach(self, core: CoreEvents, current_url: str = "") -> TvGuestQr:
        self.show(current_url)
        self._unsubscribe = core.subscribe(self.on_event)
        return self

    def on_event(self, event: object) -> None:
        if isinstance(event, GuestUrlChanged):
            self.show(event.url)

    def show(self, url: str) -> None:
        """Draw ``url``'s code in the corner ("" takes it down); never raises into the core."""
        try:
            if not url:
                self.port.clear_logo()
            else:
                self.port.show_logo(self._png_for(url))
            self.shown_url = url
        except Exception:
            log.exception("the guest QR code could not be shown on the TV")

    def _png_for(self, url: str) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self.directory.glob("guest-qr-*.png"):
            old.unlink(missing_ok=True)
        name = hashlib.sha256(url.encode()).hexdigest()[:16]
        path = self.directory / f"guest-qr-{name}.png"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(qr_png(url))
        os.replace(tmp, path)
        return path

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
