"""The controller's application context: what a service module builds its servicers from, and
the registry of service modules. Its own module so the servicers (``controller/api/``,
``billing/api.py``, ``members/api.py``, ``scheduler/api.py``) import this, never
:mod:`controller.server`, which imports them (docs/house.md: no package cycle).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Protocol

import grpc

from controller.auth.authenticator import Authenticator
from controller.auth.certificate import RoomCertificates
from controller.auth.credentials import Credentials
from controller.auth.permissions import Permission, PermissionTable
from controller.catalog_publish import CatalogPublisher
from controller.deploy.data_dir_lock import DataDirLock
from controller.rooms.board import RoomBoard
from controller.settings import BoardTiming
from controller.store.db import Store
from controller.venue import VenueConfig
from ktv.security.venue_tls import VenueTls


@dataclass(frozen=True)
class ServerOptions:
    data_dir: Path
    listen: str = "0.0.0.0:50051"
    insecure_dev: bool = False
    agent_listen: str = ""  # mutual-TLS port for room agents; default: listen port + 1
    mdns_interfaces: tuple[str, ...] = ()
    mdns: bool = True
    venue_config: Path | None = None
    venue_id: str = ""
    timing: BoardTiming = field(default_factory=BoardTiming)
    debug_slow_methods: Mapping[str, float] = field(default_factory=dict)  # tests only
    catalog: Path | None = None  # master song catalog fed with every room's plays
    clock: Callable[[], datetime] | None = None  # tests only: the board's and app's clock


class JobScheduler(Protocol):
    """What the server and the modules use of :class:`controller.scheduler.runner.Scheduler`
    (a protocol: the scheduler's own servicer imports this module, so this one cannot import
    the scheduler package back)."""

    tz: tzinfo

    def add(self, name: str, default: object, action: Callable[..., object]) -> object: ...

    def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class ControllerApp:
    """What service modules get to build their servicers from."""

    options: ServerOptions
    venue: VenueConfig
    store: Store
    board: RoomBoard
    credentials: Credentials
    clock: Callable[[], datetime]
    permissions: PermissionTable
    authenticators: list[Authenticator] = field(default_factory=list)
    venue_tls: VenueTls | None = None  # None only with --insecure-dev and no `init`
    room_certificates: RoomCertificates | None = None
    data_dir_lock: DataDirLock | None = None  # held while serving; restore needs it
    scheduler: JobScheduler | None = None  # periodic jobs; modules add theirs in add_to_server
    # Objects service modules share, by name (inventory's desk: billing's stock hook and
    # inventory's servicer use the same one); built once by whichever module asks first.
    parts: dict[str, object] = field(default_factory=dict)
    catalog: CatalogPublisher | None = None  # --catalog: versions published to the rooms


class ServiceModule(Protocol):
    def permissions(self) -> Mapping[str, Permission]: ...

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        """Add servicers; return their full service names (for health and reflection)."""


_MODULES: list[Callable[[], ServiceModule]] = []


def register_service_module(factory: Callable[[], ServiceModule]) -> None:
    if factory not in _MODULES:
        _MODULES.append(factory)


def service_modules() -> list[Callable[[], ServiceModule]]:
    """The registered module factories, in registration order."""
    return list(_MODULES)
