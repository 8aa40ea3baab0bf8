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
# --- paging ------------------------------------------------------------------------------------
PAGE_SIZE_MAX = 1000


@dataclass(frozen=True)
class Limits:
    """The bounds a venue can tune (venue settings override the defaults)."""


DEFAULT = Limits()


def check_fen(
    value: int,
    *,
    what: str,
    allow_negative: bool = False,
    max_fen: int = FEN_MAX,
    reason: str = "AMOUNT_OUT_OF_RANGE",
) -> int:
    """``value`` if it is a whole number of fen within bounds; else InvalidArgument."""
    low = -max_fen if allow_negative else 0
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= max_fen:
        raise InvalidArgument(
            f"{what} must be between {low} and {max_fen} fen, got {short(str(value))}",
            reason=reason,
        )
    return value


# --- members -----------------------------------------------------------------------------------
BIRTHDAY_LEAD_DAYS_MAX = 366  # a birthday run looks a year ahead at most (one date per day)


# --- the gRPC edge (controller/api/bounds.py, controller/api/errors.py) ------------------------
# Backstops for every request of every RPC, checked before any handler runs; the domain's own
# bounds above are tighter and give the precise message.
ERROR_MESSAGE_MAX_CHARS = 300  # an error's message is a sentence, never the caller's input back
REQUEST_STRING_MAX_CHARS = 4 * NOTE_MAX_CHARS + 16  # any string field: what bounded() reads raw
PRICE_PLAN_TOML_MAX_CHARS = 256 * 1024  # a whole venue's price plan (ImportPricePlan)
CSR_PEM_MAX_CHARS = 16 * 1024  # an agent's certificate request (EnrollAgent): ~1 KB in practice
REPEATED_MAX_ITEMS = 10_000  # any repeated field: the longest list an RPC takes (an order's lines)
