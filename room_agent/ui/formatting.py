"""Text the screens show for numbers: song times, money in fen, key offsets."""

from __future__ import annotations


def song_time(ms: int) -> str:
    """``215000`` -> ``"3:35"`` (negative clamps to 0)."""
    seconds = max(0, ms) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def yuan(fen: int) -> str:
    """Integer fen as yuan for display: ``1250`` -> ``"¥12.50"``; never goes through float."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100}.{fen % 100:02d}"


def key_offset(semitones: int) -> str:
    """``0`` -> ``"0"``, ``2`` -> ``"+2"``, ``-1`` -> ``"-1"``."""
    return f"{semitones:+d}" if semitones else "0"


def masked_phone(phone: str) -> str:
    """``13800000000`` -> ``138****0000``; shorter strings are masked except the last 2."""
    if len(phone) >= 11:
        return phone[:3] + "****" + phone[-4:]
    return "*" * max(0, len(phone) - 2) + phone[-2:]
