"""Operator caps (real venues' 权限额度): per role, how large a manual discount, a comp (赠送),
a fixed-amount discount (manual 抹零 is one) and a refund may be without approval. Over the
cap, the action needs a manager's approval at the same desk (their staff id + PIN, checked
with the persisted lockout by the caller) and the approver is recorded on the event, so the
audit log says who approved. Approving your own action needs its own right (``self_approve``).

Pure: the PIN is checked by the adapter before the action; this module decides whether the
(already authenticated) approval is enough.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from controller.auth.model import Role
from controller.billing.money import format_yuan
from ktv.errors import InvalidArgument, PermissionDenied


class CapKind(Enum):
    DISCOUNT_PERCENT = "discount_percent"  # basis points
    DISCOUNT_AMOUNT = "discount_amount"  # fen: a fixed discount, manual 抹零
    COMP = "comp"  # fen at list price
    REFUND = "refund"  # fen


@dataclass(frozen=True)
class Caps:
    """A role's caps; None is no cap (managers), 0 means every such action needs approval."""

    discount_bp: int | None = None
    discount_fen: int | None = None
    comp_fen: int | None = None
    refund_fen: int | None = None

    def cap(self, kind: CapKind) -> int | None:
        return {
            CapKind.DISCOUNT_PERCENT: self.discount_bp,
            CapKind.DISCOUNT_AMOUNT: self.discount_fen,
            CapKind.COMP: self.comp_fen,
            CapKind.REFUND: self.refund_fen,
        }[kind]


UNCAPPED = Caps()
# A cashier may do none of these alone until the venue gives caps ([caps.cashier]).
DEFAULT_CAPS: Mapping[Role, Caps] = {
    Role.CASHIER: Caps(0, 0, 0, 0),
    Role.MANAGER: UNCAPPED,
    Role.ADMIN: UNCAPPED,
}


@dataclass(frozen=True)
class CapTable:
    caps: Mapping[Role, Caps] = field(default_factory=lambda: dict(DEFAULT_CAPS))
    self_approve: frozenset[Role] = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class Approval:
    """A PIN-checked approver: who, and the role their PIN proved."""

    staff_id: str
    role: Role


@dataclass(frozen=True)
class Authority:
    """Under what a staff member acted: within their cap, or approved by someone."""

    within_cap: bool = False
    approved_by: str = ""


@dataclass(frozen=True)
class Refusal:
    """An over-cap attempt that was refused: an audit row (``billing_refusals``) and a line of
    the shift's operations. ``value`` and ``cap`` in bp (a percentage) or fen."""

    at: datetime
    staff_id: str
    role: Role
    kind: CapKind
    value: int
    cap: int
    reason: str  # APPROVAL_REQUIRED, SELF_APPROVAL, APPROVER_CAPPED
    target: str = ""  # the room or bill acted on
    approver: str = ""  # the approver offered, if any

    @property
    def over(self) -> int:
        return max(self.value - self.cap, 0)


def refusal_detail(kind: str, value: int, cap: int, reason: str, approver: str = "") -> str:
    """One line for the handover sheet: what, how much, the cap, by how much over, why."""
    k = CapKind(kind)
    what = {
        CapKind.DISCOUNT_PERCENT: "折扣",
        CapKind.DISCOUNT_AMOUNT: "减免",
        CapKind.COMP: "赠送",
        CapKind.REFUND: "退款",
    }[k]
    why = {
        "APPROVAL_REQUIRED": "无审批",
        "SELF_APPROVAL": "不可自批",
        "APPROVER_CAPPED": f"审批人 {approver} 权限不足",
    }.get(reason, reason)
    return (
        f"{what} {_show(k, value)} 超出上限 {_show(k, cap)}"
        f" (超 {_show(k, max(value - cap, 0))}): {why}"
    )


def _show(kind: CapKind, value: int) -> str:
    if kind is CapKind.DISCOUNT_PERCENT:
        return f"{value / 100:g} %"
    return format_yuan(value)


def authorize(
    table: CapTable,
    staff_id: str,
    role: Role,
    kind: CapKind,
    value: int,
    approval: Approval | None = None,
) -> Authority:
    """The authority for ``value`` (bp or fen) of ``kind`` by ``staff_id`` acting as
    ``role``; raises PermissionDenied (APPROVAL_REQUIRED, SELF_APPROVAL, APPROVER_CAPPED)."""
    caps = table.caps.get(role)
    if caps is None:
        raise PermissionDenied(f"{kind.value.replace('_', ' ')} is not a {role.key}'s to give")
    cap = caps.cap(kind)
    if (cap is None or value <= cap) and approval is None:
        return Authority(within_cap=True)
    if approval is None:
        raise PermissionDenied(
            f"{_show(kind, value)} is over a {role.key}'s cap of {_show(kind, cap or 0)}: "
            "a manager approves with their staff id and PIN",
            reason="APPROVAL_REQUIRED",
        )
    if approval.staff_id == staff_id and approval.role not in table.self_approve:
        raise PermissionDenied(
            "approving your own action needs the self-approval right", reason="SELF_APPROVAL"
        )
    approver_caps = table.caps.get(approval.role)
    approver_cap = approver_caps.cap(kind) if approver_caps else 0
    if approver_cap is not None and value > approver_cap:
        raise PermissionDenied(
            f"{approval.staff_id} ({approval.role.key}) may not approve {_show(kind, value)}",
            reason="APPROVER_CAPPED",
        )
    return Authority(approved_by=approval.staff_id)


def caps_from_config(data: Mapping[str, object]) -> CapTable:
    """``[caps.cashier]`` discount_percent / discount_yuan / comp_yuan / refund_yuan (whole
    numbers), ``[caps] self_approve = ["admin"]``; roles not given keep the defaults."""
    from controller.billing.plan_config import _money  # the venue config's money rule

    table = dict(DEFAULT_CAPS)
    known = {"discount_percent", "discount_yuan", "comp_yuan", "refund_yuan"}
    self_approve = frozenset({Role.ADMIN})
    for key, value in data.items():
        if key == "self_approve":
            if not isinstance(value, list):
                raise InvalidArgument("caps.self_approve is a list of roles", reason="BAD_CAPS")
            try:
                self_approve = frozenset(Role.from_key(str(v)) for v in value)
            except (KeyError, ValueError):
                raise InvalidArgument(f"caps.self_approve: {value!r}", reason="BAD_CAPS") from None
            continue
        try:
            role = Role.from_key(key)
        except (KeyError, ValueError):
            raise InvalidArgument(f"caps: unknown role {key!r}", reason="BAD_CAPS") from None
        if not isinstance(value, dict) or set(value) - known:
            raise InvalidArgument(f"caps.{key}: keys are {sorted(known)}", reason="BAD_CAPS")
        percent = value.get("discount_percent")
        if percent is not None and (not isinstance(percent, int) or not 0 <= percent <= 100):
            raise InvalidArgument(f"caps.{key}.discount_percent: 0-100", reason="BAD_CAPS")

        def fen(name: str, role_key: str = key, spec: dict = value) -> int | None:  # type: ignore[type-arg]
            raw = spec.get(name)
            return None if raw is None else _money(raw, f"caps.{role_key}.{name}")

        table[role] = Caps(
            None if percent is None else percent * 100,
            fen("discount_yuan"),
            fen("comp_yuan"),
            fen("refund_yuan"),
        )
    return CapTable(table, self_approve)
