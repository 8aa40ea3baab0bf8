"""A lyric line with a karaoke wipe: the sung part is drawn in the highlight colour up to an
x position that moves every frame.

Self-contained (one widget, two rectangles on its own canvas), so it can sit over anything,
a video texture included. A line is rasterised once, in both colours, into two textures;
a frame only changes one rectangle's width and texture coordinates (no text rendering, no
texture upload). The line is rendered once, white with a dark outline, and drawn twice
through two ``Color`` tints (base and sung). ``prepare(next_line)`` rasterises the coming
line ahead, on an earlier frame, so the frame where the line changes renders nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import ColorProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

from room_agent.ui.karaoke import wipe_x


@dataclass(frozen=True)
class RasterisedLine:
    """One lyric line rendered in both colours, with the drawn width of every prefix."""

    key: tuple  # text + everything that changes the pixels
    texture: Texture  # white text, dark outline: tinted by the base and sung colours
    prefix_widths: tuple[float, ...]  # prefix_widths[i]: width of the first i characters

    @property
    def size(self) -> tuple[int, int]:
        return tuple(self.texture.size)  # type: ignore[return-value]


class KaraokeLine(Widget):
    text = StringProperty("")
    font_size = NumericProperty(40)
    wiped_chars = NumericProperty(0.0)  # fractional characters sung (see karaoke.wiped_chars)
    base_color = ColorProperty((1, 1, 1, 1))
    sung_color = ColorProperty((1.0, 0.78, 0.25, 1))
    outline_color = ColorProperty((0.05, 0.02, 0.12, 1))
    rasterised = NumericProperty(0)  # lines rendered so far (tests and benches count them)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._line: RasterisedLine | None = None
        self._ahead: RasterisedLine | None = None  # the prepared next line
        with self.canvas:
            self._base_color = Color(1, 1, 1, 1)
            self._base = Rectangle()
            self._sung_color = Color(1, 1, 1, 1)
            self._sung = Rectangle()
        self.bind(
            text=self._show,
            font_size=self._restyle,
            outline_color=self._restyle,
            base_color=self._tint,
            sung_color=self._tint,
            pos=self._place,
            size=self._place,
            wiped_chars=self._place,
        )
        self._tint()
        self._show()

    # --- rendering (once per line) ---------------------------------------------------------

    def _key(self, text: str) -> tuple:
        return (text, float(self.font_size), tuple(self.outline_color))

    def _rasterise(self, text: str) -> RasterisedLine:
        label = CoreLabel(
            text=text,
            font_size=self.font_size,
            color=(1, 1, 1, 1),
            outline_width=max(1, int(self.font_size / 16)),
            outline_color=tuple(self.outline_color)[:3],
        )
        label.refresh()
        texture = label.texture
        texture.bind()  # fill it now, not halfway through drawing a frame
        width = float(texture.size[0])
        outline = max(1, int(self.font_size / 16))
        widths = [0.0]
        widths += [float(label.get_extents(text[:i])[0] + outline) for i in range(1, len(text))]
        widths.append(width)
        self.rasterised += 1
        return RasterisedLine(self._key(text), texture, tuple(widths))

    def prepare(self, text: str) -> None:
        """Rasterise ``text`` now so that showing it later costs no rendering (call it with
        the next line, on a frame other than the one where the line changes)."""
        if not text or text == self.text:
            return
        key = self._key(text)
        if self._ahead is None or self._ahead.key != key:
            self._ahead = self._rasterise(text)

    def _show(self, *args: Any) -> None:
        text = self.text
        if not text:
            self._line = None
        elif self._ahead is not None and self._ahead.key == self._key(text):
            self._line, self._ahead = self._ahead, None
        elif self._line is None or self._line.key != self._key(text):
            self._line = self._rasterise(text)
        texture = self._line.texture if self._line else None
        self._base.texture = texture
        self._sung.texture = texture
        self._place()

    def _tint(self, *args: Any) -> None:
        self._base_color.rgba = tuple(self.base_color)
        self._sung_color.rgba = tuple(self.sung_color)

    def _restyle(self, *args: Any) -> None:
        self._ahead = None
        self._line = None
        self._show()

    # --- every frame -----------------------------------------------------------------------

    def _place(self, *args: Any) -> None:
        width, height = self._line.size if self._line else (0, 0)
        scale = min(1.0, self.width / width) if width else 1.0  # long lines shrink to fit
        draw_w, draw_h = width * scale, height * scale
        # from x/y/size, not center_x/center_y: those aliases may not be updated yet here
        x = self.x + (self.width - draw_w) / 2
        y = self.y + (self.height - draw_h) / 2
        self._base.pos = (x, y)
        self._base.size = (draw_w, draw_h)
        fraction = self.wipe_fraction
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
        if self._line is None or not self._line.size[0]:
            return 0.0
        return wipe_x(list(self._line.prefix_widths), self.wiped_chars) / self._line.size[0]

    @property
    def sung_width(self) -> float:
        """Width in pixels of the sung-colour rectangle as drawn now (the wipe's clip)."""
        return float(self._sung.size[0])

    @property
    def prepared(self) -> str:
        """The line rendered ahead and waiting to be shown ('' when none)."""
        return self._ahead.key[0] if self._ahead is not None else ""

    @property
    def texture(self) -> Texture | None:
        """The line's texture drawn now (both colours are tints of it)."""
        return self._base.texture

    @property
    def drawn_box(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Where the line is drawn: ``((x, y), (width, height))`` in the widget's coordinates."""
        return tuple(self._base.pos), tuple(self._base.size)  # type: ignore[return-value]
