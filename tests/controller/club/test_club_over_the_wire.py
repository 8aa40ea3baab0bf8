"""Members and draws through a real controller on loopback: a guest's phone (joined from the
room's QR code) signs in by PIN or by a code from the outbox, sees its account, keeps 我的歌单;
the phone never reaches staff-only methods nor another room; the front desk creates, runs,
shows and verifies a draw with ktvctl, the prize lands once, and the room's phones see it."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import billing_pb2, club_pb2, club_pb2_grpc, members_pb2, members_pb2_grpc
from tests.controller.billing.grpc_support import TIMEOUT_S, write_venue
from tests.support.controller import RunningController, start_controller
from tests.support.guests import guest_md, join_guest
from tests.support.ktvctl import run_ktvctl

PHONE, PIN = "13800138000", "2580"
OTHER_PHONE = "13900139000"


def rid() -> str:
    return uuid.uuid4().hex


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):  # type: ignore[no-untyped-def]
    data_dir = tmp_path_factory.mktemp("club") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        members = members_pb2_grpc.MembersServiceStub(running.channel())
        for phone in (PHONE, OTHER_PHONE):
            members.CreateMember(
                members_pb2.CreateMemberRequest(
                    phone=phone, name="会员", pin=PIN, request_id=rid()
                ),
                metadata=running.admin_md,
                timeout=TIMEOUT_S,
            )
        billing = billing_stub(running)
        for room in ("A08", "A09"):
            billing.OpenSession(
                billing_pb2.OpenSessionRequest(
                    room=f"rooms/{room}", guest_count=4, request_id=rid()
                ),
                metadata=running.admin_md,
                timeout=TIMEOUT_S,
            )
        yield running


@pytest.fixture(scope="module")
def phones(ctl):  # type: ignore[no-untyped-def]
    """Two phones in A08 (joins are paced per code: the module shares them). The friend's
    phone never signs in."""
    return guest_md(join_guest(ctl, "A08", "小王")), guest_md(join_guest(ctl, "A08", "小李"))


def billing_stub(ctl: RunningController):  # type: ignore[no-untyped-def]
    from ktv.v1 import billing_pb2_grpc

    return billing_pb2_grpc.BillingServiceStub(ctl.channel())


def club(ctl: RunningController) -> club_pb2_grpc.GuestClubServiceStub:
    return club_pb2_grpc.GuestClubServiceStub(ctl.channel())


def refused(call, request, md) -> tuple[grpc.StatusCode, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as err:
        call(request, metadata=md, timeout=TIMEOUT_S)
    return err.value.code(), reason_of(err.value)


def test_a_phone_signs_in_by_pin_for_this_session_and_a_retry_answers_the_same(ctl, phones) -> None:  # type: ignore[no-untyped-def]
    me, friend = phones
    stub = club(ctl)
    room = "rooms/A08"
    assert refused(stub.GetMyAccount, club_pb2.GetMyAccountRequest(room=room), me) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "MEMBER_NOT_SIGNED_IN",
    )
    wrong = club_pb2.SignInMemberRequest(room=room, phone=PHONE, pin="1111", request_id=rid())
    assert refused(stub.SignInMember, wrong, me) == (grpc.StatusCode.PERMISSION_DENIED, "WRONG_PIN")
    request = club_pb2.SignInMemberRequest(room=room, phone=PHONE, pin=PIN, request_id=rid())
    first = stub.SignInMember(request, metadata=me, timeout=TIMEOUT_S)
    assert first.account.masked_phone == "138****8000"
    assert stub.SignInMember(request, metadata=me, timeout=TIMEOUT_S) == first
    mine = stub.GetMyAccount(
        club_pb2.GetMyAccountRequest(room=room), metadata=me, timeout=TIMEOUT_S
    )
    assert mine.account.member == first.account.member
    # the friend's phone in the same room is not signed in
    assert refused(stub.GetMyAccount, club_pb2.GetMyAccountRequest(room=room), friend)[1] == (
        "MEMBER_NOT_SIGNED_IN"
    )


def test_a_phone_signs_in_with_a_code_from_the_outbox(ctl, phones) -> None:  # type: ignore[no-untyped-def]
    me, friend = phones
    stub = club(ctl)
    room = "rooms/A08"
    sent = stub.SendSignInCode(
        club_pb2.SendSignInCodeRequest(room=room, phone=OTHER_PHONE, request_id=rid()),
        metadata=me,
        timeout=TIMEOUT_S,
    )
    assert sent.expire_time.ToDatetime(tzinfo=UTC) > datetime.now(UTC)
    lines = (ctl.data_dir / "notifications.jsonl").read_text("utf-8").splitlines()
    (code,) = [
        json.loads(line)["payload"]["code"]
        for line in lines
        if json.loads(line)["template"] == "sign_in_code"
        and json.loads(line)["phone"] == OTHER_PHONE
    ]
    bad = club_pb2.SignInMemberRequest(
        room=room, phone=OTHER_PHONE, code="000000", request_id=rid()
    )
    if code == "000000":
        bad.code = "000001"
    assert refused(stub.SignInMember, bad, me)[1] == "WRONG_CODE"
    good = club_pb2.SignInMemberRequest(room=room, phone=OTHER_PHONE, code=code, request_id=rid())
    signed = stub.SignInMember(good, metadata=me, timeout=TIMEOUT_S)
    assert signed.account.masked_phone == "139****9000"
    assert stub.SignInMember(good, metadata=me, timeout=TIMEOUT_S) == signed  # a retry
    used = club_pb2.SignInMemberRequest(room=room, phone=OTHER_PHONE, code=code, request_id=rid())
    assert refused(stub.SignInMember, used, me)[1] == "SIGN_IN_CODE_EXPIRED"  # once only
    assert refused(stub.SignInMember, good, friend)[1] == "REQUEST_ID_REUSED"  # not its record


def test_saved_songs_over_the_wire_and_queue_them_all_needs_the_room(ctl, phones) -> None:  # type: ignore[no-untyped-def]
    me, _ = phones
    stub = club(ctl)
    room = "rooms/A08"
    stub.SignInMember(
        club_pb2.SignInMemberRequest(room=room, phone=PHONE, pin=PIN, request_id=rid()),
        metadata=me,
        timeout=TIMEOUT_S,
    )
    for song in ("s-1", "s-2", "s-1"):
        stub.SaveSong(
            club_pb2.SaveSongRequest(room=room, song_id=song, request_id=rid()),
            metadata=me,
            timeout=TIMEOUT_S,
        )
    stub.RemoveSavedSong(
        club_pb2.RemoveSavedSongRequest(room=room, song_id="s-2", request_id=rid()),
        metadata=me,
        timeout=TIMEOUT_S,
    )
    listed = stub.ListSavedSongs(
        club_pb2.ListSavedSongsRequest(room=room), metadata=me, timeout=TIMEOUT_S
    )
    assert [s.song_id for s in listed.songs] == ["s-1"] and listed.max_songs == 200
    # no room agent is connected: the room's queue refuses, the list stays
    queue_all = club_pb2.QueueSavedSongsRequest(room=room, request_id=rid())
    assert refused(stub.QueueSavedSongs, queue_all, me)[0] == grpc.StatusCode.UNAVAILABLE


def test_a_phone_reaches_neither_staff_methods_nor_another_room(ctl, phones) -> None:  # type: ignore[no-untyped-def]
    _, me = phones
    draws = club_pb2_grpc.DrawServiceStub(ctl.channel())
    denied = grpc.StatusCode.PERMISSION_DENIED
    assert refused(draws.ListDraws, club_pb2.ListDrawsRequest(), me)[0] == denied
    assert (
        refused(draws.RunDraw, club_pb2.RunDrawRequest(name="draws/x", request_id=rid()), me)[0]
        == denied
    )
    members = members_pb2_grpc.MembersServiceStub(ctl.channel())
    assert refused(members.GetMember, members_pb2.GetMemberRequest(query=PHONE), me)[0] == denied
    other_room = club_pb2.SignInMemberRequest(
        room="rooms/A09", phone=PHONE, pin=PIN, request_id=rid()
    )
    assert refused(club(ctl).SignInMember, other_room, me)[0] == denied
    assert (
        refused(club(ctl).ListRoomDraws, club_pb2.ListRoomDrawsRequest(room="rooms/A09"), me)[0]
        == denied
    )


def test_ktvctl_creates_runs_shows_and_verifies_a_draw_whose_prize_lands_once(  # type: ignore[no-untyped-def]
    ctl, phones, tmp_path
) -> None:
    billing = billing_stub(ctl)
    billing.PlaceOrder(
        billing_pb2.PlaceOrderRequest(
            room="rooms/A08",
            items=[billing_pb2.OrderItem(sku="beer", quantity=40)],
            request_id=rid(),
        ),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    )

    def discount_fen() -> int:
        bill = billing.GetBill(
            billing_pb2.GetBillRequest(room="rooms/A08"), metadata=ctl.admin_md, timeout=TIMEOUT_S
        ).bill
        return bill.discount_fen

    assert discount_fen() == 0

    def ktvctl(*argv: str):  # type: ignore[no-untyped-def]
        who = ["--controller", ctl.address, "--data-dir", str(ctl.data_dir)]
        return run_ktvctl([*who, "--json", *argv], config_dir=tmp_path / "cfg")

    start = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    made = ktvctl(
        *("draw", "create", "啤酒节"),
        *("--start", start, "--end", "now", "--bill-over", "300"),
        *("--comp-amount", "50", "--winners", "3"),
    )
    assert made.code == 0, made.stderr
    draw = json.loads(made.stdout)["draw"]
    assert draw.get("seed", "") == "" and len(draw["seed_sha256"]) == 64  # committed, not shown
    name = draw["name"]
    ran = ktvctl("draw", "run", name)
    assert ran.code == 0, ran.stderr
    drawn = json.loads(ran.stdout)["draw"]
    assert hashlib.sha256(bytes.fromhex(drawn["seed"])).hexdigest() == draw["seed_sha256"]
    assert [w["room"] for w in drawn["winners"]] == ["rooms/A08"]  # A09 spent under ¥300
    assert len(drawn["entrants"]) == 1 and drawn["entrants"][0].startswith("bills/")
    again = ktvctl("draw", "run", name)  # a second run: the same result, nothing lands again
    assert json.loads(again.stdout)["draw"]["winners"] == drawn["winners"]
    verified = ktvctl("draw", "verify", name)
    assert verified.code == 0 and json.loads(verified.stdout)["ok"], verified.stdout
    shown = run_ktvctl(
        ["--controller", ctl.address, "--data-dir", str(ctl.data_dir), "draw", "show", name],
        config_dir=tmp_path / "cfg",
    )
    assert "啤酒节" in shown.stdout and drawn["seed"][:16] in shown.stdout.replace("\n", "")
    assert discount_fen() == 5000  # ¥50 off A08's bill, once for two runs
    phone, _ = phones
    seen = club(ctl).ListRoomDraws(
        club_pb2.ListRoomDrawsRequest(room="rooms/A08"), metadata=phone, timeout=TIMEOUT_S
    )
    (mine,) = [d for d in seen.draws if d.draw.name == name]
    assert mine.won and mine.prize_references == [drawn["winners"][0]["prize_reference"]]
    assert list(mine.draw.entrants) == []  # phones see the result, not the entrant list
