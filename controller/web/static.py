"""The built web app (``controller/web/ui/dist``, made by ``./run setup``) and the security
headers on every answer. Hash-routed SPA: only ``/``, ``/index.html``, ``/assets/*`` and the
favicon are files; anything else is 404."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DIST = Path(__file__).resolve().parent / "ui" / "dist"
FAVICONS = ("favicon.ico", "favicon.svg")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline script, no eval, no CDN
        "style-src 'self' 'unsafe-inline'",  # component libraries set style attributes
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),  # a wall key in a URL never leaves in a Referer
    (b"cross-origin-opener-policy", b"same-origin"),
]

MISSING_APP = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>ktv: web app not built</title></head><body>
<h1>The web app is not built</h1>
<p>This controller serves its HTTP API, but the browser app in
<code>controller/web/ui/dist</code> is missing. Run <code>./run setup</code> on the
controller (it installs the npm packages from the lockfile and builds the app), then reload.</p>
<p>The API's reference is at <a href="/api/docs">/api/docs</a>.</p>
</body></html>"""


class SecurityHeaders:
    """ASGI middleware: the headers above on every response (and ``Cache-Control: no-store``
    on /api answers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = str(scope.get("path", "")).startswith("/api/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if api and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class StaticApp:
    def __init__(self, dist: Path = DIST) -> None:
        self.dist = dist

    def index(self) -> Response:
        index = self.dist / "index.html"
        if not index.is_file():
            return HTMLResponse(MISSING_APP, status_code=503)
        return FileResponse(index, media_type="text/html", headers={"cache-control": "no-cache"})

    def asset(self, relative: str) -> Response:
        base = (self.dist / "assets").resolve()
        path = (base / relative).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            return Response("not found", status_code=404, media_type="text/plain")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(
            path, media_type=kind, headers={"cache-control": "public, max-age=31536000, immutable"}
        )

    def favicon(self, name: str) -> Response:
        path = self.dist / name
        if not path.is_file():
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(path, media_type=mimetypes.guess_type(name)[0] or "image/x-icon")
