"""The agent's heap: freed memory back to the system, and no long garbage collections.

Every search allocates and frees rows, views and text on three threads (Kivy's, the search
worker's, SQLite's); glibc keeps what a thread's arena freed for reuse, so after a few hundred
key presses the agent's RSS sits ~25-30 MB above what it uses (measured at 1M songs:
302 MB, 275 MB after ``malloc_trim``). Trimming costs ~5 ms on such a heap: the app runs
it on a worker thread once typing pauses, never mid-keystroke.

Python's full garbage collection walks every tracked object, whichever thread starts it, with
the GIL held: in the whole agent (Kivy, gRPC, protobuf, libVLC's bindings) that was ~107,000
objects and 41 ms, every 20-30 s, a frozen karaoke wipe for two frames. Almost all of them
live as long as the process, so once start-up is over they are moved out of the collector's
reach (``gc.freeze``); a full collection then takes ~5 ms.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

log = logging.getLogger(__name__)

_libc: ctypes.CDLL | None = None
_looked_up = False


def _glibc() -> ctypes.CDLL | None:
    global _libc, _looked_up
    if not _looked_up:
        _looked_up = True
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else None
            if libc is not None and hasattr(libc, "malloc_trim"):
                _libc = libc
        except OSError:
            _libc = None
    return _libc


def release_free_memory() -> bool:
    """Return free heap pages to the OS (glibc ``malloc_trim``); False where unsupported."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def freeze_start_up_heap() -> int:
    """Collect start-up garbage once, then put every object still alive out of the cyclic
    collector's reach (``gc.freeze``); call once, when start-up is over. Reference counting
    still frees them; only cycles among them would never be collected, hence the collection
    first (the first start's font extraction leaves ~20 MB of it: follow with
    ``release_free_memory``, off the UI thread). Returns the objects frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
