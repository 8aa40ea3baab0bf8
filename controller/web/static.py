"""The built web app (``controller/web/ui/dist``, made by ``./run setup``) and the security
headers on every answer. Hash-routed SPA: only ``/``, ``/index.html``, ``/assets/*`` and the
favicon are files; anything else is 404. The guest's phone page is the second entry,
``guest.html``, served at ``/g/`` (``/g`` redirects there, keeping the query)."""

from __future__ import annotations

import gzip
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


MISSING_GUEST_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>手机点歌暂不可用</title></head><body>
<h1>手机点歌暂不可用 / Phone page unavailable</h1>
<p>请用包厢里的点歌屏点歌，或联系服务员。</p>
<p>Please use the touchscreen in your room, or ask the staff. (The controller's web app is not
built: run <code>./run setup</code>.)</p>
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


# Text files worth compressing (the guest's phone on venue Wi-Fi: gzip makes its first load a
# quarter of the bytes). Built files never change while served, so each is compressed once.
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
        "application/json",
    }
)
GZIP_LEVEL = 6
GZIP_CACHE_MAX_BYTES = 16 * 1024 * 1024


def accepts_gzip(accept_encoding: str) -> bool:
    """``Accept-Encoding`` names gzip (without ``q=0``)."""
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0"):
            return True
    return False


class StaticApp:
    def __init__(self, dist: Path = DIST) -> None:
        self.dist = dist
        self._gzipped: dict[Path, tuple[int, bytes]] = {}  # path -> (mtime_ns, gzip bytes)

    def _file(
        self, path: Path, kind: str, headers: dict[str, str], accept_encoding: str
    ) -> Response:
        if kind not in COMPRESSIBLE:
            return FileResponse(path, media_type=kind, headers=headers)
        headers = {**headers, "vary": "accept-encoding"}
        if not accepts_gzip(accept_encoding):
            return FileResponse(path, media_type=kind, headers=headers)
        mtime = path.stat().st_mtime_ns
        cached = self._gzipped.get(path)
        if cached is None or cached[0] != mtime:
            body = gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL, mtime=0)
            if sum(len(b) for _, b in self._gzipped.values()) + len(body) > GZIP_CACHE_MAX_BYTES:
                self._gzipped.clear()
            cached = self._gzipped[path] = (mtime, body)
        return Response(cached[1], media_type=kind, headers={**headers, "content-encoding": "gzip"})

    def index(self, accept_encoding: str = "") -> Response:
        index = self.dist / "index.html"
        if not index.is_file():
            return HTMLResponse(MISSING_APP, status_code=503)
        return self._file(index, "text/html", {"cache-control": "no-cache"}, accept_encoding)

    def guest_page(self, accept_encoding: str = "") -> Response:
        """The guest's phone page (``/g/?c=<join code>``)."""
        page = self.dist / "guest.html"
        if not page.is_file():
            return HTMLResponse(MISSING_GUEST_PAGE, status_code=503)
        return self._file(page, "text/html", {"cache-control": "no-cache"}, accept_encoding)

    def asset(self, relative: str, accept_encoding: str = "") -> Response:
        base = (self.dist / "assets").resolve()
        path = (base / relative).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            return Response("not found", status_code=404, media_type="text/plain")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        immutable = {"cache-control": "public, max-age=31536000, immutable"}
        return self._file(path, kind, immutable, accept_encoding)

    def favicon(self, name: str) -> Response:
        path = self.dist / name
        if not path.is_file():
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(path, media_type=mimetypes.guess_type(name)[0] or "image/x-icon")
