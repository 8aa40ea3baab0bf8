"""What a guest is and may do (pure): the nickname as stored, the venue's phone permissions
and the ``[guests]`` table of the venue TOML, and the token bucket that paces phones."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from ktv.errors import InvalidArgument
from ktv.limits import GUEST_NICKNAME_MAX_CHARS, GUEST_NOTE_MAX_CHARS
from ktv.text import bounded

GUEST_PREFIX = "Guest"  # gRPC metadata: "authorization: Guest <secret>"
JOIN_PATH = "/g/"  # the guest page; the join code rides in ?c=
AGENT_ANSWER_TIMEOUT_S = 3.0  # a phone's add waits this long for the room's agent to answer


def nickname_input(nickname: str) -> str:
    """The name a phone picks, as stored and shown: NFKC, stripped, 1-16 characters, no
    control or format characters (a nickname is text: the TV and the page never render it
    as markup); else InvalidArgument BAD_NICKNAME."""
    value = bounded(
        nickname or "",
        what="the nickname",
        max_len=GUEST_NICKNAME_MAX_CHARS,
        reason="BAD_NICKNAME",
    ).strip()
    if not value:
        raise InvalidArgument("pick a nickname (1-16 characters)", reason="BAD_NICKNAME")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        raise InvalidArgument("a nickname has no control characters", reason="BAD_NICKNAME")
    return value


def note_input(note: str) -> str:
    """A service call's note from a phone: NFKC, stripped, at most 60 characters."""
    value = bounded(note or "", what="the note", max_len=GUEST_NOTE_MAX_CHARS).strip()
    return "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cf"))


@dataclass(frozen=True)
class PhonePermissions:
    """What phones may do in the venue's rooms (GuestPermissions on the wire). Defaults as a
    venue would have them: songs, controls, ordering and paying on; 优先 off (a phone jumping
    the queue is the thing groups argue about; the touchscreen still may)."""

    may_queue_top: bool = False
    may_skip: bool = True
    may_switch_vocal: bool = True
    may_change_volume: bool = True
    may_order: bool = True
    may_pay: bool = True


@dataclass(frozen=True)
class GuestSettings:
    """``[guests]`` of the venue TOML."""

    base_url: str = ""  # "https://ktv.example.cn"; "" = the controller's own web address
    credential_ttl_s: int = 12 * 3600  # a phone's credential ends at checkout, at most this late
    permissions: PhonePermissions = field(default_factory=PhonePermissions)
    joins_per_minute_per_address: int = 20  # JoinRoom from one address (a phone or a NAT)
    joins_per_minute_per_code: int = 60  # JoinRoom with one room's code (a party of 60)
    adds_per_minute: int = 30  # queue changes and controls from one phone, sustained
    adds_burst: int = 10  # ... and at once (a phone adding a few songs in a row)
    searches_per_minute: int = 240  # SearchSongs from one phone (typing as you go)
    order_max_quantity: int = 24  # one line of a phone's order (a crate of beer, not a pallet)


_INTS = {
    "credential_ttl_s": (60, 7 * 24 * 3600),
    "joins_per_minute_per_address": (1, 10_000),
    "joins_per_minute_per_code": (1, 10_000),
    "adds_per_minute": (1, 10_000),
    "adds_burst": (1, 1_000),
    "searches_per_minute": (1, 100_000),
    "order_max_quantity": (1, 1_000),
}


def guest_settings(data: Mapping[str, Any]) -> GuestSettings:
    """The ``[guests]`` table of a parsed venue TOML (``{}``: defaults); InvalidArgument
    BAD_GUEST_SETTING naming the key for an unknown key, a wrong type or a value out of range."""
    table = data.get("guests", {})
    if not isinstance(table, Mapping):
        raise InvalidArgument("[guests] must be a table", reason="BAD_GUEST_SETTING")
    perm_names = {f.name for f in fields(PhonePermissions)}
    known = set(_INTS) | {"base_url"} | perm_names
    unknown = sorted(set(table) - known)
    if unknown:
        raise InvalidArgument(
            f"[guests] has unknown key {unknown[0]!r}", reason="BAD_GUEST_SETTING"
        )
    values: dict[str, Any] = {}
    perms: dict[str, bool] = {}
    for key, value in table.items():
        if key == "base_url":
            if not isinstance(value, str) or not value.startswith(("http://", "https://")):
                raise InvalidArgument(
                    "[guests] base_url must be an http(s) URL", reason="BAD_GUEST_SETTING"
                )
            values[key] = value.rstrip("/")
        elif key in perm_names:
            if not isinstance(value, bool):
                raise InvalidArgument(
                    f"[guests] {key} must be true or false", reason="BAD_GUEST_SETTING"
                )
            perms[key] = value
        else:
            low, high = _INTS[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidArgument(
                    f"[guests] {key} must be a whole number {low}-{high}",
                    reason="BAD_GUEST_SETTING",
                )
            values[key] = value
    return GuestSettings(**values, permissions=PhonePermissions(**perms))


class TokenBucket:
    """Per-key token buckets: ``rate_per_s`` tokens a second up to ``burst``. Time is given
    by the caller (monotonic seconds), so tests need no sleeping. Keys idle long enough to be
    full again are forgotten, so a flood of keys costs memory only while it lasts."""

    def __init__(self, rate_per_s: float, burst: float, max_keys: int = 100_000) -> None:
        self.rate_per_s = rate_per_s
        self.burst = burst
        self.max_keys = max_keys
        self._state: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str, now: float, cost: float = 1.0) -> float:
        """0.0 when allowed (a token taken); else the seconds until one is there."""
        tokens, at = self._state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate_per_s)
        if tokens >= cost:
            self._state[key] = (tokens - cost, now)
            return 0.0
        self._state[key] = (tokens, now)
        if len(self._state) > self.max_keys:
            self._forget(now)
        return (cost - tokens) / self.rate_per_s

    def _forget(self, now: float) -> None:
        full_after = self.burst / self.rate_per_s
        for key, (_, at) in list(self._state.items()):
            if now - at >= full_after:
                del self._state[key]
