"""A lyric line with a karaoke wipe: the sung part is redrawn in the highlight colour up to
an x position that moves every frame.

Both colours are rendered to textures once per line; a frame only moves one rectangle's
width and texture coordinates, so 60 fps costs almost nothing on the Pi.
"""

from __future__ import annotations

from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Rectangle
from kivy.properties import ColorProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

from room_agent.ui.karaoke import wipe_x


class KaraokeLine(Widget):
    text = StringProperty("")
    font_size = NumericProperty(40)
    wiped_chars = NumericProperty(0.0)  # fractional characters sung (see karaoke.wiped_chars)
    base_color = ColorProperty((1, 1, 1, 1))
    sung_color = ColorProperty((1.0, 0.78, 0.25, 1))
    outline_color = ColorProperty((0.05, 0.02, 0.12, 1))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._prefix_widths: list[float] = [0.0]
        self._text_size = (0, 0)
        with self.canvas:
            self._base_color = Color(1, 1, 1, 1)
            self._base = Rectangle()
            self._sung_color = Color(1, 1, 1, 1)
            self._sung = Rectangle()
        self.bind(
            text=self._render,
            font_size=self._render,
            base_color=self._render,
            sung_color=self._render,
            pos=self._place,
            size=self._place,
            wiped_chars=self._place,
        )
        self._render()

    def _label(self, color: tuple[float, ...]) -> CoreLabel:
        label = CoreLabel(
            text=self.text,
            font_size=self.font_size,
            color=color,
            outline_width=max(1, int(self.font_size / 16)),
            outline_color=self.outline_color[:3],
        )
        label.refresh()
        return label

    def _render(self, *args: Any) -> None:
        """Rasterise the line in both colours and measure every prefix (once per line)."""
        if not self.text:
            self._base.texture = None
            self._sung.texture = None
            self._text_size = (0, 0)
            self._prefix_widths = [0.0]
            self._place()
            return
        base = self._label(tuple(self.base_color))
        sung = self._label(tuple(self.sung_color))
        self._base.texture = base.texture
        self._sung.texture = sung.texture
        self._text_size = base.texture.size
        outline = max(1, int(self.font_size / 16))
        self._prefix_widths = [0.0] + [
            float(base.get_extents(self.text[:i])[0] + outline) for i in range(1, len(self.text))
        ]
        self._prefix_widths.append(float(self._text_size[0]))
        self._place()

    def _place(self, *args: Any) -> None:
        width, height = self._text_size
        scale = min(1.0, self.width / width) if width else 1.0  # long lines shrink to fit
        draw_w, draw_h = width * scale, height * scale
        # from x/y/size, not center_x/center_y: those aliases may not be updated yet here
        x = self.x + (self.width - draw_w) / 2
        y = self.y + (self.height - draw_h) / 2
        self._base.pos = (x, y)
        self._base.size = (draw_w, draw_h)
        edge = wipe_x(self._prefix_widths, self.wiped_chars)
        fraction = edge / width if width else 0.0
        self._sung.pos = (x, y)
        self._sung.size = (draw_w * fraction, draw_h)
        texture = self._sung.texture
        if texture is not None:  # the left ``fraction`` of the texture, whatever its flip
            coords = list(texture.tex_coords)
            left = min(coords[0::2])
            for i in range(0, 8, 2):
                coords[i] = left + (coords[i] - left) * fraction
            self._sung.tex_coords = coords

    @property
    def wipe_fraction(self) -> float:
        """How much of the drawn line is in the sung colour (0..1), for tests and benches."""
        width = self._text_size[0]
        return wipe_x(self._prefix_widths, self.wiped_chars) / width if width else 0.0

    @property
    def drawn_box(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Where the line is drawn: ``((x, y), (width, height))`` in the widget's coordinates."""
        return tuple(self._base.pos), tuple(self._base.size)  # type: ignore[return-value]
