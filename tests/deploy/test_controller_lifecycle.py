"""The controller as systemd runs it: sd_notify READY + watchdog pings from `serve`, and
`ktv-controller backup` / `restore` against a live controller's database."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import grpc
import pytest

from controller.rooms.board import RoomBoard
from controller.store.db import open_store
from ktv.v1 import rooms_pb2
from tests.deploy.scratch import ktv_controller
from tests.support.controller import launch, start_controller
from tests.support.link import AgentLink, door_event

RPC_TIMEOUT_S = 10.0


def test_serve_tells_systemd_it_is_ready_then_keeps_the_watchdog_fed(tmp_path):
    notify_path = tmp_path / "notify"
    systemd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    systemd.bind(str(notify_path))
    systemd.settimeout(20)
    env = {"NOTIFY_SOCKET": str(notify_path), "WATCHDOG_USEC": "1000000"}  # ping every 0.5 s
    try:
        ctl = launch(tmp_path / "data", ["--no-mdns"], env=env)
        try:
            messages = [systemd.recv(4096).decode()]
            while sum(m == "WATCHDOG=1" for m in messages) < 3:
                messages.append(systemd.recv(4096).decode())
        finally:
            assert ctl.stop() == 0
        ready = messages[0].split("\n")
        assert ready[0] == "READY=1"
        assert f"MAINPID={ctl.process.pid}" in ready
        assert any(line.startswith("STATUS=serving on 127.0.0.1:") for line in ready)
        systemd.settimeout(5)
        rest = []
        while "STOPPING=1" not in rest:
            rest.append(systemd.recv(4096).decode())
    finally:
        systemd.close()


def _room_with_open_session(data_dir: Path) -> None:
    """Billing is not on main yet: open a session the way billing will, through the board."""
    data_dir.mkdir(parents=True)
    store = open_store(data_dir / "controller.db")
    try:
        board = RoomBoard(store, tiers=("large",))
        board.load()
        with store.transaction():
            board.create_room("A08", "A08", "large")
        with store.transaction():
            board.session_opened("A08", "sessions/s-0001", guest_count=4)
    finally:
        store.close()


def _room_ids(ctl) -> set[str]:
    """Every room on the board, page by page (a busy writer can add more than one page)."""
    ids: set[str] = set()
    token = ""
    while True:
        page = ctl.rooms().ListRooms(
            rooms_pb2.ListRoomsRequest(page_size=1000, page_token=token),
            metadata=ctl.admin_md,
            timeout=10,
        )
        ids |= {r.name.removeprefix("rooms/") for r in page.rooms}
        token = page.next_page_token
        if not token:
            return ids


def _room(ctl, room_id: str) -> rooms_pb2.Room:
    return (
        ctl.rooms()
        .GetRoom(
            rooms_pb2.GetRoomRequest(name=f"rooms/{room_id}"), metadata=ctl.admin_md, timeout=10
        )
        .room
    )


def test_backup_of_a_busy_controller_restores_rooms_events_and_open_sessions(tmp_path):
    data_dir = tmp_path / "data"
    _room_with_open_session(data_dir)
    with start_controller(data_dir, ["--no-mdns"]) as ctl:
        for room in ("B01", "B02"):
            ctl.add_room(room)
        token = ctl.enroll_agent("A08")
        with AgentLink(ctl.address, token, "A08") as link:
            for n in range(5):
                link.send_event(door_event(f"door-{n}", open=n % 2 == 0))
                link.wait_for("ack")

        stop = threading.Event()
        errors: list[BaseException] = []

        def front_desk_keeps_working() -> None:
            n = 0
            while not stop.is_set():
                try:
                    ctl.add_room(f"W{n:03d}")
                except grpc.RpcError as error:  # pragma: no cover - reported below
                    errors.append(error)
                n += 1

        writer = threading.Thread(target=front_desk_keeps_working)
        writer.start()
        try:
            backup = ktv_controller("backup", "--data-dir", str(data_dir), "--keep", "3")
        finally:
            stop.set()
            writer.join()
        assert backup.returncode == 0, backup.stderr
        assert not errors
        backup_file = Path(backup.stdout.split()[1])
        assert backup_file.parent == data_dir / "backups"

        ctl.add_room("Z99")  # after the backup: must be gone after restore
        rooms_at_backup = {r["room_id"] for r in _sqlite(backup_file, "SELECT room_id FROM rooms")}

    restore = ktv_controller("restore", str(backup_file), "--data-dir", str(data_dir))
    assert restore.returncode == 0, restore.stderr
    assert "before-restore" in restore.stdout

    with start_controller(data_dir, ["--no-mdns"]) as ctl:
        assert _room_ids(ctl) == rooms_at_backup
        assert "Z99" not in rooms_at_backup and {"A08", "B01", "B02"} <= rooms_at_backup
        assert any(r.startswith("W") for r in rooms_at_backup)  # written during the backup
        a08 = _room(ctl, "A08")
        assert a08.session == "sessions/s-0001"
        assert a08.state == rooms_pb2.ROOM_STATE_IN_USE
    events = _sqlite(data_dir / "controller.db", "SELECT event_id FROM room_events")
    assert {"door-0", "door-4"} <= {e["event_id"] for e in events}


def _sqlite(path: Path, sql: str) -> list[dict]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(sql)]


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    data_dir = tmp_path / "data"
    _room_with_open_session(data_dir)
    junk = tmp_path / "controller-junk.db"
    junk.write_text("definitely not sqlite")
    proc = ktv_controller("restore", str(junk), "--data-dir", str(data_dir))
    assert proc.returncode == 2
    assert proc.stderr.startswith("ktv-controller: ")
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("keep", ["0", "-1"])
def test_backup_with_nothing_to_keep_is_refused(tmp_path, keep):
    _room_with_open_session(tmp_path / "data")
    proc = ktv_controller("backup", "--data-dir", str(tmp_path / "data"), "--keep", keep)
    assert proc.returncode == 2
    assert "keep at least one" in proc.stderr


def test_plain_text_mode_says_so_loudly_in_the_log(tmp_path):
    with start_controller(tmp_path / "data", ["--no-mdns"]) as ctl:
        log = ctl.log_text()
    assert "PLAIN TEXT (--insecure-dev)" in log


def test_every_acknowledged_change_survives_the_controller_being_killed(tmp_path):
    """systemd restarts a crashed controller (Restart=on-failure): what the front desk saw
    succeed is still there, and the database is intact."""
    data_dir = tmp_path / "data"
    ctl = launch(data_dir, ["--no-mdns"])
    acknowledged: list[str] = []
    try:
        for n in range(40):
            ctl.add_room(f"K{n:02d}")
            acknowledged.append(f"K{n:02d}")
    finally:
        ctl.process.kill()  # SIGKILL: no drain, no close
        ctl.process.wait(10)
        ctl.stop()
    assert _sqlite(data_dir / "controller.db", "PRAGMA integrity_check") == [
        {"integrity_check": "ok"}
    ]
    with start_controller(data_dir, ["--no-mdns"]) as again:
        listed = _room_ids(again)
    assert set(acknowledged) <= listed


def test_restore_is_refused_while_the_controller_runs(tmp_path):
    data_dir = tmp_path / "data"
    _room_with_open_session(data_dir)
    backup = ktv_controller("backup", "--data-dir", str(data_dir))
    assert backup.returncode == 0, backup.stderr
    backup_file = backup.stdout.split()[1]
    with start_controller(data_dir, ["--no-mdns"]):
        before = (data_dir / "controller.db").stat().st_ino
        proc = ktv_controller("restore", backup_file, "--data-dir", str(data_dir))
        assert proc.returncode == 5
        assert "a controller is running" in proc.stderr
        assert (data_dir / "controller.db").stat().st_ino == before


def test_a_second_controller_on_the_same_data_refuses_to_start(tmp_path):
    data_dir = tmp_path / "data"
    with start_controller(data_dir, ["--no-mdns"]):
        second = ktv_controller(
            "serve",
            "--data-dir",
            str(data_dir),
            "--insecure-dev",
            "--no-mdns",
            "--listen",
            "127.0.0.1:0",
        )
    assert second.returncode == 5
    assert "a controller is running" in second.stderr


def test_restore_brings_back_open_bills_and_undoes_a_later_checkout(tmp_path):
    """Billing on a real controller: two rooms open with orders, backup, one checks out (money
    moved), disaster, restore: both bills are open again with their orders, nothing paid."""
    from ktv.v1 import billing_pb2 as pb
    from tests.controller.billing.grpc_support import billing_stub, cash, rid, write_venue

    data_dir = tmp_path / "data"
    args = ["--venue-config", str(write_venue(data_dir)), "--no-mdns"]
    with start_controller(data_dir, args) as ctl:
        billing = billing_stub(ctl.channel())
        for room_id in ("E01", "E02"):
            ctl.add_room(room_id, tier="small")
            billing.OpenSession(
                pb.OpenSessionRequest(room=f"rooms/{room_id}", guest_count=4, request_id=rid()),
                metadata=ctl.admin_md,
                timeout=10,
            )
            billing.PlaceOrder(
                pb.PlaceOrderRequest(
                    room=f"rooms/{room_id}",
                    items=[pb.OrderItem(sku="beer", quantity=2)],
                    request_id=rid(),
                ),
                metadata=ctl.admin_md,
                timeout=10,
            )
        at_backup = {
            r: billing.GetBill(
                pb.GetBillRequest(room=f"rooms/{r}"), metadata=ctl.admin_md, timeout=10
            ).bill
            for r in ("E01", "E02")
        }
        backup = ktv_controller("backup", "--data-dir", str(data_dir))
        assert backup.returncode == 0, backup.stderr
        checkout = billing.Checkout(
            pb.CheckoutRequest(room="rooms/E02", tenders=[cash(10**6)], request_id=rid()),
            metadata=ctl.admin_md,
            timeout=10,
        )
        assert checkout.bill.closed

    restore = ktv_controller("restore", backup.stdout.split()[1], "--data-dir", str(data_dir))
    assert restore.returncode == 0, restore.stderr

    with start_controller(data_dir, args) as ctl:
        billing = billing_stub(ctl.channel())
        for room_id, before in at_backup.items():
            bill = billing.GetBill(
                pb.GetBillRequest(room=f"rooms/{room_id}"), metadata=ctl.admin_md, timeout=10
            ).bill
            assert not bill.closed and bill.paid_fen == 0
            assert bill.name == before.name
            orders = [(x.label, x.quantity, x.amount_fen) for x in bill.lines if x.kind == "order"]
            assert orders == [
                (x.label, x.quantity, x.amount_fen) for x in before.lines if x.kind == "order"
            ]
            assert orders  # the beers are on the restored bill
            assert bill.subtotal_fen >= before.subtotal_fen > 0  # room time keeps running
