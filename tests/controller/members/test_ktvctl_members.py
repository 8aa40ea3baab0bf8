"""The front desk's member commands through ``ktvctl`` (a subprocess) against a real
controller process, and a bill paid from stored value over gRPC."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import billing_pb2, billing_pb2_grpc, members_pb2, members_pb2_grpc
from tests.controller.billing.grpc_support import write_venue
from tests.support.controller import start_controller

KTVCTL = [sys.executable, "-m", "controller.ktvctl"]


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("ktvctl-members") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture
def ktvctl(ctl, tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("KTV_CONTROLLER", "KTV_TOKEN")}
        env.update({"KTV_CONFIG_DIR": str(tmp_path / "cfg"), "COLUMNS": "200"})
        who = ["--controller", ctl.address, "--data-dir", str(ctl.data_dir)]
        return subprocess.run(
            [*KTVCTL, *who, *args], capture_output=True, text=True, timeout=30, env=env
        )

    return run


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def test_add_top_up_show_history_and_verify_a_member(ktvctl):
    added = json.loads(
        ok(
            ktvctl(
                "member",
                "add",
                "13800138000",
                "--name",
                "张伟",
                "--birthday",
                "1990-11-28",
                "--card",
                "VIP0001",
                "--pin",
                "2580",
                "--json",
            )
        ).stdout
    )
    assert added["member"]["phone"] == "13800138000"
    topped = json.loads(
        ok(ktvctl("member", "topup", "VIP0001", "500", "--tender", "wechat", "--json")).stdout
    )
    assert int(topped["member"]["balance_fen"]) == 60_000
    shown = ok(ktvctl("member", "show", "张伟")).stdout
    assert "600.00" in shown and "bonus 100.00" in shown
    history = json.loads(ok(ktvctl("member", "history", "13800138000", "--json")).stdout)
    assert history["entries"][0]["kind"] == "topup"
    assert history["entries"][0]["entry_kind"] == "LEDGER_ENTRY_KIND_TOPUP"
    assert history["entries"][0]["tender_type"] == "TENDER_WECHAT"  # --tender sent as the enum
    assert "balances equal their ledgers" in ok(ktvctl("members", "verify")).stdout
    listed = json.loads(ok(ktvctl("member", "list", "张", "--json")).stdout)  # ListMembers
    assert [m["resource_name"] for m in listed["members"]] == [added["member"]["resource_name"]]
    assert "members/m-" in ok(ktvctl("member", "list", "13800138000")).stdout


def test_a_member_sets_a_pin_and_changing_it_needs_the_old_one(ktvctl):
    ok(ktvctl("member", "add", "13200132000", "--name", "吴敏"))
    ok(ktvctl("member", "pin", "13200132000", "--pin", "1234"))
    wrong = ktvctl("member", "pin", "13200132000", "--pin", "5678", "--old-pin", "0000")
    assert wrong.returncode == 7
    changed = json.loads(
        ok(
            ktvctl("member", "pin", "13200132000", "--pin", "5678", "--old-pin", "1234", "--json")
        ).stdout
    )
    assert changed["member"]["has_pin"] is True


def test_a_bad_phone_number_is_one_line_and_exit_code_2(ktvctl):
    result = ktvctl("member", "add", "12345", "--name", "李四")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "mainland mobile" in result.stderr


def test_coupons_and_the_birthday_campaign_from_the_desk(ktvctl, ctl):
    # the campaign reaches birthdays in the next 7 days of the controller's wall clock: three
    # days from now is inside that window in any venue timezone (1992: 29 Feb exists)
    soon = datetime.date.today() + datetime.timedelta(days=3)
    birthday = soon.replace(year=1992).isoformat()
    ok(ktvctl("member", "add", "13900139000", "--name", "李娜", "--birthday", birthday))
    issued = json.loads(
        ok(
            ktvctl(
                "coupon", "issue", "13900139000", "--amount", "50", "--min-spend", "200", "--json"
            )
        ).stdout
    )
    assert int(issued["coupon"]["value"]) == 5_000
    first = json.loads(ok(ktvctl("campaign", "run", "birthday", "--json")).stdout)
    again = json.loads(ok(ktvctl("campaign", "run", "birthday", "--json")).stdout)
    assert int(first.get("reached", 0)) >= 1 and int(again.get("reached", 0)) == 0
    listed = json.loads(ok(ktvctl("coupon", "list", "13900139000", "--json")).stdout)
    assert {c.get("campaign") for c in listed["coupons"]} >= {"desk", "birthday"}
    outbox = (ctl.data_dir / "notifications.jsonl").read_text(encoding="utf-8")
    assert "birthday_gift" in outbox and "13900139000" in outbox


def test_a_bill_paid_from_the_balance_over_grpc_with_a_wrong_pin_first(ctl):
    members = members_pb2_grpc.MembersServiceStub(ctl.channel())
    billing = billing_pb2_grpc.BillingServiceStub(ctl.channel())
    md = ctl.admin_md
    members.RegisterMember(
        members_pb2.RegisterMemberRequest(
            phone="13700137000", name="王芳", pin="1357", request_id="reg-wf"
        ),
        metadata=md,
        timeout=10,
    )
    members.TopUp(
        members_pb2.TopUpRequest(member="13700137000", amount_fen=20_000, request_id="top-wf"),
        metadata=md,
        timeout=10,
    )
    billing.OpenSession(
        billing_pb2.OpenSessionRequest(room="rooms/A09", guest_count=2, request_id="open-a09"),
        metadata=md,
        timeout=10,
    )
    billing.PlaceOrder(
        billing_pb2.PlaceOrderRequest(
            room="rooms/A09", items=[billing_pb2.OrderItem(sku="beer", quantity=6)], request_id="o1"
        ),
        metadata=md,
        timeout=10,
    )

    def pay(ref: str, rid: str) -> billing_pb2.TakePaymentResponse:
        tender = billing_pb2.TenderAmount(
            tender=billing_pb2.TENDER_STORED_VALUE, amount_fen=3_000, reference=ref
        )
        return billing.TakePayment(
            billing_pb2.TakePaymentRequest(room="rooms/A09", tenders=[tender], request_id=rid),
            metadata=md,
            timeout=10,
        )

    with pytest.raises(grpc.RpcError) as err:
        pay("13700137000:0000", "pay-wrong")
    assert reason_of(err.value) == "WRONG_PIN"
    paid = pay("13700137000:1357", "pay-right")
    again = pay("13700137000:1357", "pay-right")  # a retry
    assert paid == again and paid.bill.paid_fen == 3_000
    shown = members.GetMember(
        members_pb2.GetMemberRequest(query="13700137000"), metadata=md, timeout=10
    )
    assert shown.member.balance_fen == 17_000
    signed = members.SignIn(
        members_pb2.SignInRequest(room="rooms/A09", phone="13700137000", pin="1357"),
        metadata=md,
        timeout=10,
    )
    assert signed.member.name == "王芳"


def test_the_cashier_takes_a_payment_from_the_balance_with_ktvctl(ktvctl):
    ok(ktvctl("member", "add", "13600136000", "--name", "赵磊", "--pin", "8642"))
    ok(ktvctl("member", "topup", "13600136000", "100"))
    ok(ktvctl("open", "B02", "--guests", "2"))
    ok(ktvctl("order", "B02", "beer:2"))
    paid = json.loads(
        ok(
            ktvctl("pay", "B02", "--stored-value", "20", "--ref", "13600136000:8642", "--json")
        ).stdout
    )
    assert "8642" not in json.dumps(paid)
    history = json.loads(ok(ktvctl("member", "history", "13600136000", "--json")).stdout)
    assert [e["kind"] for e in history["entries"]] == ["payment", "topup"]
    assert int(history["member"]["balance_fen"]) == 8_000
    refused = ktvctl("member", "refund", "13600136000", "100", "--reason", "退卡")
    assert refused.returncode == 5 and "principal" in refused.stderr  # bonus is never cash


def test_the_room_touchscreen_signs_a_member_into_its_own_room_only(ctl):
    members = members_pb2_grpc.MembersServiceStub(ctl.channel())
    billing = billing_pb2_grpc.BillingServiceStub(ctl.channel())
    md = ctl.admin_md
    members.RegisterMember(
        members_pb2.RegisterMemberRequest(
            phone="13500135000", name="孙丽", pin="9753", request_id="reg-sl"
        ),
        metadata=md,
        timeout=10,
    )
    billing.OpenSession(
        billing_pb2.OpenSessionRequest(room="rooms/A08", guest_count=3, request_id="open-a08"),
        metadata=md,
        timeout=10,
    )
    screen = (("authorization", f"Bearer {ctl.enroll_agent('A08')}"),)
    signed = members.SignIn(
        members_pb2.SignInRequest(room="rooms/A08", phone="13500135000", pin="9753"),
        metadata=screen,
        timeout=10,
    )
    assert signed.member.phone == "13500135000"
    with pytest.raises(grpc.RpcError) as other_room:
        members.SignIn(
            members_pb2.SignInRequest(room="rooms/A09", phone="13500135000", pin="9753"),
            metadata=screen,
            timeout=10,
        )
    assert other_room.value.code() is grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as lookup:
        members.GetMember(
            members_pb2.GetMemberRequest(query="13500135000"), metadata=screen, timeout=10
        )
    assert lookup.value.code() is grpc.StatusCode.PERMISSION_DENIED


def test_a_coupon_on_the_bill_then_checkout_credits_the_member_by_itself(ktvctl, ctl):
    ctl.add_room("C01", "small")
    ok(ktvctl("member", "add", "13300133000", "--name", "周杰"))
    code = json.loads(
        ok(ktvctl("coupon", "issue", "13300133000", "--amount", "20", "--json")).stdout
    )["coupon"]["code"]
    ok(ktvctl("open", "C01", "--guests", "2"))
    ok(ktvctl("order", "C01", "beer:6"))
    used = json.loads(
        ok(ktvctl("member", "benefits", "C01", "13300133000", "--coupon", code, "--json")).stdout
    )
    assert int(used["coupons_fen"]) == 2_000
    bill = json.loads(ok(ktvctl("bill", "C01", "--json")).stdout)
    assert any(code in line.get("label", "") for line in bill["lines"])
    ok(ktvctl("checkout", "C01", "--cash", "2000"))  # cash gives change
    shown = json.loads(ok(ktvctl("member", "show", "13300133000", "--json")).stdout)
    points = int(shown["member"]["points"])
    assert points > 0  # credited at checkout, without `member credit`
    credited = json.loads(ok(ktvctl("member", "credit", used["bill"], "--json")).stdout)
    assert not credited["credits"][0].get("recorded")  # already credited: nothing twice
    again_shown = json.loads(ok(ktvctl("member", "show", "13300133000", "--json")).stdout)
    assert int(again_shown["member"]["points"]) == points
    again = ok(ktvctl("coupon", "list", "13300133000", "--json")).stdout
    assert json.loads(again)["coupons"][0]["used"] is True


def test_ktvctl_member_redeem_a_fruit_platter_onto_the_rooms_bill(ktvctl, ctl):
    ctl.add_room("C02", "small")
    ok(ktvctl("member", "add", "13700137001", "--name", "郑爽"))
    members = members_pb2_grpc.MembersServiceStub(ctl.channel())
    members.RecordVisit(  # 3,500 yuan spent earlier: 3,500 points
        members_pb2.RecordVisitRequest(
            member="13700137001",
            bill="bills/earlier",
            lines=[members_pb2.SpendLine(category="room", amount_fen=350_000)],
            request_id="visit-zs",
        ),
        metadata=ctl.admin_md,
        timeout=10,
    )
    ok(ktvctl("open", "C02", "--guests", "2"))
    got = json.loads(
        ok(
            ktvctl(
                "member",
                "redeem",
                "13700137001",
                "--product",
                "fruit",
                "--room",
                "C02",
                "--request-id",
                "redeem-zs",
                "--json",
            )
        ).stdout
    )
    assert int(got["points_spent"]) == 3000 and int(got["member"]["points"]) == 500
    bill = json.loads(ok(ktvctl("bill", "C02", "--json")).stdout)
    comped = [line for line in bill["lines"] if "积分兑换" in line.get("label", "")]
    assert len(comped) == 1 and int(comped[0]["amount_fen"]) == -3800
    retry = ktvctl(
        "member",
        "redeem",
        "13700137001",
        "--product",
        "fruit",
        "--room",
        "C02",
        "--request-id",
        "redeem-zs",
        "--json",
    )
    assert json.loads(ok(retry).stdout)["order_id"] == got["order_id"]
    refused = ktvctl("member", "redeem", "13700137001", "--product", "fruit", "--room", "C02")
    assert refused.returncode != 0 and "INSUFFICIENT_POINTS" not in refused.stdout
    assert refused.stderr.strip().count("\n") == 0 and "points" in refused.stderr
    shown = json.loads(ok(ktvctl("member", "show", "13700137001", "--json")).stdout)
    assert int(shown["member"]["points"]) == 500
