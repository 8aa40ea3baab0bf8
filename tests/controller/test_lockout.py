"""Wrong-PIN lockout: the counter over a real SQLite file with a hand-moved clock, parallel
guesses in threads and over the wire, and a lock that outlives a restart."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from controller import settings
from controller.api.errors import reason_of
from controller.auth.credentials import Credentials, hash_pin
from controller.auth.lockout import LockoutPolicy
from controller.auth.model import Role
from controller.auth.pin_attempts import PinAttempts, staff_attempts
from controller.store.db import Store, open_store
from controller.store.idempotency import fingerprint
from ktv.errors import InvalidArgument, KtvError, Unauthenticated
from ktv.v1 import auth_pb2
from tests.support.controller import RunningController, bearer, launch

TIMEOUT_S = 30.0


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def locked(wait_s: int) -> KtvError:
    return Unauthenticated(f"locked; try again in {wait_s} s", reason="PIN_LOCKED")


def wrong() -> bool:
    return False


def right() -> bool:
    return True


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "controller.db")
    yield s
    s.close()


def test_five_wrong_pins_lock_the_subject_for_a_minute_and_nobody_else(store: Store) -> None:
    clock = Clock()
    attempts = PinAttempts(store, clock, LockoutPolicy(max_failures=5, lockout_s=60))
    for _ in range(5):
        assert not attempts.attempt("staff:amy", wrong, locked)
    hashed: list[str] = []
    with pytest.raises(Unauthenticated, match="try again in 60 s"):
        attempts.attempt("staff:amy", lambda: bool(hashed.append("amy")) or True, locked)
    assert hashed == []  # locked: the right PIN is not even hashed
    assert attempts.attempt("staff:bob", right, locked)  # others are not affected
    clock.now += timedelta(seconds=61)
    assert attempts.attempt("staff:amy", right, locked)
    assert attempts.failures("staff:amy").count == 0


def test_a_right_pin_clears_the_count(store: Store) -> None:
    attempts = PinAttempts(store, Clock(), LockoutPolicy(max_failures=3, lockout_s=60))
    attempts.attempt("staff:amy", wrong, locked)
    attempts.attempt("staff:amy", wrong, locked)
    attempts.attempt("staff:amy", right, locked)
    attempts.attempt("staff:amy", wrong, locked)
    assert attempts.failures("staff:amy").count == 1
    attempts.attempt("staff:amy", right, locked)


def test_the_lock_is_in_the_database_file_so_reopening_it_keeps_it(tmp_path) -> None:
    clock = Clock()
    policy = LockoutPolicy(max_failures=2, lockout_s=60)
    first = open_store(tmp_path / "controller.db")
    for _ in range(2):
        PinAttempts(first, clock, policy).attempt("staff:amy", wrong, locked)
    first.close()
    again = open_store(tmp_path / "controller.db")
    try:
        with pytest.raises(Unauthenticated):
            PinAttempts(again, clock, policy).attempt("staff:amy", right, locked)
    finally:
        again.close()


def test_strangers_counts_are_forgotten_a_day_later_so_the_table_stays_small(
    store: Store,
) -> None:
    clock = Clock()
    attempts = PinAttempts(store, clock, LockoutPolicy(5, 60), forget_after_s=24 * 3600)
    for i in range(50):
        attempts.attempt(f"phone:1380013{i:04d}", wrong, locked)
    clock.now += timedelta(hours=24, seconds=1)
    attempts.attempt("phone:13900139000", wrong, locked)
    rows = store.query("SELECT subject FROM pin_attempts")
    assert [r["subject"] for r in rows] == ["phone:13900139000"]


def test_41_parallel_threads_hash_at_most_max_failures_pins(store: Store) -> None:
    attempts = PinAttempts(store, Clock(), LockoutPolicy(max_failures=5, lockout_s=60))
    start = threading.Barrier(41)
    hashed: list[int] = []

    def guess(i: int) -> str:
        def verify() -> bool:
            hashed.append(i)
            hash_pin(f"{i:04d}", b"\0" * 16)  # the real cost, ~50 ms
            return False

        start.wait()
        try:
            attempts.attempt("staff:amy", verify, locked)
        except Unauthenticated as e:
            return e.reason
        return "BAD_LOGIN"

    with ThreadPoolExecutor(41) as pool:
        answers = list(pool.map(guess, range(41)))
    assert len(hashed) == 5
    assert answers.count("BAD_LOGIN") == 5 and answers.count("PIN_LOCKED") == 36


def test_a_payment_inside_a_transaction_that_rolls_back_still_counts_its_wrong_pin(
    store: Store,
) -> None:
    attempts = PinAttempts(store, Clock(), LockoutPolicy(max_failures=5, lockout_s=60))
    with pytest.raises(RuntimeError), store.transaction():
        assert not attempts.attempt("member:m-1", wrong, locked)
        raise RuntimeError("the payment failed")
    assert attempts.failures("member:m-1").count == 1


def test_login_normalises_the_staff_id_and_pin_and_bounds_them_before_any_hash(
    store: Store,
) -> None:
    creds = Credentials(store)
    creds.put_staff("amy", "Amy", Role.CASHIER, "８６４２", Clock()())  # an IME's digits
    attempts = staff_attempts(store, Clock())
    assert creds.login("ａｍｙ", "8642\n", attempts) is Role.CASHIER
    for bad_pin in ("٨٦٤٢", "8６4²", "86 42", "123", "1" * 13, "8" * 100_000):
        with pytest.raises(InvalidArgument) as err:
            creds.login("amy", bad_pin, attempts)
        assert err.value.reason == "BAD_PIN" and bad_pin not in err.value.message
    with pytest.raises(InvalidArgument) as err:
        creds.login("a" * 100_000, "8642", attempts)
    assert err.value.reason == "BAD_STAFF_ID" and len(err.value.message) < 200
    assert store.query("SELECT * FROM pin_attempts") == []  # none of those was a try


# --- over the wire ---------------------------------------------------------------------------


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
    assert reason_of(err.value) == "PIN_LOCKED"


def test_an_unknown_staff_id_is_counted_and_answered_like_a_wrong_pin(
    controller: RunningController,
) -> None:
    controller.add_staff("known1", auth_pb2.ROLE_WAITER, pin="1357")
    auth = controller.auth()
    for staff_id in ("known1", "nobody1"):
        answers = []
        for _ in range(settings.login_max_failures + 1):
            with pytest.raises(grpc.RpcError) as err:
                auth.Login(auth_pb2.LoginRequest(staff_id=staff_id, pin="0000"), timeout=5)
            answers.append((err.value.code(), reason_of(err.value)))
        assert answers[-2] == (grpc.StatusCode.UNAUTHENTICATED, "BAD_LOGIN")
        assert answers[-1] == (grpc.StatusCode.UNAUTHENTICATED, "PIN_LOCKED")


def test_a_huge_staff_id_or_pin_is_refused_quickly_with_a_short_message(
    controller: RunningController,
) -> None:
    auth = controller.auth()
    for staff_id, pin, reason in (
        ("x" * 1_000_000, "1234", "BAD_STAFF_ID"),
        ("amy", "1" * 1_000_000, "BAD_PIN"),
    ):
        with pytest.raises(grpc.RpcError) as err:
            auth.Login(auth_pb2.LoginRequest(staff_id=staff_id, pin=pin), timeout=5)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert reason_of(err.value) == reason and len(err.value.details()) < 200


def _parallel_logins(
    auth: object, staff_id: str, pins: list[str]
) -> list[tuple[grpc.StatusCode, str]]:
    calls = [
        auth.Login.future(  # type: ignore[attr-defined]
            auth_pb2.LoginRequest(staff_id=staff_id, pin=pin), timeout=TIMEOUT_S
        )
        for pin in pins
    ]
    out: list[tuple[grpc.StatusCode, str]] = []
    for call in calls:
        try:
            call.result()
            out.append((grpc.StatusCode.OK, ""))
        except grpc.RpcError as e:
            out.append((e.code(), reason_of(e)))
    return out


def _login(ctl: RunningController, staff_id: str, pin: str) -> Callable[[], object]:
    return lambda: ctl.auth().Login(
        auth_pb2.LoginRequest(staff_id=staff_id, pin=pin), timeout=TIMEOUT_S
    )


@pytest.mark.slow
def test_41_parallel_guesses_hash_at_most_five_and_a_restart_keeps_the_lock(tmp_path) -> None:
    data_dir = tmp_path / "data"
    ctl = launch(data_dir, ["--no-mdns"])
    try:
        ctl.auth().CreateStaff(
            auth_pb2.CreateStaffRequest(
                staff_id="cashier1",
                role=auth_pb2.ROLE_CASHIER,
                pin="8642",
                request_id=uuid.uuid4().hex,
            ),
            metadata=ctl.admin_md,
            timeout=TIMEOUT_S,
        )
        wrong_pins = [f"{1000 + i:04d}" for i in range(41)]
        answers = _parallel_logins(ctl.auth(), "cashier1", wrong_pins)
        tried = [a for a in answers if a[1] == "BAD_LOGIN"]  # hashed and found wrong
        assert len(tried) == settings.login_max_failures, answers
        assert set(answers) - set(tried) == {(grpc.StatusCode.UNAUTHENTICATED, "PIN_LOCKED")}
        with pytest.raises(grpc.RpcError) as err:
            _login(ctl, "cashier1", "8642")()
        assert reason_of(err.value) == "PIN_LOCKED"
    finally:
        ctl.stop()

    ctl = launch(data_dir, ["--no-mdns"])  # the same data dir: memory is gone, the lock is not
    try:
        with pytest.raises(grpc.RpcError) as err:
            _login(ctl, "cashier1", "8642")()
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert reason_of(err.value) == "PIN_LOCKED"
    finally:
        ctl.stop()


def test_staff_created_with_ime_characters_are_stored_as_typed_on_a_keyboard(
    controller: RunningController,
) -> None:
    auth = controller.auth()
    created = auth.CreateStaff(
        auth_pb2.CreateStaffRequest(
            staff_id="ｗａｉｔｅｒ７",
            role=auth_pb2.ROLE_WAITER,
            pin="２４６８",
            request_id=uuid.uuid4().hex,
        ),
        metadata=controller.admin_md,
        timeout=5,
    )
    assert created.staff_id == "waiter7"
    assert auth.Login(auth_pb2.LoginRequest(staff_id="waiter7", pin="2468"), timeout=5).token
    with pytest.raises(grpc.RpcError) as err:
        auth.CreateStaff(
            auth_pb2.CreateStaffRequest(
                staff_id="waiter8",
                display_name="名" * 100_000,
                role=auth_pb2.ROLE_WAITER,
                pin="2468",
                request_id=uuid.uuid4().hex,
            ),
            metadata=controller.admin_md,
            timeout=5,
        )
    assert reason_of(err.value) == "BAD_NAME" and len(err.value.details()) < 200


def test_an_enrollment_code_typed_full_width_works_and_a_huge_one_is_refused_unhashed(
    controller: RunningController,
) -> None:
    controller.add_room("E01")
    auth = controller.auth()
    code = auth.CreateEnrollmentCode(
        auth_pb2.CreateEnrollmentCodeRequest(room="rooms/E01", request_id=uuid.uuid4().hex),
        metadata=controller.admin_md,
        timeout=5,
    ).code
    full_width = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "－" for c in code)
    enrolled = auth.EnrollAgent(auth_pb2.EnrollAgentRequest(code=full_width), timeout=5)
    assert enrolled.room == "rooms/E01"
    with pytest.raises(grpc.RpcError) as err:
        auth.EnrollAgent(auth_pb2.EnrollAgentRequest(code="A" * 1_000_000), timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(err.value) == "BAD_ENROLLMENT_CODE" and len(err.value.details()) < 200


def test_another_threads_open_transaction_is_not_this_threads(store: Store) -> None:
    """A PIN check in a worker thread must reserve its try even while the event loop's
    thread has a transaction open (it used to see that transaction as its own and skip it)."""
    opened, done = threading.Event(), threading.Event()

    def hold() -> None:
        with store.transaction():
            assert store.in_transaction
            opened.set()
            done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert opened.wait(10)
        assert not store.in_transaction
    finally:
        done.set()
        holder.join(10)


# --- Login by request_id (AIP-155) -------------------------------------------------------------


def _whoami(controller: RunningController, token: str) -> grpc.StatusCode:
    try:
        controller.auth().WhoAmI(auth_pb2.WhoAmIRequest(), metadata=bearer(token), timeout=5)
    except grpc.RpcError as e:
        return e.code()
    return grpc.StatusCode.OK


def test_a_login_retry_answers_the_first_session_with_a_fresh_token_and_revokes_the_lost_one(
    controller: RunningController,
) -> None:
    controller.add_staff("retrier", auth_pb2.ROLE_CASHIER, pin="8642")
    auth = controller.auth()
    rid = uuid.uuid4().hex
    request = auth_pb2.LoginRequest(staff_id="retrier", pin="8642", request_id=rid)
    first = auth.Login(request, timeout=5)
    again = auth.Login(request, timeout=5)  # the first answer was "lost"
    third = auth.Login(request, timeout=5)
    assert len({first.token, again.token, third.token}) == 3  # a token is shown only once
    assert first.expire_time == again.expire_time == third.expire_time  # the same session
    assert first.role == third.role == auth_pb2.ROLE_CASHIER
    # one live token per request_id, however often the answer is lost
    assert _whoami(controller, first.token) == grpc.StatusCode.UNAUTHENTICATED
    assert _whoami(controller, again.token) == grpc.StatusCode.UNAUTHENTICATED
    assert _whoami(controller, third.token) == grpc.StatusCode.OK
    with pytest.raises(grpc.RpcError) as err:  # a retry checks the PIN like any login
        auth.Login(auth_pb2.LoginRequest(staff_id="retrier", pin="0000", request_id=rid))
    assert reason_of(err.value) == "BAD_LOGIN"
    controller.add_staff("other", auth_pb2.ROLE_WAITER, pin="1357")
    with pytest.raises(grpc.RpcError) as err:  # the same id for another login
        auth.Login(auth_pb2.LoginRequest(staff_id="other", pin="1357", request_id=rid))
    assert reason_of(err.value) == "REQUEST_ID_REUSED"
    # an old client (no request_id) gets a new session on every call, as before
    plain = auth_pb2.LoginRequest(staff_id="retrier", pin="8642")
    a, b = auth.Login(plain, timeout=5), auth.Login(plain, timeout=5)
    assert _whoami(controller, a.token) == _whoami(controller, b.token) == grpc.StatusCode.OK


def test_a_login_record_holds_neither_the_token_nor_the_pin(tmp_path) -> None:
    """The idempotency store is a file: a token or a 4-digit PIN in it (even in a fast digest)
    would be a credential on disk. The old client's bytes (fields 1, 2) still log in."""
    data_dir = tmp_path / "data"
    ctl = launch(data_dir, ["--no-mdns"])
    try:
        ctl.add_staff("cashier1", auth_pb2.ROLE_CASHIER, pin="8642")
        rid = uuid.uuid4().hex
        got = ctl.auth().Login(
            auth_pb2.LoginRequest(staff_id="cashier1", pin="8642", request_id=rid), timeout=5
        )
        old_bytes = b"\x0a\x08cashier1\x12\x048642"  # LoginRequest{staff_id=1, pin=2}
        raw = ctl.channel().unary_unary(
            "/ktv.v1.AuthService/Login",
            request_serializer=lambda b: b,
            response_deserializer=auth_pb2.LoginResponse.FromString,
        )(old_bytes, timeout=5)
        assert _whoami(ctl, raw.token) == grpc.StatusCode.OK
    finally:
        ctl.stop()
    db = sqlite3.connect(data_dir / "controller.db")
    try:
        fp, response = db.execute(
            "SELECT fingerprint, response FROM idempotency_keys WHERE request_id = ?", (rid,)
        ).fetchone()
    finally:
        db.close()
    assert got.token.encode() not in response
    assert auth_pb2.LoginResponse.FromString(response).token == ""
    method = "/ktv.v1.AuthService/Login"
    keyed = auth_pb2.LoginRequest(staff_id="cashier1")
    assert fp == fingerprint(method, keyed.SerializeToString(deterministic=True))
