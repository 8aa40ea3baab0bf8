"""The one button every screen uses: big, rounded, highlighted when selected."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ColorProperty
from kivy.uix.button import Button


class KButton(Button):
    bg = ColorProperty((0.24, 0.18, 0.42, 1))
    selected = BooleanProperty(False)
