"""The one thing served over plain HTTP: how a staff device comes to trust the venue's HTTPS.
``/ca`` shows the venue CA's SHA-256 fingerprint and a QR code of the HTTPS address;
``/ca.crt`` is the CA certificate to install. Nothing else answers on this port."""

from __future__ import annotations

import html
import io

import qrcode
import qrcode.image.svg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from controller.web.static import SecurityHeaders
from ktv.security.certs import fingerprint_for_people, fingerprint_sha256


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode()


def ca_page_html(ca_pem: bytes, https_url: str) -> str:
    fingerprint = fingerprint_for_people(fingerprint_sha256(ca_pem))
    url = html.escape(https_url)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>信任本店证书 / Trust this venue</title></head><body>
<h1>信任本店证书 · Trust this venue's certificate</h1>
<ol>
<li><a href="/ca.crt" download="ktv-venue-ca.crt">下载本店 CA 证书 · Download the venue CA</a>
 and install it as a trusted certificate authority on this device.</li>
<li>核对指纹 · Check that its SHA-256 fingerprint is exactly the one the controller printed
 at <code>ktv-controller init</code>:<br><code id="fingerprint">{fingerprint}</code></li>
<li>打开 · Then open <a href="{url}">{url}</a> (or scan):</li>
</ol>
<div id="qr">{qr_svg(https_url)}</div>
</body></html>"""


def ca_app(ca_pem: bytes, https_url: str) -> SecurityHeaders:
    page = ca_page_html(ca_pem, https_url)

    async def ca(request: Request) -> Response:
        return HTMLResponse(page)

    async def ca_cert(request: Request) -> Response:
        return Response(
            ca_pem,
            media_type="application/x-x509-ca-cert",
            headers={"content-disposition": 'attachment; filename="ktv-venue-ca.crt"'},
        )

    async def root(request: Request) -> Response:
        return RedirectResponse("/ca")

    return SecurityHeaders(
        Starlette(
            routes=[
                Route("/", root),
                Route("/ca", ca),
                Route("/ca.crt", ca_cert),
            ]
        )
    )
