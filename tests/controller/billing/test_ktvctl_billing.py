"""The cashier's day through ``ktvctl`` (a subprocess) against a real controller."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ktv.v1 import auth_pb2
from tests.support.controller import start_controller

from .grpc_support import write_venue

KTVCTL = [sys.executable, "-m", "controller.ktvctl"]


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("ktvctl-billing") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture
def ktvctl(ctl, tmp_path):
    def run(*args: str, token: str = "") -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("KTV_CONTROLLER", "KTV_TOKEN")}
        env.update({"KTV_CONFIG_DIR": str(tmp_path / "cfg"), "COLUMNS": "200"})
        # always name the controller: mDNS could find another test's controller on this machine
        who = ["--controller", ctl.address]
        who += ["--token", token] if token else ["--data-dir", str(ctl.data_dir)]
        return subprocess.run(
            [*KTVCTL, *who, *args], capture_output=True, text=True, timeout=30, env=env
        )

    return run


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def test_open_prepaid_order_pay_checkout_and_clean_a_room(ktvctl):
    opened = json.loads(
        ok(
            ktvctl("open", "A08", "--guests", "6", "--prepaid", "3h", "--cash", "500", "--json")
        ).stdout
    )
    assert opened["mode"] == "prepaid" and opened["payments"][0]["tender"] == "TENDER_CASH"
    assert int(opened["payments"][0]["change_fen"]) > 0
    ordered = ok(ktvctl("order", "A08", "beer:6", "fruit:1"))
    assert "青岛啤酒" in ordered.stdout and "果盘" in ordered.stdout
    board = ok(ktvctl("rooms")).stdout
    line = next(ln for ln in board.splitlines() if " A08 " in ln)
    total = int(opened["total_fen"]) + 9800  # prepaid 3h + 6 beers + fruit plate
    assert "IN_USE" in line and f" {total // 100}.{total % 100:02d} " in line  # running total
    assert " 3h2" in line  # time left: 3 h + 30 bonus minutes, minus the seconds gone
    bill = json.loads(ok(ktvctl("bill", "A08", "--json")).stdout)
    due = int(bill["due_fen"])
    assert due == 9800
    receipt = ok(ktvctl("bill", "A08", "--receipt", "58")).stdout
    assert "青岛啤酒" in receipt and all(
        len(ln) <= 32 for ln in receipt.splitlines() if ln.isascii()
    )
    ok(ktvctl("pay", "A08", "--wechat", "50", "--ref", "wx-1"))
    done = json.loads(ok(ktvctl("checkout", "A08", "--cash", "100", "--json")).stdout)
    assert done["closed"] and done["paid_fen"] == done["total_fen"]
    assert " CLEANING " in next(
        ln for ln in ok(ktvctl("rooms")).stdout.splitlines() if " A08 " in ln
    )
    ok(ktvctl("clean-done", "A08"))
    assert " IDLE " in next(ln for ln in ok(ktvctl("rooms")).stdout.splitlines() if " A08 " in ln)
    audit = json.loads(ok(ktvctl("audit", done["name"], "--json")).stdout)
    assert [e["kind"] for e in audit][-1] == "TabCheckedOut"
    assert "every fen matches the log" in ok(ktvctl("audit", "--verify")).stdout


def test_move_and_merge_from_the_command_line(ktvctl):
    ok(ktvctl("open", "A09", "--guests", "2"))
    ok(ktvctl("open", "B02", "--guests", "4"))
    ok(ktvctl("move", "A09", "A08"))
    merged = json.loads(ok(ktvctl("merge", "B02", "A08", "--json")).stdout)
    assert sorted(merged["rooms"]) == ["rooms/A08", "rooms/B02"]
    # however fast this ran, every stay pays at least its first hour (even under a second)
    assert int(json.loads(ok(ktvctl("bill", "A08", "--json")).stdout)["due_fen"]) > 0
    ok(ktvctl("checkout", "A08", "--cash", "5000"))
    board = ok(ktvctl("rooms")).stdout.splitlines()
    for room in ("A08", "A09", "B02"):
        assert " CLEANING " in next(ln for ln in board if f" {room} " in ln)
        ok(ktvctl("clean-done", room))


@pytest.fixture(scope="module")
def busy_room(ctl):
    """Q01 with an open bill that has something on it (set up over gRPC: faster)."""
    from ktv.v1 import billing_pb2 as pb

    from .grpc_support import billing_stub, rid

    ctl.add_room("Q01", tier="small")
    ctl.add_room("Q02", tier="small")
    stub = billing_stub(ctl.channel())
    stub.OpenSession(
        pb.OpenSessionRequest(room="rooms/Q01", guest_count=2, request_id=rid()),
        metadata=ctl.admin_md,
        timeout=10,
    )
    stub.PlaceOrder(
        pb.PlaceOrderRequest(
            room="rooms/Q01", items=[pb.OrderItem(sku="water", quantity=1)], request_id=rid()
        ),
        metadata=ctl.admin_md,
        timeout=10,
    )
    return "Q01"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("order", "Q01", "beer:-1"), 2, "quantity"),
        (("order", "Q01", "caviar:1"), 3, "caviar"),
        (("open", "Q02", "--guests", "2", "--prepaid", "3x"), 2, "duration"),
        (("pay", "Q01", "--cash", "-5"), 2, "positive"),
        (("checkout", "Q01", "--wechat", "0.01"), 5, "still due"),
        (("open", "Q01", "--guests", "2"), 5, "already"),
        (("bill", "Z99"), 3, "Z99"),
    ],
)
def test_bad_input_is_one_line_and_an_exit_code(ktvctl, busy_room, args, code, message):
    result = ktvctl(*args)
    assert result.returncode == code, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("ktvctl: ")
    assert message in result.stderr


def test_a_cashier_refunds_only_with_a_managers_approval_and_a_manager_can(ctl, ktvctl):
    cashier = ctl.add_staff("cashier-li", auth_pb2.ROLE_CASHIER)
    manager = ctl.add_staff("manager-wang", auth_pb2.ROLE_MANAGER)
    ok(ktvctl("open", "A09", "--guests", "2", token=cashier))
    ok(ktvctl("order", "A09", "beer:2", token=cashier))
    # Room time accrues between calls (a band's first block can start moments after opening),
    # so pay cash with change rather than an exact amount read from an earlier bill.
    checkout = ktvctl("checkout", "A09", "--cash", "1000", "--json", token=cashier)
    done = json.loads(ok(checkout).stdout)
    paid = int(done["paid_fen"])
    payment = done["payments"][0]["payment_id"]
    denied = ktvctl("refund", done["name"], payment, "5", "--reason", "少一瓶", token=cashier)
    assert denied.returncode == 7 and "over a cashier's cap" in denied.stderr
    wrong_pin = ktvctl(
        "refund",
        done["name"],
        payment,
        "5",
        "--reason",
        "少一瓶",
        "--approver",
        "manager-wang",
        "--approver-pin",
        "9999",
        token=cashier,
    )
    assert wrong_pin.returncode == 8
    approved = ktvctl(
        "refund",
        done["name"],
        payment,
        "1",
        "--reason",
        "少一瓶",
        "--approver",
        "manager-wang",
        "--approver-pin",
        "1234",
        "--json",
        token=cashier,
    )
    paid -= 100
    assert int(json.loads(ok(approved).stdout)["paid_fen"]) == paid
    refunded = json.loads(
        ok(
            ktvctl(
                "refund", done["name"], payment, "5", "--reason", "少一瓶", "--json", token=manager
            )
        ).stdout
    )
    assert (
        int(refunded["paid_fen"]) == paid - 500 and refunded["payments"][-1]["amount_fen"] == "-500"
    )
    ok(ktvctl("clean-done", "A09"))


def test_price_show_and_menu(ktvctl):
    assert "[pricing]" in ok(ktvctl("price", "show")).stdout
    menu = json.loads(ok(ktvctl("menu", "--json")).stdout)
    assert {p["sku"] for p in menu} >= {"beer", "fruit"}


def test_a_new_price_file_is_imported_as_a_new_version(ktvctl, tmp_path):
    source = Path(__file__).resolve().parents[3] / "examples" / "venue.toml"
    text = source.read_text(encoding="utf-8").replace('version = "2026-11"', 'version = "2026-12"')
    path = tmp_path / "prices.toml"
    path.write_text(text, encoding="utf-8")
    assert "2026-12" in ok(ktvctl("price", "import", str(path))).stdout
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('rounding = "none"', 'rounding = "banker"'), encoding="utf-8")
    result = ktvctl("price", "import", str(broken))
    assert result.returncode == 2 and "floor_yuan" in result.stderr


def test_a_manager_marks_a_product_sold_out_and_the_desk_cannot_order_it(ctl, ktvctl, busy_room):
    ok(ktvctl("product", "nuts", "--name", "花生", "--category", "snacks", "--price", "8"))
    ok(ktvctl("order", busy_room, "nuts:2"))
    ok(ktvctl("product", "nuts", "--sold-out"))
    refused = ktvctl("order", busy_room, "nuts:1")
    assert refused.returncode == 5 and "花生" in refused.stderr
    menu = {p["sku"]: p for p in json.loads(ok(ktvctl("menu", "--json")).stdout)}
    assert menu["nuts"]["available"] is False and menu["nuts"]["base_fen"] == "800"
    assert ktvctl("product", "new-thing").returncode == 2


def test_ktvctl_pays_from_a_members_balance_with_member_and_pin_and_never_prints_the_pin(
    ctl, ktvctl
):
    from ktv.v1 import members_pb2, members_pb2_grpc

    from .grpc_support import rid

    phone, pin = "13900139111", "8642"
    members = members_pb2_grpc.MembersServiceStub(ctl.channel())
    members.RegisterMember(
        members_pb2.RegisterMemberRequest(phone=phone, name="会员", pin=pin, request_id=rid()),
        metadata=ctl.admin_md,
        timeout=10,
    )
    members.TopUp(
        members_pb2.TopUpRequest(member=phone, amount_fen=10_000, request_id=rid()),
        metadata=ctl.admin_md,
        timeout=10,
    )
    ctl.add_room("S01", tier="small")
    ok(ktvctl("open", "S01", "--guests", "2"))
    wrong = ktvctl("pay", "S01", "--stored-value", "30", "--member", phone, "--pin", "1111")
    assert wrong.returncode != 0 and "1111" not in wrong.stderr + wrong.stdout
    paid = json.loads(
        ok(
            ktvctl("pay", "S01", "--stored-value", "30", "--member", phone, "--pin", pin, "--json")
        ).stdout
    )
    assert int(paid["paid_fen"]) == 3000
    assert paid["payments"][-1]["tender"] == "TENDER_STORED_VALUE"
    assert pin not in json.dumps(paid)


def test_ktvctl_reads_the_bill_status_enum_and_falls_back_to_an_old_controllers_string():
    from controller.ktvctl.billing import bill_table
    from ktv.v1 import billing_pb2 as pb

    new = bill_table(pb.Bill(name="bills/x", bill_status=pb.BILL_STATUS_MERGED, guest_count=2))
    old = bill_table(pb.Bill(name="bills/x", status="merged", guest_count=2))
    assert "(merged, 2 guests)" in str(new.title) and "(merged, 2 guests)" in str(old.title)
