"""members.proto to the standard of billing.proto, over real gRPC on loopback: an old client's
hand-built bytes (old RPC names, old field numbers, string kinds) still work, the AIP
Create/List RPCs answer, members are addressed as ``members/{id}``, closed sets are enums with
the deprecated strings still filled, and SignIn is idempotent by request_id with the PIN
checked on every call."""

from __future__ import annotations

import sqlite3
import uuid

import grpc
import pytest

from controller.api.errors import reason_of
from controller.store.idempotency import fingerprint
from ktv.v1 import billing_pb2, billing_pb2_grpc, members_pb2, members_pb2_grpc
from tests.controller.billing.grpc_support import TIMEOUT_S, write_venue
from tests.support.controller import RunningController, start_controller

PHONE = "13800138000"
PIN = "2580"


# --- the wire format by hand, as a client built before this change would send it ------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _str(field: int, text: str) -> bytes:
    raw = text.encode()
    return _varint(field << 3 | 2) + _varint(len(raw)) + raw


def _int(field: int, value: int) -> bytes:
    return _varint(field << 3 | 0) + _varint(value)


def _raw(ctl: RunningController, method: str, payload: bytes) -> bytes:
    call = ctl.channel().unary_unary(
        f"/ktv.v1.MembersService/{method}",
        request_serializer=lambda b: b,
        response_deserializer=lambda b: b,
    )
    return call(payload, metadata=ctl.admin_md, timeout=TIMEOUT_S)


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("members-contract") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        billing_pb2_grpc.BillingServiceStub(running.channel()).OpenSession(
            billing_pb2.OpenSessionRequest(
                room="rooms/A08", guest_count=2, request_id=uuid.uuid4().hex
            ),
            metadata=running.admin_md,
            timeout=TIMEOUT_S,
        )
        yield running


@pytest.fixture(scope="module")
def stub(ctl: RunningController) -> members_pb2_grpc.MembersServiceStub:
    return members_pb2_grpc.MembersServiceStub(ctl.channel())


@pytest.fixture(scope="module")
def member(ctl: RunningController, stub: members_pb2_grpc.MembersServiceStub) -> str:
    """PHONE's member (PIN set), made with CreateMember; its resource name."""
    return stub.CreateMember(
        members_pb2.CreateMemberRequest(
            phone=PHONE, name="张伟", pin=PIN, request_id=uuid.uuid4().hex
        ),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    ).member.resource_name


def _md(ctl: RunningController):
    return {"metadata": ctl.admin_md, "timeout": TIMEOUT_S}


def test_an_old_clients_bytes_register_top_up_and_issue_a_coupon(ctl: RunningController) -> None:
    # RegisterMemberRequest{phone=1, name=2, pin=5, request_id=6}, answered as MemberResponse
    raw = _raw(
        ctl,
        "RegisterMember",
        _str(1, "13700137001") + _str(2, "老客户") + _str(5, PIN) + _str(6, uuid.uuid4().hex),
    )
    old = members_pb2.MemberResponse.FromString(raw).member
    assert old.member_id.startswith("m-") and old.tier == "regular"  # the old string, filled
    assert old.member_tier == members_pb2.MEMBER_TIER_REGULAR
    assert old.resource_name == f"members/{old.member_id}"
    # TopUpRequest{member=1 (a phone, as old clients send), amount_fen=2, tender=3 "wechat"}
    raw = _raw(
        ctl,
        "TopUp",
        _str(1, "13700137001") + _int(2, 10_000) + _str(3, "wechat") + _str(5, uuid.uuid4().hex),
    )
    entry = members_pb2.LedgerEntryResponse.FromString(raw).entry
    assert (entry.kind, entry.tender) == ("topup", "wechat")  # old strings still filled
    assert entry.entry_kind == members_pb2.LEDGER_ENTRY_KIND_TOPUP
    assert entry.tender_type == billing_pb2.TENDER_WECHAT
    # IssueCouponRequest{member=1, kind=2 "percent", value=3, request_id=8}
    raw = _raw(
        ctl,
        "IssueCoupon",
        _str(1, old.member_id) + _str(2, "percent") + _int(3, 1000) + _str(8, uuid.uuid4().hex),
    )
    coupon = members_pb2.IssueCouponResponse.FromString(raw).coupon
    assert (coupon.kind, coupon.coupon_kind) == ("percent", members_pb2.COUPON_KIND_PERCENT)
    # FindMembersRequest{query=1}
    found = members_pb2.FindMembersResponse.FromString(_raw(ctl, "FindMembers", _str(1, "老客")))
    assert [m.member_id for m in found.members] == [old.member_id]


