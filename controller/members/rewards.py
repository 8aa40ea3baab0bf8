"""Points redeemed for products (积分兑换): a points price per product, and the rules.

The venue sets the price on the menu item in its config::

    [[menu]]
    sku = "fruit"
    name = "果盘"
    price = 38
    points = 3000        # redeemable: 3,000 points for one

Pure: no grpc, no sqlite. Stock is not tracked yet: :class:`RewardStock` is the seam an
inventory module fills (take one from stock inside the redemption's transaction, or refuse).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ktv.errors import FailedPrecondition, InvalidArgument

MAX_QUANTITY = 99


@dataclass(frozen=True)
class Reward:
    sku: str
    points: int  # points for one


@dataclass(frozen=True)
class Redeemed:
    bill: str  # bills/{tab_id}
    order_id: str
    sku: str
    quantity: int
    points: int  # spent
    points_left: int


def rewards_from_config(data: Mapping[str, Any]) -> list[Reward]:
    """The redeemable menu items of a venue config (``points`` on a ``[[menu]]`` item)."""
    out = []
    for item in data.get("menu", []):
        if "points" not in item:
            continue
        sku = str(item.get("sku", ""))
        points = item["points"]
        if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
            raise InvalidArgument(
                f"menu.{sku}.points: a whole number of points > 0, not {points!r}"
            )
        out.append(Reward(sku, points))
    return out


def points_needed(reward: Reward | None, sku: str, quantity: int, points_held: int) -> int:
    """What the redemption costs, or the reason it cannot happen."""
    if not 0 < quantity <= MAX_QUANTITY:
        raise InvalidArgument(f"quantity {quantity}: 1 to {MAX_QUANTITY}", reason="BAD_QUANTITY")
    if reward is None:
        raise FailedPrecondition(f"{sku} cannot be redeemed with points", reason="NOT_REDEEMABLE")
    needed = reward.points * quantity
    if points_held < needed:
        raise FailedPrecondition(
            f"{quantity} x {sku} needs {needed} points; the member has {points_held}",
            reason="INSUFFICIENT_POINTS",
        )
    return needed


class RewardStock(Protocol):
    """Inventory's seam: take ``quantity`` of ``sku`` for a redemption (inside its
    transaction), or raise ``FailedPrecondition(reason="OUT_OF_STOCK")``."""

    def take(self, sku: str, quantity: int, request_id: str) -> None: ...


class UntrackedStock:
    """No inventory module yet: the menu's sold-out flag is the only stock there is."""

    def take(self, sku: str, quantity: int, request_id: str) -> None:
        return None


def skus(rewards: Iterable[Reward]) -> list[str]:
    return [r.sku for r in rewards]
