"""The venue's draws (活动/抽奖), pure: who is eligible, the seed's commitment, and the draw
itself, so anyone holding the revealed seed and the published entrants can check the winners
(:func:`verify`, ``ktvctl draw verify``).

The algorithm, ``ktv-draw-v1`` (docs/guest.md):

1. The seed is 32 random bytes; the commitment, shown from the draw's creation, is
   ``sha256(seed)`` in hex.
2. The entrants are ids (``bills/{tab_id}`` or ``members/{member_id}``), deduplicated and
   sorted by their UTF-8 bytes.
3. For rank ``r`` = 0, 1, ... while winners are wanted and entrants remain, with ``n`` the
   entrants left: for ``c`` = 0, 1, ...: ``x = int(sha256(seed || draw_id || r || c))`` (the
   draw id as UTF-8, ``r`` and ``c`` as 4-byte big-endian; ``x`` read big-endian); the first
   ``x`` below ``2**256 - 2**256 % n`` (no modulo bias) picks index ``x % n``; that entrant is
   the rank's winner and leaves the list (order of the rest kept).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ktv.errors import InvalidArgument

ALGORITHM = "ktv-draw-v1"
SEED_BYTES = 32
_SPACE = 1 << 256


class Eligibility(enum.Enum):
    """Who may enter (ktv.v1.DrawEligibility, same numbers)."""

    BILL_OVER = 1
    ROOM_OPEN = 2
    MEMBER_TIER = 3


class PrizeKind(enum.Enum):
    """What a winner gets (ktv.v1.DrawPrizeKind, same numbers)."""

    COUPON = 1
    COMP_PRODUCT = 2
    COMP_AMOUNT = 3


TIER_ORDER = ("regular", "silver", "gold", "diamond")


@dataclass(frozen=True)
class Prize:
    kind: PrizeKind
    amount_fen: int = 0  # coupon value or amount off
    product: str = ""  # sku for COMP_PRODUCT
    coupon_days_valid: int = 30


@dataclass(frozen=True)
class DrawRule:
    """A draw's window, eligibility and prize, as created."""

    start: datetime
    end: datetime
    eligibility: Eligibility
    prize: Prize
    winner_count: int
    min_bill_fen: int = 0
    tier: str = "regular"  # MEMBER_TIER: the lowest tier that enters


@dataclass(frozen=True)
class BillCandidate:
    """A room session (bill) that overlapped the window, as of the run."""

    tab_id: str
    room_id: str
    opened_at: datetime
    closed_at: datetime | None  # None: still open
    total_fen: int
    member_ids: tuple[str, ...] = ()  # members signed in to it, first first

    @property
    def entrant(self) -> str:
        return f"bills/{self.tab_id}"


@dataclass(frozen=True)
class MemberCandidate:
    """A member who signed in to a room in the window."""

    member_id: str
    tier: str
    signed_in_at: datetime
    room_id: str

    @property
    def entrant(self) -> str:
        return f"members/{self.member_id}"


def check_rule(rule: DrawRule, *, max_window_days: int, max_winners: int) -> None:
    """Refuse a rule that cannot be drawn (InvalidArgument BAD_DRAW), before anything is
    stored."""

    def bad(message: str) -> InvalidArgument:
        return InvalidArgument(message, reason="BAD_DRAW")

    if rule.end <= rule.start:
        raise bad("a draw's window must end after it starts")
    if (rule.end - rule.start).total_seconds() > max_window_days * 86400:
        raise bad(f"a draw's window is at most {max_window_days} days")
    if not 1 <= rule.winner_count <= max_winners:
        raise bad(f"a draw has 1-{max_winners} winners")
    if rule.eligibility is Eligibility.BILL_OVER and rule.min_bill_fen <= 0:
        raise bad("a bill-over draw needs the bill total to reach (min_bill_fen > 0)")
    if rule.eligibility is Eligibility.MEMBER_TIER and rule.tier not in TIER_ORDER:
        raise bad(f"unknown tier {rule.tier!r}")
    prize = rule.prize
    if prize.kind in (PrizeKind.COUPON, PrizeKind.COMP_AMOUNT) and prize.amount_fen <= 0:
        raise bad("the prize needs an amount (fen > 0)")
    if prize.kind is PrizeKind.COMP_PRODUCT and not prize.product:
        raise bad("a product prize names the product (sku)")
    if prize.kind is PrizeKind.COUPON and not 1 <= prize.coupon_days_valid <= 366:
        raise bad("a coupon prize stays valid 1-366 days")
    if rule.eligibility is Eligibility.MEMBER_TIER and prize.kind is not PrizeKind.COUPON:
        raise bad("members win coupons (a comp needs a bill: use a bill or room draw)")


