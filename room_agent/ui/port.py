"""What the touchscreen needs from the room agent: view models to draw and intents to send.

The screens hold no business logic. They read immutable views (``TouchscreenRoom``,
``QueueView``, ``TouchscreenNowPlaying``, ``LyricsFrame``) and call intents on a
``RoomControl``; the core decides. The touchscreen's views are its own, named apart from the
core's (``room_agent.core.views.RoomView``/``NowPlayingView``, which the adapter reads) and the
controller's board (``controller.rooms.model.BoardRoom``); shared fields share names
(``session_ends_at``, ``volume_cap_percent``).
Change notifications may arrive on any thread (libVLC's, the link's): the app hands them to
Kivy's clock before touching a widget. Song search goes to a ``SongSource`` (the local
catalog, no network); billing, menu and membership go to a ``FrontDesk`` that raises
``ktv.errors.Unavailable`` when the controller cannot answer.

``room_agent.ui.core_adapter`` adapts the real ``RoomCore`` to ``RoomControl``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from media_index.model import Song
from room_agent.core.events import RoomScreen
from room_agent.core.ports import PlayerState, VocalSwitch
from room_agent.lyrics.model import LyricWord  # the lyrics' own word: one definition

# --- views ---------------------------------------------------------------------------------


RoomMode = RoomScreen
"""Which full-screen state the touchscreen shows: the core's ``RoomScreen`` itself (one enum;
the UI's copy had lost ``TIME_UP``). EMERGENCY overrides everything; TIME_UP keeps the
ordering screens under the prepaid-time overlay."""


@dataclass(frozen=True)
class TouchscreenRoom:
    room_id: str  # "A08"
    display_name: str
    tier: str  # "small", "medium", "large", "vip"
    mode: RoomMode
    online: bool  # the controller link is up
    venue_message: str = ""  # welcome text or a ShowMessage from the front desk
    emergency_message: str = ""
    booking_url: str = ""  # what the welcome screen's QR code opens
    session_ends_at: datetime | None = None  # UTC, prepaid/package end (the core's)
    volume_cap_percent: int = 100
    guest_url: str = ""  # the QR code phones scan to join the session (手机点歌); "" : none


@dataclass(frozen=True)
class QueueEntry:
    entry_id: str  # stable while the entry lives; songs may be queued twice
    song: Song
    added_by: str = ""  # the nickname of the phone that added it; "" : this touchscreen


@dataclass(frozen=True)
class QueueView:
    pending: tuple[QueueEntry, ...] = ()  # 已点, next first
    sung: tuple[QueueEntry, ...] = ()  # 已唱, most recent first


@dataclass(frozen=True)
class TouchscreenNowPlaying:
    song: Song | None
    state: PlayerState
    position_ms: int
    duration_ms: int
    vocal: VocalSwitch
    key_semitones: int
    key_supported: bool
    volume_percent: int
    muted: bool


IDLE_PLAYBACK = TouchscreenNowPlaying(
    song=None,
    state=PlayerState.STOPPED,
    position_ms=0,
    duration_ms=0,
    vocal=VocalSwitch.UNAVAILABLE,
    key_semitones=0,
    key_supported=False,
    volume_percent=50,
    muted=False,
)


@dataclass(frozen=True)
class LyricsFrame:
    """The lyrics clock at one instant: the line being sung, how far the wipe has gone, and
    the line after it. ``words`` is empty when the lyrics carry no word timings; then the
    wipe runs smoothly across the whole line from ``line_start_ms`` to ``line_end_ms``."""

    line: str = ""
    next_line: str = ""
    position_ms: int = 0
    line_start_ms: int = 0
    line_end_ms: int = 0
    words: tuple[LyricWord, ...] = ()


NO_LYRICS = LyricsFrame()


class Change(enum.Enum):
    """What changed; the screen pulls the fresh view from ``RoomControl``."""

    ROOM = "room"  # mode, online, message, emergency
    QUEUE = "queue"
    PLAYBACK = "playback"  # song started/ended, vocal, key, volume, pause
    SERVICE = "service"  # a service call was acknowledged


@dataclass(frozen=True)
class ServiceCall:
    call_id: str
    kind: str  # "service", "water", "microphone", ...
    acknowledged: bool = False
    acknowledged_by: str = ""  # staff name from the front desk, if given


# --- the core ------------------------------------------------------------------------------


class RoomControl(Protocol):
    """The room agent's core as the touchscreen sees it. Intents return promptly."""

    def room(self) -> TouchscreenRoom: ...
    def queue(self) -> QueueView: ...
    def now_playing(self) -> TouchscreenNowPlaying: ...
    def lyrics(self) -> LyricsFrame:
        """The lyrics clock now (interpolated between player position updates)."""

    def service_calls(self) -> tuple[ServiceCall, ...]: ...

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        """Call ``listener`` on every change (any thread); returns an unsubscribe function."""

    # queue (已点 / 已唱)
    def enqueue(self, song_id: str, *, to_top: bool = False) -> None: ...
    def move_to_top(self, entry_id: str) -> None: ...
    def move(self, entry_id: str, new_index: int) -> None: ...
    def remove(self, entry_id: str) -> None: ...
    def sing_again(self, entry_id: str) -> None: ...

    # playback
    def skip(self) -> None: ...
    def replay(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def toggle_vocal(self) -> VocalSwitch: ...
    def change_key(self, delta_semitones: int) -> int:
        """Raises ``ktv.errors.Unsupported`` where the player cannot change key."""

    def change_volume(self, delta_percent: int) -> int: ...
    def set_mute(self, muted: bool) -> None: ...

    # service
    def call_service(self, kind: str) -> ServiceCall: ...

    # ambience (气氛): atmosphere sounds over the song
    def effects(self) -> tuple[str, ...]:
        """The atmosphere sounds this room has (names; "" buttons are disabled)."""

    def play_effect(self, name: str) -> None:
        """Raises ``ktv.errors.FailedPrecondition`` (EFFECT_RATE_LIMITED) when too fast."""

    # the room's lights (issue 24): welcome, singing, party, cleaning, off
    def scene(self) -> str:
        """The scene the room shows now ("" where the room has no outputs' rules)."""

    def choose_scene(self, scene: str) -> str:
        """The guests' pick; returns the scene shown. Refused outside a session."""


# --- the catalog ---------------------------------------------------------------------------


FOREIGN = "foreign"  # the singer browse category for media_index.singer_region's rule


@dataclass(frozen=True)
class SingerEntry:
    name: str
    kind: str  # the index's ArtistKind value: "male", "female", "group", "band", "unknown"
    song_count: int


@dataclass(frozen=True)
class SearchRequest:
    """One search as the guest set it up on the search screen."""

    query: str = ""
    language: str | None = None
    char_count: int | None = None  # 字数
    artist: str | None = None
    limit: int = 200
    offset: int = 0  # the next page starts here (the guest scrolled to the end)


@dataclass(frozen=True)
class SongPage:
    songs: tuple[Song, ...]
    total: int
    capped: bool = False  # the catalog stopped counting at ``total``: show "1000+"


class SongSource(Protocol):
    """The local catalog (``media_index.Catalog``, adapted by ``catalog_adapter``)."""

    def search(self, request: SearchRequest) -> SongPage: ...
    def singers(self, initials: str = "", kind: str | None = None) -> tuple[SingerEntry, ...]:
        """Singers by initials; ``kind`` is an ArtistKind value ("male", "female", "group",
        "band") or ``FOREIGN`` (singers of mostly non-Chinese songs, media_index.singer_region)."""

    def hot(self, limit: int = 20) -> tuple[Song, ...]: ...
    def new_arrivals(self, limit: int = 20) -> tuple[Song, ...]: ...
    def recommend(self, for_song_ids: tuple[str, ...], limit: int = 20) -> tuple[Song, ...]: ...


# --- the controller's desk (billing, menu, membership) -------------------------------------


@dataclass(frozen=True)
class MenuItem:
    sku: str
    name: str
    price_fen: int
    category: str = ""
    sold_out: bool = False  # the bar's stock ran out: shown 售罄, cannot be ordered


@dataclass(frozen=True)
class BillLine:
    label: str
    amount_fen: int


@dataclass(frozen=True)
class Bill:
    lines: tuple[BillLine, ...]
    total_fen: int
    paid_fen: int = 0  # paid so far (prepaid time, payments on account)
    due_fen: int | None = None  # what is left to pay; None: the total


@dataclass(frozen=True)
class MemberCard:
    phone_masked: str  # "138****0000"
    tier: str
    points: int
    balance_fen: int


@dataclass(frozen=True)
class OrderReceipt:
    order_id: str
    items: tuple[tuple[str, int], ...] = field(default_factory=tuple)  # (sku, quantity)
    amount_fen: int = 0  # what the order adds to the bill (the room tier's prices)
    bill_total_fen: int = 0  # the bill after it


@dataclass(frozen=True)
class ExtendOption:
    """One 续钟 option of the venue's plan, priced for this room now."""

    minutes: int
    label: str  # "续钟 1小时"
    price_fen: int
    ends_at: datetime | None = None  # the session's end if bought now (UTC)
    bonus_minutes: int = 0  # 买钟赠送

    @property
    def note(self) -> str:
        """How the desk request names it: "30m", "1h", "2h"."""
        return f"{self.minutes // 60}h" if self.minutes % 60 == 0 else f"{self.minutes}m"


@dataclass(frozen=True)
class ExtendReceipt:
    """续钟 paid from a member's stored value."""

    minutes: int
    paid_fen: int
    ends_at: datetime | None  # the session's new end (UTC)


class FrontDesk(Protocol):
    """The controller's billing/menu/membership APIs. Every call may block on the network
    (the UI calls them off the UI thread) and raises ``ktv.errors.Unavailable`` when the
    controller cannot answer or the API does not exist yet."""

    def menu(self) -> tuple[MenuItem, ...]: ...
    def order(self, items: tuple[tuple[str, int], ...], request_id: str) -> OrderReceipt: ...
    def bill(self) -> Bill: ...
    def member_sign_in(self, phone: str, pin: str) -> MemberCard: ...
    def extend_options(self) -> tuple[ExtendOption, ...]:
        """The venue's 续钟 options with this room's prices now."""

    def extend_from_balance(
        self, option: ExtendOption, phone: str, pin: str, request_id: str
    ) -> ExtendReceipt:
        """Buy ``option`` paid in full from the member's stored value (PIN checked by the
        controller, with its lockout); idempotent by ``request_id``."""
