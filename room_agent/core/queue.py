"""The song queue (已点) and what was sung this session (已唱), plus the key each song was
sung in. Pure values and one mutable owner; the core persists its snapshot."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from ktv.errors import InvalidArgument, NotFound
from media_index.model import Song
from room_agent.core.ports import PlayOutcome


@dataclass(frozen=True)
class QueuedSong:
    """One order of a song; the same song can be queued twice under two entry ids."""

    entry_id: str
    song_id: str
    title: str
    artist: str
    added_at: datetime  # UTC
    added_by: str = ""  # the nickname of the phone that added it; "" : touchscreen or desk
    guest_id: str = ""  # that phone's guest id (it may remove the song)


@dataclass(frozen=True)
class SungSong:
    song_id: str
    title: str
    artist: str
    started_at: datetime  # UTC
    outcome: PlayOutcome
    played_ms: int
    key_semitones: int = 0


@dataclass(frozen=True)
class QueueState:
    """Everything the queue knows, as a value (for saving and restoring)."""

    entries: tuple[QueuedSong, ...] = ()
    history: tuple[SungSong, ...] = ()
    keys: tuple[tuple[str, int], ...] = ()  # (song_id, semitones) chosen this session


def new_entry(
    song: Song,
    added_at: datetime,
    *,
    entry_id: str = "",
    added_by: str = "",
    guest_id: str = "",
) -> QueuedSong:
    return QueuedSong(
        entry_id or uuid.uuid4().hex[:12],
        song.song_id,
        song.title,
        song.artist,
        added_at,
        added_by,
        guest_id,
    )


class SongQueue:
    """Ordered entries; the first is sung next. Not thread-safe: the core owns it."""

    def __init__(self, state: QueueState | None = None) -> None:
        state = state or QueueState()
        self._entries = list(state.entries)
        self._history = list(state.history)
        self._keys = dict(state.keys)

    # --- 已点 ----------------------------------------------------------------------------
    @property
    def entries(self) -> tuple[QueuedSong, ...]:
        return tuple(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, entry: QueuedSong, *, at_top: bool = False) -> QueuedSong:
        """Append, or put first (优先)."""
        if any(e.entry_id == entry.entry_id for e in self._entries):
            return entry  # the same order delivered twice
        if at_top:
            self._entries.insert(0, entry)
        else:
            self._entries.append(entry)
        return entry

    def remove(self, entry_id: str) -> QueuedSong:
        index = self._index(entry_id)
        return self._entries.pop(index)

    def move(self, entry_id: str, to_index: int) -> None:
        """Move an entry to ``to_index`` (0 = next to sing)."""
        if not 0 <= to_index < len(self._entries):
            raise InvalidArgument(
                f"position {to_index} is outside the queue (0..{len(self._entries) - 1})"
            )
        entry = self._entries.pop(self._index(entry_id))
        self._entries.insert(to_index, entry)

    def move_to_top(self, entry_id: str) -> None:
        self.move(entry_id, 0)

    def clear(self) -> None:
        self._entries.clear()

    def pop_next(self) -> QueuedSong | None:
        return self._entries.pop(0) if self._entries else None

    def _index(self, entry_id: str) -> int:
        for i, entry in enumerate(self._entries):
            if entry.entry_id == entry_id:
                return i
        raise NotFound(f"queue entry {entry_id!r} is not in the queue")

    # --- 已唱 and keys ------------------------------------------------------------------
    @property
    def history(self) -> tuple[SungSong, ...]:
        return tuple(self._history)

    def record_sung(self, sung: SungSong) -> None:
        self._history.append(sung)

    def remember_key(self, song_id: str, semitones: int) -> None:
        self._keys[song_id] = semitones

    def key_for(self, song_id: str) -> int:
        return self._keys.get(song_id, 0)

    def requeue_from_history(self, index: int, added_at: datetime) -> QueuedSong:
        """Order a song again from 已唱 (its key comes with it, remembered by song)."""
        if not 0 <= index < len(self._history):
            raise NotFound(f"no sung song at position {index}")
        sung = self._history[index]
        entry = QueuedSong(uuid.uuid4().hex[:12], sung.song_id, sung.title, sung.artist, added_at)
        return self.add(entry)

    def reset_session(self) -> None:
        """A new session: nothing queued, nothing sung, no keys remembered."""
        self._entries.clear()
        self._history.clear()
        self._keys.clear()

    def forget_history(self) -> None:
        self._history.clear()
        self._keys.clear()

    def state(self) -> QueueState:
        return QueueState(self.entries, self.history, tuple(sorted(self._keys.items())))