def _overlaps(bill: BillCandidate, rule: DrawRule) -> bool:
    return bill.opened_at < rule.end and (bill.closed_at is None or bill.closed_at > rule.start)


def eligible_bills(rule: DrawRule, bills: Iterable[BillCandidate]) -> list[str]:
    """The sorted entrants of a bill or room draw: sessions overlapping the window (and with
    the total reached, for BILL_OVER). A comp prize lands on an open bill, so a comp draw
    enters only bills still open at the run; a coupon needs a member to hold it, so a coupon
    draw enters only bills a member signed in to."""
    found = set()
    for bill in bills:
        if not _overlaps(bill, rule):
            continue
        if rule.eligibility is Eligibility.BILL_OVER and bill.total_fen < rule.min_bill_fen:
            continue
        if rule.prize.kind is PrizeKind.COUPON and not bill.member_ids:
            continue
        if rule.prize.kind is not PrizeKind.COUPON and bill.closed_at is not None:
            continue
        found.add(bill.entrant)
    return entrant_order(found)


def eligible_members(rule: DrawRule, members: Iterable[MemberCandidate]) -> list[str]:
    """The sorted entrants of a tier draw: members of the tier or higher who signed in to a
    room in the window."""
    lowest = TIER_ORDER.index(rule.tier)
    found = {
        m.entrant
        for m in members
        if rule.start <= m.signed_in_at < rule.end
        and m.tier in TIER_ORDER
        and TIER_ORDER.index(m.tier) >= lowest
    }
    return entrant_order(found)


def entrant_order(entrants: Iterable[str]) -> list[str]:
    """Deduplicated, sorted by UTF-8 bytes (the same order in every language)."""
    return sorted(set(entrants), key=lambda e: e.encode("utf-8"))


def new_seed() -> str:
    """A fresh seed, hex."""
    return secrets.token_hex(SEED_BYTES)


def _seed_bytes(seed_hex: str) -> bytes:
    try:
        raw = bytes.fromhex(seed_hex)
    except ValueError:
        raw = b""
    if len(raw) != SEED_BYTES:
        raise InvalidArgument(f"a seed is {SEED_BYTES} bytes in hex", reason="BAD_DRAW")
    return raw


def commitment(seed_hex: str) -> str:
    """sha256 of the seed's bytes, hex: what the draw shows before it is run."""
    return hashlib.sha256(_seed_bytes(seed_hex)).hexdigest()


def draw_winners(seed_hex: str, draw_id: str, entrants: Sequence[str], count: int) -> list[str]:
    """The winners, in draw order (module docstring: ``ktv-draw-v1``)."""
    seed = _seed_bytes(seed_hex)
    pool = entrant_order(entrants)
    did = draw_id.encode("utf-8")
    winners: list[str] = []
    for rank in range(min(count, len(pool))):
        n = len(pool)
        limit = _SPACE - _SPACE % n
        counter = 0
        while True:
            digest = hashlib.sha256(
                seed + did + rank.to_bytes(4, "big") + counter.to_bytes(4, "big")
            ).digest()
            x = int.from_bytes(digest, "big")
            if x < limit:
                break
            counter += 1
        winners.append(pool.pop(x % n))
    return winners


@dataclass(frozen=True)
class Published:
    """What a drawn draw publishes: enough to check it."""

    draw_id: str
    seed_sha256: str
    seed: str
    entrants: tuple[str, ...]
    winner_count: int
    winners: tuple[str, ...]


def verify(draw: Published) -> list[str]:
    """What is wrong with a published draw (empty: it checks out): the seed matches the
    commitment, the entrants are in the documented order, and the winners are the ones the
    seed draws."""
    problems: list[str] = []
    try:
        if commitment(draw.seed) != draw.seed_sha256.lower():
            problems.append("the revealed seed does not match the commitment")
        expected = draw_winners(draw.seed, draw.draw_id, draw.entrants, draw.winner_count)
    except InvalidArgument as error:
        return [str(error)]
    if list(draw.entrants) != entrant_order(draw.entrants):
        problems.append("the entrants are not in the documented (sorted, unique) order")
    if list(draw.winners) != expected:
        problems.append(f"the winners should be {expected}, published {list(draw.winners)}")
    outside = set(draw.winners) - set(draw.entrants)
    if outside:
        problems.append(f"winners outside the entrants: {sorted(outside)}")
    return problems
