"""A font that draws Simplified Chinese with simplified glyph shapes.

Debian's ``NotoSansCJK-Regular.ttc`` opens on face 0 (Japanese shapes: 骨 直 角 come out
wrong for a mainland venue), and SDL2_ttf cannot pick a face. We extract the SC face once
with fonttools into the agent's data dir and register it as Kivy's default font, so every
label draws Chinese without naming a font.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SC_FACE_NAME = "Noto Sans CJK SC"
FONT_NAME = "KtvSans"

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


def default_data_dir() -> Path:
    """``$KTV_DATA_DIR`` or ``$XDG_DATA_HOME/ktv`` (``~/.local/share/ktv``)."""
    if env := os.environ.get("KTV_DATA_DIR"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ktv"


def _collection(weight: str) -> Path | None:
    for candidate in COLLECTION_CANDIDATES:
        path = Path(str(candidate).format(weight=weight))
        if path.exists():
            return path
    return None


def _extract_sc_face(collection: Path, target: Path) -> Path:
    """Save the collection's SC face as a standalone OTF at ``target`` (atomic rename)."""
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
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    chosen.save(str(partial))
    partial.replace(target)
    return target


def sc_font(data_dir: Path | None = None) -> CjkFont:
    """The extracted SC faces, extracting them on first use (a few seconds, once).

    Raises ``FileNotFoundError`` naming the Debian package when no collection is installed."""
    fonts_dir = (data_dir or default_data_dir()) / "fonts"
    result: dict[str, Path | None] = {}
    for weight in ("Regular", "Bold"):
        cached = fonts_dir / f"NotoSansCJKsc-{weight}.otf"
        if cached.exists() and cached.stat().st_size > 0:
            result[weight] = cached
            continue
        collection = _collection(weight)
        if collection is None:
            result[weight] = None
            continue
        result[weight] = _extract_sc_face(collection, cached)
    regular = result["Regular"]
    if regular is None:
        raise FileNotFoundError(
            "no Noto Sans CJK collection found: install the Debian package fonts-noto-cjk"
        )
    return CjkFont(regular=regular, bold=result["Bold"])


def register_cjk_font(data_dir: Path | None = None) -> CjkFont:
    """Extract (once) and register the SC font as Kivy's default font and as ``KtvSans``."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    font = sc_font(data_dir)
    bold = str(font.bold or font.regular)
    for name in (FONT_NAME, DEFAULT_FONT):
        LabelBase.register(name, fn_regular=str(font.regular), fn_bold=bold)
    return font
