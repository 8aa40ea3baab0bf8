"""Rescans that never destroy: when a library root may be scanned, and how much a rescan may
remove. Pure: the scanner gathers the facts (stat, marker file, mount table), this decides.

A library root marks itself: the first scan writes ``.ktv-library.toml`` (the library's id)
into it and keeps the id in the catalog. A later scan refuses a root that is missing, has no
media files, has no marker (or another library's) while the catalog came from a marked root,
or is not on the mount the venue configured: a NAS that failed to mount at boot leaves an
empty folder, and scanning it used to remove every song.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ktv.errors import FailedPrecondition

MARKER_NAME = ".ktv-library.toml"
_ID = re.compile(r'^\s*library_id\s*=\s*"(lib-[0-9a-f]{8,64})"\s*$', re.MULTILINE)


class LibraryRefused(FailedPrecondition):
    """The folder given as the library does not look like the library: nothing was changed."""

    exit_code = 11


class RemovalsRefused(FailedPrecondition):
    """A rescan would remove more of the catalog than allowed: nothing was changed."""

    exit_code = 12


@dataclass(frozen=True)
class RootFacts:
    """What the scanner found about a root before walking it."""

    root: str
    exists: bool
    is_dir: bool
    marker_id: str | None  # library id in the root's marker, None when there is no marker
    catalog_id: str | None  # library id the catalog was built from, None for a new catalog
    mount: str | None = None  # the mount point the venue requires, if any
    mounted: bool = True  # ``mount`` is a mount point and holds ``root``
    adopt: bool = False  # the operator says: this folder is the library (rewrite its marker)


def marker_text(library_id: str, created_at: str) -> str:
    return (
        "# ktv song library marker, written by `ktv-index scan`. Rescans refuse a library\n"
        "# folder without it (an unmounted NAS looks like an empty folder). Keep it.\n"
        f'library_id = "{library_id}"\n'
        f'created_at = "{created_at}"\n'
    )


def parse_marker(text: str) -> str | None:
    """The library id in a marker file's text, or None when it holds none."""
    m = _ID.search(text)
    return m.group(1) if m else None


def check_root(facts: RootFacts) -> None:
    """Raise ``LibraryRefused`` (one line: what is wrong and what to do) or return."""
    root = facts.root
    if not facts.exists:
        raise LibraryRefused(
            f"library {root} does not exist: is the library's disk or NAS mounted? "
            "Nothing was changed",
            reason="LIBRARY_MISSING",
        )
    if not facts.is_dir:
        raise LibraryRefused(f"library {root} is not a folder", reason="LIBRARY_MISSING")
    if facts.mount is not None and not facts.mounted:
        raise LibraryRefused(
            f"library {root} is not on the mount {facts.mount}: mount it first "
            "(the venue requires it). Nothing was changed",
            reason="LIBRARY_NOT_MOUNTED",
        )
    if facts.adopt or facts.catalog_id is None:
        return
    if facts.marker_id is None:
        raise LibraryRefused(
            f"library {root} has no {MARKER_NAME}, but the catalog was built from a marked "
            f"library ({facts.catalog_id}): is the library mounted? If this folder really is "
            "the library, scan it with --adopt. Nothing was changed",
            reason="LIBRARY_UNMARKED",
        )
    if facts.marker_id != facts.catalog_id:
        raise LibraryRefused(
            f"library {root} is library {facts.marker_id}, but the catalog was built from "
            f"{facts.catalog_id}: use that library's catalog, or scan with --adopt to make this "
            "catalog follow it. Nothing was changed",
            reason="LIBRARY_MISMATCH",
        )


def check_not_empty(root: str, media_files: int) -> None:
    """A root with no media file at all is an unmounted or emptied library, never a scan."""
    if media_files == 0:
        raise LibraryRefused(
            f"library {root} holds no media files: is the library mounted? Nothing was changed",
            reason="LIBRARY_EMPTY",
        )


def check_removals(known: int, removing: int, max_share: float, allowed: bool) -> None:
    """Refuse a rescan that would remove more than ``max_share`` of the ``known`` songs."""
    if allowed or known == 0 or removing == 0 or removing / known <= max_share:
        return
    raise RemovalsRefused(
        f"this scan would remove {removing} of {known} songs ({removing / known:.0%}), more "
        f"than the {max_share:.0%} allowed: check that the whole library is there, or run "
        "again with --allow-removals. Nothing was changed",
        reason="LIBRARY_REMOVALS_REFUSED",
    )
