"""Prepaid limits through a real controller process: absurd time is refused with
INVALID_ARGUMENT and a reason in milliseconds, whoever asks (the desk, a room with a wrong
PIN), the controller keeps answering, and a room's 续钟 options stop at the session's limit."""

from __future__ import annotations

import time

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import billing_pb2 as pb
from ktv.v1 import members_pb2, members_pb2_grpc
from tests.support.controller import start_controller

from .grpc_support import TIMEOUT_S, billing_stub, cash, rid, write_venue

INT32_MAX = 2**31 - 1
SIXTY_YEARS_MIN = 60 * 365 * 24 * 60
FAST_S = 2.0  # a refusal is milliseconds; this leaves room for a loaded 2-core machine


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("prepaid-limits") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        for room in ("L01", "L02", "L03", "L04"):
            running.add_room(room, tier="small")
        yield running


@pytest.fixture(scope="module")
def billing(ctl):
    return billing_stub(ctl.channel())


@pytest.fixture(scope="module")
def member(ctl):
    members = members_pb2_grpc.MembersServiceStub(ctl.channel())
    phone = "13900139077"
    members.RegisterMember(
        members_pb2.RegisterMemberRequest(phone=phone, name="会员", pin="1357", request_id=rid()),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    )
    members.TopUp(
        members_pb2.TopUpRequest(member=phone, amount_fen=100_000, request_id=rid()),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    )
    return phone


def refused(call, request, md) -> tuple[grpc.StatusCode, str, float]:
    started = time.perf_counter()
    with pytest.raises(grpc.RpcError) as error:
        call(request, metadata=md, timeout=TIMEOUT_S)
    return error.value.code(), reason_of(error.value), time.perf_counter() - started


def open_prepaid(billing, ctl, room: str, minutes: int) -> pb.Bill:
    return billing.OpenSession(
        pb.OpenSessionRequest(
            room=f"rooms/{room}",
            guest_count=2,
            purchase=pb.TimePurchase(prepaid_minutes=minutes),
            tenders=[cash(10**7)],
            request_id=rid(),
        ),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    ).bill


def test_int32_max_minutes_of_prepaid_time_is_refused_in_milliseconds(ctl, billing):
    for minutes in (INT32_MAX, 365 * 24 * 60, 13 * 60):
        code, reason, took_s = refused(
            billing.OpenSession,
            pb.OpenSessionRequest(
                room="rooms/L01",
                guest_count=2,
                purchase=pb.TimePurchase(prepaid_minutes=minutes),
                tenders=[cash(10**7)],
                request_id=rid(),
            ),
            ctl.admin_md,
        )
        assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "PREPAID_TOO_LONG")
        assert took_s < FAST_S, took_s
    started = time.perf_counter()
    opened = open_prepaid(billing, ctl, "L01", 60)  # nothing half-written, still answering
    assert opened.mode == "prepaid" and time.perf_counter() - started < FAST_S


def test_a_pay_later_room_asking_for_five_years_without_paying_is_refused(ctl, billing):
    billing.OpenSession(
        pb.OpenSessionRequest(room="rooms/L02", guest_count=2, request_id=rid()),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    )
    code, reason, took_s = refused(
        billing.ExtendSession,
        pb.ExtendSessionRequest(
            room="rooms/L02",
            purchase=pb.TimePurchase(prepaid_minutes=5 * 365 * 24 * 60),
            request_id=rid(),
        ),
        ctl.admin_md,
    )
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "PREPAID_TOO_LONG")
    assert took_s < FAST_S, took_s
    bill = billing.GetBill(
        pb.GetBillRequest(room="rooms/L02"), metadata=ctl.admin_md, timeout=TIMEOUT_S
    ).bill
    assert bill.paid_until_time.seconds == 0 and bill.mode == "postpaid"  # no end, no time


def test_a_room_asking_for_sixty_years_with_a_wrong_pin_is_refused_fast_and_locks_nothing(
    ctl, billing, member
):
    open_prepaid(billing, ctl, "L03", 60)
    room_md = (("authorization", f"Bearer {ctl.enroll_agent('L03')}"),)
    for _ in range(6):  # more than the five wrong PINs that lock a card
        code, reason, took_s = refused(
            billing.ExtendSession,
            pb.ExtendSessionRequest(
                room="rooms/L03",
                purchase=pb.TimePurchase(prepaid_minutes=SIXTY_YEARS_MIN),
                tenders=[
                    pb.TenderAmount(
                        tender=pb.TENDER_STORED_VALUE, amount_fen=10**9, reference=f"{member}:0000"
                    )
                ],
                request_id=rid(),
            ),
            room_md,
        )
        assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "PREPAID_TOO_LONG")
        assert took_s < FAST_S, took_s
    quote = billing.QuoteExtensions(
        pb.QuoteExtensionsRequest(room="rooms/L03"), metadata=room_md, timeout=TIMEOUT_S
    ).quotes[1]
    assert quote.minutes == 60
    code, reason, _ = refused(  # a wrong PIN on a real request is still a wrong PIN
        billing.ExtendSession,
        pb.ExtendSessionRequest(
            room="rooms/L03",
            purchase=quote.purchase,
            tenders=[
                pb.TenderAmount(
                    tender=pb.TENDER_STORED_VALUE,
                    amount_fen=quote.price_fen,
                    reference=f"{member}:0000",
                )
            ],
            request_id=rid(),
        ),
        room_md,
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "WRONG_PIN")
    extended = billing.ExtendSession(  # the card was never locked by the absurd requests
        pb.ExtendSessionRequest(
            room="rooms/L03",
            purchase=quote.purchase,
            tenders=[
                pb.TenderAmount(
                    tender=pb.TENDER_STORED_VALUE,
                    amount_fen=quote.price_fen,
                    reference=f"{member}:1357",
                )
            ],
            request_id=rid(),
        ),
        metadata=room_md,
        timeout=TIMEOUT_S,
    ).bill
    assert extended.paid_until_time == quote.end_time


def test_a_rooms_extension_options_stop_at_the_sessions_limit(ctl, billing):
    open_prepaid(billing, ctl, "L04", 720)
    billing.ExtendSession(
        pb.ExtendSessionRequest(
            room="rooms/L04",
            purchase=pb.TimePurchase(prepaid_minutes=660),
            tenders=[cash(10**7)],
            request_id=rid(),
        ),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    )  # 23 h bought: 30 min and 1 h still fit in the day, 2 h do not
    room_md = (("authorization", f"Bearer {ctl.enroll_agent('L04')}"),)
    quotes = billing.QuoteExtensions(
        pb.QuoteExtensionsRequest(room="rooms/L04"), metadata=room_md, timeout=TIMEOUT_S
    ).quotes
    assert [q.minutes for q in quotes] == [30, 60]
