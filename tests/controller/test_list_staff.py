"""ListStaff: managers see the staff accounts (for the web app's settings), page by page,
with the wrong-PIN lock; never a PIN; a cashier is refused by the permission table."""

from __future__ import annotations

import uuid

import grpc
import pytest

from controller import settings
from ktv.v1 import auth_pb2
from tests.support.controller import RunningController, bearer


def _all_staff(controller: RunningController, token: str, page_size: int) -> tuple[list, int]:
    out, page_token, pages = [], "", 0
    while True:
        reply = controller.auth().ListStaff(
            auth_pb2.ListStaffRequest(page_size=page_size, page_token=page_token),
            metadata=bearer(token),
            timeout=5,
        )
        out.extend(reply.staff)
        pages += 1
        page_token = reply.next_page_token
        if not page_token:
            return out, pages


def test_a_manager_lists_staff_in_pages_with_roles_and_locks(
    controller: RunningController,
) -> None:
    tag = uuid.uuid4().hex[:4]
    manager = controller.add_staff(f"m{tag}", auth_pb2.ROLE_MANAGER)
    for n in range(3):
        controller.add_staff(f"c{tag}{n}", auth_pb2.ROLE_CASHIER)
    for _ in range(settings.login_max_failures):
        with pytest.raises(grpc.RpcError):
            controller.auth().Login(
                auth_pb2.LoginRequest(staff_id=f"c{tag}1", pin="9999"), timeout=5
            )

    staff, pages = _all_staff(controller, manager, page_size=2)

    mine = {s.staff_id: s for s in staff if tag in s.staff_id}
    assert sorted(mine) == [f"c{tag}0", f"c{tag}1", f"c{tag}2", f"m{tag}"]
    assert pages == -(-len(staff) // 2) >= 2  # full pages of two, the last one without a token
    assert [s.staff_id for s in staff] == sorted(s.staff_id for s in staff)
    assert mine[f"m{tag}"].role == auth_pb2.ROLE_MANAGER
    assert mine[f"c{tag}0"].role == auth_pb2.ROLE_CASHIER
    assert mine[f"c{tag}1"].locked and not mine[f"c{tag}0"].locked
    assert mine[f"c{tag}0"].create_time.seconds > 0
    assert "pin" not in {f.name for f in auth_pb2.StaffMember.DESCRIPTOR.fields}


def test_a_cashier_may_not_list_staff(controller: RunningController) -> None:
    cashier = controller.add_staff(f"c{uuid.uuid4().hex[:6]}", auth_pb2.ROLE_CASHIER)
    with pytest.raises(grpc.RpcError) as err:
        controller.auth().ListStaff(
            auth_pb2.ListStaffRequest(), metadata=bearer(cashier), timeout=5
        )
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_foreign_page_token_is_refused(controller: RunningController) -> None:
    manager = controller.add_staff(f"m{uuid.uuid4().hex[:6]}", auth_pb2.ROLE_MANAGER)
    with pytest.raises(grpc.RpcError) as err:
        controller.auth().ListStaff(
            auth_pb2.ListStaffRequest(page_token="bm90IG91cnM="),
            metadata=bearer(manager),
            timeout=5,
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
