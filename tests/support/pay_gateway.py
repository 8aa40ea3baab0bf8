"""A stand-in for WeChat Pay APIv3 and Alipay's open API on a real loopback socket.

It checks each request's documented signature (WeChat: the ``Authorization:
WECHATPAY2-SHA256-RSA2048`` header over method, URL, timestamp, nonce and body with the
merchant's key; Alipay: RSA2 over the sorted parameters with the app's key), answers as the
gateway does (WeChat's answers signed with the platform key, Alipay's with Alipay's key),
and sends signed notifications (WeChat's resource encrypted AES-256-GCM with the APIv3 key).
Keys and the platform certificate are generated here (cryptography).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTIFY_TIMEOUT_S = 10.0


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa_sign(key: rsa.RSAPrivateKey, message: str) -> str:
    signature = key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa_verify(public: Any, message: str, signature: str) -> bool:
    try:
        public.verify(
            base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def self_signed(key: rsa.RSAPrivateKey, serial: int) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA stand-in")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .sign(key, hashes.SHA256())
    )


@dataclass
class WeChatOrder:
    out_trade_no: str
    total_fen: int
    notify_url: str
    state: str = "NOTPAY"
    transaction_id: str = ""


@dataclass
class AlipayOrder:
    out_trade_no: str
    total_amount: str
    notify_url: str
    state: str = "WAIT_BUYER_PAY"
    trade_no: str = ""


@dataclass
class StandInGateway:
    """Both gateways on one port: WeChat at ``/v3/...``, Alipay at ``/gateway.do``."""

    mchid: str = "1900000109"
    appid: str = "wxd678efh567hg6787"
    merchant_serial: str = "3775B6A45ACD588826D15E583A95F5DD********"
    apiv3_key: str = field(default_factory=lambda: secrets.token_hex(16))
    alipay_appid: str = "2021000000000001"
    merchant_key: rsa.RSAPrivateKey = field(default_factory=new_key)
    platform_key: rsa.RSAPrivateKey = field(default_factory=new_key)
    app_key: rsa.RSAPrivateKey = field(default_factory=new_key)  # the venue's Alipay app key
    alipay_key: rsa.RSAPrivateKey = field(default_factory=new_key)  # Alipay's own
    decline_fen: set[int] = field(default_factory=set)
    refunds_fail: bool = False
    wechat: dict[str, WeChatOrder] = field(default_factory=dict)
    alipay: dict[str, AlipayOrder] = field(default_factory=dict)
    refunds: dict[str, int] = field(default_factory=dict)  # out_refund_no -> fen
    payer_ips: dict[str, str] = field(default_factory=dict)  # H5 orders: out_trade_no -> ip
    refused_requests: int = 0  # requests whose signature did not verify
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.platform_serial = secrets.randbits(64)
        self.platform_cert = self_signed(self.platform_key, self.platform_serial)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    @property
    def serial_hex(self) -> str:
        return f"{self.platform_serial:X}"

    def write_keys(self, where: Path) -> dict[str, Path]:
        """The merchant's files as a venue keeps them: the WeChat API key, the platform
        certificate (in its directory), the Alipay app key and Alipay's public key."""
        certs = where / "wechat-platform"
        certs.mkdir(parents=True, exist_ok=True)
        files = {
            "wechat_key": where / "wechat-apiclient_key.pem",
            "alipay_app_key": where / "alipay-app-private.pem",
            "alipay_public": where / "alipay-public.pem",
            "platform_dir": certs,
        }
        files["wechat_key"].write_text(private_pem(self.merchant_key))
        files["alipay_app_key"].write_text(private_pem(self.app_key))
        files["alipay_public"].write_text(public_pem(self.alipay_key))
        (certs / f"{self.serial_hex}.pem").write_text(
            self.platform_cert.public_bytes(serialization.Encoding.PEM).decode()
        )
        return files

    # --- WeChat ---------------------------------------------------------------------------
    def wechat_headers(self, body: str, key: rsa.RSAPrivateKey | None = None) -> dict[str, str]:
        stamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = rsa_sign(key or self.platform_key, f"{stamp}\n{nonce}\n{body}\n")
        return {
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": self.serial_hex,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    def wechat_transaction(self, order: WeChatOrder) -> dict[str, Any]:
        return {
            "appid": self.appid,
            "mchid": self.mchid,
            "out_trade_no": order.out_trade_no,
            "transaction_id": order.transaction_id,
            "trade_type": "NATIVE",
            "trade_state": order.state,
            "trade_state_desc": order.state,
            "success_time": datetime.now(UTC).isoformat(timespec="seconds"),
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            "amount": {
                "total": order.total_fen,
                "payer_total": order.total_fen,
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }

    def wechat_notification(
        self, out_trade_no: str, *, key: rsa.RSAPrivateKey | None = None, apiv3_key: str = ""
    ) -> tuple[dict[str, str], bytes]:
        """The signed, encrypted TRANSACTION.SUCCESS notification of a paid order."""
        order = self.wechat[out_trade_no]
        plain = json.dumps(self.wechat_transaction(order)).encode()
        nonce = secrets.token_hex(6)
        aead = AESGCM((apiv3_key or self.apiv3_key).encode())
        cipher = aead.encrypt(nonce.encode(), plain, b"transaction")
        body = json.dumps(
            {
                "id": secrets.token_hex(8),
                "create_time": datetime.now(UTC).isoformat(timespec="seconds"),
                "resource_type": "encrypt-resource",
                "event_type": "TRANSACTION.SUCCESS",
                "summary": "支付成功",
                "resource": {
                    "original_type": "transaction",
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": base64.b64encode(cipher).decode(),
                    "associated_data": "transaction",
                    "nonce": nonce,
                },
            }
        )
        return self.wechat_headers(body, key), body.encode()

    def pay_wechat(self, out_trade_no: str) -> None:
        """The guest pays in WeChat (no notification yet)."""
        with self.lock:
            order = self.wechat[out_trade_no]
            order.state = "SUCCESS"
            order.transaction_id = order.transaction_id or "42000" + secrets.token_hex(12)

    # --- Alipay ---------------------------------------------------------------------------
    def alipay_signed(self, fields: dict[str, str], key: rsa.RSAPrivateKey | None = None) -> bytes:
        unsigned = "&".join(f"{k}={v}" for k, v in sorted(fields.items()) if v != "")
        signed = dict(fields, sign_type="RSA2", sign=rsa_sign(key or self.alipay_key, unsigned))
        return urlencode(signed).encode()

    def alipay_notification(
        self, out_trade_no: str, *, key: rsa.RSAPrivateKey | None = None
    ) -> tuple[dict[str, str], bytes]:
        order = self.alipay[out_trade_no]
        fields = {
            "notify_time": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16),
            "app_id": self.alipay_appid,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": order.trade_no,
            "out_trade_no": order.out_trade_no,
            "trade_status": order.state,
            "total_amount": order.total_amount,
            "receipt_amount": order.total_amount,
            "gmt_payment": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        return headers, self.alipay_signed(fields, key)

    def pay_alipay(self, out_trade_no: str) -> None:
        with self.lock:
            order = self.alipay[out_trade_no]
            order.state = "TRADE_SUCCESS"
            order.trade_no = order.trade_no or "2026" + secrets.token_hex(12)

    # --- both -------------------------------------------------------------------------------
    def notify(self, provider: str, out_trade_no: str) -> httpx.Response:
        """POST the order's notification to its notify_url, as the gateway does."""
        if provider == "wechat":
            url = self.wechat[out_trade_no].notify_url
            headers, body = self.wechat_notification(out_trade_no)
        else:
            url = self.alipay[out_trade_no].notify_url
            headers, body = self.alipay_notification(out_trade_no)
        return httpx.post(url, content=body, headers=headers, timeout=NOTIFY_TIMEOUT_S)


def _handler(gw: StandInGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _send(
            self,
            status: int,
            body: str,
            content_type: str = "application/json",
            signed: bool = False,
        ) -> None:
            raw = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            if signed:
                for k, v in gw.wechat_headers(body).items():
                    self.send_header(k, v)
            self.end_headers()
            self.wfile.write(raw)

        def _body(self) -> str:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length).decode() if length else ""

        def do_GET(self) -> None:
            if self.path.startswith("/gateway.do"):
                return self._alipay(dict(parse_qsl(urlsplit(self.path).query)))
            return self._wechat("GET", "")

        def do_POST(self) -> None:
            body = self._body()
            if self.path.startswith("/gateway.do"):
                params = dict(parse_qsl(urlsplit(self.path).query))
                params.update(dict(parse_qsl(body)))
                return self._alipay(params)
            return self._wechat("POST", body)

        # WeChat Pay APIv3 ------------------------------------------------------------------
        def _wechat_authorized(self, method: str, body: str) -> bool:
            header = self.headers.get("Authorization", "")
            scheme, _, rest = header.partition(" ")
            if scheme != "WECHATPAY2-SHA256-RSA2048":
                return False
            parts = dict(p.split("=", 1) for p in rest.split(",") if "=" in p)
            parts = {k.strip(): v.strip().strip('"') for k, v in parts.items()}
            if parts.get("mchid") != gw.mchid or parts.get("serial_no") != gw.merchant_serial:
                return False
            stamp = parts.get("timestamp", "0")
            if not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
                return False
            message = f"{method}\n{self.path}\n{stamp}\n{parts.get('nonce_str', '')}\n{body}\n"
            return rsa_verify(gw.merchant_key.public_key(), message, parts.get("signature", ""))

        def _wechat(self, method: str, body: str) -> None:
            if not self._wechat_authorized(method, body):
                with gw.lock:
                    gw.refused_requests += 1
                return self._send(401, json.dumps({"code": "SIGN_ERROR", "message": "签名错误"}))
            path = urlsplit(self.path).path
            if method == "POST" and path in (
                "/v3/pay/transactions/native",
                "/v3/pay/transactions/h5",
            ):
                data = json.loads(body)
                total = data["amount"]["total"]
                if total in gw.decline_fen:
                    return self._send(
                        403, json.dumps({"code": "NO_AUTH", "message": "商户无此接口权限"})
                    )
                with gw.lock:
                    gw.wechat.setdefault(
                        data["out_trade_no"],
                        WeChatOrder(data["out_trade_no"], total, data["notify_url"]),
                    )
                if path.endswith("/h5"):
                    gw.payer_ips[data["out_trade_no"]] = data["scene_info"]["payer_client_ip"]
                    h5_url = "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx"
                    answer = {"h5_url": h5_url + secrets.token_hex(8)}
                else:
                    answer = {"code_url": "weixin://wxpay/bizpayurl?pr=" + secrets.token_hex(5)}
                return self._send(200, json.dumps(answer), signed=True)
            if method == "GET" and path.startswith("/v3/pay/transactions/out-trade-no/"):
                order = gw.wechat.get(path.rsplit("/", 1)[-1])
                if order is None:
                    return self._send(
                        404, json.dumps({"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
                    )
                return self._send(200, json.dumps(gw.wechat_transaction(order)), signed=True)
            if method == "POST" and path.endswith("/close"):
                order = gw.wechat.get(path.split("/")[-2])
                if order is None:
                    return self._send(404, json.dumps({"code": "ORDER_NOT_EXIST"}))
                if order.state == "SUCCESS":
                    return self._send(400, json.dumps({"code": "ORDERPAID"}))
                order.state = "CLOSED"
                return self._send(204, "", signed=True)
            if method == "POST" and path == "/v3/refund/domestic/refunds":
                data = json.loads(body)
                if gw.refunds_fail:
                    return self._send(500, json.dumps({"code": "SYSTEM_ERROR"}))
                with gw.lock:
                    gw.refunds.setdefault(data["out_refund_no"], data["amount"]["refund"])
                answer = {
                    "refund_id": "50000" + secrets.token_hex(8),
                    "out_refund_no": data["out_refund_no"],
                    "status": "SUCCESS",
                }
                return self._send(200, json.dumps(answer), signed=True)
            return self._send(404, json.dumps({"code": "NOT_FOUND"}))

        # Alipay ----------------------------------------------------------------------------
        def _alipay(self, params: dict[str, str]) -> None:
            signature = params.pop("sign", "")
            unsigned = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
            if params.get("app_id") != gw.alipay_appid or not rsa_verify(
                gw.app_key.public_key(), unsigned, signature
            ):
                with gw.lock:
                    gw.refused_requests += 1
                return self._send(
                    200,
                    json.dumps(
                        {
                            "error_response": {
                                "code": "40002",
                                "msg": "Invalid Arguments",
                                "sub_code": "isv.invalid-signature",
                            }
                        }
                    ),
                )
            method = params.get("method", "")
            biz = json.loads(params.get("biz_content", "{}"))
            if method == "alipay.trade.wap.pay":  # the guest's browser opens the pay page
                with gw.lock:
                    gw.alipay.setdefault(
                        biz["out_trade_no"],
                        AlipayOrder(
                            biz["out_trade_no"], biz["total_amount"], params.get("notify_url", "")
                        ),
                    )
                return self._send(200, "<html><body>支付宝 stand-in</body></html>", "text/html")
            order = gw.alipay.get(biz.get("out_trade_no", ""))
            key = method.replace(".", "_") + "_response"
            if order is None:
                inner = {
                    "code": "40004",
                    "msg": "Business Failed",
                    "sub_code": "ACQ.TRADE_NOT_EXIST",
                    "sub_msg": "交易不存在",
                }
            elif method == "alipay.trade.query":
                inner = {
                    "code": "10000",
                    "msg": "Success",
                    "out_trade_no": order.out_trade_no,
                    "trade_no": order.trade_no,
                    "trade_status": order.state,
                    "total_amount": order.total_amount,
                }
            elif method == "alipay.trade.close":
                order.state = "TRADE_CLOSED"
                inner = {"code": "10000", "msg": "Success", "out_trade_no": order.out_trade_no}
            elif method == "alipay.trade.refund":
                if gw.refunds_fail:
                    inner = {"code": "20000", "msg": "Service Currently Unavailable"}
                else:
                    cents = int(Decimal(biz["refund_amount"]) * 100)
                    with gw.lock:
                        gw.refunds.setdefault(biz["out_request_no"], cents)
                    inner = {
                        "code": "10000",
                        "msg": "Success",
                        "trade_no": order.trade_no,
                        "out_trade_no": order.out_trade_no,
                        "fund_change": "Y",
                        "refund_fee": biz["refund_amount"],
                    }
            else:
                inner = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.UNKNOWN"}
            text = json.dumps(inner, separators=(",", ":"), ensure_ascii=False)
            sign = rsa_sign(gw.alipay_key, text)
            return self._send(200, f'{{"{key}":{text},"sign":"{sign}"}}')

    return Handler


def paying_venue(data_dir: Path, gw: StandInGateway) -> Path:
    """The example venue with phones paying by sandbox, WeChat Pay and Alipay, the merchant
    keys of ``gw`` written beside ``data_dir``, the web side on free ports."""
    files = gw.write_keys(data_dir.parent / "merchant")
    text = (REPO_ROOT / "examples" / "venue.toml").read_text(encoding="utf-8")  # the example
    text = text.replace(
        'provider = "terminal"', 'provider = "sandbox"\nphone = ["sandbox", "wechat", "alipay"]'
    )
    text += f"""
[web]
port = 0
ca_port = 0

[guests]
joins_per_minute_per_address = 2000

[payments.wechat]
mchid = "{gw.mchid}"
appid = "{gw.appid}"
cert_serial_no = "{gw.merchant_serial}"
private_key_file = "{files["wechat_key"]}"
apiv3_key = "{gw.apiv3_key}"
platform_cert_dir = "{files["platform_dir"]}"
notify_url = "https://ktv.example.cn/api/pay/notify/wechat"
base_url = "{gw.base_url}"

[payments.alipay]
appid = "{gw.alipay_appid}"
app_private_key_file = "{files["alipay_app_key"]}"
alipay_public_key_file = "{files["alipay_public"]}"
notify_url = "https://ktv.example.cn/api/pay/notify/alipay"
base_url = "{gw.base_url}/gateway.do"
"""
    path = data_dir.parent / "paying-venue.toml"
    path.write_text(text, encoding="utf-8")
    return path
