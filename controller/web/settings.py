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
