"""``/api/openapi.json``: OpenAPI 3.1 generated from the proto descriptors and the permission
table, so it cannot drift from what the gateway serves. Schemas follow the proto3 JSON mapping
the gateway speaks (snake_case names, int64 as strings, enums by name, RFC 3339 times)."""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

from controller.auth.model import Role
from controller.web.routes import NOT_ROUTED, Route

JSON = dict[str, Any]
ERROR_REF = {"$ref": "#/components/schemas/Error"}

_SCALARS: dict[int, JSON] = {
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_INT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_SINT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_UINT32: {"type": "integer", "format": "uint32"},
    FieldDescriptor.TYPE_FIXED32: {"type": "integer", "format": "uint32"},
    FieldDescriptor.TYPE_DOUBLE: {"type": "number", "format": "double"},
    FieldDescriptor.TYPE_FLOAT: {"type": "number", "format": "float"},
    FieldDescriptor.TYPE_BYTES: {"type": "string", "contentEncoding": "base64"},
}
_INT64 = {
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_SFIXED64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_FIXED64,
}
_WELL_KNOWN: dict[str, JSON] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?\d+(\.\d+)?s$"},
    "google.protobuf.Struct": {"type": "object"},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array"},
}


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


class _Schemas:
    """Collects the JSON schema of every message and enum reached from the routes."""

    def __init__(self) -> None:
        self.schemas: dict[str, JSON] = {}

    def message(self, descriptor: Descriptor) -> JSON:
        name = descriptor.full_name
        if name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[name])
        if name not in self.schemas:
            self.schemas[name] = {}  # placeholder: recursive messages
            properties = {f.name: self.field(f) for f in descriptor.fields}
            self.schemas[name] = {
                "type": "object",
                "properties": properties,
                "additionalProperties": False,
            }
        return _ref(name)

    def enum(self, descriptor: EnumDescriptor) -> JSON:
        name = descriptor.full_name
        if name not in self.schemas:
            self.schemas[name] = {"type": "string", "enum": [v.name for v in descriptor.values]}
        return _ref(name)

    def field(self, field: FieldDescriptor) -> JSON:
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            entry = field.message_type
            if entry.GetOptions().map_entry:
                return {
                    "type": "object",
                    "additionalProperties": self.field(entry.fields_by_name["value"]),
                }
            one = self.message(entry)
        elif field.type == FieldDescriptor.TYPE_ENUM:
            one = self.enum(field.enum_type)
        elif field.type in _INT64:
            one = {"type": "string", "format": "int64", "description": "int64 as a string"}
        else:
            one = dict(_SCALARS[field.type])
        if field.is_repeated:
            return {"type": "array", "items": one}
        return one


def _roles(route: Route) -> str:
    roles = sorted(
        (r for r in route.rule.roles or () if r.is_staff or r is Role.WALL_BOARD),
        key=lambda r: r.value,
    )
    return ", ".join(r.key for r in roles)


def _op(summary: str, tag: str, **more: Any) -> JSON:
    return {
        "summary": summary,
        "tags": [tag],
        "responses": {
            "default": {
                "description": "refused: the gRPC status mapped to HTTP (docs/web.md)",
                "content": {"application/json": {"schema": ERROR_REF}},
            },
            **more.pop("responses", {}),
        },
        **more,
    }


