"""Guarded access to libvlccore object variables (VLC 3.0.x) for what libVLC has no API for.

A ``libvlc_media_player_t`` starts with VLC's common object header, so its pointer is a
``vlc_object_t *``; its audio output is a child object whose ``object_type`` is
"audio output". Variables set on the player before a song starts are inherited by the audio
output when it builds its filter chain (``audio-filter``, ``pitch-shift``, ``stereo-mode``):
no output restart. Everything here is ABI dependent: every entry point is checked, and a
failure makes the caller fall back (``available`` False), never crash.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

VAR_INTEGER = 0x0030
VAR_STRING = 0x0040
VAR_FLOAT = 0x0050
_AOUT_TYPE = b"audio output"
_CORE_NAMES = ("libvlccore.so.9", "libvlccore.so", "libvlccore.dylib", "libvlccore.dll")


def _load() -> ctypes.CDLL | None:
    candidates = list(_CORE_NAMES)
    found = ctypes.util.find_library("vlccore")
    if found:
        candidates.insert(0, found)
    for name in candidates:
        try:
            core = ctypes.CDLL(name)
            core.var_Create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
            core.var_Create.restype = ctypes.c_int
            # vlc_value_t is an 8-byte union: passed by value in one integer register on
            # x86-64 and aarch64, so an int64 carries an integer, a pointer or float bits.
            core.var_SetChecked.argtypes = [
                ctypes.c_void_p,
                ctypes.c_char_p,
                ctypes.c_int,
                ctypes.c_int64,
            ]
            core.var_SetChecked.restype = ctypes.c_int
            core.vlc_list_children.argtypes = [ctypes.c_void_p]
            core.vlc_list_children.restype = ctypes.c_void_p
            core.vlc_list_release.argtypes = [ctypes.c_void_p]
            core.vlc_list_release.restype = None
        except (OSError, AttributeError):
            continue
        return core
    return None


def _float_bits(value: float) -> int:
    return ctypes.c_uint32.from_buffer(ctypes.c_float(value)).value


class VlcCore:
    """Sets variables on libVLC media players and their audio outputs."""

    def __init__(self, *, enabled: bool = True) -> None:
        self._lib = _load() if enabled else None

    @property
    def available(self) -> bool:
        return self._lib is not None

    def set_int(self, obj: int, name: bytes, value: int) -> bool:
        return self._set(obj, name, VAR_INTEGER, int(value))

    def set_float(self, obj: int, name: bytes, value: float) -> bool:
        return self._set(obj, name, VAR_FLOAT, _float_bits(value))

    def set_string(self, obj: int, name: bytes, value: bytes) -> bool:
        text = ctypes.create_string_buffer(value)
        return self._set(obj, name, VAR_STRING, ctypes.addressof(text))

    def update_float(self, obj: int, name: bytes, value: float) -> bool:
        """Set an existing variable only (fires its callbacks; never creates it)."""
        if self._lib is None or not obj:
            return False
        return self._lib.var_SetChecked(obj, name, VAR_FLOAT, _float_bits(value)) == 0

    def _set(self, obj: int, name: bytes, kind: int, raw: int) -> bool:
        if self._lib is None or not obj:
            return False
        if self._lib.var_Create(obj, name, kind) != 0:
            return False
        return self._lib.var_SetChecked(obj, name, kind, raw) == 0

    def audio_output_of(self, player: int) -> int | None:
        """The player's audio output object, or None."""
        if self._lib is None or not player:
            return None
        listing = self._lib.vlc_list_children(player)
        if not listing:
            return None
        try:
            # VLC 3.0 vlc_list_t: { int i_type; int i_count; vlc_value_t *p_values; }
            count = ctypes.c_int.from_address(listing + 4).value
            values = ctypes.c_void_p.from_address(listing + 8).value
            if not 0 <= count <= 64 or (count and not values):
                return None
            for k in range(count):
                child = ctypes.c_void_p.from_address(values + 8 * k).value
                # Every VLC 3.0 object starts with `const char *object_type`.
                if child and ctypes.c_char_p.from_address(child).value == _AOUT_TYPE:
                    return child
            return None
        finally:
            self._lib.vlc_list_release(listing)
