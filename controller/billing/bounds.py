"""Billing's bounds: the venue's :class:`ktv.limits.Limits` (and the system's) applied to
orders, bills, payments, discounts and prices. Pure: every check runs before the work it
guards (pricing, provider charges, writes) and raises InvalidArgument with a machine reason;
docs/limits.md lists them.

Bounds apply to what is new: a price plan already stored, or a bill already past a bound
that was lowered, loads and replays as it is (the ledger's own rules never change).
"""

from __future__ import annotations

from collections.abc import Sequence

from controller.billing.bill import Bill
from controller.billing.money import format_yuan
from controller.billing.plan import PricePlan
from controller.billing.records import OrderLine
from controller.billing.tab import Tab
from ktv.errors import InvalidArgument
from ktv.limits import (
    BILL_PAYMENTS_MAX,
    CODE_MAX_CHARS,
    DEFAULT,
    MENU_PRODUCTS_MAX,
    NAME_MAX_CHARS,
    PERCENT_BP_MAX,
    PRICE_PLAN_TEXT_BYTES_MAX,
    Limits,
    check_fen,
)
from ktv.text import bounded, short


def check_order_items(items: Sequence[tuple[str, int]], limits: Limits = DEFAULT) -> None:
    """An order's shape within the venue's bounds (cheap: runs before any lookup or price)."""
    if not items:
        raise InvalidArgument("an order needs at least one item", reason="EMPTY_ORDER")
    if len(items) > limits.order_lines_max:
        raise InvalidArgument(
            f"an order has at most {limits.order_lines_max} lines, this one has {len(items)}",
            reason="ORDER_TOO_LONG",
        )
    for sku, quantity in items:
        if quantity <= 0:
            raise InvalidArgument(f"{short(sku)}: quantity must be positive", reason="BAD_QUANTITY")
        if quantity > limits.order_line_quantity_max:
            raise InvalidArgument(
                f"{short(sku)}: at most {limits.order_line_quantity_max} in one line, "
                f"got {quantity}",
                reason="QUANTITY_TOO_LARGE",
            )


def check_bill_room(tab: Tab, more_lines: int, limits: Limits = DEFAULT) -> None:
    """Refuse what would put more than ``bill_lines_max`` lines on the tab's bill."""
    if tab.line_count + more_lines > limits.bill_lines_max:
        raise InvalidArgument(
            f"bill {tab.tab_id} has {tab.line_count} lines: {more_lines} more would pass the "
            f"venue's {limits.bill_lines_max} (check out and open a new bill)",
            reason="BILL_TOO_LONG",
        )


def check_order_line(line: OrderLine, limits: Limits = DEFAULT) -> OrderLine:
    """One line's amount at most a bill's bound (a stored price from before prices were
    bounded is refused here, not summed into an overflow)."""
    check_fen(
        line.amount_fen,
        what=f"{line.name} x{line.quantity}",
        max_fen=limits.bill_fen_max,
        reason="LINE_TOO_LARGE",
    )
    return line


def check_tenders(tab: Tab, amounts: Sequence[int], limits: Limits = DEFAULT) -> None:
    """Each positive tender (or refund) at most ``payment_fen_max``; at most
    ``BILL_PAYMENTS_MAX`` payments and refunds on one bill."""
    for amount in amounts:
        if amount > 0:
            check_fen(amount, what="a payment", max_fen=limits.payment_fen_max)
    if len(tab.payments) + len(amounts) > BILL_PAYMENTS_MAX:
        raise InvalidArgument(
            f"a bill takes at most {BILL_PAYMENTS_MAX} payments and refunds; bill "
            f"{tab.tab_id} has {len(tab.payments)}",
            reason="TOO_MANY_PAYMENTS",
        )


def check_growth(
    before: Tab | None, before_bill: Bill | None, after: Tab, after_bill: Bill, limits: Limits
) -> None:
    """An action may not grow a bill past the venue's bounds: lines, total, payments. Room
    time that accrues between actions may take a total past ``bill_fen_max``: a bill is never
    refused its checkout."""
    lines_before = before.line_count if before else 0
    if after.line_count > max(limits.bill_lines_max, lines_before):
        raise InvalidArgument(
            f"bill {after.tab_id} would have {after.line_count} lines, more than the "
            f"venue's {limits.bill_lines_max} (check out and open a new bill)",
            reason="BILL_TOO_LONG",
        )
    total_before = before_bill.total_fen if before_bill else 0
    if after_bill.total_fen > max(limits.bill_fen_max, total_before):
        raise InvalidArgument(
            f"bill {after.tab_id} would total {format_yuan(after_bill.total_fen)}, more "
            f"than the venue's {format_yuan(limits.bill_fen_max)}",
            reason="BILL_TOO_LARGE",
        )
    paid_before = len(before.payments) if before else 0
    if len(after.payments) > max(BILL_PAYMENTS_MAX, paid_before):
        raise InvalidArgument(
            f"a bill takes at most {BILL_PAYMENTS_MAX} payments and refunds",
            reason="TOO_MANY_PAYMENTS",
        )


