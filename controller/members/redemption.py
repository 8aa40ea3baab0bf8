"""Points redeemed for a product on a room's open bill, in one transaction: the item goes on
the bill and is comped (赠送 at 0, reason ``积分兑换``), the points entry is written, the
member joins the session. Unknown product, a product without a points price, not enough
points, a closed or missing session: a clear error and nothing written. A retry with the same
request id returns the first redemption."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from controller.billing.service import BillingDesk
from controller.members.checkout import MEMBERSHIP
from controller.members.loyalty import LoyaltyDesk
from controller.members.rewards import (
    Redeemed,
    Reward,
    RewardStock,
    UntrackedStock,
    points_needed,
)
from ktv.errors import Conflict, NotFound


@dataclass
class ProductRedemption:
    billing: BillingDesk
    loyalty: LoyaltyDesk
    stock: RewardStock = field(default_factory=UntrackedStock)

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.billing.store

    def set_rewards(self, rewards: Sequence[Reward]) -> None:
        """The venue config is the truth: the points prices become exactly these."""
        with self.store.transaction():
            self.store.execute("DELETE FROM member_rewards")
            for r in rewards:
                self.store.execute(
                    "INSERT INTO member_rewards (sku, points) VALUES (?, ?)", (r.sku, r.points)
                )

    def rewards(self) -> dict[str, Reward]:
        rows = self.store.query("SELECT sku, points FROM member_rewards ORDER BY sku")
        return {r["sku"]: Reward(r["sku"], r["points"]) for r in rows}

    def redeem(
        self, room_id: str, member_id: str, sku: str, *, quantity: int = 1, request_id: str
    ) -> Redeemed:
        with self.store.transaction():
            done = self._replay(request_id, member_id)
            if done is not None:
                return done
            tab_id = self.billing.tab_id_of(room_id)  # NO_OPEN_SESSION when closed
            product = self.billing.records.products().get(sku)
            if product is None:
                raise NotFound(f"no product {sku!r} on the menu", reason="UNKNOWN_PRODUCT")
            self.loyalty.expire_points(member_id)
            held = self.loyalty.members.get(member_id).points
            needed = points_needed(self.rewards().get(sku), sku, quantity, held)
            self.stock.take(sku, quantity, request_id)
            placed = self.billing.order(room_id, [(sku, quantity)], MEMBERSHIP)
            self.billing.update_order(
                room_id, placed.order_id, "comp", MEMBERSHIP, reason=f"积分兑换 {needed}"
            )
            bill = f"bills/{tab_id}"
            self.loyalty.spend_points(
                member_id, needed, request_id=request_id, reference=f"{bill}#{placed.order_id}"
            )
            self.loyalty.members.records.attach(tab_id, member_id, room_id, self.loyalty.now())
            left = self.loyalty.members.get(member_id).points
            return Redeemed(bill, placed.order_id, sku, quantity, needed, left)

    def _replay(self, request_id: str, member_id: str) -> Redeemed | None:
        row = self.store.query_one(
            "SELECT member_id, points, reference FROM member_points"
            " WHERE request_id = ? AND kind = 'redeem'",
            (request_id,),
        )
        if row is None:
            return None
        if row["member_id"] != member_id:
            raise Conflict(
                f"request id {request_id} was used for another member", reason="REQUEST_ID_REUSED"
            )
        bill, _, order_id = row["reference"].partition("#")
        order = self.billing.bill(bill.removeprefix("bills/")).tab.order(order_id)
        line = order.lines[0]
        left = self.loyalty.members.get(row["member_id"]).points
        return Redeemed(bill, order_id, line.sku, line.quantity, -row["points"], left)
