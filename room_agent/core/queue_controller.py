"""The room's song list as guests use it: 点歌, 优先, remove, 已唱 and 重唱 from it.

Owned by ``RoomCore`` and called under its lock. The pure ``SongQueue`` keeps the entries,
the history and the keys; this controller checks the room is open, tells the subscribers,
saves the room and asks playback to start when a song arrives in a silent room.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ktv.errors import KtvError, PermissionDenied
from ktv.room_link import GuestQueueSong, GuestRemoveSong
from media_index.model import Song
from room_agent.core.events import QueueChanged
from room_agent.core.ports import QueueSongs
from room_agent.core.queue import QueuedSong, QueueState, SongQueue, SungSong, new_entry

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

log = logging.getLogger(__name__)


class QueueController:
    """Owns: the queue (已点), the songs sung this session (已唱) and their keys."""

    def __init__(self, core: RoomCore) -> None:
        self._core = core
        self._songs = SongQueue()

    @property
    def entries(self) -> tuple[QueuedSong, ...]:
        return self._songs.entries

    @property
    def history(self) -> tuple[SungSong, ...]:
        return self._songs.history

    # --- guests ------------------------------------------------------------------------------
    def add_song(self, song_id: str, *, at_top: bool = False) -> QueuedSong:
        """点歌; ``at_top`` is 优先 (sing it next). Unknown ids raise NotFound."""
        self._core.room.require_open()
        return self._add(self._core.songs(song_id), at_top=at_top)

    def remove(self, entry_id: str) -> None:
        self._core.room.require_open()
        self._songs.remove(entry_id)
        self.changed()

    def move(self, entry_id: str, to_index: int) -> None:
        self._core.room.require_open()
        self._songs.move(entry_id, to_index)
        self.changed()

    def clear(self) -> None:
        self._core.room.require_open()
        self._songs.clear()
        self.changed()

    def sing_again(self, sung_index: int) -> QueuedSong:
        """Order a song from 已唱 again; it comes back in the key it was sung in."""
        self._core.room.require_open()
        entry = self._songs.requeue_from_history(sung_index, self._core.utcnow())
        self.changed()
        self._core.playback.advance()
        return entry

    # --- guests' phones (through the controller) ----------------------------------------------
    def add_guest_song(self, command: GuestQueueSong) -> QueuedSong:
        """A phone's 点歌, like the touchscreen's, with who added it; the controller's entry
        id makes a retried add the same entry."""
        self._core.room.require_open()
        song = self._core.songs(command.song_id)
        entry = new_entry(
            song,
            self._core.utcnow(),
            entry_id=command.entry_id,
            added_by=command.nickname,
            guest_id=command.guest_id,
        )
        self._songs.add(entry, at_top=command.top)
        self.changed()
        self._core.playback.advance()
        return entry

    def remove_guest_song(self, command: GuestRemoveSong) -> None:
        """A phone removes a song: only one its guest added (the desk, with no guest id,
        any)."""
        self._core.room.require_open()
        entry = next((e for e in self._songs.entries if e.entry_id == command.entry_id), None)
        if entry is None:
            return  # already sung or removed: nothing to do
        if command.guest_id and entry.guest_id != command.guest_id:
            raise PermissionDenied("a phone removes only the songs it added")
        self._songs.remove(command.entry_id)
        self.changed()

    # --- the desk ----------------------------------------------------------------------------
    def queue_songs(self, command: QueueSongs) -> None:
        """Songs pre-selected with the booking; an unknown one is logged and left out."""
        for song_id in command.song_ids:
            try:
                song = self._core.songs(song_id)
            except KtvError as exc:
                log.warning("pre-selected song %s not queued: %s", song_id, exc)
                continue
            self._add(song, at_top=False)

    # --- playback and the session ------------------------------------------------------------
    def pop_next(self) -> QueuedSong | None:
        return self._songs.pop_next()

    def put_back(self, entry: QueuedSong) -> None:
        """A song that could not resume after a restart goes first in the queue."""
        self._songs.add(entry, at_top=True)

    def record_sung(self, sung: SungSong) -> None:
        self._songs.record_sung(sung)

    def key_for(self, song_id: str) -> int:
        return self._songs.key_for(song_id)

    def remember_key(self, song_id: str, semitones: int) -> None:
        self._songs.remember_key(song_id, semitones)

    def forget_history(self) -> None:
        self._songs.forget_history()

    def reset_session(self) -> None:
        self._songs.reset_session()

    def changed(self) -> None:
        self._core.send(QueueChanged(self._songs.entries, self._songs.history))
        self._core.memory.save()

    # --- memory ------------------------------------------------------------------------------
    def state(self) -> QueueState:
        return self._songs.state()

    def restore(self, state: QueueState) -> None:
        self._songs = SongQueue(state)

    def _add(self, song: Song, *, at_top: bool) -> QueuedSong:
        entry = self._songs.add(new_entry(song, self._core.utcnow()), at_top=at_top)
        self.changed()
        self._core.playback.advance()
        return entry
