"""The ``[web]`` table of the venue TOML and the HTTP side's fixed timings and bounds (units in
the names). Pure: parsed and checked here, used by the server."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ktv.errors import InvalidArgument

# Fixed (properties of the system, not of a venue).
body_max_bytes = 64 * 1024  # a request body larger than this is refused (413) before parsing
sse_queue_max_messages = 500  # a board client further behind is dropped (it reconnects)
session_sweep_s = 60.0  # signed-out / idle web sessions are forgotten this often
gateway_rpc_timeout_s = 30.0  # deadline on every gateway call into the controller's own gRPC
shutdown_grace_s = 2.0  # open HTTP connections (board streams) get this long at shutdown

IDLE_TIMEOUT_MIN_S = 60
IDLE_TIMEOUT_MAX_S = 24 * 3600
SSE_PING_MIN_S = 1
SSE_PING_MAX_S = 60
PORT_MAX = 65535


@dataclass(frozen=True)
class WebSettings:
    """``[web]``: the HTTP side of one controller."""

    enabled: bool = True
    port: int | None = None  # HTTPS (plain HTTP with --insecure-dev); 0 = any free port
    ca_port: int | None = None  # plain HTTP serving only the CA page; 0 = any free port
    idle_timeout_s: int = 15 * 60  # a staff session unused this long is signed out
    cert_file: str = ""  # the venue's own HTTPS certificate (PEM); "" = the venue CA's one
    key_file: str = ""  # its private key (PEM)
    # an `event: ping` on every board stream this often, busy or not: the browser calls a
    # stream silent for 2 x this + 2 s half-open (stale, reconnect); the caller's credential
    # is checked again at each ping
    sse_ping_s: int = 15


DEFAULT_PORT = 8443
DEFAULT_CA_PORT = 8080


def ports_for(web: WebSettings, listen_port: int) -> tuple[int, int]:
    """(HTTPS port, CA page port): as set, else 8443 and 8080; a controller told to listen on
    any free port (``--listen HOST:0``: tests) takes any free ports for these too."""
    if listen_port == 0:
        return (web.port or 0, web.ca_port or 0)
    return (
        DEFAULT_PORT if web.port is None else web.port,
        DEFAULT_CA_PORT if web.ca_port is None else web.ca_port,
    )


def web_settings(data: Mapping[str, Any]) -> WebSettings:
    """The ``[web]`` table of a parsed venue TOML (``{}`` -> defaults); InvalidArgument
    BAD_WEB_SETTING naming the key for an unknown key, a wrong type or a value out of bounds."""
    table = data.get("web", {})
    if not isinstance(table, Mapping):
        raise InvalidArgument("[web] must be a table", reason="BAD_WEB_SETTING")
    defaults = WebSettings()
    known = set(WebSettings.__dataclass_fields__)
    unknown = sorted(set(table) - known)
    if unknown:
        raise InvalidArgument(
            f"[web] has unknown key(s) {', '.join(unknown)}: known are {', '.join(sorted(known))}",
            reason="BAD_WEB_SETTING",
        )
    enabled = table.get("enabled", defaults.enabled)
    if not isinstance(enabled, bool):
        raise InvalidArgument("[web] enabled must be true or false", reason="BAD_WEB_SETTING")
    files = {}
    for key in ("cert_file", "key_file"):
        value = table.get(key, "")
        if not isinstance(value, str) or len(value) > 4096:
            raise InvalidArgument(f"[web] {key} must be a file path", reason="BAD_WEB_SETTING")
        files[key] = value
    if bool(files["cert_file"]) != bool(files["key_file"]):
        raise InvalidArgument(
            "[web] cert_file and key_file go together (both or neither)", reason="BAD_WEB_SETTING"
        )
    return WebSettings(
        enabled=enabled,
        cert_file=files["cert_file"],
        key_file=files["key_file"],
        port=_int(table, "port", defaults.port, 0, PORT_MAX),
        ca_port=_int(table, "ca_port", defaults.ca_port, 0, PORT_MAX),
        idle_timeout_s=_int(
            table, "idle_timeout_s", defaults.idle_timeout_s, IDLE_TIMEOUT_MIN_S, IDLE_TIMEOUT_MAX_S
        ),
        sse_ping_s=_int(table, "sse_ping_s", defaults.sse_ping_s, SSE_PING_MIN_S, SSE_PING_MAX_S),
    )


def _int(table: Mapping[str, Any], key: str, default: Any, low: int, high: int) -> Any:
    value = table.get(key, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidArgument(
            f"[web] {key} must be a whole number from {low} to {high}, got {value!r}",
            reason="BAD_WEB_SETTING",
        )
    return value


GUEST_DEFAULT_PORT = 8088
CERT_CHECK_MIN_S = 1
CERT_CHECK_MAX_S = 86400
HOST_MAX_CHARS = 255


@dataclass(frozen=True)
class GuestWebSettings:
    """``[guest_web]``: the listener guests' phones reach (docs/guest.md, "Reaching the guest
    page"). It serves only the guest page, its files, the guest-callable API and payment
    notifications. Off unless enabled."""

    enabled: bool = False
    host: str = ""  # address to bind (the guest network's); "" = the host of --listen
    port: int | None = None  # None = 8088 (any free port when the controller listens on :0)
    tls: bool = True  # False = PLAIN HTTP on purpose (guest Wi-Fi without a certificate)
    cert_file: str = ""  # PEM chain; "" = [acme]'s certificate (DATA_DIR/acme/certificates)
    key_file: str = ""
    cert_check_s: int = 60  # how often a renewed certificate file is looked for


def guest_web_settings(data: Mapping[str, Any]) -> GuestWebSettings:
    """The ``[guest_web]`` table (absent -> off); InvalidArgument BAD_GUEST_WEB_SETTING
    naming the key otherwise."""
    table = data.get("guest_web", {})

    def bad(message: str) -> InvalidArgument:
        return InvalidArgument(f"[guest_web] {message}", reason="BAD_GUEST_WEB_SETTING")

    if not isinstance(table, Mapping):
        raise bad("must be a table")
    defaults = GuestWebSettings()
    known = set(GuestWebSettings.__dataclass_fields__)
    unknown = sorted(set(table) - known)
    if unknown:
        raise bad(f"has unknown key(s) {', '.join(unknown)}: known are {', '.join(sorted(known))}")
    flags = {}
    for key in ("enabled", "tls"):
        value = table.get(key, getattr(defaults, key))
        if not isinstance(value, bool):
            raise bad(f"{key} must be true or false")
        flags[key] = value
    text = {}
    for key, most in (
        ("host", HOST_MAX_CHARS),
        ("cert_file", 4096),
        ("key_file", 4096),
    ):
        value = table.get(key, "")
        if not isinstance(value, str) or len(value) > most:
            raise bad(f"{key} must be a string of at most {most} characters")
        text[key] = value.strip()
    if bool(text["cert_file"]) != bool(text["key_file"]):
        raise bad("cert_file and key_file go together (both or neither)")
    if not flags["tls"] and text["cert_file"]:
        raise bad("cert_file is for tls = true; a plain-HTTP guest listener has no certificate")
    port = table.get("port")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int)):
        raise bad(f"port must be a whole number from 0 to {PORT_MAX}, got {port!r}")
    if port is not None and not 0 <= port <= PORT_MAX:
        raise bad(f"port must be a whole number from 0 to {PORT_MAX}, got {port!r}")
    check = table.get("cert_check_s", defaults.cert_check_s)
    if isinstance(check, bool) or not isinstance(check, int):
        raise bad("cert_check_s must be a whole number of seconds")
    if not CERT_CHECK_MIN_S <= check <= CERT_CHECK_MAX_S:
        raise bad(f"cert_check_s must be from {CERT_CHECK_MIN_S} to {CERT_CHECK_MAX_S}")
    return GuestWebSettings(
        enabled=flags["enabled"],
        host=text["host"],
        port=port,
        tls=flags["tls"],
        cert_file=text["cert_file"],
        key_file=text["key_file"],
        cert_check_s=check,
    )


def guest_port_for(guest: GuestWebSettings, listen_port: int) -> int:
    if guest.port is not None:
        return guest.port
    return 0 if listen_port == 0 else GUEST_DEFAULT_PORT
