"""Limits as domain rules: every bound on what a guest, a cashier, a room or a client may ask
for, in one place, each with its unit in the name. docs/limits.md says why each default is what
it is.

Bounds are checked at the edge and again in the domain, *before* any expensive work (pricing,
PIN hashing, I/O), so no input can make the controller slow, large or inconsistent. Pure: no
gRPC, no SQLite. A venue may override the ones marked "venue" in its settings; the rest are
properties of the system (the transport's message size, integer widths).

Sections are owned by topic; add a new limit to its section with a one-line why.
"""

from __future__ import annotations

from dataclasses import dataclass

from ktv.errors import InvalidArgument
from ktv.text import short

# --- money (integer fen) -------------------------------------------------------------------
FEN_MAX = 10**12  # ¥10 billion: far above any venue's figure, far below int64 (9.2e18)
# --- strings (characters, after NFKC) --------------------------------------------------------
NAME_MAX_CHARS = 64  # a room, product, tier, member or staff name
CODE_MAX_CHARS = 64  # a coupon code, card number, reference
NOTE_MAX_CHARS = 500  # a free-text reason or note
REQUEST_ID_MAX_CHARS = 128
PHONE_MAX_DIGITS = 20
PIN_MAX_DIGITS = 12
# --- identities and secrets (what a login, a sign-in or a PIN check accepts before hashing) ------
STAFF_ID_MAX_CHARS = 32  # a staff login name or employee number (ASCII letters, digits, . _ -)
PIN_MIN_DIGITS = 4  # shorter cannot be anybody's PIN: refused before any hash is tried
PIN_SET_MAX_DIGITS = 8  # a PIN being set (staff, members): 4-8 digits, the touchscreen keypad's 8
# --- paging ------------------------------------------------------------------------------------
PAGE_SIZE_MAX = 1000
# --- prepaid time (minutes; venue: [pricing.limits], pinned with the price plan's version) -------
# 24 h total: longer than any real night (通宵 ~10 h, a whole day 10:00-10:00), so no guest is
# ever refused, yet a typo or a forged request cannot buy months that wedge the board.
PREPAID_SESSION_MAX_MINUTES = 24 * 60  # venue default: time one room's session may buy in total
# 12 h in one sale: the longest real 买钟 is an overnight block; 600h typed for 600m is refused.
PREPAID_PURCHASE_MAX_MINUTES = 12 * 60  # venue default: one 买钟 / 续钟
# The most a venue may configure, and the most any request may carry (checked at the edge,
# before the tab is read): a hotel KTV selling a weekend still fits; int32 minutes do not.
PREPAID_MINUTES_CEILING = 72 * 60
# Time bands in one plan: 15-minute bands at the finest. A purchase gets one bill line per band
# piece it crosses, so this (with the ceiling) bounds a purchase's audit event (~70 KB at worst).
PRICE_BANDS_MAX = 96


@dataclass(frozen=True)
class Limits:
    """The bounds a venue can tune (venue settings override the defaults)."""


DEFAULT = Limits()


@dataclass(frozen=True)
class PrepaidLimits:
    """How much time a session may buy: in total (prepaid + extensions + packages + 场次)
    and in one 买钟 / 续钟. A venue sets them in its price plan; checked before any pricing."""

    session_max_minutes: int = PREPAID_SESSION_MAX_MINUTES
    purchase_max_minutes: int = PREPAID_PURCHASE_MAX_MINUTES

    def __post_init__(self) -> None:
        for name in ("session_max_minutes", "purchase_max_minutes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidArgument(f"{name} must be a whole number of minutes")
            if not 1 <= value <= PREPAID_MINUTES_CEILING:
                raise InvalidArgument(
                    f"{name} must be between 1 and {PREPAID_MINUTES_CEILING} minutes, got {value}",
                    reason="LIMIT_OUT_OF_RANGE",
                )
        if self.purchase_max_minutes > self.session_max_minutes:
            raise InvalidArgument(
                "purchase_max_minutes must not exceed session_max_minutes",
                reason="LIMIT_OUT_OF_RANGE",
            )


def check_fen(
    value: int,
    *,
    what: str,
    allow_negative: bool = False,
    max_fen: int = FEN_MAX,
    reason: str = "BAD_AMOUNT",
) -> int:
    """``value`` if it is a whole number of fen within bounds; else InvalidArgument."""
    low = -max_fen if allow_negative else 0
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= max_fen:
        raise InvalidArgument(
            f"{what} must be between {low} and {max_fen} fen, got {short(str(value))}",
            reason=reason,
        )
    return value
