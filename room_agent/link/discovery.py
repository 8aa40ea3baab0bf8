"""Finding the controller: an explicit ``host:port`` wins, else zeroconf ``_ktv._tcp``.

The controller advertises ``_ktv._tcp.local.`` with TXT records ``venue`` (venue id),
``api`` ("v1"), ``port``, ``tls`` (0/1), ``ca_fp`` (SHA-256 of the venue CA) and
``agent_port`` (the mutual-TLS port enrolled rooms link on). Each lookup browses afresh, so
a controller that restarted on another port or moved to another host is found again on the
next reconnect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from zeroconf import InterfaceChoice, IPVersion, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from ktv.errors import InvalidArgument, Unavailable
from room_agent.link import settings

log = logging.getLogger(__name__)

_VENUE_KEYS = ("venue_id", "venue")
_API_KEYS = ("api_version", "api")


@dataclass(frozen=True)
class ControllerAddress:
    host: str
    port: int
    venue_id: str = ""
    api_version: str = ""
    source: str = "override"  # "override" or "zeroconf"
    tls: bool = False  # the controller said it speaks TLS
    ca_fingerprint: str = ""  # SHA-256 of the venue CA (TXT; a typed pin is what counts)
    agent_port: int = 0  # the mutual-TLS port rooms link on (0: unknown / plain text)

    @property
    def target(self) -> str:
        return _join(self.host, self.port)

    def link_target(self, agent_port: int = 0) -> str:
        """Where an enrolled room links over mutual TLS: the TXT ``agent_port``, else the
        configured one, else the documented default (staff port + 1)."""
        return _join(self.host, self.agent_port or agent_port or self.port + 1)


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def parse_host_port(text: str) -> ControllerAddress:
    """``host:port`` or ``[v6]:port``; raises ``InvalidArgument`` with a one-line reason."""
    value = text.strip()
    host, sep, port_text = value.rpartition(":")
    if not sep or not host:
        raise InvalidArgument(f"controller address {text!r} must look like host:port")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InvalidArgument(f"controller address {text!r} has no valid port (1-65535)")
    return ControllerAddress(host=host, port=int(port_text), source="override")


def _txt(properties: Mapping[bytes, bytes | None], keys: Sequence[str]) -> str:
    for key in keys:
        value = properties.get(key.encode())
        if value:
            return value.decode("utf-8", "replace")
    return ""


def address_from_info(info: AsyncServiceInfo) -> ControllerAddress | None:
    hosts = info.parsed_addresses(IPVersion.V4Only) or info.parsed_addresses()
    if not hosts or not info.port:
        return None
    props = info.properties or {}
    return ControllerAddress(
        host=hosts[0],
        port=info.port,
        venue_id=_txt(props, _VENUE_KEYS),
        api_version=_txt(props, _API_KEYS),
        source="zeroconf",
        tls=_txt(props, ("tls",)) == "1",
        ca_fingerprint=_txt(props, ("ca_fp",)),
        agent_port=int(_txt(props, ("agent_port",)) or 0)
        if _txt(props, ("agent_port",)).isdigit()
        else 0,
    )


def _usable(address: ControllerAddress, venue_id: str) -> bool:
    if venue_id and address.venue_id != venue_id:
        log.info("ignoring controller of venue %r at %s", address.venue_id, address.target)
        return False
    if address.api_version and address.api_version.lstrip("v") != settings.api_version:
        log.warning(
            "ignoring controller at %s speaking API %s (agent speaks %s)",
            address.target,
            address.api_version,
            settings.api_version,
        )
        return False
    return True


async def discover_controller(
    *,
    interfaces: Sequence[str] = (),
    venue_id: str = "",
    timeout_s: float = settings.discovery_timeout_s,
) -> ControllerAddress:
    """Browse ``_ktv._tcp`` until a usable controller resolves; ``Unavailable`` on timeout.
    ``interfaces`` limits mDNS to those addresses (tests pass ``["127.0.0.1"]``)."""
    loop = asyncio.get_running_loop()
    names: asyncio.Queue[str] = asyncio.Queue()

    def on_change(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change in (ServiceStateChange.Added, ServiceStateChange.Updated):
            loop.call_soon_threadsafe(names.put_nowait, name)

    azc = AsyncZeroconf(interfaces=list(interfaces) if interfaces else InterfaceChoice.All)
    browser = AsyncServiceBrowser(azc.zeroconf, settings.service_type, handlers=[on_change])
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                name = await names.get()
                info = AsyncServiceInfo(settings.service_type, name)
                if not await info.async_request(
                    azc.zeroconf, settings.discovery_resolve_timeout_ms
                ):
                    continue
                address = address_from_info(info)
                if address is not None and _usable(address, venue_id):
                    log.info("found controller %s (venue %r) by zeroconf", name, address.venue_id)
                    return address
    except TimeoutError:
        raise Unavailable(
            f"no controller answered on {settings.service_type} within {timeout_s:g} s"
        ) from None
    finally:
        await browser.async_cancel()
        await azc.async_close()


@dataclass(frozen=True)
class ControllerLocator:
    """Where to connect next: the override if configured, else a fresh zeroconf browse."""

    override: ControllerAddress | None = None
    interfaces: tuple[str, ...] = ()
    venue_id: str = ""
    timeout_s: float = settings.discovery_timeout_s

    async def locate(self) -> ControllerAddress:
        if self.override is not None:
            return self.override
        return await discover_controller(
            interfaces=self.interfaces, venue_id=self.venue_id, timeout_s=self.timeout_s
        )
