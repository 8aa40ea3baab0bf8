"""Member sign-in on a room's touchscreen: the screen cannot tell a member from a stranger
(one answer, one hash, one lock for both), parallel guesses hash at most five PINs, and staff
at the desk are still told "no such member"."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

import controller.members.pin as pin_module
from controller.api.errors import reason_of
from controller.members import settings
from controller.members.desk import MemberDesk
from ktv.errors import KtvError, NotFound
from ktv.v1 import billing_pb2, billing_pb2_grpc, members_pb2, members_pb2_grpc
from tests.controller.billing.grpc_support import TIMEOUT_S, write_venue
from tests.support.controller import RunningController, start_controller

MEMBER = "13800138000"
NO_PIN = "13900139000"
STRANGER = "13700137000"


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every member PIN hash the desk computes (the real scrypt, counted)."""
    seen: list[str] = []
    real = pin_module.hash_pin

    def counted(pin: str, salt: bytes) -> bytes:
        seen.append(pin)
        return real(pin, salt)

    monkeypatch.setattr(pin_module, "hash_pin", counted)
    return seen


def answer(members: MemberDesk, phone: str, pin: str) -> tuple[str, str, str]:
    with pytest.raises(KtvError) as err:
        members.sign_in(phone, pin, "A08", "tab-1")
    return type(err.value).__name__, err.value.reason, err.value.message


def test_a_stranger_a_wrong_pin_and_a_member_without_pin_get_one_answer_after_one_hash(
    members: MemberDesk, hashes: list[str]
) -> None:
    members.register(MEMBER, "张伟", pin="2580")
    members.register(NO_PIN, "李娜")
    hashes.clear()
    answers = set()
    for phone in (STRANGER, MEMBER, NO_PIN):
        answers.add(answer(members, phone, "1111"))
        assert len(hashes) == 1, phone  # a stranger costs the same scrypt as a member
        hashes.clear()
    assert len(answers) == 1
    ((kind, reason, message),) = answers
    assert (kind, reason) == ("PermissionDenied", "WRONG_PIN")
    assert STRANGER not in message and MEMBER not in message
    assert members.store.query("SELECT * FROM member_sessions") == []


def test_a_strangers_phone_locks_like_a_members_and_says_the_same(
    members: MemberDesk, hashes: list[str]
) -> None:
    members.register(MEMBER, "张伟", pin="2580")
    for _ in range(settings.pin_max_failures):
        answer(members, STRANGER, "1111")
        answer(members, MEMBER, "1111")
    hashes.clear()
    stranger = answer(members, STRANGER, "2580")
    member = answer(members, MEMBER, "2580")  # even the right PIN
    assert stranger == member
    assert member[:2] == ("FailedPrecondition", "PIN_LOCKED")
    assert hashes == []  # a lock is answered before any hash


def test_staff_at_the_desk_are_told_there_is_no_such_member(members: MemberDesk) -> None:
    members.register(MEMBER, "张伟", pin="2580")
    with pytest.raises(NotFound) as err:
        members.sign_in(STRANGER, "2580", "A08", "tab-1", uniform=False)
    assert err.value.reason == "UNKNOWN_MEMBER"
    assert members.sign_in(MEMBER, "2580", "A08", "tab-1", uniform=False).phone == MEMBER


def test_20_parallel_wrong_pins_hash_five_and_the_right_pin_is_then_refused(
    members: MemberDesk, hashes: list[str]
) -> None:
    members.register(MEMBER, "张伟", pin="2580")
    hashes.clear()
    start = threading.Barrier(20)

    def guess(i: int) -> str:
        start.wait()
        return answer(members, MEMBER, f"{1000 + i}")[1]

    with ThreadPoolExecutor(20) as pool:
        reasons = list(pool.map(guess, range(20)))
    assert len(hashes) == settings.pin_max_failures
    assert sorted(set(reasons)) == ["PIN_LOCKED", "WRONG_PIN"]
    assert reasons.count("WRONG_PIN") == settings.pin_max_failures
    assert answer(members, MEMBER, "2580")[1] == "PIN_LOCKED"


# --- over the wire, as the room's touchscreen ---------------------------------------------


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("sign-in") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        members = members_pb2_grpc.MembersServiceStub(running.channel())
        for phone, pin in ((MEMBER, "2580"), (NO_PIN, ""), ("13600136000", "1357")):
            members.RegisterMember(
                members_pb2.RegisterMemberRequest(
                    phone=phone, name="会员", pin=pin, request_id=uuid.uuid4().hex
                ),
                metadata=running.admin_md,
                timeout=TIMEOUT_S,
            )
        billing_pb2_grpc.BillingServiceStub(running.channel()).OpenSession(
            billing_pb2.OpenSessionRequest(
                room="rooms/A08", guest_count=2, request_id=uuid.uuid4().hex
            ),
            metadata=running.admin_md,
            timeout=TIMEOUT_S,
        )
        yield running


