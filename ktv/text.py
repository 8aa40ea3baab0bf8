"""Input normalisation at the edges: one place that turns what a person typed into what the
domain compares.

Every edge (gRPC convert layers, ktvctl's argument parsing, the touchscreen's forms, later the
HTTP API) calls these before it validates or stores anything. Pure: no I/O, no gRPC.

- ``nfkc``: full-width and compatibility forms to their plain form (``１３８`` -> ``138``),
  surrounding whitespace stripped.
- ``ascii_digits``: a string of ASCII digits only (full-width ``０-９`` typed by a Chinese IME
  count as digits). ``str.isdigit`` accepts ``²`` and Arabic-Indic digits, and NFKC turns ``²``
  into ``2``; a PIN, an amount or a phone number must accept neither.
- ``short``: what an error message may quote of a user's input (never the whole 100 KB).
"""

from __future__ import annotations

import unicodedata

from ktv.errors import InvalidArgument

QUOTE_CHARS = 40  # an error quotes at most this much of what was sent

_ASCII_DIGITS = frozenset("0123456789")
_FULL_WIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"\u3000": " "})


def nfkc(text: str) -> str:
    """NFKC-normalised and stripped (full-width digits and letters become ASCII)."""
    return unicodedata.normalize("NFKC", text).strip()


def half_width_digits(text: str) -> str:
    """Full-width digits (and the ideographic space) to ASCII, whitespace stripped; nothing else
    changes, so other scripts' digits and superscripts stay visible to the checks."""
    return text.translate(_FULL_WIDTH).strip()


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty string of 0-9 only (``'²'.isdigit()`` is True; this is not)."""
    return bool(text) and all(ch in _ASCII_DIGITS for ch in text)


def short(text: str, limit: int = QUOTE_CHARS) -> str:
    """``repr`` of at most ``limit`` characters of ``text``, marked when cut."""
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + f"... ({len(text)} characters)"


def ascii_digits(text: str, *, what: str, max_len: int, reason: str = "INVALID_ARGUMENT") -> str:
    """``text`` with full-width digits made ASCII, if it is 1..max_len digits 0-9; else
    InvalidArgument. The length is checked first so a huge input costs nothing."""
    if len(text) > 4 * max_len + 16:
        raise InvalidArgument(f"{what} is too long ({len(text)} characters)", reason=reason)
    value = half_width_digits(text)
    if not is_ascii_digits(value) or len(value) > max_len:
        raise InvalidArgument(
            f"{what} must be 1-{max_len} digits 0-9, got {short(text)}", reason=reason
        )
    return value


def bounded(text: str, *, what: str, max_len: int, reason: str = "INVALID_ARGUMENT") -> str:
    """``text`` NFKC-normalised and stripped, refused when longer than ``max_len``."""
    if len(text) > 4 * max_len + 16:
        raise InvalidArgument(
            f"{what} is too long ({len(text)} characters, at most {max_len})", reason=reason
        )
    value = nfkc(text)
    if len(value) > max_len:
        raise InvalidArgument(
            f"{what} is too long ({len(value)} characters, at most {max_len})", reason=reason
        )
    return value


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked when cut (for messages, not quotes)."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"... ({len(text)} characters)"
