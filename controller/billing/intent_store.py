"""Phone payments and their issues in SQLite: ``billing_phone_payments`` (one row per intent,
out_trade_no = payment_id; a gateway transaction id is recorded once) and
``billing_payment_issues`` (money a bill could not take). Callers hold the transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from controller.billing.intents import IntentState, IssueKind, IssueState, PaymentIntent
from controller.store.db import Store
from controller.store.migrations import Migration, register_migrations
from ktv.errors import NotFound

register_migrations(
    "billing_phone",
    [
        Migration(
            1,
            "phone payments (intents at a gateway) and the money bills could not take",
            sql="""
            CREATE TABLE billing_phone_payments (
                payment_id TEXT PRIMARY KEY,
                room_id TEXT NOT NULL,
                tab_id TEXT NOT NULL,
                provider TEXT NOT NULL,
                amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                state TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                pay_url TEXT NOT NULL DEFAULT '',
                qr_content TEXT NOT NULL DEFAULT '',
                transaction_id TEXT NOT NULL DEFAULT '',
                recorded_fen INTEGER NOT NULL DEFAULT 0,
                refunded_fen INTEGER NOT NULL DEFAULT 0,
                failure TEXT NOT NULL DEFAULT '',
                started_by TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX billing_phone_payments_tab ON billing_phone_payments(tab_id, state);
            CREATE UNIQUE INDEX billing_phone_payments_txn
                ON billing_phone_payments(provider, transaction_id) WHERE transaction_id != '';
            CREATE TABLE billing_payment_issues (
                issue_id TEXT PRIMARY KEY,
                payment_id TEXT NOT NULL REFERENCES billing_phone_payments(payment_id),
                tab_id TEXT NOT NULL,
                room_id TEXT NOT NULL,
                provider TEXT NOT NULL,
                kind TEXT NOT NULL,
                state TEXT NOT NULL,
                amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                refund_reference TEXT NOT NULL DEFAULT '',
                note TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                resolved_by TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX billing_payment_issues_state ON billing_payment_issues(state, created_at);
            """,
        )
    ],
)


@dataclass(frozen=True)
class PaymentIssue:
    issue_id: str
    payment_id: str
    tab_id: str
    room_id: str
    provider: str
    kind: IssueKind
    state: IssueState
    amount_fen: int
    created_at: datetime
    refund_reference: str = ""
    note: str = ""
    resolved_by: str = ""


_INTENT_COLUMNS = (
    "payment_id, room_id, tab_id, provider, amount_fen, state, created_at, expires_at, pay_url,"
    " qr_content, transaction_id, recorded_fen, refunded_fen, failure, started_by"
)


def _intent(row: dict[str, Any]) -> PaymentIntent:
    return PaymentIntent(
        payment_id=row["payment_id"],
        room_id=row["room_id"],
        tab_id=row["tab_id"],
        provider=row["provider"],
        amount_fen=row["amount_fen"],
        state=IntentState(row["state"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        expires_at=datetime.fromisoformat(row["expires_at"]),
        pay_url=row["pay_url"],
        qr_content=row["qr_content"],
        transaction_id=row["transaction_id"],
        recorded_fen=row["recorded_fen"],
        refunded_fen=row["refunded_fen"],
        failure=row["failure"],
        started_by=row["started_by"],
    )


def _issue(row: dict[str, Any]) -> PaymentIssue:
    return PaymentIssue(
        issue_id=row["issue_id"],
        payment_id=row["payment_id"],
        tab_id=row["tab_id"],
        room_id=row["room_id"],
        provider=row["provider"],
        kind=IssueKind(row["kind"]),
        state=IssueState(row["state"]),
        amount_fen=row["amount_fen"],
        created_at=datetime.fromisoformat(row["created_at"]),
        refund_reference=row["refund_reference"],
        note=row["note"],
        resolved_by=row["resolved_by"],
    )


class PhonePaymentRecords:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, intent: PaymentIntent) -> None:
        i = intent
        self.store.execute(
            f"INSERT INTO billing_phone_payments ({_INTENT_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                i.payment_id,
                i.room_id,
                i.tab_id,
                i.provider,
                i.amount_fen,
                i.state.value,
                i.created_at.isoformat(),
                i.expires_at.isoformat(),
                i.pay_url,
                i.qr_content,
                i.transaction_id,
                i.recorded_fen,
                i.refunded_fen,
                i.failure,
                i.started_by,
            ),
        )

    def save(self, intent: PaymentIntent) -> None:
        i = intent
        self.store.execute(
            "UPDATE billing_phone_payments SET state = ?, pay_url = ?, qr_content = ?,"
            " transaction_id = ?, recorded_fen = ?, refunded_fen = ?, failure = ?"
            " WHERE payment_id = ?",
            (
                i.state.value,
                i.pay_url,
                i.qr_content,
                i.transaction_id,
                i.recorded_fen,
                i.refunded_fen,
                i.failure,
                i.payment_id,
            ),
        )

    def get(self, payment_id: str) -> PaymentIntent:
        row = self.store.query_one(
            f"SELECT {_INTENT_COLUMNS} FROM billing_phone_payments WHERE payment_id = ?",
            (payment_id,),
        )
        if row is None:
            raise NotFound(f"payments/{payment_id} does not exist", reason="UNKNOWN_PAYMENT")
        return _intent(row)

    def pending_of(self, tab_id: str) -> list[PaymentIntent]:
        rows = self.store.query(
            f"SELECT {_INTENT_COLUMNS} FROM billing_phone_payments"
            " WHERE tab_id = ? AND state = 'pending' ORDER BY created_at",
            (tab_id,),
        )
        return [_intent(r) for r in rows]

    def pending_before(self, created_before: datetime, limit: int) -> list[PaymentIntent]:
        """Pending intents started before ``created_before``, oldest first."""
        rows = self.store.query(
            f"SELECT {_INTENT_COLUMNS} FROM billing_phone_payments"
            " WHERE state = 'pending' AND created_at < ? ORDER BY created_at LIMIT ?",
            (created_before.isoformat(), limit),
        )
        return [_intent(r) for r in rows]

    def open_issues_since(self, created_after: datetime, limit: int) -> list[PaymentIssue]:
        rows = self.store.query(
            "SELECT * FROM billing_payment_issues WHERE state = 'open' AND created_at > ?"
            " ORDER BY created_at LIMIT ?",
            (created_after.isoformat(), limit),
        )
        return [_issue(r) for r in rows]

    def add_issue(self, issue: PaymentIssue) -> None:
        s = issue
        self.store.execute(
            "INSERT INTO billing_payment_issues (issue_id, payment_id, tab_id, room_id, provider,"
            " kind, state, amount_fen, refund_reference, note, created_at, resolved_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                s.issue_id,
                s.payment_id,
                s.tab_id,
                s.room_id,
                s.provider,
                s.kind.value,
                s.state.value,
                s.amount_fen,
                s.refund_reference,
                s.note,
                s.created_at.isoformat(),
                s.resolved_by,
            ),
        )

    def save_issue(self, issue: PaymentIssue) -> None:
        self.store.execute(
            "UPDATE billing_payment_issues SET state = ?, refund_reference = ?, note = ?,"
            " resolved_by = ? WHERE issue_id = ?",
            (
                issue.state.value,
                issue.refund_reference,
                issue.note,
                issue.resolved_by,
                issue.issue_id,
            ),
        )

    def issue(self, issue_id: str) -> PaymentIssue:
        row = self.store.query_one(
            "SELECT * FROM billing_payment_issues WHERE issue_id = ?", (issue_id,)
        )
        if row is None:
            raise NotFound(f"paymentIssues/{issue_id} does not exist", reason="UNKNOWN_ISSUE")
        return _issue(row)

    def issues(self, *, include_settled: bool, limit: int) -> list[PaymentIssue]:
        where = "" if include_settled else "WHERE state = 'open'"
        rows = self.store.query(
            f"SELECT * FROM billing_payment_issues {where}"
            " ORDER BY state != 'open', created_at DESC LIMIT ?",
            (limit,),
        )
        return [_issue(r) for r in rows]

    def issues_of(self, payment_id: str) -> list[PaymentIssue]:
        rows = self.store.query(
            "SELECT * FROM billing_payment_issues WHERE payment_id = ? ORDER BY created_at",
            (payment_id,),
        )
        return [_issue(r) for r in rows]


def with_state(intent: PaymentIntent, state: IntentState, **changes: Any) -> PaymentIntent:
    return replace(intent, state=state, **changes)
