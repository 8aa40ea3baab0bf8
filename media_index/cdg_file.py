"""CD+G karaoke graphics (``.cdg``): recognising a file, and writing small real ones.

A CDG file is a stream of 24-byte subcode packets, 300 per second: byte 0 is the command
(0x09 = TV graphics), byte 1 the instruction, bytes 4-19 the data (6 bits used per byte).
The screen is 300x216 pixels in 6x12-pixel tiles (50 columns, 18 rows), 16 colours.
ffmpeg decodes CDG but cannot write it, so the demo library and the tests write their own.
"""

from __future__ import annotations

from pathlib import Path

PACKET_BYTES = 24
PACKETS_PER_S = 300
TILE_COLUMNS, TILE_ROWS = 50, 18

_CDG = 0x09
_MEMORY_PRESET = 1
_BORDER_PRESET = 2
_TILE_BLOCK = 6
_LOAD_COLORS_LOW = 30

# black, white, red, yellow, blue, green, cyan, magenta as 4-bit RGB
_PALETTE = ((0, 0, 0), (15, 15, 15), (15, 2, 2), (15, 13, 0),
            (2, 4, 15), (2, 12, 3), (0, 13, 13), (13, 2, 13))  # fmt: skip


def _packet(instruction: int, data: bytes | list[int] = b"") -> bytes:
    payload = bytes(b & 0x3F for b in data).ljust(16, b"\0")
    return bytes([_CDG, instruction, 0, 0]) + payload + b"\0\0\0\0"


def _palette_packet() -> bytes:
    data = []
    for r, g, b in _PALETTE:
        data += [(r << 2) | (g >> 2), ((g & 3) << 4) | b]
    return _packet(_LOAD_COLORS_LOW, data)


def _tile(row: int, column: int, background: int, foreground: int, rows: list[int]) -> bytes:
    """One 6x12 tile: ``rows`` are 12 six-bit masks (bit set = foreground colour)."""
    return _packet(_TILE_BLOCK, [background, foreground, row, column, *rows])


def write_cdg(path: Path, seconds: float, *, lines: int = 3) -> Path:
    """A real CDG stream of ``seconds``: clear the screen, then fill ``lines`` bars of tiles
    left to right across the song (a karaoke wipe without the letters)."""
    total = max(int(seconds * PACKETS_PER_S), 4)
    packets = [_palette_packet(), _packet(_MEMORY_PRESET, [0, 0]), _packet(_BORDER_PRESET, [4])]
    bar_rows = [4 + 4 * i for i in range(lines)]
    wipe = [(row, col) for row in bar_rows for col in range(2, TILE_COLUMNS - 2)]
    every = max((total - len(packets)) // max(len(wipe), 1), 1)
    solid = [0x3F] * 12
    stream = bytearray()
    for n in range(total):
        if n < len(packets):
            stream += packets[n]
        elif (n - len(packets)) % every == 0 and wipe:
            row, col = wipe.pop(0)
            stream += _tile(row, col, 0, 3 if row == bar_rows[0] else 1, solid)
        else:
            stream += bytes(PACKET_BYTES)  # an empty subcode packet: nothing to draw
    path.write_bytes(bytes(stream))
    return path


def is_cdg(path: Path) -> bool:
    """A plausible CDG file: whole packets, with TV-graphics commands near the start."""
    try:
        size = path.stat().st_size
        if size == 0 or size % PACKET_BYTES:
            return False
        with open(path, "rb") as fh:
            head = fh.read(PACKET_BYTES * PACKETS_PER_S)
    except OSError:
        return False
    return any(b & 0x3F == _CDG for b in head[::PACKET_BYTES])


def cdg_next_to(media: Path) -> Path | None:
    """The ``.cdg`` of the same name next to an MP3 (.cdg or .CDG, as libVLC looks), if any."""
    if media.suffix.lower() != ".mp3":
        return None
    for suffix in (".cdg", ".CDG"):
        candidate = media.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None