def openapi_document(routes: dict[str, Route], version: str) -> JSON:
    schemas = _Schemas()
    paths: dict[str, JSON] = {}
    for key in sorted(routes):
        route = routes[key]
        request = schemas.message(route.request_type.DESCRIPTOR)
        response = schemas.message(route.response_type.DESCRIPTOR)
        paths[f"/api/v1/{key}"] = {
            "post": _op(
                f"{route.service}.{route.method}",
                route.service,
                operationId=f"{route.service}_{route.method}",
                description=f"The gRPC method {route.full_method}. Roles: {_roles(route)}.",
                requestBody={
                    "required": False,
                    "content": {"application/json": {"schema": request}},
                },
                responses={
                    "200": {
                        "description": route.response_type.DESCRIPTOR.name,
                        "content": {"application/json": {"schema": response}},
                    }
                },
            )
        }
    session = {
        "type": "object",
        "properties": {
            "staff_id": {"type": "string"},
            "display_name": {"type": "string"},
            "role": {"type": "string", "description": "ktv.v1.Role name, e.g. ROLE_CASHIER"},
            "expires_at": {"type": "string", "format": "date-time"},
            "idle_timeout_s": {"type": "integer"},
            "methods": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Service/Method this role may call (the server refuses the rest)",
            },
        },
    }
    schemas.schemas["Session"] = session
    session_ok = {
        "200": {
            "description": "the staff session",
            "content": {"application/json": {"schema": _ref("Session")}},
        }
    }
    paths["/api/session"] = {
        "post": _op(
            "Sign in (staff id + PIN): sets the ktv_session and ktv_csrf cookies",
            "Session",
            security=[],
            requestBody={
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["staff_id", "pin"],
                            "properties": {
                                "staff_id": {"type": "string"},
                                "pin": {"type": "string"},
                                "request_id": {"type": "string"},
                            },
                        }
                    }
                },
            },
            responses=session_ok,
        ),
        "get": _op("The current session", "Session", responses=session_ok),
        "delete": _op(
            "Sign out (revokes the session's token)",
            "Session",
            responses={"204": {"description": "signed out"}},
        ),
    }
    wall_key = schemas.message(_wall_key_descriptor())
    paths["/api/wall-keys"] = {
        "post": _op(
            "Mint a wall-board key (manager): shown once",
            "Wall board",
            requestBody={
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "label": {"type": "string"},
                                "request_id": {"type": "string"},
                            },
                        }
                    }
                }
            },
            responses={
                "200": {
                    "description": "the key and the wall TV's URL",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "key": {"type": "string"},
                                    "url": {"type": "string"},
                                    "wall_key": wall_key,
                                },
                            }
                        }
                    },
                }
            },
        ),
        "get": _op("The wall-board keys (never the secrets)", "Wall board"),
    }
    paths["/api/wall-keys/{id}"] = {
        "delete": _op(
            "Revoke a wall-board key",
            "Wall board",
            parameters=[
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
        )
    }
    paths["/api/board/events"] = {
        "get": _op(
            "The live board as Server-Sent Events: event snapshot|change|removed, data = "
            "ktv.v1.WatchRoomsResponse as JSON; an `event: ping` ({every_s, send_time}) first and "
            "every [web] sse_ping_s (15 s)",
            "Board",
            parameters=[
                {
                    "name": "wall",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "a wall-board key instead of the staff cookie",
                }
            ],
            responses={
                "200": {
                    "description": "the event stream",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                }
            },
        )
    }
    provider = {"name": "provider", "in": "path", "required": True, "schema": {"type": "string"}}
    paths["/api/pay/notify/{provider}"] = {
        "post": _op(
            "A payment gateway's notification (wechat, alipay, sandbox): public, verified by "
            "the provider's signature, answered as the gateway expects (docs/guest.md)",
            "Payments",
            security=[],
            parameters=[provider],
        )
    }
    payment = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    paths["/api/pay/sandbox/{id}"] = {
        "get": _op(
            "The sandbox's pay page (demo only: no money moves)",
            "Payments",
            security=[],
            parameters=[payment],
        ),
        "post": _op(
            "The sandbox pay page's form: pays or cancels the payment",
            "Payments",
            security=[],
            parameters=[payment],
        ),
    }
    schemas.message(_watch_descriptor())
    for path, summary in (
        ("/ca", "The venue CA page (fingerprint, QR code of the HTTPS URL)"),
        ("/ca.crt", "The venue CA certificate to install"),
    ):
        paths[path] = {
            "get": {
                "summary": summary,
                "tags": ["Trust"],
                "security": [],
                "description": "Served ONLY on the plain-HTTP CA port ([web] ca_port, 8080).",
                "servers": [
                    {
                        "url": "http://{controller}:8080",
                        "variables": {"controller": {"default": "ktv-controller.local"}},
                    }
                ],
                "responses": {"200": {"description": summary}},
            }
        }
    schemas.schemas["Error"] = {
        "type": "object",
        "required": ["reason", "message", "status"],
        "properties": {
            "reason": {
                "type": "string",
                "description": "google.rpc.ErrorInfo reason (docs/errors.md)",
            },
            "message": {"type": "string"},
            "status": {"type": "string", "description": "the gRPC status name"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ktv controller HTTP API",
            "version": version,
            "description": (
                "A gateway onto the controller's gRPC API (ktv.v1): POST /api/v1/{Service}/"
                "{Method} with the request's proto3 JSON. Not routed: "
                + "; ".join(f"{k} ({why})" for k, why in sorted(NOT_ROUTED.items()))
                + "; streaming RPCs (the board is /api/board/events); RoomLinkService (agents)."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"session": [], "csrf": []}, {"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.schemas.items())),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "ktv_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def _wall_key_descriptor() -> Descriptor:
    from ktv.v1 import auth_pb2

    return auth_pb2.WallKey.DESCRIPTOR


def _watch_descriptor() -> Descriptor:
    from ktv.v1 import rooms_pb2

    return rooms_pb2.WatchRoomsResponse.DESCRIPTOR
