"""What the TV says over the song: the notices that are up, stacked as lines of one notice.

Pure: fed the core's events with a monotonic time, it answers what is on now
(:meth:`NoticeBoard.composed`: several notices at once are lines of one marquee, the most
important on top, in its colour; 到钟 and the emergency stand alone in the centre).
From the least to the most important:

- who picked the song that just started, when a guest's phone added it (小王 点唱), for a
  few seconds in the corner (the time-left badge wins the corner when both are due);
- the time-left badge (剩余 8分) in the corner, in the last minutes of prepaid time;
- the desk answered the room's service call (服务员马上到), for a few seconds;
- a message: the N-minutes-left warning (the core's own wording) or the front desk's text;
- 到钟 (time is up) until an extension;
- the emergency message, which overrides everything until it is lifted.

The core takes its message down itself (``MessageChanged("")`` when it expires); a notice
with ``until_s`` also ends by itself, so a lost event cannot leave it up for ever.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Protocol

from room_agent.core.events import (
    EmergencyChanged,
    MessageChanged,
    RoomScreen,
    ScreenChanged,
    ServiceAnswered,
    SongStarted,
)
from room_agent.core.room_time import TimeLeftChanged, TimeUpChanged, TimeWarning
from room_agent.core.time_left import TimePhase
from room_agent.tv import settings


class NoticeKind(enum.IntEnum):
    """Ordered by importance: a higher kind hides a lower one while it is up."""

    BADGE = 1
    SERVICE = 2
    MESSAGE = 3
    WARNING = 4
    TIME_UP = 5
    EMERGENCY = 6


@dataclass(frozen=True)
class TvNotice:
    text: str
    kind: NoticeKind
    until_s: float | None = None  # monotonic seconds; None: until taken down


class TvNotices(Protocol):
    """The TV's notice line (libVLC's marquee on the Pi: ``room_agent.player.tv``)."""

    def show_notice(self, notice: TvNotice) -> None:
        """Draw ``notice`` over the video, replacing whatever notice was shown."""

    def clear_notice(self) -> None:
        """No notice: the video and lyrics only."""


class MarqueePosition(enum.IntEnum):
    """libVLC marquee positions (bit flags: centre 0, left 1, right 2, top 4, bottom 8)."""

    TOP = 4
    TOP_RIGHT = 6
    CENTRE = 0


@dataclass(frozen=True)
class NoticeLook:
    position: MarqueePosition
    colour_rgb: int  # 0xRRGGBB
    size_px: int  # in video pixels (0: libVLC's default, relative to the picture)
    opacity: int = 255
    margin_px: int = 16


_LOOKS = {
    NoticeKind.BADGE: NoticeLook(MarqueePosition.TOP_RIGHT, 0xFFC04D, settings.badge_size_px),
    NoticeKind.SERVICE: NoticeLook(MarqueePosition.TOP, 0x60E060, settings.notice_size_px),
    NoticeKind.MESSAGE: NoticeLook(MarqueePosition.TOP, 0xFFFFFF, settings.notice_size_px),
    NoticeKind.WARNING: NoticeLook(MarqueePosition.TOP, 0xFFB020, settings.notice_size_px),
    NoticeKind.TIME_UP: NoticeLook(MarqueePosition.CENTRE, 0xFF4040, settings.alert_size_px),
    NoticeKind.EMERGENCY: NoticeLook(MarqueePosition.CENTRE, 0xFFFF00, settings.alert_size_px),
}


def look_for(kind: NoticeKind) -> NoticeLook:
    return _LOOKS[kind]


_NO_SESSION = (RoomScreen.LOCKED, RoomScreen.CLEANING, RoomScreen.MAINTENANCE)
TIME_UP_TEXT = "到钟，续钟请联系前台 / Time is up"
SERVICE_TEXT = "服务员马上到 / Staff coming"  # short: a long line wraps on the TV
# Alone in the centre: nothing is stacked with them.
_ALONE = (NoticeKind.EMERGENCY, NoticeKind.TIME_UP)


class NoticeBoard:
    """Keeps the notices the core's events put up; :meth:`current` picks the one to show."""

    def __init__(
        self,
        *,
        badge_within_minutes: int = settings.badge_within_minutes,
        warning_shown_s: float = settings.warning_shown_s,
    ) -> None:
        self.badge_within_minutes = badge_within_minutes
        self.warning_shown_s = warning_shown_s
        self._badge: TvNotice | None = None
        self._message: TvNotice | None = None
        self._time_up: TvNotice | None = None
        self._emergency: TvNotice | None = None
        self._warning_at_s: float | None = None
        self._picked_by: TvNotice | None = None  # 小王 点唱: the phone that added this song
        self._service: TvNotice | None = None  # the desk answered the service call

    def apply(self, event: object, now_s: float) -> None:
        """Take one core event (others are ignored)."""
        match event:
            case TimeLeftChanged(time_left=left):
                badge = left.phase in (TimePhase.WARNING, TimePhase.GRACE) or (
                    left.phase is TimePhase.RUNNING
                    and left.minutes_left <= self.badge_within_minutes
                )
                self._badge = TvNotice(left.badge_text, NoticeKind.BADGE) if badge else None
            case TimeWarning(minutes=minutes):
                text = f"还剩 {minutes} 分钟 / {minutes} min left"
                until = now_s + self.warning_shown_s
                self._message = TvNotice(text, NoticeKind.WARNING, until)
                self._warning_at_s = now_s
            case MessageChanged(text=""):
                self._message = None
            case MessageChanged(text=text):
                if self._echoes_warning(now_s):
                    # The core words its warning as a message right after the TimeWarning:
                    # one notice, in the warning's colour, with the core's wording.
                    assert self._message is not None
                    self._message = replace(self._message, text=text)
                else:
                    self._message = TvNotice(text, NoticeKind.MESSAGE)
                self._warning_at_s = None
            case TimeUpChanged(up=True):
                self._time_up = TvNotice(TIME_UP_TEXT, NoticeKind.TIME_UP)
            case TimeUpChanged(up=False):
                self._time_up = None
            case EmergencyChanged(active=True, message=message):
                self._emergency = TvNotice(message, NoticeKind.EMERGENCY)
            case EmergencyChanged(active=False):
                self._emergency = None
            case ScreenChanged(screen=screen) if screen in _NO_SESSION:
                self._badge = self._time_up = None  # session closed: no time left to show
                self._picked_by = self._service = None
            case ServiceAnswered():
                until = now_s + settings.service_answered_shown_s
                self._service = TvNotice(SERVICE_TEXT, NoticeKind.SERVICE, until)
            case SongStarted(entry=entry, replay=False) if entry.added_by:
                text = f"{entry.added_by} 点唱《{entry.title}》"
                self._picked_by = TvNotice(
                    text, NoticeKind.BADGE, now_s + settings.picked_by_shown_s
                )
            case SongStarted():
                self._picked_by = None

    def live(self, now_s: float) -> list[TvNotice]:
        """Every notice still up at ``now_s``, the most important first (the order of the
        stacked lines; the picked-by line under the badge)."""
        notices = (
            self._emergency,
            self._time_up,
            self._message,
            self._service,
            self._badge,
            self._picked_by,
        )
        up = [n for n in notices if n is not None and (n.until_s is None or n.until_s > now_s)]
        return sorted(up, key=lambda n: -n.kind)  # stable: the badge stays over picked-by

    def current(self, now_s: float) -> TvNotice | None:
        """The most important notice still up at ``now_s``."""
        live = self.live(now_s)
        return live[0] if live else None

    def composed(self, now_s: float) -> TvNotice | None:
        """What the TV shows: the emergency or 到钟 alone; else every live notice, one line
        each, the most important on top, as one notice of the top one's kind (its look).
        It lasts until its last timed line ends (``None`` when any line has no end): the
        overlay re-composes when a line ends, so none hides or cuts another."""
        live = self.live(now_s)
        if not live:
            return None
        top = live[0]
        if top.kind in _ALONE or len(live) == 1:
            return top
        ends = [n.until_s for n in live]
        until = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
        return TvNotice("\n".join(n.text for n in live), top.kind, until)

    def _echoes_warning(self, now_s: float) -> bool:
        return (
            self._warning_at_s is not None
            and self._message is not None
            and self._message.kind is NoticeKind.WARNING
            and now_s - self._warning_at_s <= settings.warning_echo_window_s
        )
