"""Alipay (手机网站支付, wap pay) on the maintained ``python-alipay-sdk``.

The SDK signs each request RSA2 (SHA256withRSA over the sorted parameters), checks each
answer's signature with Alipay's public key, and verifies asynchronous notifications. It
hard-codes its gateway in ``BaseAliPay._gateway``; :func:`alipay_client` is the one place that
points it at the configured ``base_url`` (the stand-in gateway in tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig

from controller.billing import settings
from controller.billing.gateway_wechat import _read
from controller.billing.intents import (
    GatewayOrder,
    GatewayPayment,
    IntentState,
    NotifyAnswer,
    PaymentIntent,
    fen_of_yuan_text,
    yuan_text,
)
from controller.billing.records import Tender
from ktv.errors import InvalidArgument, Unauthenticated, Unavailable
from ktv.text import clip

ALIPAY_GATEWAY = "https://openapi.alipay.com/gateway.do"

_STATES = {
    "TRADE_SUCCESS": IntentState.PAID,
    "TRADE_FINISHED": IntentState.PAID,
    "WAIT_BUYER_PAY": IntentState.PENDING,
    "TRADE_CLOSED": IntentState.EXPIRED,
}


@dataclass(frozen=True)
class AlipayConfig:
    """``[payments.alipay]`` in the venue config (docs/guest.md)."""

    appid: str
    app_private_key: str  # PEM
    alipay_public_key: str  # PEM: Alipay's key, from the open platform console
    notify_url: str  # https://<guest domain>/api/pay/notify/alipay
    return_url: str = ""  # where Alipay's page sends the guest back (the guest page)
    base_url: str = ALIPAY_GATEWAY

    @classmethod
    def from_toml(cls, data: Mapping[str, Any], base: Path | None = None) -> AlipayConfig:
        def text(key: str, default: str = "") -> str:
            value = data.get(key, default)
            if not isinstance(value, str):
                raise InvalidArgument(f"[payments.alipay] {key} must be text")
            return value

        private = _read(text("app_private_key_file"), base) if text("app_private_key_file") else ""
        public = (
            _read(text("alipay_public_key_file"), base) if text("alipay_public_key_file") else ""
        )
        private = private or text("app_private_key")
        public = public or text("alipay_public_key")
        if not (text("appid") and text("notify_url") and private and public):
            raise InvalidArgument(
                "[payments.alipay] needs appid, notify_url, app_private_key(_file) and "
                "alipay_public_key(_file)",
                reason="BAD_PAYMENT_CONFIG",
            )
        return cls(
            appid=text("appid"),
            app_private_key=private,
            alipay_public_key=public,
            notify_url=text("notify_url"),
            return_url=text("return_url"),
            base_url=text("base_url", ALIPAY_GATEWAY),
        )


def alipay_client(config: AlipayConfig) -> AliPay:
    """The SDK's client, pointed at ``config.base_url`` (the only place that reaches into it)."""
    try:
        client = AliPay(
            appid=config.appid,
            app_notify_url=config.notify_url,
            app_private_key_string=config.app_private_key,
            alipay_public_key_string=config.alipay_public_key,
            sign_type="RSA2",
            config=AliPayConfig(timeout=int(settings.phone_gateway_timeout_s)),
        )
    except (ValueError, IndexError, TypeError, AliPayException) as error:
        raise InvalidArgument(
            f"[payments.alipay] is not usable: {error}", reason="BAD_PAYMENT_CONFIG"
        ) from None
    if not hasattr(client, "_gateway"):
        raise RuntimeError("python-alipay-sdk no longer has _gateway: update gateway_alipay.py")
    client._gateway = config.base_url
    return client


