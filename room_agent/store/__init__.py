"""Adapters that keep the room agent's state on disk (SQLite)."""

from room_agent.store.room_store import SqliteRoomStore

__all__ = ["SqliteRoomStore"]