def test_create_member_and_address_it_by_resource_name(
    ctl: RunningController, stub: members_pb2_grpc.MembersServiceStub, member: str
) -> None:
    name = member
    got = stub.GetMember(members_pb2.GetMemberRequest(name=name), **_md(ctl)).member
    assert got.phone == PHONE and name == f"members/{got.member_id}"
    up = stub.TopUp(
        members_pb2.TopUpRequest(
            member=name,
            amount_fen=5_000,
            tender_type=billing_pb2.TENDER_CASH,
            request_id=uuid.uuid4().hex,
        ),
        **_md(ctl),
    )
    assert up.entry.member == name and up.entry.tender == "cash"
    assert up.member.balance_fen >= 5_000
    coupon = stub.IssueCoupon(
        members_pb2.IssueCouponRequest(
            member=name,
            coupon_kind=members_pb2.COUPON_KIND_FIXED,
            value=500,
            request_id=uuid.uuid4().hex,
        ),
        **_md(ctl),
    ).coupon
    assert (coupon.kind, coupon.coupon_kind) == ("fixed", members_pb2.COUPON_KIND_FIXED)
    for bad, reason in (
        ("members/", "BAD_MEMBER_NAME"),
        ("members/m-x/y", "BAD_MEMBER_NAME"),
        ("members/m-nobody", "UNKNOWN_MEMBER"),
    ):
        with pytest.raises(grpc.RpcError) as err:
            stub.GetMember(members_pb2.GetMemberRequest(name=bad), **_md(ctl))
        assert reason_of(err.value) == reason, bad


def test_new_and_old_kinds_must_agree(
    ctl: RunningController, stub: members_pb2_grpc.MembersServiceStub, member: str
) -> None:
    with pytest.raises(grpc.RpcError) as err:
        stub.IssueCoupon(
            members_pb2.IssueCouponRequest(
                member=PHONE,
                kind="percent",
                coupon_kind=members_pb2.COUPON_KIND_FIXED,
                value=500,
                request_id=uuid.uuid4().hex,
            ),
            **_md(ctl),
        )
    assert reason_of(err.value) == "BAD_COUPON"
    with pytest.raises(grpc.RpcError) as err:
        stub.TopUp(
            members_pb2.TopUpRequest(
                member=PHONE,
                amount_fen=100,
                tender="cash",
                tender_type=billing_pb2.TENDER_WECHAT,
                request_id=uuid.uuid4().hex,
            ),
            **_md(ctl),
        )
    assert reason_of(err.value) == "BAD_TENDER"


