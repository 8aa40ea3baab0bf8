"""Draws in the store: create (commit to a seed), run (the eligible set as of the run, the
winners from :mod:`controller.club.draws`, prizes landed, the seed revealed), read.

A run is one transaction: the winners, every prize (a coupon issued, a comped product or an
amount off on the bill, through billing's own actions) and the revealed seed commit together
or not at all, and a drawn draw is never drawn again (a second run answers the first result),
so a prize lands once however often the RPC is retried or re-run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from controller.auth.model import Role
from controller.billing.records import Actor
from controller.billing.service import BillingDesk
from controller.club import draws
from controller.club import schema as _schema  # noqa: F401 - registers the club migrations
from controller.club.draws import (
    BillCandidate,
    DrawRule,
    Eligibility,
    MemberCandidate,
    Prize,
    PrizeKind,
)
from controller.members.coupons import CouponKind, CouponSpec
from controller.members.loyalty import LoyaltyDesk
from controller.store.db import Store
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound
from ktv.text import bounded

DRAW_WINDOW_DAYS_MAX = 31
DRAW_WINNERS_MAX = 100
DRAW_TITLE_MAX_CHARS = 40
DRAWS = Actor("draws", Role.ADMIN)  # a draw's prizes are the rule the manager created


@dataclass(frozen=True)
class Winner:
    rank: int
    entrant: str
    room_id: str
    prize_reference: str


@dataclass(frozen=True)
class DrawRecord:
    draw_id: str
    title: str
    rule: DrawRule
    seed_sha256: str
    seed: str  # the secret until drawn: never send it before drawn_at
    created_at: datetime
    created_by: str
    drawn_at: datetime | None
    entrants: tuple[str, ...]
    winners: tuple[Winner, ...]

    @property
    def drawn(self) -> bool:
        return self.drawn_at is not None

    def published(self) -> draws.Published:
        return draws.Published(
            self.draw_id,
            self.seed_sha256,
            self.seed if self.drawn else "",
            self.entrants,
            self.rule.winner_count,
            tuple(w.entrant for w in self.winners),
        )


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class DrawDesk:
    def __init__(self, billing: BillingDesk, loyalty: LoyaltyDesk) -> None:
        self.billing = billing
        self.loyalty = loyalty
        self.store: Store = billing.store
        self.clock: Callable[[], datetime] = billing.clock

    # --- create ------------------------------------------------------------------------------
    def create(self, title: str, rule: DrawRule, created_by: str) -> DrawRecord:
        draws.check_rule(rule, max_window_days=DRAW_WINDOW_DAYS_MAX, max_winners=DRAW_WINNERS_MAX)
        prize = rule.prize
        if prize.kind is PrizeKind.COMP_PRODUCT and prize.product not in self.products():
            raise NotFound(f"no product {prize.product!r} on the menu", reason="UNKNOWN_PRODUCT")
        seed = draws.new_seed()
        draw_id = uuid.uuid4().hex[:12]
        now = self.clock()
        p = rule.prize
        with self.store.transaction():
            self.store.execute(
                "INSERT INTO club_draws (draw_id, title, start_at, end_at, eligibility,"
                " min_bill_fen, tier, prize_kind, prize_amount_fen, prize_product, coupon_days,"
                " winner_count, seed, seed_sha256, created_at, created_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    draw_id,
                    title,
                    rule.start.isoformat(),
                    rule.end.isoformat(),
                    rule.eligibility.value,
                    rule.min_bill_fen,
                    rule.tier,
                    p.kind.value,
                    p.amount_fen,
                    p.product,
                    p.coupon_days_valid,
                    rule.winner_count,
                    seed,
                    draws.commitment(seed),
                    now.isoformat(),
                    created_by,
                ),
            )
        return self.get(draw_id)

    def products(self) -> set[str]:
        return set(self.billing.records.products())

    # --- read --------------------------------------------------------------------------------
    def get(self, draw_id: str) -> DrawRecord:
        row = self.store.query_one("SELECT * FROM club_draws WHERE draw_id = ?", (draw_id,))
        if row is None:
            raise NotFound(f"no draw draws/{draw_id}", reason="UNKNOWN_DRAW")
        return self._record(row)

    def list(self, limit: int, before: tuple[str, str] | None = None) -> list[DrawRecord]:
        """Newest first; ``before`` (created_at, draw_id) of the previous page's last."""
        sql, params = "SELECT * FROM club_draws", []
        if before is not None:
            sql += " WHERE (created_at, draw_id) < (?, ?)"
            params = list(before)
        sql += " ORDER BY created_at DESC, draw_id DESC LIMIT ?"
        params.append(str(limit))
        return [self._record(r) for r in self.store.query(sql, tuple(params))]

    def visible_to_room(self, now: datetime, lookback: timedelta) -> list[DrawRecord]:
        """Draws a room's guests see: not drawn yet, or drawn within ``lookback``."""
        rows = self.store.query(
            "SELECT * FROM club_draws WHERE drawn_at IS NULL OR drawn_at >= ?"
            " ORDER BY created_at DESC, draw_id DESC LIMIT 20",
            ((now - lookback).isoformat(),),
        )
        return [self._record(r) for r in rows]

    def _record(self, row: Any) -> DrawRecord:
        winners = tuple(
            Winner(w["rank"], w["entrant"], w["room_id"], w["prize_reference"])
            for w in self.store.query(
                "SELECT * FROM club_draw_winners WHERE draw_id = ? ORDER BY rank",
                (row["draw_id"],),
            )
        )
        rule = DrawRule(
            start=datetime.fromisoformat(row["start_at"]),
            end=datetime.fromisoformat(row["end_at"]),
            eligibility=Eligibility(row["eligibility"]),
            prize=Prize(
                PrizeKind(row["prize_kind"]),
                row["prize_amount_fen"],
                row["prize_product"],
                row["coupon_days"],
            ),
            winner_count=row["winner_count"],
            min_bill_fen=row["min_bill_fen"],
            tier=row["tier"],
        )
        return DrawRecord(
            row["draw_id"],
            row["title"],
            rule,
            row["seed_sha256"],
            row["seed"],
            datetime.fromisoformat(row["created_at"]),
            row["created_by"],
            _at(row["drawn_at"]),
            tuple(json.loads(row["entrants"])),
            winners,
        )

    # --- run ---------------------------------------------------------------------------------
    def run(self, draw_id: str, drawn_by: str) -> DrawRecord:
        """Draw once: a drawn draw answers its result and lands nothing again."""
        with self.store.transaction():
            record = self.get(draw_id)
            if record.drawn:
                return record
            now = self.clock()
            if now < record.rule.end:
                raise FailedPrecondition(
                    f"draws/{draw_id} runs after its window ends ({record.rule.end.isoformat()})",
                    reason="DRAW_NOT_DUE",
                )
            rule = record.rule
            bills: dict[str, BillCandidate] = {}
            members: dict[str, MemberCandidate] = {}
            if rule.eligibility is Eligibility.MEMBER_TIER:
                members = {m.entrant: m for m in self._member_candidates(rule)}
                entrants = draws.eligible_members(rule, members.values())
            else:
                bills = {b.entrant: b for b in self._bill_candidates(rule, now)}
                entrants = draws.eligible_bills(rule, bills.values())
            chosen = draws.draw_winners(record.seed, draw_id, entrants, rule.winner_count)
            for rank, entrant in enumerate(chosen, start=1):
                if entrant in bills:
                    bill = bills[entrant]
                    room_id, reference = bill.room_id, self._land_on_bill(record, bill)
                else:
                    member = members[entrant]
                    room_id = member.room_id
                    reference = self._coupon(record, member.member_id)
                self.store.execute(
                    "INSERT INTO club_draw_winners (draw_id, rank, entrant, room_id,"
                    " prize_reference) VALUES (?, ?, ?, ?, ?)",
                    (draw_id, rank, entrant, room_id, reference),
                )
            self.store.execute(
                "UPDATE club_draws SET drawn_at = ?, drawn_by = ?, entrants = ?"
                " WHERE draw_id = ? AND drawn_at IS NULL",
                (now.isoformat(), drawn_by, json.dumps(entrants), draw_id),
            )
            return self.get(draw_id)

    def _land_on_bill(self, record: DrawRecord, bill: BillCandidate) -> str:
        prize = record.rule.prize
        reason = f"抽奖 {record.title}"
        if prize.kind is PrizeKind.COUPON:
            return self._coupon(record, bill.member_ids[0])
        if prize.kind is PrizeKind.COMP_PRODUCT:
            placed = self.billing.order(bill.room_id, [(prize.product, 1)], DRAWS)
            self.billing.update_order(bill.room_id, placed.order_id, "comp", DRAWS, reason=reason)
            return f"bills/{bill.tab_id}#{placed.order_id}"
        outcome = self.billing.discount(
            bill.room_id, DRAWS, reason=reason, amount_fen=prize.amount_fen
        )
        latest = outcome.tab.discounts[-1].discount_id if outcome.tab.discounts else ""
        return f"bills/{bill.tab_id}#{latest}"

    def _coupon(self, record: DrawRecord, member_id: str) -> str:
        now = self.clock()
        prize = record.rule.prize
        spec = CouponSpec(
            CouponKind.FIXED,
            prize.amount_fen,
            now,
            now + timedelta(days=prize.coupon_days_valid),
            campaign=f"draw:{record.draw_id}",
        )
        return self.loyalty.issue_coupon(member_id, spec).code

    def _bill_candidates(self, rule: DrawRule, now: datetime) -> list[BillCandidate]:
        rows = self.store.query(
            "SELECT tab_id, rooms, opened_at, closed_at, total_fen FROM billing_tabs"
            " WHERE merged_into = '' AND opened_at < ? AND (closed_at IS NULL OR closed_at > ?)",
            (rule.end.isoformat(), rule.start.isoformat()),
        )
        open_rooms = {tab: room for room, tab in self.billing.records.open_rooms().items()}
        found = []
        for r in rows:
            tab_id = r["tab_id"]
            is_open = tab_id in open_rooms
            total = self.billing.bill(tab_id, now).bill.total_fen if is_open else r["total_fen"]
            signed = self.store.query(
                "SELECT member_id FROM member_sessions WHERE tab_id = ? ORDER BY at, member_id",
                (tab_id,),
            )
            found.append(
                BillCandidate(
                    tab_id,
                    open_rooms.get(tab_id) or r["rooms"].split(",")[0],
                    datetime.fromisoformat(r["opened_at"]),
                    None if is_open else _at(r["closed_at"]) or now,
                    total,
                    tuple(s["member_id"] for s in signed),
                )
            )
        return found

    def _member_candidates(self, rule: DrawRule) -> list[MemberCandidate]:
        rows = self.store.query(
            "SELECT s.member_id, m.tier, s.at, s.room_id FROM member_sessions s"
            " JOIN members m USING (member_id) WHERE s.at >= ? AND s.at < ? ORDER BY s.at",
            (rule.start.isoformat(), rule.end.isoformat()),
        )
        return [
            MemberCandidate(
                r["member_id"], r["tier"], datetime.fromisoformat(r["at"]), r["room_id"]
            )
            for r in rows
        ]


def check_title(title: str) -> str:
    value = bounded(title or "", what="the draw's title", max_len=DRAW_TITLE_MAX_CHARS).strip()
    if not value:
        raise InvalidArgument("a draw needs a title", reason="BAD_DRAW")
    return value
