"""A font that draws Simplified Chinese with simplified glyph shapes, cheaply at every size.

Debian's ``NotoSansCJK-Regular.ttc`` opens on face 0 (Japanese shapes: 骨 直 角 come out
wrong for a mainland venue), and SDL2_ttf cannot pick a face. We save the SC face once into
the agent's data dir and register it as Kivy's default font, so every label draws Chinese
without naming a font.

The saved face is also made cheap to open. Kivy opens one FreeType face per font size and
weight (the type scale uses eight), and FreeType copies a CFF font's subroutines into each
face's memory: the collection's face costs ~2.5 MB of RSS per size. Saved without
subroutines (each glyph's outline written out in full: the same outlines and hints) and
without the glyphs only Japanese, Korean, Traditional or vertical forms reach (every
character the SC face maps is kept, with its SC shape), a size costs ~0.3 MB
(``benchmarks/font_faces.py``).

The work (fonttools, ~15-19 s and a ~600 MB peak here, once a weight) runs in a child
process, so the agent's own heap never holds it. On a 1 GB Pi run it at install time
(``ktv-agent fonts``, which ``ktv-agent provision`` runs) rather than at a first start.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SC_FACE_NAME = "Noto Sans CJK SC"
FONT_NAME = "KtvSans"
# Bump when the saved face changes: older files are then made again, and removed.
FORMAT = "sc2"
WEIGHTS = ("Regular", "Bold")
# Features dropped with their glyphs: other locales' forms (locl swaps in Japanese shapes
# when a shaper is told the text is Japanese) and vertical writing, which the UI never uses.
DROPPED_FEATURES = ("locl", "vert", "vrt2", "vkrn", "vpal", "valt", "vhal", "vchw", "vjmo")
DROPPED_TABLES = ("vhea", "vmtx", "VORG", "BASE")

# Where Debian (fonts-noto-cjk) and Raspberry Pi OS put the collections.
COLLECTION_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-{weight}.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-{weight}.ttc"),
)


@dataclass(frozen=True)
class CjkFont:
    regular: Path
    bold: Path | None


class FontPreparationError(RuntimeError):
    """The SC face could not be saved (the message says why, in one line)."""


def default_data_dir() -> Path:
    """``$KTV_DATA_DIR`` or ``$XDG_DATA_HOME/ktv`` (``~/.local/share/ktv``)."""
    if env := os.environ.get("KTV_DATA_DIR"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ktv"


def fonts_dir(data_dir: Path | None = None) -> Path:
    """``$KTV_FONT_DIR`` if set (one cache for many agents, as the test suite does), else
    ``<data dir>/fonts``."""
    if env := os.environ.get("KTV_FONT_DIR"):
        return Path(env)
    return (data_dir or default_data_dir()) / "fonts"


def font_file(directory: Path, weight: str) -> Path:
    return directory / f"NotoSansCJKsc-{weight}.{FORMAT}.otf"


def _collection(weight: str) -> Path | None:
    for candidate in COLLECTION_CANDIDATES:
        path = Path(str(candidate).format(weight=weight))
        if path.exists():
            return path
    return None


def save_sc_face(collection: Path, target: Path) -> Path:
    """Save the collection's SC face at ``target`` (atomic rename), without subroutines and
    without the glyphs its own characters never reach. Slow (fonttools): run it in a child
    process, as :func:`sc_font` does."""
    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTCollection

    fonts = TTCollection(str(collection)).fonts
    chosen = None
    for font in fonts:
        family = font["name"].getDebugName(1) or ""
        if family.startswith(SC_FACE_NAME):
            chosen = font
            break
    if chosen is None:  # names differ across packagings: face 2 is SC in Noto's order
        chosen = fonts[2]
    options = Options()
    options.desubroutinize = True
    options.notdef_outline = True  # a character the font lacks draws a box, not nothing
    options.layout_features = [f for f in options.layout_features if f not in DROPPED_FEATURES]
    options.drop_tables = [*options.drop_tables, *DROPPED_TABLES]
    chosen.recalcBBoxes = (
        False  # the face's own bounds still hold for a subset: skips ~half the time
    )
    subsetter = Subsetter(options)
    subsetter.populate(unicodes=chosen.getBestCmap().keys())
    subsetter.subset(chosen)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    chosen.save(str(partial))
    partial.replace(target)
    return target


# Measured (/usr/bin/time -v, fonttools 4.x, Debian 12's NotoSansCJK-Regular.ttc): the child
# peaks at 608 MB RSS. With less memory available than this (a 1 GB Pi 4 with a playing agent
# beside it) the step is refused instead of started: the kernel would kill it, or the agent.
CHILD_PEAK_MB = 610
MEMORY_MARGIN_MB = 100


def available_memory_mb(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """MemAvailable in MB, or None where the kernel does not say."""
    try:
        for line in meminfo.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory_for_fonts(available_mb: int | None) -> None:
    """Refuse the font step (one line saying what to do) when it would not fit in memory."""
    need = CHILD_PEAK_MB + MEMORY_MARGIN_MB
    if available_mb is not None and available_mb < need:
        raise FontPreparationError(
            f"saving the Chinese font needs ~{need} MB free and {available_mb} MB are: "
            "run `ktv-agent fonts --room ROOM --data-dir DIR` on a bigger machine (same "
            "fonts-noto-cjk) "
            "and copy DIR/fonts/*.otf into the agent's data dir fonts/"
        )


def _save_in_child(collection: Path, target: Path) -> None:
    check_memory_for_fonts(available_memory_mb())
    command = [sys.executable, "-m", "room_agent.ui.fonts", str(collection), str(target)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        raise FontPreparationError(
            f"could not save the SC face of {collection} to {target}: {lines[-1]}"
        )


def _remove_older_formats(directory: Path, keep: set[Path]) -> None:
    # under the lock: a .part file is what a killed save left behind, not one in progress
    for stale in (*directory.glob("NotoSansCJKsc-*.otf"), *directory.glob("*.part")):
        if stale not in keep:
            stale.unlink(missing_ok=True)


def sc_font(data_dir: Path | None = None) -> CjkFont:
    """The saved SC faces, saving them on first use (~15 s per weight here, once; logged).

    Agents sharing a font dir take turns (a lock file): one saves, the others wait and reuse
    it. Raises ``FileNotFoundError`` naming the Debian package when no collection is
    installed, :class:`FontPreparationError` when saving fails."""
    directory = fonts_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    result: dict[str, Path | None] = {}
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for weight in WEIGHTS:
            cached = font_file(directory, weight)
            if cached.exists() and cached.stat().st_size > 0:
                result[weight] = cached
                continue
            collection = _collection(weight)
            if collection is None:
                result[weight] = None
                continue
            log.info("preparing the %s Chinese font from %s (once, ~15 s)", weight, collection)
            started = time.monotonic()
            _save_in_child(collection, cached)
            log.info("font ready: %s (%.1f s)", cached, time.monotonic() - started)
            result[weight] = cached
        _remove_older_formats(directory, {p for p in result.values() if p is not None})
    regular = result["Regular"]
    if regular is None:
        raise FileNotFoundError(
            "no Noto Sans CJK collection found: install the Debian package fonts-noto-cjk"
        )
    return CjkFont(regular=regular, bold=result["Bold"])


def register_cjk_font(data_dir: Path | None = None) -> CjkFont:
    """Save (once) and register the SC font as Kivy's default font and as ``KtvSans``."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    font = sc_font(data_dir)
    bold = str(font.bold or font.regular)
    for name in (FONT_NAME, DEFAULT_FONT):
        LabelBase.register(name, fn_regular=str(font.regular), fn_bold=bold)
    return font


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m room_agent.ui.fonts COLLECTION TARGET``: the child :func:`sc_font` runs."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("collection", type=Path)
    parser.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    try:
        save_sc_face(args.collection, args.target)
    except Exception as error:  # one line for the parent's error message
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
