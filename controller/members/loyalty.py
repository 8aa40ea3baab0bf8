"""Loyalty at the desk: visits (spend for tiers), points, coupons. One transaction per action
over the same store as :class:`MemberDesk`; rows are converted here, rules live in
``points``, ``tiers`` and ``coupons``."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from controller.members import settings
from controller.members.coupons import Coupon, CouponSpec, redeem_total
from controller.members.desk import MemberDesk
from controller.members.loyalty_records import LoyaltyRecords
from controller.members.model import Tier
from controller.members.points import (
    PointsRules,
    SpendLine,
    discount_for,
    points_earned,
    points_to_expire,
)
from controller.members.tiers import TierRules, rolling_spend, tier_for
from ktv.errors import FailedPrecondition, NotFound


@dataclass(frozen=True)
class VisitOutcome:
    points_earned: int
    tier: Tier
    recorded: bool  # False: this bill was already credited (a retry)


@dataclass
class LoyaltyDesk:
    members: MemberDesk
    points_rules: PointsRules = field(default_factory=PointsRules)
    tier_rules: TierRules = field(default_factory=TierRules)

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.members.store

    @property
    def records(self) -> LoyaltyRecords:
        return LoyaltyRecords(self.store)

    def now(self) -> datetime:
        return self.members.clock()

    # --- visits, tiers, points --------------------------------------------------------------
    def record_visit(self, member_id: str, bill: str, lines: Sequence[SpendLine]) -> VisitOutcome:
        """Credit a member with a closed bill: spend (for the tier) and points; once per bill."""
        now = self.now()
        spend = sum(max(line.amount_fen, 0) for line in lines)
        with self.store.transaction():
            member = self.members.get(member_id)
            if not self.members.records.record_visit(member_id, bill, now, spend):
                return VisitOutcome(0, member.tier, recorded=False)
            multiplier = self.tier_rules.benefits[member.tier].points_multiplier_bp
            earned = points_earned(lines, multiplier, self.points_rules)
            if earned:
                self._points(
                    member_id,
                    "earn",
                    earned,
                    f"earn:{bill}:{member_id}",
                    bill,
                    expires_on=(now + timedelta(days=settings.points_valid_days)).date(),
                )
            tier = self.refresh_tier(member_id)
            return VisitOutcome(earned, tier, recorded=True)

    def refresh_tier(self, member_id: str) -> Tier:
        """Tier from the last 12 months of visits (up and down)."""
        with self.store.transaction():
            visits = self.members.records.visits(member_id)
            tier = tier_for(rolling_spend(visits, self.now()), self.tier_rules)
            self.members.records.set_tier(member_id, tier)
            return tier

    def redeem_points(self, member_id: str, points: int, *, request_id: str, bill: str) -> int:
        """Spend points as a discount on a bill; returns the fen off (a retry returns it again)."""
        with self.store.transaction():
            done = self.records.points_of_request(request_id)
            if done is not None:
                return -done * self.points_rules.fen_per_point_redeemed
            self.expire_points(member_id)
            fen = discount_for(points, self.members.get(member_id).points, self.points_rules)
            self._points(member_id, "redeem", -points, request_id, bill)
            return fen

    def spend_points(self, member_id: str, points: int, *, request_id: str, reference: str) -> None:
        """Take ``points`` for something bought with them (the caller checked the price)."""
        with self.store.transaction():
            self._points(member_id, "redeem", -points, request_id, reference)

    def expire_points(self, member_id: str) -> int:
        today = self.now().date()
        with self.store.transaction():
            entries = self.records.points_entries(member_id)
            gone = points_to_expire(entries, today)
            if gone:
                self._points(member_id, "expire", -gone, f"expire:{member_id}:{today}", "")
            return gone

    def expire_all(self, batch: int = settings.job_batch_members) -> tuple[int, int]:
        """Expire what is due for every member (the daily job): (members, points).

        Who has points to expire comes from one aggregate scan on a read-only connection of
        its own (WAL: it never holds the store's lock, so requests keep flowing); the
        expiries are written ``batch`` members per transaction (one commit, not thousands).
        """
        due = self.records.members_with_points_due(self.now().date())
        members = points = 0
        for start in range(0, len(due), batch):
            with self.store.transaction():
                for member_id in due[start : start + batch]:
                    gone = self.expire_points(member_id)
                    members += 1 if gone else 0
                    points += gone
        return members, points

    def points_history(self, member_id: str) -> list[dict[str, Any]]:
        return self.records.points_history(member_id)

    def _points(
        self,
        member_id: str,
        kind: str,
        points: int,
        request_id: str,
        reference: str,
        *,
        expires_on: Any = None,
    ) -> None:
        self.records.add_points(
            member_id, kind, points, self.now(), request_id, reference, expires_on
        )

    # --- coupons ----------------------------------------------------------------------------
    def issue_coupon(self, member_id: str, spec: CouponSpec) -> Coupon:
        coupon = Coupon(f"C{secrets.token_hex(5).upper()}", member_id, spec, self.now())
        with self.store.transaction():
            self.members.get(member_id)
            self.records.insert_coupon(coupon)
        return coupon

    def coupons(
        self,
        member_id: str,
        *,
        usable_only: bool = False,
        after: tuple[str, str] | None = None,
        limit: int = -1,
    ) -> list[Coupon]:
        return self.records.coupons(
            member_id, self.now() if usable_only else None, after=after, limit=limit
        )

    def coupon(self, code: str) -> Coupon:
        found = self.records.coupon(code.upper())
        if found is None:
            raise NotFound(f"no coupon {code}", reason="UNKNOWN_COUPON")
        return found

    def use_coupons(
        self, codes: Sequence[str], bill: str, lines: Sequence[SpendLine], *, request_id: str
    ) -> int:
        """Use coupons on a bill: fen off. Each coupon is used once, atomically: the
        conditional UPDATE is the lock, so two desks racing for one coupon get one use."""
        now = self.now()
        with self.store.transaction():
            used = self.records.coupon_codes_used_by(request_id)
            coupons = [self.coupon(c) for c in codes]
            if used and used == {c.code for c in coupons}:
                return redeem_total([_unused(c) for c in coupons], lines, coupons[0].used_at or now)
            off = redeem_total(coupons, lines, now)
            for c in coupons:
                if not self.records.use_coupon(c.code, now, bill, request_id):
                    raise FailedPrecondition(
                        f"coupon {c.code} was already used", reason="COUPON_USED"
                    )
            return off


def _unused(c: Coupon) -> Coupon:
    return Coupon(c.code, c.member_id, c.spec, c.issued_at)
