"""QR codes as Kivy textures, drawn from the qrcode module matrix (no Pillow needed).

``qrcode`` (~5 MB of RSS) is imported on first use: an open session never shows a QR code.
"""

from __future__ import annotations


def qr_matrix(data: str) -> list[list[bool]]:
    """Modules of the QR code for ``data`` including a 2-module quiet zone; True = dark."""
    import qrcode

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def qr_texture(data: str, module_px: int = 8):  # -> kivy.graphics.texture.Texture
    """An RGB texture of the code, ``module_px`` pixels per module, nearest filtering."""
    from kivy.graphics.texture import Texture

    matrix = qr_matrix(data)
    size = len(matrix)
    pixels = bytearray()
    for row in reversed(matrix):  # GL textures start at the bottom row
        line = bytearray()
        for dark in row:
            line += (b"\x00\x00\x00" if dark else b"\xff\xff\xff") * module_px
        pixels += bytes(line) * module_px
    texture = Texture.create(size=(size * module_px, size * module_px), colorfmt="rgb")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    texture.blit_buffer(bytes(pixels), colorfmt="rgb", bufferfmt="ubyte")
    return texture