def test_list_members_pages_through_a_name_prefix(
    ctl: RunningController, stub: members_pb2_grpc.MembersServiceStub
) -> None:
    for i in range(5):
        stub.CreateMember(
            members_pb2.CreateMemberRequest(
                phone=f"1350013500{i}", name=f"分页{i}", request_id=uuid.uuid4().hex
            ),
            **_md(ctl),
        )
    seen, token, pages = [], "", 0
    while True:
        page = stub.ListMembers(
            members_pb2.ListMembersRequest(query="分页", page_size=2, page_token=token), **_md(ctl)
        )
        pages += 1
        assert len(page.members) <= 2
        seen += [m.name for m in page.members]
        token = page.next_page_token
        if not token:
            break
    assert pages == 3 and sorted(seen) == [f"分页{i}" for i in range(5)]
    first = stub.ListMembers(members_pb2.ListMembersRequest(query="分页", page_size=2), **_md(ctl))
    for query, token in (("张", first.next_page_token), ("分页", "not-a-token")):
        with pytest.raises(grpc.RpcError) as err:
            stub.ListMembers(
                members_pb2.ListMembersRequest(query=query, page_token=token), **_md(ctl)
            )
        assert reason_of(err.value) == "BAD_PAGE_TOKEN"
    with pytest.raises(grpc.RpcError) as err:
        stub.ListMembers(members_pb2.ListMembersRequest(query="分页", page_size=-1), **_md(ctl))
    assert reason_of(err.value) == "BAD_PAGE_SIZE"


def _sign_in(ctl: RunningController, phone: str, pin: str, request_id: str = ""):
    stub = members_pb2_grpc.MembersServiceStub(ctl.channel())
    request = members_pb2.SignInRequest(
        room="rooms/A08", phone=phone, pin=pin, request_id=request_id
    )
    return stub.SignIn(request, **_md(ctl))


def test_a_signin_retry_answers_the_first_result_and_still_checks_the_pin(
    ctl: RunningController, stub: members_pb2_grpc.MembersServiceStub, member: str
) -> None:
    phone = "13600136001"
    stub.CreateMember(
        members_pb2.CreateMemberRequest(
            phone=phone, name="重试", pin=PIN, request_id=uuid.uuid4().hex
        ),
        **_md(ctl),
    )
    rid = uuid.uuid4().hex
    first = _sign_in(ctl, phone, PIN, rid)
    stub.TopUp(
        members_pb2.TopUpRequest(member=phone, amount_fen=1_000, request_id=uuid.uuid4().hex),
        **_md(ctl),
    )
    again = _sign_in(ctl, phone, PIN, rid)
    assert again == first  # the first answer (the balance before the top-up), not a new one
    assert _sign_in(ctl, phone, PIN).member.balance_fen == first.member.balance_fen + 1_000
    with pytest.raises(grpc.RpcError) as err:  # the PIN is checked on a retry too
        _sign_in(ctl, phone, "0000", rid)
    assert reason_of(err.value) == "WRONG_PIN"
    with pytest.raises(grpc.RpcError) as err:
        _sign_in(ctl, PHONE, PIN, rid)  # the same id for another member
    assert reason_of(err.value) == "REQUEST_ID_REUSED"
    with pytest.raises(grpc.RpcError) as err:
        _sign_in(ctl, phone, PIN, "x" * 10_000)
    assert reason_of(err.value) in {"BAD_REQUEST_ID", "FIELD_TOO_LONG"}


def test_the_signin_record_keys_on_the_request_without_its_pin(
    ctl: RunningController, member: str
) -> None:
    """A 4-digit PIN inside a fast digest is a PIN on disk: the record must not hold one."""
    rid = uuid.uuid4().hex
    _sign_in(ctl, PHONE, PIN, rid)
    db = sqlite3.connect(ctl.data_dir / "controller.db")
    try:
        (stored,) = db.execute(
            "SELECT fingerprint FROM idempotency_keys WHERE request_id = ?", (rid,)
        ).fetchone()
    finally:
        db.close()
    method = "/ktv.v1.MembersService/SignIn"
    without_pin = members_pb2.SignInRequest(room="rooms/A08", phone=PHONE)
    with_pin = members_pb2.SignInRequest(room="rooms/A08", phone=PHONE, pin=PIN)
    assert stored == fingerprint(method, without_pin.SerializeToString(deterministic=True))
    assert stored != fingerprint(method, with_pin.SerializeToString(deterministic=True))
