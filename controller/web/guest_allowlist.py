"""What the guest listener serves: ONE allowlist, for the TLS and the plain-HTTP guest listener
alike (docs/guest.md, "Reaching the guest page").

- the guest page: ``GET /g/`` and below (``/`` and ``/g`` redirect there), the favicon;
- its files: ``GET /assets/<name>`` only for the files the guest page loads (read from the
  build: ``guest.html`` and what its scripts and styles name, followed to the end), not the
  staff app's;
- the API methods a guest credential may call: ``POST /api/v1/{Service}/{Method}`` where the
  one permission table admits ``Role.GUEST`` (so this listener never widens what a guest may
  do), plus the guest's way in, ``GuestService/JoinRoom``;
- payment notifications: ``POST /api/pay/notify/{provider}`` (verified by signature there),
  and the sandbox provider's stand-in pay page ``/api/pay/sandbox/{payment_id}`` (the demo's
  "gateway page"; a real provider's page is the gateway's own, never ours).

Everything else is 404, as if it did not exist: staff pages, the staff API, sessions, the
board stream, the OpenAPI document, wall keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from controller.auth.model import Role
from controller.auth.permissions import PermissionTable
from controller.web.routes import unary_methods

GUEST_PAGE = "/g/"
GUEST_HTML = "guest.html"
# Callable without a credential and meant for guests: the join code is the credential.
GUEST_PUBLIC_METHODS = frozenset({"GuestService/JoinRoom"})
FAVICONS = frozenset({"/favicon.ico", "/favicon.svg"})
RPC_PATH = re.compile(r"/api/v1/([A-Za-z][A-Za-z0-9]{0,80})/([A-Za-z][A-Za-z0-9]{0,80})")
NOTIFY_PATH = re.compile(r"/api/pay/notify/[a-z0-9_-]{1,40}")
SANDBOX_PAY_PATH = re.compile(r"/api/pay/sandbox/[A-Za-z0-9_-]{1,100}")
ASSET_PATH = re.compile(r"/assets/([A-Za-z0-9_.@~-]{1,200})")
# In built files: "/assets/x-1a2b.js", "assets/x.css" (Vite's preload list), "./x-1a2b.js"
# (a chunk importing its sibling).
ASSET_REFERENCE = re.compile(r"(?:assets/|\./)([A-Za-z0-9_.@~-]{1,200}\.[a-z0-9]{1,8})\b")
FOLLOWED_SUFFIXES = (".js", ".mjs", ".css", ".html")
GET_METHODS = frozenset({"GET", "HEAD"})


def guest_methods(table: PermissionTable) -> frozenset[str]:
    """``{"GuestService/QueueSong", "BillingService/GetBill", ...}``: the unary RPCs whose
    permission row admits a guest, and the public guest entry points."""
    found = set()
    for method in unary_methods():
        key = f"{method.containing_service.name}/{method.name}"
        rule = table.rule_for(f"/{method.containing_service.full_name}/{method.name}")
        if rule is None:
            continue
        if key in GUEST_PUBLIC_METHODS or (rule.roles is not None and Role.GUEST in rule.roles):
            found.add(key)
    return frozenset(found)


class GuestAssets:
    """The names under ``dist/assets`` that the guest page loads, followed from
    ``dist/guest.html`` through every script and style it names. Read again when the build
    changes (guest.html's modification time)."""

    def __init__(self, dist: Path) -> None:
        self.dist = dist
        self._stamp: int | None = None
        self._names: frozenset[str] = frozenset()

    def names(self) -> frozenset[str]:
        page = self.dist / GUEST_HTML
        try:
            stamp = page.stat().st_mtime_ns
        except FileNotFoundError:
            self._stamp, self._names = None, frozenset()
            return self._names
        if stamp != self._stamp:
            self._names = self._follow(page)
            self._stamp = stamp
        return self._names

    def _follow(self, page: Path) -> frozenset[str]:
        assets = self.dist / "assets"
        seen: set[str] = set()
        todo = [page]
        while todo:
            text = todo.pop().read_text(encoding="utf-8", errors="replace")
            for name in ASSET_REFERENCE.findall(text):
                path = assets / name
                if name in seen or not path.is_file():
                    continue
                seen.add(name)
                if name.endswith(FOLLOWED_SUFFIXES):
                    todo.append(path)
        return frozenset(seen)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    redirect: str = ""  # a Location to send instead (the bare host opens the guest page)


REFUSED = Decision(False)
ALLOWED = Decision(True)


class GuestAllowlist:
    def __init__(self, methods: frozenset[str], assets: GuestAssets) -> None:
        self.methods = methods
        self.assets = assets

    def decide(self, method: str, path: str) -> Decision:
        if method in GET_METHODS:
            if path in ("/", "/g"):
                return Decision(True, redirect=GUEST_PAGE)
            if path.startswith(GUEST_PAGE) or path in FAVICONS:
                return ALLOWED
            asset = ASSET_PATH.fullmatch(path)
            if asset is not None and asset.group(1) in self.assets.names():
                return ALLOWED
            return ALLOWED if SANDBOX_PAY_PATH.fullmatch(path) else REFUSED
        if method != "POST":
            return REFUSED
        rpc = RPC_PATH.fullmatch(path)
        if rpc is not None:
            return ALLOWED if f"{rpc.group(1)}/{rpc.group(2)}" in self.methods else REFUSED
        if NOTIFY_PATH.fullmatch(path) or SANDBOX_PAY_PATH.fullmatch(path):
            return ALLOWED
        return REFUSED
