"""The money half of the billing service: split payments through the providers, checkout,
refunds. :class:`controller.billing.service.BillingDesk` holds one :class:`Till` (its
``till``) and hands it pay, checkout and refund, under the same rules: one SQLite transaction
per action, and money a provider took is voided if the action fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from controller.billing import desk
from controller.billing.bill import Outcome, compute_bill
from controller.billing.desk import TenderAmount, TimePurchase
from controller.billing.ledger import Ledger
from controller.billing.money import format_yuan
from controller.billing.payments import Charge, PaymentProvider
from controller.billing.records import Actor, OpeningMode, new_id
from controller.billing.settlement import BillSettled, SettledHook
from controller.billing.tab import Tab
from ktv.errors import FailedPrecondition, InvalidArgument
from ktv.limits import NOTE_MAX_CHARS, Limits, check_fen
from ktv.text import bounded

if TYPE_CHECKING:  # the till stays importable without SQLite (ktv/purity.py)
    from controller.billing.caps import Authority
    from controller.billing.events import TabEvent
    from controller.billing.plan import PricePlan
    from controller.billing.records import Tender
    from controller.billing.store import BillingRecords
    from controller.rooms.board import RoomBoard
    from controller.store.db import Store


class TillDesk(Protocol):
    """What the till uses of the desk that holds it (its store, records, board, clock, the
    payment providers and settle hooks of the moment, and its load-decide-commit steps)."""

    store: Store
    records: BillingRecords
    board: RoomBoard
    clock: Callable[[], datetime]
    limits: Limits
    providers: dict[Tender, PaymentProvider]
    on_settled: tuple[SettledHook, ...]

    def act(self, room_id: str, now: datetime) -> tuple[Ledger, Tab, PricePlan]: ...

    def commit(self, ledger: Ledger, events: Sequence[TabEvent], now: datetime) -> None: ...

    def done(self, ledger: Ledger, tab_id: str, now: datetime, order_id: str = "") -> Outcome: ...


class Till:
    """Payments, checkout and refunds for the desk that holds it. The desk's providers and
    settle hooks are read at each call (the members module and tests replace them)."""

    def __init__(self, service: TillDesk) -> None:
        self.service = service

    def take(
        self,
        ledger: Ledger,
        tab_id: str,
        tenders: Sequence[TenderAmount],
        now: datetime,
        actor: Actor,
        request_id: str,
        then: Callable[[], None] | None = None,
    ) -> None:
        """Decide the split payment, charge the providers, record it, run ``then`` (the rest
        of the action): all or nothing, and money a provider took is voided on failure."""
        if not tenders:
            if then is not None:
                then()
            return
        tab = ledger.tab(tab_id)
        plan = ledger.plan_of(tab)
        limits = self.service.limits
        desk.decide_payments(tab, plan, tenders, now, actor, new_id, limits)  # before charging
        charged: list[tuple[PaymentProvider, Charge]] = []
        confirmed = []
        try:
            for i, t in enumerate(tenders):
                provider = self.service.providers.get(t.tender)
                if provider is None:
                    confirmed.append(t)
                    continue
                charge = Charge(
                    t.tender, t.amount_fen, f"{request_id}:{i}", t.reference, f"bills/{tab_id}"
                )
                receipt = provider.charge(charge)
                charged.append((provider, charge))
                confirmed.append(replace(t, reference=receipt.reference, provider=receipt.provider))
            events = desk.decide_payments(tab, plan, confirmed, now, actor, new_id, limits)
            self.service.commit(ledger, events, now)
            if then is not None:
                then()
        except Exception:
            for provider, charge in charged:  # void what was taken before the failure
                provider.charge(
                    replace(
                        charge,
                        amount_fen=-charge.amount_fen,
                        idempotency_key=charge.idempotency_key + ":void",
                    )
                )
            raise

    def authorize(self, tenders: Sequence[TenderAmount]) -> None:
        """What each provider can check without an amount (a member's PIN and lockout), before
        anything is priced: a wrong PIN costs no pricing and writes nothing."""
        for t in tenders:
            authorize = getattr(self.service.providers.get(t.tender), "authorize", None)
            if authorize is not None:
                authorize(t.reference)

    def pay(
        self, room_id: str, tenders: Sequence[TenderAmount], actor: Actor, request_id: str = ""
    ) -> Outcome:
        now = self.service.clock()
        with self.service.store.transaction():
            ledger, tab, _ = self.service.act(room_id, now)
            if not tenders:
                raise InvalidArgument(
                    "say how the guest pays (--cash, --wechat ...)", reason="NO_TENDER"
                )
            self.take(ledger, tab.tab_id, tenders, now, actor, request_id or new_id("pay"))
            return self.service.done(ledger, tab.tab_id, now)

    def checkout(
        self, room_id: str, actor: Actor, tenders: Sequence[TenderAmount] = (), request_id: str = ""
    ) -> Outcome:
        """结账: take the last payments, close the bill, send every room of it to cleaning."""
        now = self.service.clock()
        with self.service.store.transaction():
            ledger, tab, _ = self.service.act(room_id, now)
            due = compute_bill(tab, ledger.plan_of(tab), now).due_fen
            if sum(t.amount_fen for t in tenders) < due:
                short = due - sum(t.amount_fen for t in tenders)
                raise FailedPrecondition(
                    f"bill {tab.tab_id}: {format_yuan(short)} still due", reason="BILL_NOT_PAID"
                )

            def close() -> None:
                event = desk.decide_checkout(ledger.tab(tab.tab_id), now, actor)
                self.service.commit(ledger, [event], now)

            self.take(ledger, tab.tab_id, tenders, now, actor, request_id or new_id("pay"), close)
            for room, session in self.service.records.room_sessions(tab.tab_id).items():
                self.service.board.session_closed(room, session)
                self.service.records.clear_open_room(room)
            closed = ledger.tab(tab.tab_id)
            settled = BillSettled(
                closed.tab_id,
                closed.merged_from,
                compute_bill(closed, ledger.plan_of(closed), now),
                now,
            )
            for hook in self.service.on_settled:  # same transaction: commits with the checkout
                hook(settled)
            return self.service.done(ledger, tab.tab_id, now)

    def refund(
        self,
        tab_id: str,
        payment_id: str,
        amount_fen: int,
        reason: str,
        actor: Actor,
        request_id: str = "",
        *,
        authority: Authority | None = None,
    ) -> Outcome:
        """A refund on an open or closed bill: a negative payment, given back by the provider."""
        check_fen(amount_fen, what="a refund", max_fen=self.service.limits.payment_fen_max)
        reason = bounded(reason, what="a refund's reason", max_len=NOTE_MAX_CHARS)
        now = self.service.clock()
        with self.service.store.transaction():
            ledger = self.service.records.load(tab_id)
            tab = ledger.tab(tab_id)
            event = desk.decide_refund(
                tab,
                payment_id,
                amount_fen,
                reason,
                now,
                actor,
                new_id("refund"),
                limits=self.service.limits,
            )
            if authority is not None:
                event = replace(
                    event, approved_by=authority.approved_by, within_cap=authority.within_cap
                )
            ledger.apply(event)  # check every rule before money moves
            ledger = self.service.records.load(tab_id)
            original = tab.payment(payment_id)
            provider = self.service.providers.get(original.tender)
            if provider is not None:
                receipt = provider.charge(
                    Charge(
                        original.tender,
                        -amount_fen,
                        f"{request_id or event.payment.payment_id}:refund",
                        original.reference,
                        f"bills/{tab_id}",
                    )
                )
                event = replace(
                    event,
                    payment=replace(
                        event.payment, reference=receipt.reference, provider=receipt.provider
                    ),
                )
            self.service.commit(ledger, [event], now)
            return self.service.done(ledger, tab_id, now)


def require_payment_offered(
    purchase: TimePurchase, tenders: Sequence[TenderAmount], tab: Tab | None, *, in_full: bool
) -> None:
    """Before pricing: time sold up front (a prepaid session, or ``in_full``) comes with a
    tender, unless what was paid already covers more than the time bought so far."""
    prepaid = tab.mode is OpeningMode.PREPAID if tab is not None else not purchase.package
    if tenders or purchase.gift or not (prepaid or in_full):
        return
    spare = 0
    if tab is not None and not in_full:
        bought = sum(c.amount_fen for s in tab.stays for c in s.covers if not c.gift)
        spare = tab.paid_fen - bought
    if spare <= 0:
        raise FailedPrecondition(
            "prepaid time must be paid up front: say how the guest pays (--cash, --wechat ...)",
            reason="PREPAY_REQUIRED",
        )


def _require_prepaid(tab: Tab) -> None:
    """Prepaid time (买钟, 场次, 续钟) is paid before it is sung."""
    if tab.mode is not OpeningMode.PREPAID:
        return
    bought = sum(c.amount_fen for s in tab.stays for c in s.covers if not c.gift)
    if tab.paid_fen < bought:
        raise FailedPrecondition(
            f"prepaid time must be paid up front: {format_yuan(bought - tab.paid_fen)} to take",
            reason="PREPAY_REQUIRED",
        )
