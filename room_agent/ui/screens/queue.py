"""The queue: 已点 (move to top, move up, remove) and 已唱 (sing again)."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from room_agent.ui.port import QueueView
from room_agent.ui.widgets.song_list import queue_rows


class QueueScreen(Screen):
    tab = StringProperty("pending")  # "pending" (已点) or "sung" (已唱)

    def on_kv_post(self, base_widget: Any) -> None:
        app = App.get_running_app()
        app.bind(queue_view=self._show)
        self.bind(tab=lambda *a: self._show(app, app.queue_view))
        self._show(app, app.queue_view)

    def reset(self) -> None:
        self.tab = "pending"

    def _show(self, app: Any, view: QueueView) -> None:
        entries = view.pending if self.tab == "pending" else view.sung
        self.ids.entries.data = queue_rows(entries, sung=self.tab == "sung")

    def act(self, action: str, entry_id: str, position: int = 0) -> None:
        room = App.get_running_app().room
        app = App.get_running_app()
        if action == "top":
            app.guarded(lambda: room.move_to_top(entry_id))
        elif action == "up":
            app.guarded(lambda: room.move(entry_id, max(0, position - 1)))
        elif action == "remove":
            app.guarded(lambda: room.remove(entry_id))
        elif action == "again":
            app.guarded(lambda: room.sing_again(entry_id))
