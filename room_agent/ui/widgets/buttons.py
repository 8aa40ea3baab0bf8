"""The one button every screen uses: big, rounded, highlighted when selected."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ColorProperty
from kivy.uix.button import Button
from kivy.uix.label import Label

from room_agent.ui.widgets.ink import InkText


class KLabel(InkText, Label):
    """A one-line label that shortens with "…" and fills only its text's pixels."""


class KButton(InkText, Button):
    bg = ColorProperty((0.24, 0.18, 0.42, 1))
    selected = BooleanProperty(False)
