"""Wrong-PIN lockout (pure, hand-moved clock) and over the wire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest

from controller.api.errors import reason_of
from controller.auth.lockout import LoginThrottle
from ktv.errors import Unauthenticated
from ktv.v1 import auth_pb2
from tests.support.controller import RunningController


class Clock:
    now = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_five_wrong_pins_lock_the_staff_id_for_a_minute() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock, max_failures=5, lockout_s=60)
    for _ in range(4):
        throttle.check("amy")
        throttle.failed("amy")
    throttle.check("amy")  # four wrong: still allowed
    throttle.failed("amy")
    with pytest.raises(Unauthenticated, match="try again in 60 s"):
        throttle.check("amy")
    throttle.check("bob")  # others are not affected
    clock.now += timedelta(seconds=61)
    throttle.check("amy")


def test_a_right_pin_clears_the_count() -> None:
    throttle = LoginThrottle(Clock(), max_failures=3, lockout_s=60)
    throttle.failed("amy")
    throttle.failed("amy")
    throttle.succeeded("amy")
    throttle.failed("amy")
    throttle.check("amy")


def test_guessing_pins_over_the_wire_gets_locked_out_even_with_the_right_pin(
    controller: RunningController,
) -> None:
    controller.add_staff("guessme", auth_pb2.ROLE_CASHIER, pin="8642")
    auth = controller.auth()
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        with pytest.raises(grpc.RpcError) as err:
            auth.Login(auth_pb2.LoginRequest(staff_id="guessme", pin=guess), timeout=5)
        assert reason_of(err.value) == "BAD_LOGIN"
    with pytest.raises(grpc.RpcError) as err:
        auth.Login(auth_pb2.LoginRequest(staff_id="guessme", pin="8642"), timeout=5)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert reason_of(err.value) == "LOCKED_OUT"
