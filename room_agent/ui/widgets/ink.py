"""Text drawn only where the ink is.

A Kivy label with ``text_size`` (needed to shorten long titles with "…") renders a texture as
wide as the widget, mostly transparent; the renderer still shades every one of those pixels,
every frame. On the search screen label textures were a third of all pixels filled per frame.
``InkText`` draws just the part of the texture the text occupies (by the label's alignment),
so a 4-character title in a 400 px row fills ~80 px, not 400.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Rectangle


class InkText:
    """Mixin for ``Label`` subclasses whose kv rule (a ``-`` rule) drops Label's own texture
    rectangle: this draws the texture's inked part instead."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with self.canvas:  # type: ignore[attr-defined]
            Color(1, 1, 1, 1)
            self._ink_rect = Rectangle()
        self.bind(  # type: ignore[attr-defined]
            texture=self._ink, texture_size=self._ink, pos=self._ink, size=self._ink
        )
        self._ink()

    @property
    def ink_box(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Where the text is drawn: ``((x, y), (width, height))``."""
        return tuple(self._ink_rect.pos), tuple(self._ink_rect.size)  # type: ignore[return-value]

    def _ink(self, *args: Any) -> None:
        rect = self._ink_rect
        texture = self.texture  # type: ignore[attr-defined]
        rect.texture = texture  # resets tex_coords: set them after
        if texture is None:
            rect.size = (0, 0)
            return
        width, height = texture.size
        inner = getattr(self._label, "_internal_size", None)  # type: ignore[attr-defined]
        ink = min(width, int(inner[0]) + 2) if inner and inner[0] else width
        halign = self.halign  # type: ignore[attr-defined]
        if halign in ("left", "justify"):
            start = 0
        elif halign == "right":
            start = width - ink
        else:
            start = (width - ink) // 2
        left = int(self.center_x - width / 2.0)  # type: ignore[attr-defined]
        bottom = int(self.center_y - height / 2.0)  # type: ignore[attr-defined]
        rect.pos = (left + start, bottom)
        rect.size = (ink, height)
        coords = list(texture.tex_coords)
        u0, u1 = min(coords[0::2]), max(coords[0::2])
        lo = u0 + (u1 - u0) * start / width
        hi = u0 + (u1 - u0) * (start + ink) / width
        for i in range(0, 8, 2):
            coords[i] = lo if coords[i] == u0 else hi
        rect.tex_coords = coords
