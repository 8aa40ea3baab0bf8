"""The QR code phones scan to join the session (手机点歌): a corner badge on the ordering
screens that opens large on a tap (and closes on the next). Its URL comes from the
controller with the session (``TouchscreenRoom.guest_url``); no URL, no badge."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.floatlayout import FloatLayout

from room_agent.ui.qr import qr_texture


class GuestQr(ButtonBehavior, FloatLayout):
    url = StringProperty("")
    large = BooleanProperty(False)
    texture = ObjectProperty(None, allownone=True)

    def on_url(self, *args: Any) -> None:
        self.texture = qr_texture(self.url) if self.url else None
        if not self.url:
            self.large = False

    def on_release(self) -> None:
        if self.url:
            self.large = not self.large
