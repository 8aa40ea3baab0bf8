"""Members at checkout: coupons and points become a discount line on the bill, and a closed
bill credits the member (spend for the tier, points). Each action is one transaction over
billing's desk and the loyalty desk on the same store, so a coupon is never used without
its discount landing on the bill, nor the other way round."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from controller.auth.model import Role
from controller.billing.bill import Bill, LineKind, Outcome
from controller.billing.money import div_half_up
from controller.billing.records import Actor
from controller.billing.service import BillingDesk
from controller.billing.settlement import BillSettled, SettledHook
from controller.members.loyalty import LoyaltyDesk, VisitOutcome
from controller.members.points import SpendLine
from ktv.errors import FailedPrecondition, InvalidArgument

log = logging.getLogger(__name__)
MEMBERSHIP = Actor("membership", Role.ADMIN)  # member benefits are pre-approved rules
CATEGORY_OF = {
    LineKind.ROOM_TIME: "room",
    LineKind.TIME_BOUGHT: "room",
    LineKind.ORDER: "orders",
    LineKind.FEE: "fees",
    LineKind.MINIMUM_SPEND: "fees",
    LineKind.SERVICE_CHARGE: "fees",
}


def spend_lines(bill: Bill) -> list[SpendLine]:
    """The bill by category (room, orders, fees), scaled down to what the bill totals after
    discounts and rounding."""
    raw: dict[str, int] = {}
    for line in bill.lines:
        category = CATEGORY_OF.get(line.kind)
        if category is not None and line.amount_fen > 0:
            raw[category] = raw.get(category, 0) + line.amount_fen
    gross = sum(raw.values())
    total = max(bill.total_fen, 0)
    if gross <= total or gross == 0:
        return [SpendLine(c, a) for c, a in raw.items()]
    return [SpendLine(c, a * total // gross) for c, a in raw.items()]


@dataclass(frozen=True)
class Benefits:
    outcome: Outcome
    coupons_fen: int
    points_fen: int
    tier_fen: int = 0


@dataclass
class MemberCheckout:
    billing: BillingDesk
    loyalty: LoyaltyDesk

    def apply(
        self,
        room_id: str,
        member_id: str,
        *,
        coupons: Sequence[str] = (),
        points: int = 0,
        tier_discount: bool = False,
        request_id: str,
    ) -> Benefits:
        """Use the tier's discounts (room %, orders %), coupons and/or points on the room's
        open bill as one discount line."""
        if not coupons and points <= 0 and not tier_discount:
            raise InvalidArgument("give coupons, points or the tier discount", reason="NO_BENEFIT")
        store = self.billing.store
        with store.transaction():
            tab_id = self.billing.tab_id_of(room_id)
            bill = self.billing.bill(tab_id).bill
            name = f"bills/{tab_id}"
            lines = spend_lines(bill)
            for code in coupons:
                owner = self.loyalty.coupon(code).member_id
                if owner and owner != member_id:
                    raise FailedPrecondition(
                        f"coupon {code} belongs to another member", reason="NOT_YOUR_COUPON"
                    )
            coupon_fen = (
                self.loyalty.use_coupons(coupons, name, lines, request_id=request_id)
                if coupons
                else 0
            )
            points_fen = (
                self.loyalty.redeem_points(
                    member_id, points, request_id=f"{request_id}:points", bill=name
                )
                if points > 0
                else 0
            )
            tier_fen = self._tier_fen(member_id, lines) if tier_discount else 0
            off = coupon_fen + points_fen + tier_fen
            if off > bill.due_fen:
                raise FailedPrecondition(
                    f"benefits of {off} fen exceed the {bill.due_fen} fen still due",
                    reason="BENEFIT_TOO_LARGE",
                )
            self.loyalty.members.records.attach(tab_id, member_id, room_id, self.loyalty.now())
            parts = [f"券 {', '.join(c.upper() for c in coupons)}"] if coupons else []
            parts += [f"积分 {points}"] if points > 0 else []
            parts += [f"{self.loyalty.members.get(member_id).tier.value} 折扣"] if tier_fen else []
            if off == 0:
                raise FailedPrecondition("nothing to take off this bill", reason="NO_BENEFIT")
            outcome = self.billing.discount(
                room_id, MEMBERSHIP, reason="会员 " + " + ".join(parts), amount_fen=off
            )
            return Benefits(outcome, coupon_fen, points_fen, tier_fen)

    def _tier_fen(self, member_id: str, lines: Sequence[SpendLine]) -> int:
        tier = self.loyalty.refresh_tier(member_id)
        perks = self.loyalty.tier_rules.benefits[tier]
        room = sum(x.amount_fen for x in lines if x.category == "room")
        orders = sum(x.amount_fen for x in lines if x.category == "orders")
        return div_half_up(room * perks.room_discount_bp, 10_000) + div_half_up(
            orders * perks.drink_discount_bp, 10_000
        )

    def credit(self, tab_id: str) -> dict[str, VisitOutcome]:
        """After checkout: every member attached to the bill is credited with it once."""
        outcome = self.billing.bill(tab_id)
        if outcome.tab.merged_into:
            raise FailedPrecondition(
                f"bill {tab_id} was merged into bills/{outcome.tab.merged_into}: credit that one",
                reason="BILL_MERGED",
            )
        if outcome.tab.is_open:
            raise FailedPrecondition(f"bill {tab_id} is still open", reason="BILL_OPEN")
        return credit_members(self.loyalty, tab_id, outcome.tab.merged_from, outcome.bill)

    def sweep(self, since: datetime) -> int:
        """Credit closed bills whose members were not credited (the settled hook failed, or
        the member was attached after checkout). Returns how many members were credited."""
        credited = 0
        for tab_id in self.loyalty.members.records.uncredited_bills(since):
            credited += sum(c.recorded for c in self.credit(tab_id).values())
        return credited


def credit_members(
    loyalty: LoyaltyDesk, tab_id: str, merged_from: Sequence[str], bill: Bill
) -> dict[str, VisitOutcome]:
    """Credit every member attached to the bill (or to a tab merged into it) once: spend
    for the tier and points by category x tier multiplier. A retry credits nobody twice."""
    lines = spend_lines(bill)
    members: dict[str, None] = {}
    for tab in (tab_id, *merged_from):
        members.update(dict.fromkeys(loyalty.members.records.members_of_tab(tab)))
    with loyalty.store.transaction():
        return {m: loyalty.record_visit(m, f"bills/{tab_id}", lines) for m in members}


def credit_on_settle(loyalty: LoyaltyDesk) -> SettledHook:
    """Billing's settled hook: members are credited inside the checkout's transaction. A
    failure here is logged and rolled back alone (a savepoint): the checkout still commits
    and the scheduler's credit sweep catches up."""

    def on_settled(settled: BillSettled) -> None:
        try:
            with loyalty.store.transaction():
                credit_members(loyalty, settled.tab_id, settled.merged_tab_ids, settled.bill)
        except Exception:
            log.exception("crediting members of bills/%s failed; the sweep retries", settled.tab_id)

    return on_settled