def _sign_in(ctl: RunningController, md, phone: str, pin: str) -> grpc.Future:
    stub = members_pb2_grpc.MembersServiceStub(ctl.channel())
    request = members_pb2.SignInRequest(room="rooms/A08", phone=phone, pin=pin)
    return stub.SignIn.future(request, metadata=md, timeout=TIMEOUT_S)


def _outcome(call: grpc.Future) -> tuple[grpc.StatusCode, str, str]:
    try:
        call.result()
    except grpc.RpcError as e:
        return e.code(), reason_of(e), e.details()
    return grpc.StatusCode.OK, "", ""


@pytest.mark.slow
def test_the_touchscreen_gets_one_answer_for_strangers_and_members_staff_see_unknown(
    ctl: RunningController,
) -> None:
    screen = (("authorization", f"Bearer {ctl.enroll_agent('A08')}"),)
    answers = {
        _outcome(_sign_in(ctl, screen, phone, "0000")) for phone in (STRANGER, MEMBER, NO_PIN)
    }
    assert len(answers) == 1, answers
    ((code, reason, _),) = answers
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "WRONG_PIN")
    desk = _outcome(_sign_in(ctl, ctl.admin_md, STRANGER, "0000"))
    assert desk[:2] == (grpc.StatusCode.NOT_FOUND, "UNKNOWN_MEMBER")


@pytest.mark.slow
def test_signing_in_to_a_room_without_a_session_says_no_open_session_as_billing_does(
    ctl: RunningController,
) -> None:
    """One reason for one condition: the room's screen shows the same text for both calls."""
    screen = (("authorization", f"Bearer {ctl.enroll_agent('A09')}"),)
    stub = members_pb2_grpc.MembersServiceStub(ctl.channel())
    request = members_pb2.SignInRequest(room="rooms/A09", phone=MEMBER, pin="2580")
    signed = _outcome(stub.SignIn.future(request, metadata=screen, timeout=TIMEOUT_S))
    billing = billing_pb2_grpc.BillingServiceStub(ctl.channel())
    quoted = _outcome(
        billing.QuoteExtensions.future(
            billing_pb2.QuoteExtensionsRequest(room="rooms/A09"), metadata=screen, timeout=TIMEOUT_S
        )
    )
    assert signed[:2] == quoted[:2] == (grpc.StatusCode.FAILED_PRECONDITION, "NO_OPEN_SESSION")


@pytest.mark.slow
def test_parallel_sign_in_guesses_over_the_wire_hash_five_then_the_phone_is_locked(
    ctl: RunningController,
) -> None:
    screen = (("authorization", f"Bearer {ctl.enroll_agent('A08')}"),)
    calls = [_sign_in(ctl, screen, "13600136000", f"{2000 + i}") for i in range(20)]
    reasons = [_outcome(c)[1] for c in calls]
    assert reasons.count("WRONG_PIN") == settings.pin_max_failures, reasons
    assert set(reasons) == {"WRONG_PIN", "PIN_LOCKED"}
    assert _outcome(_sign_in(ctl, screen, "13600136000", "1357"))[1] == "PIN_LOCKED"


@pytest.mark.slow
def test_paying_extra_time_from_the_touchscreen_tells_members_from_strangers_no_better(
    ctl: RunningController,
) -> None:
    billing = billing_pb2_grpc.BillingServiceStub(ctl.channel())
    billing.OpenSession(
        billing_pb2.OpenSessionRequest(
            room="rooms/A09",
            guest_count=2,
            purchase=billing_pb2.TimePurchase(prepaid_minutes=60),
            tenders=[billing_pb2.TenderAmount(tender=billing_pb2.TENDER_CASH, amount_fen=50_000)],
            request_id=uuid.uuid4().hex,
        ),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    )
    screen = (("authorization", f"Bearer {ctl.enroll_agent('A09')}"),)
    quote = billing.QuoteExtensions(
        billing_pb2.QuoteExtensionsRequest(room="rooms/A09"), metadata=screen, timeout=TIMEOUT_S
    ).quotes[0]

    def extend(phone: str, pin: str) -> tuple[grpc.StatusCode, str, str]:
        tender = billing_pb2.TenderAmount(
            tender=billing_pb2.TENDER_STORED_VALUE,
            amount_fen=quote.price_fen,
            reference=f"{phone}:{pin}",
        )
        call = billing.ExtendSession.future(
            billing_pb2.ExtendSessionRequest(
                room="rooms/A09",
                purchase=quote.purchase,
                tenders=[tender],
                request_id=uuid.uuid4().hex,
            ),
            metadata=screen,
            timeout=TIMEOUT_S,
        )
        return _outcome(call)

    answers = {extend(phone, "0000") for phone in ("13500135000", MEMBER, NO_PIN)}
    assert len(answers) == 1, answers
    ((code, reason, details),) = answers
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "WRONG_PIN")
    assert "m-" not in details  # no member id either
