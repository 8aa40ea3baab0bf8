"""Test doubles for the touchscreen's ports (tests only).

``RoomDouble`` is a small, honest ``RoomControl``: a real queue, a playback position the test
moves by hand, lyrics as timed lines, and a record of every intent. ``ShelfCatalog`` answers
searches from songs whose pinyin initials the test states (the real ranking lives in
media_index). ``DeskDouble`` is a ``FrontDesk`` the test can switch between answering and
unreachable.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from ktv.errors import Unavailable, Unsupported
from media_index.model import Song, VocalMode
from media_index.singer_region import is_foreign
from room_agent.core.ports import PlayerState, VocalSwitch
from room_agent.ui.port import (
    FOREIGN,
    IDLE_PLAYBACK,
    Bill,
    BillLine,
    Change,
    ExtendOption,
    ExtendReceipt,
    LyricsFrame,
    LyricWord,
    MemberCard,
    MenuItem,
    OrderReceipt,
    QueueEntry,
    QueueView,
    RoomMode,
    SearchRequest,
    ServiceCall,
    SingerEntry,
    SongPage,
    TouchscreenNowPlaying,
    TouchscreenRoom,
)


@dataclass(frozen=True)
class TimedLine:
    start_ms: int
    end_ms: int
    text: str
    words: tuple[LyricWord, ...] = ()


class RoomDouble:
    def __init__(self, room_id: str = "A08", *, mode: RoomMode = RoomMode.OPEN) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self.view = TouchscreenRoom(
            room_id=room_id,
            display_name=room_id,
            tier="medium",
            mode=mode,
            online=True,
            venue_message="今晚 22:00 前欢唱套餐 8 折",
            booking_url=f"https://ktv.example/rooms/{room_id}/book",
        )
        self.catalog: dict[str, Song] = {}
        self.pending: list[QueueEntry] = []
        self.sung: list[QueueEntry] = []
        self.playback = IDLE_PLAYBACK
        self.lyrics_by_song: dict[str, tuple[TimedLine, ...]] = {}
        self.calls: list[ServiceCall] = []
        self.intents: list[tuple[str, object]] = []
        self.key_supported = True
        self.refuse: Exception | None = None  # the next enqueue raises this (then clears)
        self._listeners: list[Callable[[Change], None]] = []

    # --- what the test does ---------------------------------------------------------------

    def know(self, *songs: Song) -> None:
        for song in songs:
            self.catalog[song.song_id] = song

    def set_room(self, **changes: object) -> None:
        with self._lock:
            self.view = replace(self.view, **changes)
        self._emit(Change.ROOM)

    def advance(self, ms: int) -> None:
        with self._lock:
            self.playback = replace(self.playback, position_ms=self.playback.position_ms + ms)
        self._emit(Change.PLAYBACK)

    def acknowledge_last_call(self, staff: str = "小王") -> None:
        with self._lock:
            self.calls[-1] = replace(self.calls[-1], acknowledged=True, acknowledged_by=staff)
        self._emit(Change.SERVICE)

    def _emit(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    def _start_next(self) -> None:
        if not self.pending:
            self.playback = IDLE_PLAYBACK
            return
        entry = self.pending.pop(0)
        song = entry.song
        vocal = (
            VocalSwitch.UNAVAILABLE
            if song.vocal_mode is VocalMode.NONE
            else VocalSwitch.ACCOMPANIMENT
        )
        self.sung.insert(0, entry)
        self.playback = TouchscreenNowPlaying(
            song=song,
            state=PlayerState.PLAYING,
            position_ms=0,
            duration_ms=song.duration_ms,
            vocal=vocal,
            key_semitones=0,
            key_supported=self.key_supported,
            volume_percent=self.playback.volume_percent,
            muted=self.playback.muted,
        )

    # --- RoomControl ----------------------------------------------------------------------

    def room(self) -> TouchscreenRoom:
        return self.view

    def queue(self) -> QueueView:
        with self._lock:
            return QueueView(tuple(self.pending), tuple(self.sung))

    def now_playing(self) -> TouchscreenNowPlaying:
        return self.playback

    def lyrics(self) -> LyricsFrame:
        with self._lock:
            song = self.playback.song
            if song is None:
                return LyricsFrame()
            lines = self.lyrics_by_song.get(song.song_id, ())
            position = self.playback.position_ms
        for i, line in enumerate(lines):
            if line.start_ms <= position < line.end_ms:
                following = lines[i + 1].text if i + 1 < len(lines) else ""
                return LyricsFrame(
                    line=line.text,
                    next_line=following,
                    position_ms=position,
                    line_start_ms=line.start_ms,
                    line_end_ms=line.end_ms,
                    words=line.words,
                )
        upcoming = next((line.text for line in lines if line.start_ms > position), "")
        return LyricsFrame(next_line=upcoming, position_ms=position)

    def service_calls(self) -> tuple[ServiceCall, ...]:
        return tuple(self.calls)

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def enqueue(self, song_id: str, *, to_top: bool = False) -> None:
        self.intents.append(("enqueue", (song_id, to_top)))
        if self.refuse is not None:
            error, self.refuse = self.refuse, None
            raise error
        with self._lock:
            entry = QueueEntry(f"q{next(self._ids)}", self.catalog[song_id])
            self.pending.insert(0 if to_top else len(self.pending), entry)
            started = self.playback.song is None
            if started:
                self._start_next()
        self._emit(Change.QUEUE)
        if started:
            self._emit(Change.PLAYBACK)

    def _index(self, entry_id: str) -> int:
        return next(i for i, e in enumerate(self.pending) if e.entry_id == entry_id)

    def move_to_top(self, entry_id: str) -> None:
        self.move(entry_id, 0)

    def move(self, entry_id: str, new_index: int) -> None:
        self.intents.append(("move", (entry_id, new_index)))
        with self._lock:
            entry = self.pending.pop(self._index(entry_id))
            self.pending.insert(new_index, entry)
        self._emit(Change.QUEUE)

    def remove(self, entry_id: str) -> None:
        self.intents.append(("remove", entry_id))
        with self._lock:
            self.pending.pop(self._index(entry_id))
        self._emit(Change.QUEUE)

    def sing_again(self, entry_id: str) -> None:
        self.intents.append(("sing_again", entry_id))
        song = next(e.song for e in self.sung if e.entry_id == entry_id)
        self.enqueue(song.song_id)

    def skip(self) -> None:
        self.intents.append(("skip", None))
        with self._lock:
            self._start_next()
        self._emit(Change.QUEUE)
        self._emit(Change.PLAYBACK)

    def replay(self) -> None:
        self.intents.append(("replay", None))
        with self._lock:
            self.playback = replace(self.playback, position_ms=0)
        self._emit(Change.PLAYBACK)

    def pause(self) -> None:
        self.intents.append(("pause", None))
        self.playback = replace(self.playback, state=PlayerState.PAUSED)
        self._emit(Change.PLAYBACK)

    def resume(self) -> None:
        self.intents.append(("resume", None))
        self.playback = replace(self.playback, state=PlayerState.PLAYING)
        self._emit(Change.PLAYBACK)

    def toggle_vocal(self) -> VocalSwitch:
        self.intents.append(("toggle_vocal", None))
        current = self.playback.vocal
        if current is not VocalSwitch.UNAVAILABLE:
            current = (
                VocalSwitch.ACCOMPANIMENT
                if current is VocalSwitch.ORIGINAL
                else VocalSwitch.ORIGINAL
            )
            self.playback = replace(self.playback, vocal=current)
            self._emit(Change.PLAYBACK)
        return current

    def change_key(self, delta_semitones: int) -> int:
        self.intents.append(("change_key", delta_semitones))
        if not self.key_supported:
            raise Unsupported("key change is not supported on this build")
        key = max(-6, min(6, self.playback.key_semitones + delta_semitones))
        self.playback = replace(self.playback, key_semitones=key)
        self._emit(Change.PLAYBACK)
        return key

    def change_volume(self, delta_percent: int) -> int:
        self.intents.append(("change_volume", delta_percent))
        cap = self.view.volume_cap_percent
        volume = max(0, min(cap, self.playback.volume_percent + delta_percent))
        self.playback = replace(self.playback, volume_percent=volume)
        self._emit(Change.PLAYBACK)
        return volume

    def set_mute(self, muted: bool) -> None:
        self.intents.append(("set_mute", muted))
        self.playback = replace(self.playback, muted=muted)
        self._emit(Change.PLAYBACK)

    def effects(self) -> tuple[str, ...]:
        return ("applause", "cheers", "whistle", "laughter")

    def play_effect(self, name: str) -> None:
        self.intents.append(("play_effect", name))

    def scene(self) -> str:
        return getattr(self, "_scene", "welcome")

    def choose_scene(self, scene: str) -> str:
        self.intents.append(("choose_scene", scene))
        self._scene = scene
        return scene

    def call_service(self, kind: str) -> ServiceCall:
        self.intents.append(("call_service", kind))
        call = ServiceCall(call_id=f"c{next(self._ids)}", kind=kind)
        self.calls.append(call)
        self._emit(Change.SERVICE)
        return call


@dataclass(frozen=True)
class ShelfSong:
    song: Song
    initials: str  # "qlx" for 七里香: stated by the test, not computed
    artist_initials: str = ""  # "zjl" for 周杰伦
    singer_kind: str = "male"


class ShelfCatalog:
    def __init__(self, shelf: list[ShelfSong]) -> None:
        self.shelf = shelf
        self.requests: list[SearchRequest] = []

    def search(self, request: SearchRequest) -> SongPage:
        self.requests.append(request)
        query = request.query.replace(" ", "").lower()
        hits = [
            s.song
            for s in self.shelf
            if (
                not query
                or s.initials.startswith(query)
                or any(a.lower().startswith(query) for a in s.song.artists)
                or s.song.title.lower().replace(" ", "").startswith(query)
                or s.artist_initials.startswith(query)
            )
            and (request.language is None or s.song.language == request.language)
            and (request.char_count is None or len(s.song.title) == request.char_count)
            and (request.artist is None or request.artist in s.song.artists)
        ]
        page = hits[request.offset : request.offset + request.limit]
        return SongPage(tuple(page), len(hits))

    def singers(self, initials: str = "", kind: str | None = None) -> tuple[SingerEntry, ...]:
        counts: dict[tuple[str, str], int] = {}
        languages: dict[str, dict[str, int]] = {}
        for s in self.shelf:
            by_language = languages.setdefault(s.song.artists[0], {})
            by_language[s.song.language] = by_language.get(s.song.language, 0) + 1
        for s in self.shelf:
            name = s.song.artists[0]
            if kind == FOREIGN and not is_foreign(languages[name]):
                continue
            if kind and kind != FOREIGN and s.singer_kind != kind:
                continue
            if initials and not s.artist_initials.startswith(initials):
                continue
            counts[(name, s.singer_kind)] = counts.get((name, s.singer_kind), 0) + 1
        return tuple(SingerEntry(n, k, c) for (n, k), c in counts.items())

    def hot(self, limit: int = 20) -> tuple[Song, ...]:
        return tuple(s.song for s in self.shelf[:limit])

    def new_arrivals(self, limit: int = 20) -> tuple[Song, ...]:
        return tuple(s.song for s in reversed(self.shelf))[:limit]

    def recommend(self, for_song_ids: tuple[str, ...], limit: int = 20) -> tuple[Song, ...]:
        return tuple(s.song for s in self.shelf if s.song.song_id not in for_song_ids)[:limit]


class DeskDouble:
    """A front desk that answers (``reachable=True``) or cannot be reached."""

    def __init__(self, *, reachable: bool = False) -> None:
        self.reachable = reachable
        self.orders: list[tuple[tuple[tuple[str, int], ...], str]] = []

    def _check(self) -> None:
        if not self.reachable:
            raise Unavailable("controller unreachable")

    def menu(self) -> tuple[MenuItem, ...]:
        self._check()
        return (
            MenuItem("beer-tsingtao", "青岛啤酒", 1500, "drinks"),
            MenuItem("fruit-platter", "水果拼盘", 6800, "snacks"),
            MenuItem("whisky-jw", "尊尼获加黑牌", 68800, "spirits", sold_out=True),
        )

    def order(self, items: tuple[tuple[str, int], ...], request_id: str) -> OrderReceipt:
        self._check()
        self.orders.append((items, request_id))
        return OrderReceipt(order_id=f"orders/{len(self.orders)}", items=items)

    def bill(self) -> Bill:
        self._check()
        lines = (BillLine("包厢费 2 小时", 17600), BillLine("青岛啤酒 x2", 3000))
        return Bill(lines, sum(line.amount_fen for line in lines))

    def member_sign_in(self, phone: str, pin: str) -> MemberCard:
        self._check()
        return MemberCard(
            phone_masked=phone[:3] + "****" + phone[-4:],
            tier="gold",
            points=1280,
            balance_fen=50000,
        )

    def extend_options(self) -> tuple[ExtendOption, ...]:
        self._check()
        return (ExtendOption(60, "续钟 1小时", 7200),)

    def extend_from_balance(
        self, option: ExtendOption, phone: str, pin: str, request_id: str
    ) -> ExtendReceipt:
        self._check()
        return ExtendReceipt(option.minutes, option.price_fen, None)
