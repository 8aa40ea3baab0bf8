"""What a room's own touchscreen asks of billing (a part ``BillingServicer`` holds as
``self_service`` and answers ``ListProducts`` and ``QuoteExtensions`` through).

- the menu at the room tier's prices (the prices an order from that room will pin);
- what 续钟 would cost now (``QuoteExtensions``: the venue's extend options, priced from the
  session's pinned plan and the room's tier, nothing sold; options past the plan's prepaid
  limits are left out);
- 续钟 bought by the room itself: only from a member's stored value (the member's PIN is the
  consent, checked with its lockout by the stored-value provider) and paid in full. A room
  never records cash or card money: that stays at the desk.
"""

from __future__ import annotations

from collections.abc import Sequence

from controller.api.convert import ts
from controller.auth.interceptor import current_principal
from controller.auth.model import Principal
from controller.billing import desk as pricing
from controller.billing import settings
from controller.billing.convert import actor_of
from controller.billing.desk import TenderAmount, TimePurchase
from controller.billing.plan import PricePlan
from controller.billing.records import Tender
from controller.billing.service import BillingDesk
from controller.billing.stock import StockNote
from controller.billing.tab import Tab
from controller.rooms.model import parse_room_name
from ktv.errors import FailedPrecondition, InvalidArgument, KtvError, PermissionDenied
from ktv.v1 import billing_pb2 as pb

LIMIT_REASONS = frozenset({"PREPAID_TOO_LONG", "SESSION_TIME_LIMIT"})


def _label(minutes: int) -> str:
    if minutes % 60 == 0:
        return f"续钟 {minutes // 60}小时"
    return f"续钟 {minutes}分钟"


class RoomSelfService:
    """The room's view of billing: prices at its tier, what 续钟 would cost. Reads the desk,
    changes nothing."""

    def __init__(self, desk: BillingDesk) -> None:
        self.desk = desk

    def _room_prices(self, room_id: str) -> tuple[Tab | None, PricePlan | None, str]:
        """(open tab, the plan it pinned, the room's tier); the active plan without a
        session, ``None`` when no plan was ever imported."""
        tier = self.desk.board.get(room_id).tier
        found = self.desk.records.open_tab_of(room_id)
        if found is not None:
            ledger = self.desk.records.load(found[0])
            tab = ledger.tab(found[0])
            return tab, ledger.plan_of(tab), tab.stays[tab.stay_index(room_id)].tier
        try:
            return None, self.desk.active_plan(), tier
        except KtvError:
            return None, None, tier

    def priced_menu(self, room_name: str) -> list[pb.Product]:
        """The menu; a product the stock keepers say is sold out is shown unavailable."""
        menu = self._priced_menu(room_name)
        notes: dict[str, StockNote] = {}
        for keeper in self.desk.stock:
            notes.update(keeper.stock_notes([p.sku for p in menu]))
        for product in menu:
            note = notes.get(product.sku)
            if note is not None:
                product.sold_out = note.sold_out
                product.stock_warning = note.warning
                product.available = product.available and not note.sold_out
        return menu

    def _priced_menu(self, room_name: str) -> list[pb.Product]:
        products = self.desk.records.products().values()
        if not room_name:
            return [
                pb.Product(
                    sku=p.sku,
                    name=p.name,
                    category=p.category,
                    base_fen=p.base_fen,
                    available=p.available,
                    price_fen=p.base_fen,
                )
                for p in products
            ]
        room_id = parse_room_name(room_name)
        current_principal().require_room(room_id)
        _, plan, tier = self._room_prices(room_id)
        return [
            pb.Product(
                sku=p.sku,
                name=p.name,
                category=p.category,
                base_fen=p.base_fen,
                available=p.available,
                price_fen=plan.product_fen(tier, p.sku, p.base_fen) if plan else p.base_fen,
            )
            for p in products
        ]

    def quote_extensions(self, request: pb.QuoteExtensionsRequest) -> pb.QuoteExtensionsResponse:
        room_id = parse_room_name(request.room)
        tab, plan, _ = self._room_prices(room_id)
        if tab is None or plan is None:
            raise FailedPrecondition(
                f"rooms/{room_id} has no open session", reason="NO_OPEN_SESSION"
            )
        actor = actor_of(current_principal())
        now = self.desk.clock()
        stay = tab.stays[tab.stay_index(room_id)]
        quotes = []
        for minutes in settings.room_extend_minutes:
            purchase = TimePurchase(prepaid_minutes=minutes)
            try:
                bought = pricing.decide_extend(tab, plan, room_id, now, actor, purchase, "quote")
            except InvalidArgument as beyond:
                if beyond.reason in LIMIT_REASONS:  # the session cannot buy this much more
                    continue
                raise
            quotes.append(
                pb.ExtensionQuote(
                    purchase=pb.TimePurchase(prepaid_minutes=minutes),
                    label=_label(minutes),
                    price_fen=bought.cover.amount_fen,
                    end_time=ts(bought.cover.end),
                    minutes=minutes,
                    bonus_minutes=bought.cover.bonus_minutes,
                )
            )
        out = pb.QuoteExtensionsResponse(quotes=quotes)
        if stay.paid_until is not None:
            out.end_time.CopyFrom(ts(stay.paid_until))
        return out


def check_room_extension(
    principal: Principal, purchase: TimePurchase, tenders: Sequence[TenderAmount]
) -> bool:
    """For a room-scoped caller: stored value only, no gifts. Returns True when the caller is
    the room itself (the extension must then be paid in full)."""
    if not principal.role.room_scoped:
        return False
    if purchase.gift:
        raise PermissionDenied("a room cannot give itself free time", reason="ROOM_GIFT")
    if not tenders or any(t.tender is not Tender.STORED_VALUE for t in tenders):
        raise PermissionDenied(
            "a room pays 续钟 from a member's stored value (phone + PIN); other payments are "
            "taken at the front desk",
            reason="ROOM_PAYS_STORED_VALUE",
        )
    return True
