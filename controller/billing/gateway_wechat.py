"""WeChat Pay APIv3 (Native pay) on the maintained ``wechatpayv3`` SDK.

The SDK signs each request (``Authorization: WECHATPAY2-SHA256-RSA2048`` over method, URL,
timestamp, nonce and body with the merchant's private key), checks each answer's signature
against the platform certificate, and verifies and decrypts notifications (RSA-SHA256, then
AES-256-GCM with the APIv3 key). It hard-codes its gateway in ``Core._gate_way``;
:func:`wechat_client` is the one place that points it at the configured ``base_url`` (the
stand-in gateway in tests, WeChat's own URL by default), and refuses to start if the SDK no
longer has that attribute rather than silently calling the real gateway.

The platform certificate must be in ``platform_cert_dir`` before start (or the merchant uses
WeChat's platform public key mode: ``public_key`` + ``public_key_id``): the SDK would
otherwise download it from the hard-coded URL while it is being built.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wechatpayv3 import WeChatPay, WeChatPayType

from controller.billing import settings
from controller.billing.intents import (
    GatewayOrder,
    GatewayPayment,
    IntentState,
    NotifyAnswer,
    PaymentIntent,
)
from controller.billing.records import Tender
from ktv.errors import InvalidArgument, PaymentDeclined, Unauthenticated, Unavailable
from ktv.text import clip

WECHAT_GATEWAY = "https://api.mch.weixin.qq.com"
NOTIFY_SKEW_S = 300  # a notification's timestamp may be this far from our clock (replays)

_STATES = {
    "SUCCESS": IntentState.PAID,
    "REFUND": IntentState.PAID,  # paid, then (partly) refunded
    "NOTPAY": IntentState.PENDING,
    "USERPAYING": IntentState.PENDING,
    "CLOSED": IntentState.EXPIRED,
    "REVOKED": IntentState.EXPIRED,
    "PAYERROR": IntentState.FAILED,
}


@dataclass(frozen=True)
class WeChatConfig:
    """``[payments.wechat]`` in the venue config (docs/guest.md)."""

    mchid: str
    appid: str
    cert_serial_no: str  # the merchant API certificate's serial number
    private_key: str  # the merchant API private key, PEM (PKCS#8)
    apiv3_key: str  # 32 characters
    notify_url: str  # https://<guest domain>/api/pay/notify/wechat
    platform_cert_dir: str = ""
    public_key: str = ""  # or: WeChat Pay's platform public key (PEM) ...
    public_key_id: str = ""  # ... and its id (PUB_KEY_ID_...)
    base_url: str = WECHAT_GATEWAY
    pay_type: str = "native"  # "native" (a QR code) or "h5" (phone browsers outside WeChat)

    @classmethod
    def from_toml(cls, data: Mapping[str, Any], base: Path | None = None) -> WeChatConfig:
        def text(key: str, default: str = "") -> str:
            value = data.get(key, default)
            if not isinstance(value, str):
                raise InvalidArgument(f"[payments.wechat] {key} must be text")
            return value

        key = text("private_key")
        key_file = text("private_key_file")
        if key_file:
            key = _read(key_file, base)
        public = text("public_key")
        if text("public_key_file"):
            public = _read(text("public_key_file"), base)
        missing = [
            k
            for k in ("mchid", "appid", "cert_serial_no", "apiv3_key", "notify_url")
            if not text(k)
        ]
        if missing or not key:
            raise InvalidArgument(
                f"[payments.wechat] needs {', '.join(missing + ([] if key else ['private_key']))}",
                reason="BAD_PAYMENT_CONFIG",
            )
        pay_type = text("pay_type", "native")
        if pay_type not in ("native", "h5"):
            raise InvalidArgument(
                '[payments.wechat] pay_type is "native" or "h5"', reason="BAD_PAYMENT_CONFIG"
            )
        cert_dir = text("platform_cert_dir")
        if cert_dir and base is not None and not Path(cert_dir).is_absolute():
            cert_dir = str(base / cert_dir)
        return cls(
            mchid=text("mchid"),
            appid=text("appid"),
            cert_serial_no=text("cert_serial_no"),
            private_key=key,
            apiv3_key=text("apiv3_key"),
            notify_url=text("notify_url"),
            platform_cert_dir=cert_dir,
            public_key=public,
            public_key_id=text("public_key_id"),
            base_url=text("base_url", WECHAT_GATEWAY),
            pay_type=pay_type,
        )


def _read(path: str, base: Path | None) -> str:
    p = Path(path)
    if base is not None and not p.is_absolute():
        p = base / p
    try:
        return p.read_text("utf-8")
    except OSError as error:
        raise InvalidArgument(
            f"cannot read {p}: {error.strerror}", reason="BAD_PAYMENT_CONFIG"
        ) from None


def wechat_client(config: WeChatConfig) -> WeChatPay:
    """The SDK's client, pointed at ``config.base_url`` (the only place that reaches into it)."""
    keyed = bool(config.public_key and config.public_key_id)
    if not keyed:
        pems = (
            list(Path(config.platform_cert_dir).glob("*.pem")) if config.platform_cert_dir else []
        )
        if not pems:
            raise InvalidArgument(
                "[payments.wechat] needs the platform certificate in platform_cert_dir (or "
                "public_key + public_key_id): see docs/guest.md",
                reason="BAD_PAYMENT_CONFIG",
            )
    timeout = (settings.phone_gateway_timeout_s, settings.phone_gateway_timeout_s)
    try:
        client = WeChatPay(
            wechatpay_type=WeChatPayType.NATIVE,
            mchid=config.mchid,
            private_key=config.private_key,
            cert_serial_no=config.cert_serial_no,
            appid=config.appid,
            apiv3_key=config.apiv3_key,
            notify_url=config.notify_url,
            cert_dir=None if keyed else config.platform_cert_dir,
            timeout=timeout,
            public_key=config.public_key if keyed else None,
            public_key_id=config.public_key_id if keyed else None,
        )
    except Exception as error:  # the SDK raises bare Exception for bad keys and certificates
        raise InvalidArgument(
            f"[payments.wechat] is not usable: {error}", reason="BAD_PAYMENT_CONFIG"
        ) from None
    core = client._core
    if not hasattr(core, "_gate_way"):
        raise RuntimeError("wechatpayv3 no longer has Core._gate_way: update gateway_wechat.py")
    core._gate_way = config.base_url.rstrip("/")
    return client