class AlipayGateway:
    name = "alipay"
    tender = Tender.ALIPAY

    def __init__(self, config: AlipayConfig) -> None:
        self.config = config
        self.client = alipay_client(config)

    def _call(self, what: str, call: Any) -> dict[str, Any]:
        try:
            return dict(call())
        except AliPayValidationError:
            raise Unavailable(
                f"Alipay {what}: the answer's signature does not verify",
                reason="GATEWAY_UNAVAILABLE",
            ) from None
        except AliPayException as error:
            raise _Refused(str(error.message)) from None
        except (OSError, ValueError) as error:  # unreachable, or not JSON
            raise Unavailable(
                f"Alipay {what}: {clip(str(error), 160)}", reason="GATEWAY_UNAVAILABLE"
            ) from None

    def create(self, intent: PaymentIntent, description: str, payer_ip: str) -> GatewayOrder:
        minutes = max(1, int((intent.expires_at - intent.created_at).total_seconds() // 60))
        signed = self.client.api_alipay_trade_wap_pay(
            subject=clip(description, 128),
            out_trade_no=intent.payment_id,
            total_amount=yuan_text(intent.amount_fen),
            return_url=self.config.return_url or None,
            timeout_express=f"{minutes}m",
        )
        url = f"{self.config.base_url}?{signed}"
        return GatewayOrder(pay_url=url, qr_content=url)

    def query(self, payment_id: str) -> GatewayPayment:
        try:
            body = self._call("query", lambda: self.client.api_alipay_trade_query(payment_id))
        except _Refused:  # an unsigned error answer
            return GatewayPayment(payment_id, IntentState.PENDING)
        if body.get("sub_code") == "ACQ.TRADE_NOT_EXIST":  # until the guest opens the page
            return GatewayPayment(payment_id, IntentState.PENDING)
        if body.get("code") != "10000":
            raise Unavailable(
                f"Alipay query: {clip(str(body.get('sub_msg', body.get('msg'))), 160)}",
                reason="GATEWAY_UNAVAILABLE",
            )
        return _payment(body)

    def close(self, payment_id: str) -> None:
        try:
            self._call("close", lambda: self.client.api_alipay_trade_close(payment_id))
        except _Refused:
            return  # never opened at Alipay: nothing to close

    def refund(self, intent: PaymentIntent, refund_id: str, amount_fen: int) -> str:
        try:
            body = self._call(
                "refund",
                lambda: self.client.api_alipay_trade_refund(
                    refund_amount=yuan_text(amount_fen),
                    out_trade_no=intent.payment_id,
                    out_request_no=refund_id,
                ),
            )
        except _Refused as error:
            raise Unavailable(
                f"Alipay refund: {clip(str(error), 160)}", reason="GATEWAY_UNAVAILABLE"
            ) from None
        if body.get("code") != "10000":
            raise Unavailable(
                f"Alipay refund: {clip(str(body.get('sub_msg', body.get('msg'))), 160)}",
                reason="GATEWAY_UNAVAILABLE",
            )
        return f"{body.get('trade_no', '')}/{refund_id}"

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> GatewayPayment:
        try:
            data = dict(
                parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
            )
        except (UnicodeDecodeError, ValueError):
            raise InvalidArgument("not an Alipay notification", reason="BAD_NOTIFICATION") from None
        signature = data.pop("sign", "")
        try:
            ok = bool(signature) and self.client.verify(dict(data), signature)
        except (AliPayException, ValueError, TypeError):
            ok = False
        if not ok:
            raise Unauthenticated("Alipay signature does not verify", reason="BAD_SIGNATURE")
        if data.get("app_id") != self.config.appid:
            raise InvalidArgument("not a payment of this app", reason="BAD_NOTIFICATION")
        return _payment(data)

    def accepted(self) -> NotifyAnswer:
        return NotifyAnswer(200, "text/plain", b"success")

    def refused(self, why: str) -> NotifyAnswer:
        return NotifyAnswer(400, "text/plain", b"failure")


class _Refused(Exception):
    """Alipay answered with an error code (the trade does not exist, ...)."""


def _payment(body: Mapping[str, Any]) -> GatewayPayment:
    out_trade_no = str(body.get("out_trade_no", ""))
    state = _STATES.get(str(body.get("trade_status", "")))
    if not out_trade_no or state is None:
        raise InvalidArgument("not an Alipay trade", reason="BAD_NOTIFICATION")
    try:
        total = fen_of_yuan_text(str(body.get("total_amount", "0")))
    except ValueError:
        raise InvalidArgument("bad amount in an Alipay trade", reason="BAD_NOTIFICATION") from None
    return GatewayPayment(out_trade_no, state, str(body.get("trade_no", "")), total)
