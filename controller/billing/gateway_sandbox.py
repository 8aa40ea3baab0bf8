"""The sandbox gateway: the demo's and the tests' phone payments, no money involved.

Its pay page is the controller's own ``/api/pay/sandbox/{payment_id}`` (controller/web): the
guest taps 支付 or 取消, and the page posts a notification that carries an HMAC over the
payment id and amount with this gateway's secret, so only a page this gateway issued can
complete a payment. Amounts in ``decline_fen`` are refused when the order is opened.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote

from controller.billing.intents import (
    GatewayOrder,
    GatewayPayment,
    IntentState,
    NotifyAnswer,
    PaymentIntent,
)
from controller.billing.records import Tender
from ktv.errors import InvalidArgument, PaymentDeclined, Unauthenticated

PAY_PAGE = "/api/pay/sandbox/"


@dataclass
class SandboxGateway:
    name: str = "sandbox"
    tender: Tender = Tender.WECHAT  # recorded as a QR payment, like the sandbox provider's
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    decline_fen: frozenset[int] = frozenset()
    paid: dict[str, GatewayPayment] = field(default_factory=dict)
    refunds: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def token(self, payment_id: str, amount_fen: int) -> str:
        message = f"{payment_id}:{amount_fen}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def create(self, intent: PaymentIntent, description: str, payer_ip: str) -> GatewayOrder:
        if intent.amount_fen in self.decline_fen:
            raise PaymentDeclined("the sandbox declines this amount", reason="PAYMENT_DECLINED")
        url = (
            f"{PAY_PAGE}{quote(intent.payment_id)}?amount_fen={intent.amount_fen}"
            f"&t={self.token(intent.payment_id, intent.amount_fen)}"
        )
        return GatewayOrder(pay_url=url, qr_content=url)

    def query(self, payment_id: str) -> GatewayPayment:
        with self._lock:
            found = self.paid.get(payment_id)
        return found or GatewayPayment(payment_id, IntentState.PENDING)

    def close(self, payment_id: str) -> None:
        return None

    def refund(self, intent: PaymentIntent, refund_id: str, amount_fen: int) -> str:
        with self._lock:
            self.refunds.setdefault(refund_id, amount_fen)
        return f"sbx-refund-{refund_id[-12:]}"

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> GatewayPayment:
        """The pay page's form: payment_id, amount_fen, t (the HMAC), outcome (pay|cancel)."""
        try:
            form = {k: v[0] for k, v in parse_qs(body.decode("ascii"), strict_parsing=True).items()}
            payment_id, amount_fen = form["payment_id"], int(form["amount_fen"])
        except (UnicodeDecodeError, ValueError, KeyError):
            raise InvalidArgument("not a sandbox pay form", reason="BAD_NOTIFICATION") from None
        expected = self.token(payment_id, amount_fen)
        if not hmac.compare_digest(expected, form.get("t", "")):
            raise Unauthenticated("the sandbox token does not match", reason="BAD_SIGNATURE")
        if form.get("outcome", "pay") != "pay":
            return GatewayPayment(payment_id, IntentState.CANCELLED)
        txn = "sbx" + hmac.new(self.secret, payment_id.encode(), hashlib.sha256).hexdigest()[:20]
        notice = GatewayPayment(payment_id, IntentState.PAID, txn, amount_fen)
        with self._lock:
            self.paid[payment_id] = notice
        return notice

    def accepted(self) -> NotifyAnswer:
        return NotifyAnswer(200, "application/json", b'{"ok":true}')

    def refused(self, why: str) -> NotifyAnswer:
        return NotifyAnswer(401, "application/json", b'{"ok":false}')
