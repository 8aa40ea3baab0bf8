"""Paying the bill from the guest's phone: intents at a gateway, recorded when paid.

:class:`PhonePayments` opens an order at the gateway for the bill's balance due, takes the
gateway's verified notifications (or its answer to our query) and records the money on the
bill in one transaction, idempotent by the gateway's transaction id. What the bill cannot
take (the desk took cash meanwhile, the bill shrank) becomes an issue that is refunded
through the gateway at once, or left open for the desk when the refund fails: never lost.
Gateway calls run outside any database transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from controller.auth.model import Role
from controller.billing import desk as decide
from controller.billing import settings
from controller.billing.bill import compute_bill
from controller.billing.desk import TenderAmount
from controller.billing.intent_store import PaymentIssue, PhonePaymentRecords, with_state
from controller.billing.intents import (
    GatewayPayment,
    IntentState,
    IssueKind,
    IssueState,
    NotifyAnswer,
    PaymentIntent,
    PhoneGateway,
    apportion,
)
from controller.billing.records import Actor, new_id
from controller.billing.service import BillingDesk
from ktv.errors import (
    FailedPrecondition,
    InvalidArgument,
    KtvError,
    NotFound,
    Unauthenticated,
)
from ktv.limits import NOTE_MAX_CHARS, check_fen
from ktv.text import bounded, clip

log = logging.getLogger(__name__)

OPEN_STATES = (IntentState.PENDING,)


class PhonePayments:
    """Phone payments for one venue: the billing desk they record on and the gateways."""

    def __init__(
        self,
        desk: BillingDesk,
        gateways: Mapping[str, PhoneGateway],
        *,
        description: str = "KTV",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.desk = desk
        self.store = desk.store
        self.records = PhonePaymentRecords(desk.store)
        self.gateways = dict(gateways)
        self.description = description
        self.clock = clock or desk.clock

    def gateway(self, provider: str) -> PhoneGateway:
        found = self.gateways.get(provider)
        if found is None:
            offered = ", ".join(sorted(self.gateways)) or "none"
            raise InvalidArgument(
                f"payment provider {provider!r} is not configured here (offered: {offered})",
                reason="UNKNOWN_PROVIDER",
            )
        return found

    # --- starting ------------------------------------------------------------------------
    def open_intent(self, room_id: str, provider: str, started_by: str) -> PaymentIntent:
        """The intent row for the room's balance due (a pending one of the same amount and
        provider is reused); the caller holds the transaction (``once()``'s)."""
        self.gateway(provider)
        now = self.clock()
        tab_id = self.desk.tab_id_of(room_id)
        due = self.desk.bill(tab_id, now).bill.due_fen
        if due <= 0:
            raise FailedPrecondition(f"bill {tab_id}: nothing is due", reason="NOTHING_DUE")
        check_fen(due, what="a phone payment", max_fen=self.desk.limits.payment_fen_max)
        for pending in self.records.pending_of(tab_id):
            same = pending.provider == provider and pending.amount_fen == due
            if same and pending.expires_at > now:
                return pending
        intent = PaymentIntent(
            payment_id=new_id("pay").replace("-", ""),  # out_trade_no: [0-9A-Za-z] only
            room_id=room_id,
            tab_id=tab_id,
            provider=provider,
            amount_fen=due,
            state=IntentState.PENDING,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.phone_payment_ttl_s),
            started_by=started_by,
        )
        self.records.add(intent)
        return intent

    def place_order(self, payment_id: str, payer_ip: str = "") -> PaymentIntent:
        """Open the intent's order at the gateway (outside any transaction); a failure marks
        the intent FAILED and is raised. An intent with its pay URL already is returned."""
        intent = self.records.get(payment_id)
        if intent.pay_url or intent.state is not IntentState.PENDING:
            return intent
        gateway = self.gateway(intent.provider)
        try:
            order = gateway.create(intent, self.description, payer_ip)
        except KtvError as error:
            with self.store.transaction():
                failed = with_state(
                    self.records.get(payment_id), IntentState.FAILED, failure=clip(str(error), 200)
                )
                self.records.save(failed)
            raise
        with self.store.transaction():
            current = self.records.get(payment_id)
            current = replace(current, pay_url=order.pay_url, qr_content=order.qr_content)
            self.records.save(current)
        return current

    # --- reading and cancelling ---------------------------------------------------------
    def get(self, payment_id: str) -> PaymentIntent:
        """The intent; a pending one whose notice is overdue is checked with the gateway."""
        intent = self.records.get(payment_id)
        if intent.state is not IntentState.PENDING:
            return intent
        now = self.clock()
        overdue = now >= intent.created_at + timedelta(seconds=settings.phone_payment_query_after_s)
        if overdue or now >= intent.expires_at:
            return self.check_with_gateway(intent, close_if_expired=True)
        return intent

    def check_with_gateway(self, intent: PaymentIntent, *, close_if_expired: bool) -> PaymentIntent:
        gateway = self.gateway(intent.provider)
        try:
            answer = gateway.query(intent.payment_id)
        except KtvError as error:  # unreachable: the notification may still come
            log.warning("query of payments/%s failed: %s", intent.payment_id, error)
            return intent
        if answer.state is IntentState.PAID:
            return self.settle(intent.provider, answer)
        if answer.state is not IntentState.PENDING:
            return self._close_unpaid(intent.payment_id, answer.state, "closed at the gateway")
        if close_if_expired and self.clock() >= intent.expires_at:
            try:
                gateway.close(intent.payment_id)
            except KtvError as error:
                log.warning("closing payments/%s failed: %s", intent.payment_id, error)
                return intent
            return self._close_unpaid(intent.payment_id, IntentState.EXPIRED, "")
        return intent

    def cancel(self, payment_id: str) -> PaymentIntent:
        intent = self.records.get(payment_id)
        if intent.state is not IntentState.PENDING:
            return intent
        gateway = self.gateway(intent.provider)
        checked = self.check_with_gateway(intent, close_if_expired=False)
        if checked.state is not IntentState.PENDING:
            return checked  # paid meanwhile: recorded, not cancelled
        gateway.close(payment_id)
        return self._close_unpaid(payment_id, IntentState.CANCELLED, "")

    def _close_unpaid(self, payment_id: str, state: IntentState, why: str) -> PaymentIntent:
        with self.store.transaction():
            intent = self.records.get(payment_id)
            if intent.state is IntentState.PENDING:
                intent = with_state(intent, state, failure=why)
                self.records.save(intent)
            return intent

    # --- notifications --------------------------------------------------------------------
    def notify(self, provider: str, headers: Mapping[str, str], body: bytes) -> NotifyAnswer:
        """A gateway's notification: verified, then recorded once. A forged one is refused
        (the gateway would retry a genuine one), and changes nothing."""
        gateway = self.gateways.get(provider)
        if gateway is None:
            return NotifyAnswer(404, "text/plain", b"unknown provider")
        try:
            notice = gateway.parse_notification(headers, body)
        except Unauthenticated as error:
            log.warning("%s notification refused: %s", provider, error)
            return gateway.refused("signature does not verify")
        except (InvalidArgument, ValueError) as error:
            log.warning("%s notification unreadable: %s", provider, error)
            return gateway.refused("unreadable notification")
        try:
            if notice.state is IntentState.PAID:
                self.settle(provider, notice)
            elif notice.state is not IntentState.PENDING:
                self._close_unpaid(notice.out_trade_no, notice.state, "the gateway said so")
        except NotFound:
            log.warning("%s notification for unknown payments/%s", provider, notice.out_trade_no)
            return gateway.refused("unknown order")
        return gateway.accepted()

    def settle(self, provider: str, paid: GatewayPayment) -> PaymentIntent:
        """Record what the gateway took on the bill (at most its balance due), once per
        transaction id; the rest becomes an issue, refunded straight after the commit."""
        now = self.clock()
        new_issues: list[PaymentIssue] = []
        with self.store.transaction():
            intent = self.records.get(paid.out_trade_no)
            if intent.provider != provider:
                raise NotFound(f"payments/{intent.payment_id} is not a {provider} payment")
            if intent.transaction_id:
                if intent.transaction_id != paid.transaction_id:
                    log.error(
                        "payments/%s: second transaction %s (recorded %s)",
                        intent.payment_id,
                        paid.transaction_id,
                        intent.transaction_id,
                    )
                return intent  # a repeated notification: recorded already
            amount = check_fen(paid.amount_fen, what="the amount the gateway took")
            ledger = self.desk.records.load(intent.tab_id)
            tab = ledger.tab(intent.tab_id)
            plan = ledger.plan_of(tab)
            due = compute_bill(tab, plan, now).due_fen if tab.is_open else 0
            split = apportion(amount, due, tab.is_open)
            if split.record_fen:
                # the controller records what the gateway confirmed (a signed notice or our
                # own query), not the guest: the gateway is the actor in the audit log
                actor = Actor(f"gateway:{provider}", Role.ADMIN)
                tender = TenderAmount(
                    self.gateway(provider).tender,
                    split.record_fen,
                    reference=paid.transaction_id,
                    provider=provider,
                )
                events = decide.decide_payments(
                    tab, plan, [tender], now, actor, new_id, self.desk.limits
                )
                self.desk.commit(ledger, events, now)
                self.desk.done(ledger, tab.tab_id, now)
            intent = with_state(
                intent,
                IntentState.PAID,
                transaction_id=paid.transaction_id,
                recorded_fen=split.record_fen,
                failure="",
            )
            self.records.save(intent)
            if split.excess_fen and split.issue is not None:
                issue = PaymentIssue(
                    issue_id=new_id("issue").replace("-", ""),
                    payment_id=intent.payment_id,
                    tab_id=intent.tab_id,
                    room_id=intent.room_id,
                    provider=provider,
                    kind=split.issue,
                    state=IssueState.OPEN,
                    amount_fen=split.excess_fen,
                    created_at=now,
                    note="refund under way",
                )
                self.records.add_issue(issue)
                new_issues.append(issue)
        for issue in new_issues:
            self.refund_issue(issue.issue_id)
        return self.records.get(intent.payment_id)

    def sweep(self) -> str:
        """The periodic check: pending payments whose notice is late are asked of their
        gateway (a controller the internet cannot reach hears no notices; a guest who paid
        and closed the page is recorded all the same, or refunded if the bill closed), and
        open issues of the last day get their refund retried. Gateway errors are logged."""
        now = self.clock()
        late = now - timedelta(seconds=settings.phone_payment_query_after_s)
        checked = refunded = 0
        for intent in self.records.pending_before(late, settings.phone_sweep_batch):
            try:
                self.check_with_gateway(intent, close_if_expired=True)
            except KtvError as error:
                log.warning("sweep: payments/%s: %s", intent.payment_id, error)
            checked += 1
        since = now - timedelta(seconds=settings.phone_issue_retry_s)
        for issue in self.records.open_issues_since(since, settings.phone_sweep_batch):
            if self.refund_issue(issue.issue_id).state is IssueState.REFUNDED:
                refunded += 1
        return f"checked {checked} pending phone payments, refunded {refunded} issues"

    # --- issues ---------------------------------------------------------------------------
    def refund_issue(self, issue_id: str) -> PaymentIssue:
        """Give an open issue's money back through its gateway; on failure it stays open
        with the reason (the desk sees it in ListPaymentIssues)."""
        issue = self.records.issue(issue_id)
        if issue.state is not IssueState.OPEN:
            return issue
        intent = self.records.get(issue.payment_id)
        try:
            reference = self.gateway(issue.provider).refund(intent, issue_id, issue.amount_fen)
        except KtvError as error:
            log.warning("refund of paymentIssues/%s failed: %s", issue_id, error)
            with self.store.transaction():
                issue = replace(
                    self.records.issue(issue_id), note=clip(f"refund failed: {error}", 200)
                )
                self.records.save_issue(issue)
            return issue
        with self.store.transaction():
            issue = self.records.issue(issue_id)
            if issue.state is IssueState.OPEN:
                issue = replace(
                    issue, state=IssueState.REFUNDED, refund_reference=reference, note=""
                )
                self.records.save_issue(issue)
                intent = self.records.get(issue.payment_id)
                self.records.save(
                    replace(intent, refunded_fen=intent.refunded_fen + issue.amount_fen)
                )
            return issue

    def resolve_by_hand(self, issue_id: str, note: str, staff_id: str) -> PaymentIssue:
        note = bounded(note, what="the note", max_len=NOTE_MAX_CHARS)
        if not note:
            raise InvalidArgument("say what was done (a note)", reason="REASON_REQUIRED")
        with self.store.transaction():
            issue = self.records.issue(issue_id)
            if issue.state is not IssueState.OPEN:
                raise FailedPrecondition(
                    f"paymentIssues/{issue_id} is {issue.state.value} already",
                    reason="ISSUE_SETTLED",
                )
            issue = replace(issue, state=IssueState.RESOLVED, note=note, resolved_by=staff_id)
            self.records.save_issue(issue)
            return issue

    def issues(self, *, include_settled: bool, limit: int) -> list[PaymentIssue]:
        return self.records.issues(include_settled=include_settled, limit=limit)


__all__ = ["IssueKind", "PhonePayments"]
