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

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ktv.errors import InvalidArgument
from ktv.text import short

# --- money (integer fen) -------------------------------------------------------------------
FEN_MAX = 10**12  # ¥10 billion: far above any venue's figure, far below int64 (9.2e18)
PERCENT_BP_MAX = 10_000  # a percentage in basis points: 100 % (a discount never exceeds it)
POINTS_MAX = FEN_MAX  # loyalty points are a currency too: the same ceiling keeps sums in int64
# --- lines and quantities ----------------------------------------------------------------------
ORDER_LINE_QUANTITY_CEILING = 100_000  # no venue may allow more per line (int32 on the wire)
ORDER_LINES_CEILING = 10_000  # ... nor more lines in one order (the request stays ~100 KB)
BILL_LINES_CEILING = 100_000  # ... nor more per bill (every action folds the whole bill)
BILL_PAYMENTS_MAX = 200  # payments + refunds on one bill: a 20-guest split is 20
BILL_COUPONS_MAX = 20  # coupons one ApplyBenefits takes off a bill (their codes make its reason)
MENU_PRODUCTS_MAX = 2_000  # products on the menu: ListProducts pages it, at most this per page
# --- strings (characters, after NFKC) --------------------------------------------------------
NAME_MAX_CHARS = 64  # a room, product, tier, member or staff name
CODE_MAX_CHARS = 64  # a coupon code, card number, reference
NOTE_MAX_CHARS = 500  # a free-text reason or note
GUEST_NICKNAME_MAX_CHARS = 16  # the name a phone joins a room under (shown on the TV)
GUEST_NOTE_MAX_CHARS = 60  # what a phone's service call asks for ("加冰", "纸巾")
REQUEST_ID_MAX_CHARS = 128
PHONE_MAX_DIGITS = 20
PIN_MAX_DIGITS = 12
# --- identities and secrets (what a login, a sign-in or a PIN check accepts before hashing) ------
STAFF_ID_MAX_CHARS = 32  # a staff login name or employee number (ASCII letters, digits, . _ -)
PIN_MIN_DIGITS = 4  # shorter cannot be anybody's PIN: refused before any hash is tried
PIN_SET_MAX_DIGITS = 8  # a PIN being set (staff, members): 4-8 digits, the touchscreen keypad's 8
# --- paging ------------------------------------------------------------------------------------
PAGE_SIZE_MAX = 1000
PAGE_TOKEN_MAX_CHARS = 512  # a List token carries a listing, its filter and one key: never more
PRODUCTS_PAGE_DEFAULT = MENU_PRODUCTS_MAX  # no page_size: the whole menu, as before paging
JOBS_PAGE_DEFAULT = 100  # ListJobs without page_size: every scheduler job in one page
STAFF_PAGE_DEFAULT = 100  # ListStaff without page_size: a venue's whole staff in one page
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
# --- response sizes (bytes of one serialized answer) -------------------------------------------
TRANSPORT_MESSAGE_BYTES = 4 * 1024 * 1024  # gRPC's default receive limit on every client
RESPONSE_BYTES_MAX = 3 * 1024 * 1024  # an answer (stored for replay too) stays well under it
BILL_PAGE_LINES_DEFAULT = 200  # lines in a Bill message unless the client asks for a page size
BILL_PAGE_LINES_MAX = 1000  # ... and at most this many when it does
BILL_LINES_BYTES_MAX = 1024 * 1024  # a page's lines stop here whatever their count
BILL_ORDERS_BYTES_MAX = 768 * 1024  # the latest orders a Bill message carries stop here
BILL_PAYMENTS_BYTES_MAX = 512 * 1024  # ... and its payments (200 long-referenced ones fit)
AUDIT_PAGE_BYTES_MAX = 2 * 1024 * 1024  # a ListAuditEntries page stops here whatever its size
RECEIPT_LINES_MAX = 300  # a printed receipt's lines (~1.2 m of paper); the rest sum to one line
PRICE_PLAN_TEXT_BYTES_MAX = 256 * 1024  # an imported venue config (the example is 5 KB)
VERIFY_PROBLEMS_MAX = 100  # differences VerifyLedger lists; then one line says how many more
# --- the room's guest controls ------------------------------------------------------------------
KEY_SEMITONES_MAX = 6  # 升降调 either way: past a fourth voices and the pitch filter sound wrong


