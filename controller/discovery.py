"""Zeroconf: the controller advertises ``_ktv._tcp.local.``; ktvctl and agents browse for it.

TXT records: ``venue`` (venue id), ``api`` (API version), ``port``, ``tls`` (0/1),
``ca_fp`` (venue CA certificate SHA-256, lowercase hex; empty in plain text) and
``agent_port`` (the mutual-TLS port rooms connect to; 0 in plain text).
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

from zeroconf import IPVersion, ServiceBrowser, ServiceListener, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncZeroconf

from controller import settings


@dataclass(frozen=True)
class Advertisement:
    venue_id: str
    port: int
    addresses: tuple[str, ...]
    tls: bool = False
    ca_fingerprint: str = ""
    agent_port: int = 0

    @property
    def instance_name(self) -> str:
        return f"ktv-{self.venue_id}.{settings.SERVICE_TYPE}"

    def txt(self) -> dict[str, str]:
        return {
            "venue": self.venue_id,
            "api": settings.API_VERSION,
            "port": str(self.port),
            "tls": "1" if self.tls else "0",
            "ca_fp": self.ca_fingerprint,
            "agent_port": str(self.agent_port),
        }


def _interfaces(mdns_interfaces: list[str] | None) -> list[str] | object:
    from zeroconf import InterfaceChoice

    return list(mdns_interfaces) if mdns_interfaces else InterfaceChoice.All


def advertised_addresses(listen_host: str, mdns_interfaces: list[str] | None) -> tuple[str, ...]:
    """Addresses to publish: the listen host when specific, else the mDNS interfaces, else
    every IPv4 address of the machine."""
    if listen_host not in ("", "0.0.0.0", "[::]", "::"):
        return (listen_host,)
    if mdns_interfaces:
        return tuple(mdns_interfaces)
    from zeroconf import get_all_addresses

    return tuple(a for a in get_all_addresses() if not a.startswith("127.")) or ("127.0.0.1",)


class VenueAdvertiser:
    """Registers the controller with AsyncZeroconf on the server's own loop."""

    def __init__(self, ad: Advertisement, mdns_interfaces: list[str] | None) -> None:
        from zeroconf.asyncio import AsyncServiceInfo

        self.ad = ad
        self.zeroconf = AsyncZeroconf(
            interfaces=_interfaces(mdns_interfaces), ip_version=IPVersion.V4Only
        )
        self.info = AsyncServiceInfo(
            settings.SERVICE_TYPE,
            ad.instance_name,
            port=ad.port,
            properties=ad.txt(),
            addresses=[socket.inet_aton(a) for a in ad.addresses],
            server=f"ktv-{ad.venue_id}.local.",
        )
        self.registered = False

    async def start(self) -> None:
        await self.zeroconf.async_register_service(self.info, allow_name_change=True)
        self.registered = True

    async def stop(self) -> None:
        if self.registered:
            await self.zeroconf.async_unregister_service(self.info)
        await self.zeroconf.async_close()


@dataclass(frozen=True)
class FoundController:
    venue_id: str
    host: str
    port: int
    api: str
    tls: bool
    ca_fingerprint: str = ""
    agent_port: int = 0

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def browse(
    timeout_s: float = settings.discovery_timeout_s,
    *,
    venue_id: str = "",
    interfaces: list[str] | None = None,
) -> FoundController | None:
    """First controller (optionally of ``venue_id``) seen within ``timeout_s``."""
    found: list[FoundController] = []
    done = threading.Event()
    zc = Zeroconf(interfaces=_interfaces(interfaces), ip_version=IPVersion.V4Only)

    class Listener(ServiceListener):
        def _look(self, zc: Zeroconf, type_: str, name: str) -> None:
            info = zc.get_service_info(type_, name, timeout=1000)
            if info is None or not info.parsed_addresses():
                return
            props = {k.decode(): (v or b"").decode() for k, v in (info.properties or {}).items()}
            if venue_id and props.get("venue") != venue_id:
                return
            found.append(
                FoundController(
                    venue_id=props.get("venue", ""),
                    host=info.parsed_addresses()[0],
                    port=info.port or 0,
                    api=props.get("api", ""),
                    tls=props.get("tls") == "1",
                    ca_fingerprint=props.get("ca_fp", ""),
                    agent_port=int(props["agent_port"])
                    if props.get("agent_port", "").isdigit()
                    else 0,
                )
            )
            done.set()

        def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            self._look(zc, type_, name)

        def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            self._look(zc, type_, name)

        def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            return

    browser = ServiceBrowser(zc, settings.SERVICE_TYPE, Listener())
    try:
        done.wait(timeout_s)
    finally:
        browser.cancel()
        zc.close()
    return found[0] if found else None


__all__ = ["Advertisement", "FoundController", "ServiceStateChange", "VenueAdvertiser", "browse"]
