"""A mutation's answer is stored with its request id in the change's own transaction, and it
is the answer sent: a client that lost it gets it again on retry, and no stored answer can be
too large to receive."""

from __future__ import annotations

import pytest

import controller.billing.store  # noqa: F401 - registers the billing migrations
from controller.api.idempotent import once
from controller.store.db import open_store
from ktv.errors import FailedPrecondition
from ktv.limits import RESPONSE_BYTES_MAX
from ktv.v1 import billing_pb2 as pb

METHOD = "/ktv.v1.BillingService/PlaceOrder"


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "controller.db")
    yield s
    s.close()


def request(request_id: str = "req-1") -> pb.PlaceOrderRequest:
    return pb.PlaceOrderRequest(
        room="rooms/A08", items=[pb.OrderItem(sku="beer", quantity=6)], request_id=request_id
    )


def writes(store) -> int:
    row = store.query_one("SELECT COUNT(*) AS n FROM billing_settings WHERE key LIKE 'w-%'")
    return row["n"]


def test_an_answer_lost_after_the_commit_comes_back_the_same_on_retry(store):
    calls = []

    def act() -> pb.PlaceOrderResponse:
        calls.append(1)
        store.execute("INSERT INTO billing_settings (key, value) VALUES ('w-1', 'x')")

        def board_breaks() -> None:
            raise RuntimeError("the board could not be told")

        store.after_commit(board_breaks)  # fails after COMMIT: the client sees an error
        return pb.PlaceOrderResponse(order_id="order-1", bill=pb.Bill(total_fen=6000))

    with pytest.raises(RuntimeError):
        once(store, METHOD, request(), pb.PlaceOrderResponse, act)
    again = once(store, METHOD, request(), pb.PlaceOrderResponse, act)
    assert again.order_id == "order-1" and again.bill.total_fen == 6000
    assert len(calls) == 1 and writes(store) == 1


def test_an_answer_too_large_to_send_is_refused_before_anything_commits(store):
    def act() -> pb.PlaceOrderResponse:
        store.execute("INSERT INTO billing_settings (key, value) VALUES ('w-2', 'x')")
        big = pb.BillLine(kind="order", label="x" * 1000)
        return pb.PlaceOrderResponse(bill=pb.Bill(lines=[big] * (RESPONSE_BYTES_MAX // 1000)))

    with pytest.raises(FailedPrecondition) as err:
        once(store, METHOD, request("req-2"), pb.PlaceOrderResponse, act)
    assert err.value.reason == "RESPONSE_TOO_LARGE"
    assert writes(store) == 0
    assert store.query_one("SELECT COUNT(*) AS n FROM idempotency_keys")["n"] == 0


def test_a_fresh_answer_too_large_is_fitted_before_it_is_stored(store):
    def fit(response):
        del response.bill.lines[1:]
        return response

    def act() -> pb.PlaceOrderResponse:
        big = pb.BillLine(kind="order", label="x" * 1000)
        return pb.PlaceOrderResponse(bill=pb.Bill(lines=[big] * (RESPONSE_BYTES_MAX // 1000)))

    first = once(store, METHOD, request("req-3"), pb.PlaceOrderResponse, act, fit)
    assert len(first.bill.lines) == 1
    assert once(store, METHOD, request("req-3"), pb.PlaceOrderResponse, act) == first
