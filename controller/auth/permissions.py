"""The one permission table: gRPC method -> who may call it, and which request field names
the room for room-scoped callers (agents and guests).

Services add their own rows when they are composed into the server
(``PermissionTable.allow``); a method with no row is refused (fail closed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from controller.auth.model import STAFF_ROLES, Role

# Every role that acts (staff, agents, guests); a wall-board key only reads the board and is
# named on its rows (WALL).
WALL = frozenset({Role.WALL_BOARD})
ALL_ROLES = frozenset(Role) - WALL
TECH_UP = frozenset({Role.TECHNICIAN, Role.MANAGER, Role.ADMIN})
MANAGER_UP = frozenset({Role.MANAGER, Role.ADMIN})
ADMIN_ONLY = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class Permission:
    """``roles=None`` means public (no credential needed)."""

    roles: frozenset[Role] | None
    room_field: str = ""  # request field holding rooms/{id} (checked for agents/guests)

    @property
    def public(self) -> bool:
        return self.roles is None


PUBLIC = Permission(None)


class PermissionTable:
    def __init__(self, rows: Mapping[str, Permission] | None = None) -> None:
        self._rows: dict[str, Permission] = dict(rows or {})

    def allow(self, rows: Mapping[str, Permission]) -> None:
        for method, rule in rows.items():
            if method in self._rows and self._rows[method] != rule:
                raise ValueError(f"conflicting permission rows for {method}")
            self._rows[method] = rule

    def rule_for(self, method: str) -> Permission | None:
        return self._rows.get(method)

    def methods(self) -> Iterable[str]:
        return sorted(self._rows)


def service_rows(service: str, rows: Mapping[str, Permission]) -> dict[str, Permission]:
    """``service_rows("ktv.v1.RoomService", {"GetRoom": ...})`` -> full method names."""
    return {f"/{service}/{name}": rule for name, rule in rows.items()}


INFRASTRUCTURE = {
    "/grpc.health.v1.Health/Check": PUBLIC,
    "/grpc.health.v1.Health/Watch": PUBLIC,
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": PUBLIC,
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo": PUBLIC,
}

ROOM_SERVICE = service_rows(
    "ktv.v1.RoomService",
    {
        "CreateRoom": Permission(TECH_UP),
        "GetRoom": Permission(ALL_ROLES | WALL, room_field="name"),
        "ListRooms": Permission(STAFF_ROLES | WALL),
        "UpdateRoom": Permission(TECH_UP),
        "SetRoomState": Permission(STAFF_ROLES),
        "WatchRooms": Permission(STAFF_ROLES | WALL),
        "SetEmergency": Permission(STAFF_ROLES),
        "SetRoomPower": Permission(STAFF_ROLES),
        "GetEmergency": Permission(STAFF_ROLES),
        "AcknowledgeAlert": Permission(STAFF_ROLES),
        "SetRoomLayout": Permission(MANAGER_UP),
        "SetRoomLock": Permission(STAFF_ROLES),
    },
)

AUTH_SERVICE = service_rows(
    "ktv.v1.AuthService",
    {
        "CreateEnrollmentCode": Permission(TECH_UP),
        "EnrollAgent": PUBLIC,
        "Login": PUBLIC,
        "CreateStaff": Permission(ADMIN_ONLY),
        "WhoAmI": Permission(ALL_ROLES | WALL),
        "Logout": Permission(STAFF_ROLES),
        "CreateWallKey": Permission(MANAGER_UP),
        "ListWallKeys": Permission(MANAGER_UP),
        "RevokeWallKey": Permission(MANAGER_UP),
        "ListStaff": Permission(MANAGER_UP),
    },
)

# The room named in hello is checked by the link servicer (streams carry it in a message).
LINK_SERVICE = service_rows(
    "ktv.v1.RoomLinkService",
    {
        "Connect": Permission(frozenset({Role.AGENT})),
        "ReadCatalogChunk": Permission(frozenset({Role.AGENT}), room_field="room"),
    },
)

CATALOG_SERVICE = service_rows(
    "ktv.v1.CatalogService",
    {
        "PublishCatalog": Permission(TECH_UP),
        "ListCatalogVersions": Permission(STAFF_ROLES),
    },
)

# Inventory: every staff member reads stock and moves it (receives, issues, transfers, wastes,
# counts, stores and hands out 存酒); definitions, approvals, purchasing and write-offs are a
# manager's.
_STOCK_STAFF = Permission(STAFF_ROLES)
_STOCK_MANAGER = Permission(MANAGER_UP)
INVENTORY_SERVICE = service_rows(
    "ktv.v1.InventoryService",
    {
        "UpsertStockItem": _STOCK_MANAGER,
        "ListStockLevels": _STOCK_STAFF,
        "SetRecipe": _STOCK_MANAGER,
        "ReceiveStock": _STOCK_STAFF,
        "IssueStock": _STOCK_STAFF,
        "TransferStock": _STOCK_STAFF,
        "WasteStock": _STOCK_STAFF,
        "WriteOffExpired": _STOCK_MANAGER,
        "ListStockDocuments": _STOCK_STAFF,
        "OpenStocktake": _STOCK_STAFF,
        "GetStocktake": _STOCK_STAFF,
        "ListStocktakes": _STOCK_STAFF,
        "RecordCount": _STOCK_STAFF,
        "DecideStocktake": _STOCK_MANAGER,
        "UpsertSupplier": _STOCK_MANAGER,
        "ListSuppliers": _STOCK_STAFF,
        "SuggestPurchases": _STOCK_STAFF,
        "CreatePurchaseOrder": _STOCK_MANAGER,
        "SendPurchaseOrder": _STOCK_MANAGER,
        "ExportPurchaseOrder": _STOCK_STAFF,
        "ClosePurchaseOrder": _STOCK_MANAGER,
        "ListPurchaseOrders": _STOCK_STAFF,
        "StoreBottle": _STOCK_STAFF,
        "WithdrawBottle": _STOCK_STAFF,
        "ResolveBottle": _STOCK_MANAGER,
        "ListStoredBottles": _STOCK_STAFF,
        "CheckStoredBottles": _STOCK_MANAGER,
        "ListStockAlerts": _STOCK_STAFF,
        "VerifyStockLedger": _STOCK_MANAGER,
    },
)

# Operations of the HTTP side that are not RPCs (controller/web): checked against the role the
# caller's credential resolves to, through the same table.
WEB_BOARD_EVENTS = "GET /api/board/events"
WEB_ROUTES = {
    WEB_BOARD_EVENTS: Permission(STAFF_ROLES | WALL),
}
