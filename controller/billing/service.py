"""The billing service: each front-desk action is one SQLite transaction that loads the tab
from its log, decides, checks and appends events (the audit rows), and moves the room on the
live board. gRPC, ktvctl and tests all come through here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import astuple
from datetime import datetime

from controller.billing import desk
from controller.billing.bill import Bill, Outcome, compute_bill
from controller.billing.bounds import (
    check_discount,
    check_growth,
    check_menu_size,
    check_plan_money,
    check_plan_text,
    check_product,
)
from controller.billing.caps import Approval, Authority, CapKind, CapTable, Refusal, authorize
from controller.billing.desk import Product, TenderAmount, TimePurchase
from controller.billing.events import (
    DiscountGiven,
    OrderCancelled,
    OrderComped,
    OrderDelivered,
    OrderPlaced,
    TabEvent,
    TabsMerged,
)
from controller.billing.ledger import MANAGERS, Ledger, require_role
from controller.billing.money import format_yuan
from controller.billing.payments import PaymentProvider, default_providers
from controller.billing.plan import PricePlan
from controller.billing.plan_config import load_plan_text, menu_from_config, parse_toml
from controller.billing.records import Actor, Discount, OrderSource, Tender, new_id
from controller.billing.settlement import SettledHook
from controller.billing.stock import StockKeeper
from controller.billing.store import BillingRecords, utc_now
from controller.billing.tab import Tab
from controller.billing.till import Till, _require_prepaid, require_payment_offered
from controller.rooms.board import RoomBoard
from ktv.errors import AlreadyExists, FailedPrecondition, InvalidArgument, PermissionDenied
from ktv.limits import DEFAULT, NOTE_MAX_CHARS, Limits
from ktv.text import bounded


class BillingDesk:
    def __init__(
        self,
        board: RoomBoard,
        *,
        clock: Callable[[], datetime] = utc_now,
        providers: Mapping[Tender, PaymentProvider] | None = None,
        on_settled: Sequence[SettledHook] = (),
        limits: Limits = DEFAULT,
        stock: Sequence[StockKeeper] = (),
        caps: CapTable | None = None,
    ) -> None:
        self.limits = limits
        self.stock = tuple(stock)  # told of each order event inside its transaction
        self.caps = caps or CapTable()  # operator caps (controller/billing/caps.py)
        self.board = board
        self.store = board.store
        self.records = BillingRecords(board.store)
        self.clock = clock
        self.providers = dict(providers or default_providers())
        self.on_settled = tuple(on_settled)  # run inside checkout's transaction
        self.till = Till(self)  # the money half: payments, checkout, refunds

    # --- money: the till's ------------------------------------------------------------
    def pay(
        self, room_id: str, tenders: Sequence[TenderAmount], actor: Actor, request_id: str = ""
    ) -> Outcome:
        return self.till.pay(room_id, tenders, actor, request_id)

    def checkout(
        self, room_id: str, actor: Actor, tenders: Sequence[TenderAmount] = (), request_id: str = ""
    ) -> Outcome:
        return self.till.checkout(room_id, actor, tenders, request_id)

    def refund(
        self,
        tab_id: str,
        payment_id: str,
        amount_fen: int,
        reason: str,
        actor: Actor,
        request_id: str = "",
        approval: Approval | None = None,
    ) -> Outcome:
        authority = self.authority(actor, CapKind.REFUND, amount_fen, approval, target=tab_id)
        return self.till.refund(
            tab_id, payment_id, amount_fen, reason, actor, request_id, authority=authority
        )

    def authority(
        self,
        actor: Actor,
        kind: CapKind,
        value: int,
        approval: Approval | None,
        *,
        target: str = "",
    ) -> Authority:
        """Managers act on their own; a cashier within the venue's cap, or with a manager's
        PIN-checked approval (recorded on the event). A refusal over the cap is an audit row
        of its own (``billing_refusals``), written even though the action rolls back."""
        if actor.is_manager and approval is None:
            return Authority()
        try:
            return authorize(self.caps, actor.staff_id, actor.role, kind, value, approval)
        except PermissionDenied as refused:
            if refused.reason in ("APPROVAL_REQUIRED", "SELF_APPROVAL", "APPROVER_CAPPED"):
                caps = self.caps.caps.get(actor.role)
                refusal = Refusal(
                    self.clock(),
                    actor.staff_id,
                    actor.role,
                    kind,
                    value,
                    (caps.cap(kind) if caps else 0) or 0,
                    refused.reason,
                    target,
                    approval.staff_id if approval else "",
                )
                self.store.after_transaction(lambda: self.records.record_refusal(refusal))
            raise

    # --- prices and menu -----------------------------------------------------------------
    def import_config(self, source: str, actor: Actor, *, seed: bool = False) -> PricePlan:
        """A new price plan version (and the menu) from venue-config text. ``seed``: at
        start-up, skip a version already stored instead of refusing it."""
        if not seed:
            require_role(actor, MANAGERS, "changing prices")
        check_plan_text(source)
        plan = load_plan_text(source)
        products = menu_from_config(parse_toml(source))
        with self.store.transaction():
            if seed and self.records.has_plan(plan.version):
                return self.records.plan(plan.version)  # stored prices load as they are
            check_plan_money(plan, self.limits)  # bounds apply to new prices
            products = [
                Product(*check_product(*astuple(p)[:4], self.limits), p.available) for p in products
            ]
            menu = self.records.products()
            check_menu_size(len(menu), len({p.sku for p in products} - set(menu)))
            if self.records.has_plan(plan.version):
                if self.records.plan_source(plan.version) != source:
                    raise AlreadyExists(
                        f"price plan {plan.version} exists with other prices: bump the version",
                        reason="PLAN_VERSION_EXISTS",
                    )
                self.records.activate(plan.version)
            else:
                self.records.add_plan(plan, source, actor.staff_id, self.clock())
            for product in products:
                self.records.put_product(product)
        return plan

    def active_plan(self) -> PricePlan:
        return self.records.plan(self.records.active_version())

    def put_product(self, product: Product, actor: Actor) -> Product:
        require_role(actor, MANAGERS, "changing the menu")
        product = Product(*check_product(*astuple(product)[:4], self.limits), product.available)
        with self.store.transaction():
            menu = self.records.products()
            check_menu_size(len(menu), 0 if product.sku in menu else 1)
            self.records.put_product(product)
        return product

    # --- reading -------------------------------------------------------------------------
    def tab_id_of(self, room_id: str) -> str:
        self.board.get(room_id)
        found = self.records.open_tab_of(room_id)
        if found is None:
            raise FailedPrecondition(
                f"rooms/{room_id} has no open session", reason="NO_OPEN_SESSION"
            )
        return found[0]

    def bill(self, tab_id: str, as_of: datetime | None = None) -> Outcome:
        ledger = self.records.load(tab_id)
        tab = ledger.tab(tab_id)
        return Outcome(tab, compute_bill(tab, ledger.plan_of(tab), as_of or self.clock()))

    def refresh_running_totals(self) -> None:
        """Room time accrues between actions: bring the board's running totals up to now."""
        now = self.clock()
        for room, tab_id in self.records.open_rooms().items():
            self.board.set_running_total(room, self.bill(tab_id, now).bill.total_fen)

    # --- actions -------------------------------------------------------------------------
    def commit(self, ledger: Ledger, events: Sequence[TabEvent], now: datetime) -> None:
        """Apply (checking every rule and the venue's bounds), append the audit rows, refresh
        the tab index."""
        bills: dict[str, Bill] = {}
        for event in events:
            before = ledger.tabs.get(event.tab_id)
            if before is not None and event.tab_id not in bills:
                bills[event.tab_id] = compute_bill(before, ledger.plan_of(before), event.at)
            snapshot = dict(ledger.tabs)
            after = ledger.apply(event)
            after_bill = compute_bill(after, ledger.plan_of(after), event.at)
            try:
                check_growth(before, bills.get(event.tab_id), after, after_bill, self.limits)
            except InvalidArgument:
                ledger.tabs = snapshot
                raise
            self.records.append(event, bills.get(event.tab_id), after_bill, now)
            self._tell_stock(event)
            bills[event.tab_id] = after_bill
            if isinstance(event, TabsMerged):
                source = ledger.tab(event.source_tab_id)
                bills[source.tab_id] = compute_bill(source, ledger.plan_of(source), event.at)
        for tab_id, bill in bills.items():
            self.records.save_tab(ledger.tab(tab_id), bill)
        self.records.remember(ledger)

    def _tell_stock(self, event: TabEvent) -> None:
        """Order events reach the stock keepers in this transaction (one may refuse)."""
        for keeper in self.stock:
            if isinstance(event, OrderPlaced):
                keeper.order_placed(event.tab_id, event.order, event.at, event.actor)
            elif isinstance(event, OrderCancelled):
                keeper.order_cancelled(event.tab_id, event.order_id, event.at, event.actor)
            elif isinstance(event, OrderComped):
                keeper.order_comped(event.tab_id, event.order_id, event.at, event.actor)

    def open(
        self,
        room_id: str,
        guests: int,
        actor: Actor,
        *,
        purchase: TimePurchase | None = None,
        tenders: Sequence[TenderAmount] = (),
        booking: str = "",
        request_id: str = "",
    ) -> Outcome:
        now = self.clock()
        with self.store.transaction():
            room = self.board.get(room_id)
            if self.records.open_tab_of(room_id) is not None:
                raise FailedPrecondition(
                    f"rooms/{room_id} already has an open session", reason="ROOM_OCCUPIED"
                )
            self.board.check_can_open(room_id)  # 锁房: refused before any pricing or payment
            plan = self.active_plan()
            if purchase is not None:  # bounds, then payment and PIN, then pricing
                desk.check_time_limits(plan, purchase, now)
                require_payment_offered(purchase, tenders, None, in_full=False)
                self.till.authorize(tenders)
            tab_id = new_id("tab")
            events = desk.decide_open(
                plan,
                tab_id=tab_id,
                room=room_id,
                tier=room.tier,
                guests=guests,
                at=now,
                actor=actor,
                new_id=new_id,
                purchase=purchase,
                menu=self.records.products(),
                booking=booking,
            )
            ledger = Ledger({plan.version: plan})
            self.commit(ledger, events, now)
            self.till.take(
                ledger,
                tab_id,
                tenders,
                now,
                actor,
                request_id or tab_id,
                then=lambda: _require_prepaid(ledger.tab(tab_id)),
            )
            tab = ledger.tab(tab_id)
            session = f"sessions/{tab_id}"
            self.records.set_open_room(room_id, tab_id, session)
            self.board.session_opened(
                room_id,
                session,
                open_time=now,
                end_time=tab.stays[0].paid_until,
                guest_count=guests,
                continues_after_end=tab.stays[0].continues_after_end,
            )
            return self.done(ledger, tab_id, now)

    def done(self, ledger: Ledger, tab_id: str, now: datetime, order_id: str = "") -> Outcome:
        tab = ledger.tab(tab_id)
        bill = compute_bill(tab, ledger.plan_of(tab), now)
        if tab.is_open:  # the board learns totals once the action has committed
            rooms = [stay.room for stay in tab.stays]
            guests = tab.guests
            self.store.after_commit(lambda: self._show_total(rooms, bill.total_fen, guests))
        return Outcome(tab, bill, order_id)

    def _show_total(self, rooms: list[str], total_fen: int, guests: int) -> None:
        for room in rooms:
            self.board.set_running_total(room, total_fen, guests)

    def act(self, room_id: str, now: datetime) -> tuple[Ledger, Tab, PricePlan]:
        tab_id = self.tab_id_of(room_id)
        ledger = self.records.load(tab_id)
        tab = ledger.tab(tab_id)
        return ledger, tab, ledger.plan_of(tab)

    def extend(
        self,
        room_id: str,
        purchase: TimePurchase,
        actor: Actor,
        *,
        tenders: Sequence[TenderAmount] = (),
        request_id: str = "",
        pay_in_full: bool = False,
    ) -> Outcome:
        """``pay_in_full``: the tenders must cover this extension's price (a room paying its
        own 续钟), whatever the session's mode."""
        now = self.clock()
        with self.store.transaction():
            ledger, tab, plan = self.act(room_id, now)
            stay = tab.stays[tab.stay_index(room_id)]
            start = max(now, stay.paid_until or now)
            desk.check_time_limits(plan, purchase, start, stay)  # bounds, payment, PIN first
            require_payment_offered(purchase, tenders, tab, in_full=pay_in_full)
            self.till.authorize(tenders)
            event = desk.decide_extend(tab, plan, room_id, now, actor, purchase, new_id("cover"))
            self.commit(ledger, [event], now)

            def settled() -> None:
                _require_prepaid(ledger.tab(tab.tab_id))
                short = event.cover.amount_fen - sum(t.amount_fen for t in tenders)
                if pay_in_full and short > 0:
                    raise FailedPrecondition(
                        f"续钟 costs {format_yuan(event.cover.amount_fen)}: "
                        f"{format_yuan(short)} short",
                        reason="PREPAY_REQUIRED",
                    )

            self.till.take(
                ledger,
                tab.tab_id,
                tenders,
                now,
                actor,
                request_id or event.cover.cover_id,
                then=settled,
            )
            tab = ledger.tab(tab.tab_id)
            stay = tab.stays[tab.stay_index(room_id)]
            self.board.set_session_end(room_id, stay.paid_until, stay.continues_after_end)
            return self.done(ledger, tab.tab_id, now)

    def change_guests(self, room_id: str, guests: int, actor: Actor) -> Outcome:
        now = self.clock()
        with self.store.transaction():
            ledger, tab, plan = self.act(room_id, now)
            self.commit(ledger, [desk.decide_guests(tab, plan, guests, now, actor)], now)
            return self.done(ledger, tab.tab_id, now)

    def move(self, from_room: str, to_room: str, actor: Actor) -> Outcome:
        now = self.clock()
        with self.store.transaction():
            ledger, tab, plan = self.act(from_room, now)
            target = self.board.get(to_room)
            if self.records.open_tab_of(to_room) is not None:
                raise FailedPrecondition(f"rooms/{to_room} is in use", reason="ROOM_OCCUPIED")
            self.board.check_can_open(to_room)
            event = desk.decide_move(tab, plan, from_room, to_room, target.tier, now, actor)
            self.commit(ledger, [event], now)
            session = self.records.open_tab_of(from_room)
            assert session is not None
            self.board.session_closed(from_room, session[1])
            self.records.clear_open_room(from_room)
            self.records.set_open_room(to_room, tab.tab_id, session[1])
            stay = ledger.tab(tab.tab_id).stays[ledger.tab(tab.tab_id).stay_index(to_room)]
            self.board.session_opened(
                to_room,
                session[1],
                open_time=now,
                end_time=stay.paid_until,
                guest_count=tab.guests,
                continues_after_end=stay.continues_after_end,
            )
            return self.done(ledger, tab.tab_id, now)

    def merge(self, source_room: str, into_room: str, actor: Actor) -> Outcome:
        now = self.clock()
        with self.store.transaction():
            target_id, source_id = self.tab_id_of(into_room), self.tab_id_of(source_room)
            if target_id == source_id:
                raise FailedPrecondition(f"rooms/{source_room} is already on this bill")
            ledger = self.records.load(target_id)
            source = self.records.load(source_id)
            ledger.tabs.update(source.tabs)
            ledger.plans.update(source.plans)
            event = TabsMerged(tab_id=target_id, at=now, actor=actor, source_tab_id=source_id)
            self.commit(ledger, [event], now)
            for room, session in self.records.room_sessions(source_id).items():
                self.records.set_open_room(room, target_id, session)
            return self.done(ledger, target_id, now)

    def order(
        self,
        room_id: str,
        items: Sequence[tuple[str, int]],
        actor: Actor,
        source: OrderSource = OrderSource.FRONT_DESK,
    ) -> Outcome:
        now = self.clock()
        with self.store.transaction():
            ledger, tab, plan = self.act(room_id, now)
            event = desk.decide_order(
                tab,
                plan,
                self.records.products(),
                room_id,
                items,
                now,
                actor,
                new_id("order"),
                source,
                self.limits,
            )
            self.commit(ledger, [event], now)
            return self.done(ledger, tab.tab_id, now, event.order.order_id)

    def update_order(
        self,
        room_id: str,
        order_id: str,
        action: str,
        actor: Actor,
        reason: str = "",
        approval: Approval | None = None,
    ) -> Outcome:
        reason = bounded(reason, what="the reason", max_len=NOTE_MAX_CHARS)
        now = self.clock()
        with self.store.transaction():
            ledger, tab, _ = self.act(room_id, now)
            common = dict(tab_id=tab.tab_id, at=now, actor=actor, order_id=order_id)
            event: TabEvent
            if action == "deliver":
                event = OrderDelivered(**common)  # type: ignore[arg-type]
            elif action == "cancel":
                event = OrderCancelled(**common, reason=reason)  # type: ignore[arg-type]
            elif action == "comp":
                value = tab.order(order_id).amount_fen
                a = self.authority(actor, CapKind.COMP, value, approval, target=room_id)
                event = OrderComped(
                    **common,  # type: ignore[arg-type]
                    reason=reason,
                    approved_by=a.approved_by,
                    within_cap=a.within_cap,
                )
            else:
                raise InvalidArgument(f"unknown order action {action!r}")
            self.commit(ledger, [event], now)
            return self.done(ledger, tab.tab_id, now, order_id)

    def discount(
        self,
        room_id: str,
        actor: Actor,
        *,
        reason: str,
        percent_bp: int = 0,
        amount_fen: int = 0,
        approval: Approval | None = None,
    ) -> Outcome:
        reason = bounded(reason, what="a discount's reason", max_len=NOTE_MAX_CHARS)
        check_discount(percent_bp, amount_fen, self.limits)
        if percent_bp:
            a = self.authority(
                actor, CapKind.DISCOUNT_PERCENT, percent_bp, approval, target=room_id
            )
        else:
            a = self.authority(actor, CapKind.DISCOUNT_AMOUNT, amount_fen, approval, target=room_id)
        now = self.clock()
        with self.store.transaction():
            ledger, tab, _ = self.act(room_id, now)
            d = Discount(new_id("discount"), reason, percent_bp, amount_fen)
            given = DiscountGiven(
                tab_id=tab.tab_id,
                at=now,
                actor=actor,
                discount=d,
                approved_by=a.approved_by,
                within_cap=a.within_cap,
            )
            self.commit(ledger, [given], now)
            return self.done(ledger, tab.tab_id, now)