class WeChatGateway:
    name = "wechat"
    tender = Tender.WECHAT

    def __init__(self, config: WeChatConfig, clock: Any = time.time) -> None:
        self.config = config
        self.client = wechat_client(config)
        self.clock = clock

    def _call(self, what: str, call: Any) -> tuple[int, dict[str, Any]]:
        try:
            code, message = call()
        except Exception as error:  # requests' errors, the SDK's bare signature Exception
            raise Unavailable(
                f"WeChat Pay {what}: {clip(str(error), 160)}", reason="GATEWAY_UNAVAILABLE"
            ) from None
        try:
            body = json.loads(message) if message else {}
        except (TypeError, ValueError):
            body = {}
        if code >= 500:
            raise Unavailable(f"WeChat Pay {what}: HTTP {code}", reason="GATEWAY_UNAVAILABLE")
        return code, body

    def create(self, intent: PaymentIntent, description: str, payer_ip: str) -> GatewayOrder:
        """Native pay: a ``weixin://`` code_url (a QR code for WeChat's scanner); H5 pay
        (``pay_type = "h5"``): an h5_url the phone's browser opens outside WeChat."""
        expire = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", intent.expires_at.utctimetuple())
        h5 = self.config.pay_type == "h5"
        scene = {"payer_client_ip": payer_ip or "127.0.0.1", "h5_info": {"type": "Wap"}}
        code, body = self._call(
            "order",
            lambda: self.client.pay(
                description=clip(description, 120),
                out_trade_no=intent.payment_id,
                amount={"total": intent.amount_fen, "currency": "CNY"},
                time_expire=expire,
                scene_info=scene if h5 else None,
                pay_type=WeChatPayType.H5 if h5 else WeChatPayType.NATIVE,
            ),
        )
        url = body.get("h5_url" if h5 else "code_url")
        if code != 200 or not isinstance(url, str) or not url:
            raise PaymentDeclined(
                f"WeChat Pay refused the order: {clip(str(body.get('message', code)), 160)}",
                reason="PAYMENT_DECLINED",
            )
        return GatewayOrder(pay_url=url, qr_content=url)

    def query(self, payment_id: str) -> GatewayPayment:
        code, body = self._call("query", lambda: self.client.query(out_trade_no=payment_id))
        if code == 404:
            return GatewayPayment(payment_id, IntentState.PENDING)
        if code != 200:
            raise Unavailable(f"WeChat Pay query: HTTP {code}", reason="GATEWAY_UNAVAILABLE")
        return _payment(body)

    def close(self, payment_id: str) -> None:
        code, body = self._call("close", lambda: self.client.close(out_trade_no=payment_id))
        if code not in (200, 204):
            raise Unavailable(
                f"WeChat Pay close: {clip(str(body.get('message', code)), 160)}",
                reason="GATEWAY_UNAVAILABLE",
            )

    def refund(self, intent: PaymentIntent, refund_id: str, amount_fen: int) -> str:
        code, body = self._call(
            "refund",
            lambda: self.client.refund(
                out_refund_no=refund_id,
                amount={"refund": amount_fen, "total": intent.amount_fen, "currency": "CNY"},
                out_trade_no=intent.payment_id,
                reason="bill already settled",
            ),
        )
        if code != 200 or body.get("status") not in ("SUCCESS", "PROCESSING"):
            raise Unavailable(
                f"WeChat Pay refund: {clip(str(body.get('message', code)), 160)}",
                reason="GATEWAY_UNAVAILABLE",
            )
        return str(body.get("refund_id", refund_id))

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> GatewayPayment:
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            stamp = int(lower.get("wechatpay-timestamp", ""))
        except ValueError:
            raise Unauthenticated("no Wechatpay-Timestamp", reason="BAD_SIGNATURE") from None
        if abs(self.clock() - stamp) > NOTIFY_SKEW_S:
            raise Unauthenticated("notification timestamp too far off", reason="BAD_SIGNATURE")
        try:
            data = self.client.callback(lower, body)
        except Exception as error:  # the SDK raises bare Exception for an unknown algorithm
            raise Unauthenticated(clip(str(error), 160), reason="BAD_SIGNATURE") from None
        if not data:  # signature or decryption failed
            raise Unauthenticated("signature or resource does not verify", reason="BAD_SIGNATURE")
        resource = data.get("resource")
        if not isinstance(resource, dict) or resource.get("mchid") != self.config.mchid:
            raise InvalidArgument("not a payment of this merchant", reason="BAD_NOTIFICATION")
        return _payment(resource)

    def accepted(self) -> NotifyAnswer:
        return NotifyAnswer(204, "application/json", b"")

    def refused(self, why: str) -> NotifyAnswer:
        body = json.dumps({"code": "FAIL", "message": why}).encode()
        return NotifyAnswer(401, "application/json", body)


def _payment(body: Mapping[str, Any]) -> GatewayPayment:
    out_trade_no = str(body.get("out_trade_no", ""))
    state = _STATES.get(str(body.get("trade_state", "")))
    if not out_trade_no or state is None:
        raise InvalidArgument("not a WeChat Pay transaction", reason="BAD_NOTIFICATION")
    amount = body.get("amount") or {}
    total = amount.get("total", 0) if isinstance(amount, dict) else 0
    if not isinstance(total, int) or total < 0:
        raise InvalidArgument("bad amount in a WeChat Pay transaction", reason="BAD_NOTIFICATION")
    return GatewayPayment(out_trade_no, state, str(body.get("transaction_id", "")), total)
