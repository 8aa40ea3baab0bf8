"""The payment gateways' HTTP side: notifications in, and the sandbox's pay page.

``POST /api/pay/notify/{provider}`` is public (a gateway has no credential): the headers and
the raw body go to PaymentService.NotifyPayment, which verifies the provider's signature and
records the payment; the gateway gets back what the controller answers. The sandbox's pay
page (``/api/pay/sandbox/{payment_id}``, the demo's stand-in for WeChat's or Alipay's page)
posts its form to the same NotifyPayment and shows the result. No money passes through here.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from controller.web.gateway import Gateway
from ktv.errors import InvalidArgument
from ktv.v1 import payments_pb2 as pb

NOTIFY = "/ktv.v1.PaymentService/NotifyPayment"
NOTIFY_BODY_BYTES_MAX = 64 * 1024
SIGNATURE_HEADERS = ("wechatpay-", "content-type", "user-agent")


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > NOTIFY_BODY_BYTES_MAX:
        raise InvalidArgument("notification too large", reason="BAD_NOTIFICATION")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > NOTIFY_BODY_BYTES_MAX:
            raise InvalidArgument("notification too large", reason="BAD_NOTIFICATION")
    return body


async def forward(gateway: Gateway, provider: str, headers: list[tuple[str, str]], body: bytes):  # type: ignore[no-untyped-def]
    asked = pb.NotifyPaymentRequest(
        provider=provider[:32],
        headers=[pb.NotifyHeader(name=k, value=v[:4096]) for k, v in headers],
        body=body,
    )
    return await gateway.invoke(NOTIFY, asked, pb.NotifyPaymentResponse, "")


async def notify(gateway: Gateway, request: Request, provider: str) -> Response:
    body = await _body(request)
    headers = [
        (k, v) for k, v in request.headers.items() if k.lower().startswith(SIGNATURE_HEADERS)
    ]
    answer = await forward(gateway, provider, headers, body)
    return Response(
        answer.body,
        status_code=answer.http_status or 500,
        media_type=answer.content_type or "text/plain",
    )


_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>沙箱支付</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem">
<h1>沙箱支付 (sandbox)</h1>
<p>No money moves: this page stands in for the gateway's own page.</p>
{content}
</body></html>"""


def sandbox_page(request: Request, payment_id: str) -> Response:
    q = request.query_params
    amount = q.get("amount_fen", "")
    if not amount.isdigit() or not payment_id.isalnum():
        return HTMLResponse(_PAGE.format(content="<p>这个支付链接无效。</p>"), status_code=400)
    fen = int(amount)
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
        for k, v in (("amount_fen", amount), ("t", q.get("t", "")[:128]))
    )
    content = (
        f'<p id="amount">应付 ¥{fen // 100}.{fen % 100:02d}</p>'
        f'<form method="post">{hidden}<input type="hidden" name="outcome" value="pay">'
        '<button id="pay" type="submit" style="font-size:1.2rem;padding:.6rem 2rem">支付</button>'
        f'</form><form method="post">{hidden}<input type="hidden" name="outcome" value="cancel">'
        '<button id="cancel" type="submit">取消</button></form>'
    )
    return HTMLResponse(_PAGE.format(content=content))


async def sandbox_submit(gateway: Gateway, request: Request, payment_id: str) -> Response:
    try:  # a urlencoded form (parsed here: Starlette's form parser needs python-multipart)
        form = dict(parse_qsl((await _body(request)).decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        form = {}
    fields = {
        "payment_id": payment_id[:64],
        "amount_fen": str(form.get("amount_fen", ""))[:20],
        "t": str(form.get("t", ""))[:128],
        "outcome": "pay" if form.get("outcome") == "pay" else "cancel",
    }
    answer = await forward(gateway, "sandbox", [], urlencode(fields).encode())
    if answer.http_status != 200:
        message = '<p id="result">支付未完成：链接无效。</p>'
        return HTMLResponse(_PAGE.format(content=message), status_code=400)
    done = "已支付" if fields["outcome"] == "pay" else "已取消"
    back = '<p><a id="back" href="/g/">返回点歌页面</a></p>'
    return HTMLResponse(_PAGE.format(content=f'<p id="result">{done}。</p>{back}'))
