"""The KTV keyboard: big letter keys in alphabetical order (how song books are indexed),
digits, backspace and clear, and a toggle between pinyin initials and full pinyin/English.

It only edits ``query``; the screen that owns it reacts to ``on_query``.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, DictProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

LETTER_ROWS = ("ABCDEFG", "HIJKLMN", "OPQRSTU", "VWXYZ")
DIGITS = "1234567890"
MAX_QUERY_CHARS = 24


class KtvKeyboard(BoxLayout):
    query = StringProperty("")
    mode = OptionProperty("initials", options=["initials", "full"])
    show_digits = BooleanProperty(True)
    show_modes = BooleanProperty(True)  # the full pinyin/English toggle and the space key
    keys = DictProperty({})  # key name ("A", "1", "back", "clear", "mode", "space") -> Button

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.orientation = "vertical"
        # keys are built at the next frame, once: a kv rule may still turn digits or modes
        # off right after construction
        self._rebuild_trigger = Clock.create_trigger(self._rebuild)
        self._rebuild_trigger()
        self.bind(show_digits=self._rebuild_trigger, show_modes=self._rebuild_trigger)
        app = App.get_running_app()
        if app is not None:
            app.bind(lang=lambda *a: self._relabel())
        self.bind(mode=lambda *a: self._relabel())

    def _rebuild(self, *args: Any) -> None:
        self.clear_widgets()
        self.keys = {}
        self._build()

    def _key(self, name: str, text: str, **extra: Any) -> Any:
        button = Factory.KeyButton(text=text, **extra)
        button.key_name = name
        button.bind(on_release=lambda b: self.press(b.key_name))
        self.keys[name] = button
        return button

    def _build(self) -> None:
        rows = [*LETTER_ROWS]
        for row in rows:
            line = BoxLayout()
            for letter in row:
                line.add_widget(self._key(letter, letter))
            self.add_widget(line)
        if self.show_digits:
            digits = BoxLayout()
            for digit in DIGITS:
                digits.add_widget(self._key(digit, digit))
            self.add_widget(digits)
        controls = BoxLayout()
        if self.show_modes:
            controls.add_widget(self._key("mode", "", size_hint_x=1.4))
            controls.add_widget(self._key("space", ""))
        controls.add_widget(self._key("back", ""))
        controls.add_widget(self._key("clear", ""))
        self.add_widget(controls)
        self._relabel()

    def _relabel(self) -> None:
        app = App.get_running_app()
        if app is None or not self.keys:
            return
        if "mode" in self.keys:
            self.keys["mode"].text = app.t("kb_full" if self.mode == "initials" else "kb_initials")
            self.keys["mode"].selected = self.mode == "full"
            self.keys["space"].text = app.t("kb_space")
        self.keys["clear"].text = app.t("kb_clear")
        self.keys["back"].text = app.t("kb_back")

    def press(self, name: str) -> None:
        """What one tap on key ``name`` does (also what tests call)."""
        if name == "back":
            self.query = self.query[:-1]
        elif name == "clear":
            self.query = ""
        elif name == "mode":
            self.mode = "full" if self.mode == "initials" else "initials"
        elif name == "space":
            if self.mode == "full" and self.query and not self.query.endswith(" "):
                self.query += " "
        elif len(self.query) < MAX_QUERY_CHARS:
            self.query += name.lower()