def check_discount(percent_bp: int, amount_fen: int, limits: Limits = DEFAULT) -> None:
    """Exactly one of a percentage (1-100 %) and an amount (at most a bill's bound)."""
    if (percent_bp == 0) == (amount_fen == 0):
        raise InvalidArgument(
            "a discount is either a percentage or an amount (exactly one)", reason="BAD_DISCOUNT"
        )
    if percent_bp and not 0 < percent_bp <= PERCENT_BP_MAX:
        raise InvalidArgument(
            f"a discount's percentage is 0.01-100 % ({PERCENT_BP_MAX} bp), got {percent_bp} bp",
            reason="BAD_DISCOUNT",
        )
    if amount_fen:
        check_fen(amount_fen, what="a discount", max_fen=limits.bill_fen_max, reason="BAD_DISCOUNT")


def check_product(
    sku: str, name: str, category: str, base_fen: int, limits: Limits = DEFAULT
) -> tuple[str, str, str, int]:
    """A product's sku, name, category (normalised, bounded) and a price within the venue's
    bound (0 is a free item)."""
    sku = bounded(sku, what="a product's sku", max_len=CODE_MAX_CHARS, reason="BAD_PRODUCT")
    name = bounded(name, what="a product's name", max_len=NAME_MAX_CHARS, reason="BAD_PRODUCT")
    category = bounded(
        category, what="a product's category", max_len=NAME_MAX_CHARS, reason="BAD_PRODUCT"
    )
    if not sku or not name:
        raise InvalidArgument("a product needs a sku and a name", reason="BAD_PRODUCT")
    check_fen(
        base_fen,
        what=f"the price of {name}",
        max_fen=limits.price_fen_max,
        reason="PRICE_OUT_OF_RANGE",
    )
    return sku, name, category, base_fen


def check_plan_text(source: str) -> None:
    """A price plan's source text within bounds before it is parsed (it is stored per
    version and sent back whole by GetPricePlan)."""
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > PRICE_PLAN_TEXT_BYTES_MAX:
        raise InvalidArgument(
            f"a price plan's text is at most {PRICE_PLAN_TEXT_BYTES_MAX} bytes, got {size}",
            reason="PLAN_TOO_LARGE",
        )


def check_menu_size(skus_now: int, adding: int) -> None:
    """At most ``MENU_PRODUCTS_MAX`` products: the menu goes to a room in one answer."""
    if skus_now + adding > MENU_PRODUCTS_MAX:
        raise InvalidArgument(
            f"the menu holds at most {MENU_PRODUCTS_MAX} products ({skus_now} now): mark "
            "old ones unavailable or reuse their skus",
            reason="MENU_FULL",
        )


def check_plan_money(plan: PricePlan, limits: Limits) -> None:
    """Every price of a plan within the venue's bounds, before it is stored: a unit price,
    hourly rate, head fee or package/场次 price at most ``price_fen_max``, a minimum spend at
    most ``bill_fen_max``, a package item's quantity at most ``order_line_quantity_max``."""

    def check(amount: int, where: str, max_fen: int) -> None:
        check_fen(amount, what=where, max_fen=max_fen, reason="PRICE_OUT_OF_RANGE")

    for name, tier in plan.tiers.items():
        where = f"pricing.tiers.{name}"
        for table, what, max_fen in (
            (tier.hourly_fen, "hourly", limits.price_fen_max),
            (tier.head_fee_fen, "head_fee", limits.price_fen_max),
            (tier.minimum_spend_fen, "minimum_spend", limits.bill_fen_max),
        ):
            for (day_type, band), fen in table.items():
                check(fen, f"{where}.{what}.{day_type.value}.{band}", max_fen)
        for sku, fen in tier.product_fen.items():
            check(fen, f"{where}.products.{sku}", limits.price_fen_max)
    if len(plan.version) > CODE_MAX_CHARS:
        raise InvalidArgument(
            f"pricing.version is at most {CODE_MAX_CHARS} characters, got {short(plan.version)}",
            reason="PRICE_OUT_OF_RANGE",
        )
    for code, pkg in plan.packages.items():
        for tier_name, fen in pkg.price_fen.items():
            check(fen, f"pricing.packages.{code}.price.{tier_name}", limits.price_fen_max)
        for item in pkg.items:
            if not 0 < item.quantity <= limits.order_line_quantity_max:
                raise InvalidArgument(
                    f"pricing.packages.{code}.items.{item.sku}: quantity 1-"
                    f"{limits.order_line_quantity_max}, got {item.quantity}",
                    reason="QUANTITY_TOO_LARGE",
                )
    for slot in plan.slots:
        for tier_name, fen in slot.price_fen.items():
            check(fen, f"pricing.sessions.{slot.code}.price.{tier_name}", limits.price_fen_max)
    if not 0 <= plan.service_charge_bp <= PERCENT_BP_MAX:
        raise InvalidArgument("pricing.service_charge_bp: 0-10000", reason="PRICE_OUT_OF_RANGE")