@dataclass(frozen=True)
class Limits:
    """The bounds a venue can tune (venue settings override the defaults): ``[limits]`` in the
    venue config, money in yuan under the name without ``_fen`` (``price_max = 100000``)."""

    # money (fen)
    price_fen_max: int = 10_000_000  # ¥100,000 a unit: above any bottle on a KTV menu
    bill_fen_max: int = 100_000_000  # ¥1,000,000 a bill: a typo's ¥10^9 is refused, not charged
    payment_fen_max: int = 100_000_000  # one tender (cash handed over included)
    topup_fen_max: int = 5_000_000  # ¥50,000 a top-up (a venue under 预付卡 rules sets ¥5,000)
    balance_fen_max: int = 100_000_000  # ¥1,000,000 of stored value on one member
    # lines and quantities
    order_line_quantity_max: int = 999  # of one product in one order line
    order_lines_max: int = 100  # lines in one order (a menu page, not a warehouse)
    bill_lines_max: int = 2_000  # lines on one bill: orders' lines, fees, discounts, time

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            ceiling = _CEILINGS.get(f.name, FEN_MAX)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ceiling:
                raise InvalidArgument(
                    f"limits.{_key(f.name)} must be between {_shown(f.name, 1)} and "
                    f"{_shown(f.name, ceiling)}, got "
                    + (_shown(f.name, value) if type(value) is int else short(str(value))),
                    reason="BAD_LIMIT",
                )


_CEILINGS = {
    "order_line_quantity_max": ORDER_LINE_QUANTITY_CEILING,
    "order_lines_max": ORDER_LINES_CEILING,
    "bill_lines_max": BILL_LINES_CEILING,
}


def _key(field_name: str) -> str:
    """The venue config's key: money in yuan, so ``price_fen_max`` is ``price_max``."""
    return field_name.replace("_fen_", "_")


def _shown(field_name: str, value: int) -> str:
    if "_fen_" in field_name:
        return f"{value // 100}.{value % 100:02d} yuan"
    return str(value)


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


def limits_from_config(section: Mapping[str, Any]) -> Limits:
    """A venue's ``[limits]`` table: unknown keys are refused (a typo must not silently keep
    the default); money is whole yuan or a "12.50" string, like the rest of the file."""
    if not isinstance(section, Mapping):
        raise InvalidArgument("[limits] must be a table", reason="BAD_LIMIT")
    by_key = {_key(f.name): f.name for f in dataclasses.fields(Limits)}
    values: dict[str, int] = {}
    for key, raw in section.items():
        name = by_key.get(key)
        if name is None:
            known = ", ".join(sorted(by_key))
            raise InvalidArgument(
                f"{short(str(key))} is not a limit (known: {known})", reason="BAD_LIMIT"
            )
        values[name] = _yuan(raw, key) if "_fen_" in name else _count(raw, key)
    return Limits(**values)


def _count(raw: object, key: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise InvalidArgument(f"limits.{key} must be a whole number", reason="BAD_LIMIT")
    return raw


def _yuan(raw: object, key: str) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw * 100 if abs(raw) <= FEN_MAX else FEN_MAX + 1
    if isinstance(raw, str) and len(raw) <= 24:
        whole, _, frac = raw.strip().partition(".")
        if (
            whole.isascii()
            and whole.isdigit()
            and (not frac or (frac.isascii() and frac.isdigit() and len(frac) <= 2))
        ):
            return int(whole) * 100 + int(frac.ljust(2, "0") or "0")
    raise InvalidArgument(
        f"limits.{key} must be yuan: a whole number or a string like '12.50'", reason="BAD_LIMIT"
    )


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
