"""The published schema: OpenAPI 3.1 from the proto descriptors (one path per routed RPC, the
session, wall-key, board and CA endpoints) and a reference page that works offline."""

from __future__ import annotations

from typing import Any

from tests.web.venue import WebVenue


def refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(refs(v) for v in node)) if node else set()
    return set()


def test_the_document_covers_every_routed_rpc_and_the_web_endpoints(web_venue: WebVenue) -> None:
    with web_venue.client() as client:
        document = client.get("/api/openapi.json").json()
        with web_venue.signed_in("m1") as manager:
            methods = manager.get("/api/session").json()["methods"]
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    for method in methods:  # a manager may call every routed RPC but the admin's
        assert f"/api/v1/{method}" in paths, method
        assert "post" in paths[f"/api/v1/{method}"]
    checkout = paths["/api/v1/BillingService/Checkout"]["post"]
    assert "cashier" in checkout["description"]
    schema = checkout["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ktv.v1.CheckoutRequest"}
    schemas = document["components"]["schemas"]
    room = schemas["ktv.v1.Room"]["properties"]
    assert room["running_total_fen"]["type"] == "string"  # int64 as a string
    assert room["state_since_time"] == {"type": "string", "format": "date-time"}
    assert room["guest_count"]["type"] == "integer"
    assert room["layout"] == {"$ref": "#/components/schemas/ktv.v1.RoomLayout"}
    assert "ROOM_STATE_IDLE" in schemas["ktv.v1.RoomState"]["enum"]
    for path in (
        "/api/session",
        "/api/wall-keys",
        "/api/wall-keys/{id}",
        "/api/board/events",
        "/api/pay/notify/{provider}",
        "/api/pay/sandbox/{id}",
    ):
        assert path in paths, path
    assert {"/ca", "/ca.crt"} <= set(paths)
    assert "/api/v1/RoomLinkService/Connect" not in paths
    assert "/api/v1/AuthService/EnrollAgent" not in paths
    assert "/api/v1/AuthService/Login" not in paths
    dangling = {r for r in refs(document) if r.rsplit("/", 1)[-1] not in schemas}
    assert not dangling


def test_the_reference_page_is_plain_html(web_venue: WebVenue) -> None:
    with web_venue.client() as client:
        page = client.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text.lower()
    assert "http://" not in page.text and "https://" not in page.text  # nothing from a CDN
    assert "/api/v1/BillingService/Checkout" in page.text
    assert 'id="ktv.v1.Room"' in page.text
